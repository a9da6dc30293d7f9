/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab per-CPU stacks: the fast paths of the slab layer (free objects)
 * and of the buddy allocator (free low-order blocks).
 *
 * The design is the page allocator's per-CPU lists (mm/page_alloc.c,
 * pcp_spin_trylock()): each stack has a spinlock of its own, and the fast
 * paths pin themselves to their CPU and only try it. Task, softirq and
 * hardirq context all take the same path; an interrupt that finds the
 * stack held by the context it interrupted fails its trylock and takes
 * the caller's locked slow path instead, so nothing waits and no update
 * is ever torn. Interrupts stay enabled on the fast paths: a trylock and
 * an unlock cost about what the compare-and-exchange of a lockless stack
 * does, and the slot writes are covered by the lock, which a sequence
 * number on the stack word alone cannot do. Any CPU may empty a stack
 * (drains, shrinking) by taking its lock with interrupts masked.
 *
 * The lock is a leaf: nothing is taken or waited for while it is held. So
 * a context that spins on it always gets it, except one that interrupted
 * the holder on the holder's own CPU, or one whose holder is interrupted
 * by such a waiter. Task context interrupts nothing, so drains wait for a
 * stack there and only try it elsewhere (memlab_pcs_take_all()).
 * Lockdep sees the fast paths as trylocks, which do not make a lock
 * interrupt-unsafe, and the drains as ordinary acquisitions with
 * interrupts off.
 *
 * On a uniprocessor build a trylock always succeeds, so there the fast
 * paths mask interrupts instead, as the page allocator does. NMI context
 * is not supported.
 */
#ifndef MEMLAB_PCPU_STACK_H
#define MEMLAB_PCPU_STACK_H

#include <linux/compiler.h>
#include <linux/irqflags.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#define MEMLAB_PCS_SLOTS	32

struct memlab_pcs {
	raw_spinlock_t lock;
	unsigned int count;		/* slots in use; read unlocked by reports */
	unsigned long slot[MEMLAB_PCS_SLOTS];
	/* Users' allocations and frees this stack served, under @lock. */
	unsigned long allocs;
	unsigned long frees;
};

static inline void memlab_pcs_init(struct memlab_pcs *s)
{
	raw_spin_lock_init(&s->lock);
	s->count = 0;
	s->allocs = 0;
	s->frees = 0;
}

/* The number of values on @s, for reports: it may change at once. */
static inline unsigned int memlab_pcs_count(const struct memlab_pcs *s)
{
	return READ_ONCE(s->count);
}

/*
 * Pin the caller to its CPU and lock that CPU's stack of @pcs. Return the
 * stack, or NULL when it is held (by a context this one interrupted, or
 * by a drain): the caller then takes its slow path. @flags is for
 * memlab_pcs_put().
 */
static __always_inline struct memlab_pcs *memlab_pcs_get(struct memlab_pcs __percpu *pcs,
							 unsigned long *flags)
{
	struct memlab_pcs *s;

	if (!IS_ENABLED(CONFIG_SMP))
		local_irq_save(*flags);
	preempt_disable();
	s = this_cpu_ptr(pcs);
	if (likely(raw_spin_trylock(&s->lock))) {
		/* Held while the pointer is not NULL, which sparse cannot follow. */
		__release(&s->lock);
		return s;
	}
	preempt_enable();
	if (!IS_ENABLED(CONFIG_SMP))
		local_irq_restore(*flags);
	return NULL;
}

/* Unlock and unpin a stack from memlab_pcs_get(). */
static __always_inline void memlab_pcs_put(struct memlab_pcs *s, unsigned long flags)
{
	__acquire(&s->lock);	/* from memlab_pcs_get(), for sparse */
	raw_spin_unlock(&s->lock);
	preempt_enable();
	if (!IS_ENABLED(CONFIG_SMP))
		local_irq_restore(flags);
}

/* Pop up to @n values into @vals, the top of the stack last. Return how many. */
static inline unsigned int memlab_pcs_pop(struct memlab_pcs *s, unsigned long *vals,
					  unsigned int n)
{
	unsigned int k = min(n, s->count), i;

	for (i = 0; i < k; i++)
		vals[i] = s->slot[s->count - k + i];
	WRITE_ONCE(s->count, s->count - k);
	return k;
}

/* Pop one value. */
static __always_inline bool memlab_pcs_pop1(struct memlab_pcs *s, unsigned long *val)
{
	if (!s->count)
		return false;
	*val = s->slot[s->count - 1];
	WRITE_ONCE(s->count, s->count - 1);
	return true;
}

/* Push all @n values of @vals, or none when fewer than @n slots below @cap are free. */
static inline bool memlab_pcs_push(struct memlab_pcs *s, const unsigned long *vals,
				   unsigned int n, unsigned int cap)
{
	unsigned int i;

	if (s->count + n > cap)
		return false;
	for (i = 0; i < n; i++)
		s->slot[s->count + i] = vals[i];
	WRITE_ONCE(s->count, s->count + n);
	return true;
}

/* Push one value, or return false when @cap slots are in use. */
static __always_inline bool memlab_pcs_push1(struct memlab_pcs *s, unsigned long val,
					     unsigned int cap)
{
	if (s->count >= cap)
		return false;
	s->slot[s->count] = val;
	WRITE_ONCE(s->count, s->count + 1);
	return true;
}

/* Whether @val is on top of the stack: the cheap double-free test of the fast paths. */
static __always_inline bool memlab_pcs_is_top(const struct memlab_pcs *s, unsigned long val)
{
	return s->count && s->slot[s->count - 1] == val;
}

/*
 * Empty @s, any CPU's stack, into @vals (MEMLAB_PCS_SLOTS of room), from
 * any context but NMI. Return how many values were taken. Outside task
 * context the stack is only tried, and 0 is returned when it is held: the
 * holder may be the context interrupted here, or a context on another CPU
 * interrupted by one that waits for this CPU's stack.
 */
static inline unsigned int memlab_pcs_take_all(struct memlab_pcs *s, unsigned long *vals)
{
	unsigned long flags;
	unsigned int n;

	local_irq_save(flags);
	if (in_task()) {
		raw_spin_lock(&s->lock);
	} else if (!raw_spin_trylock(&s->lock)) {
		local_irq_restore(flags);
		return 0;
	}
	n = s->count;
	memcpy(vals, s->slot, n * sizeof(*vals));
	WRITE_ONCE(s->count, 0);
	raw_spin_unlock(&s->lock);
	local_irq_restore(flags);
	return n;
}

#endif
