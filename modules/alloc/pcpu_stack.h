/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab per-CPU stacks: the fast paths of the slab layer (free objects)
 * and of the buddy allocator (free low-order blocks).
 *
 * A stack is a word and an array of slots. The word holds the number of
 * slots in use in its low bits and a sequence number above them, bumped by
 * every change. The owning CPU, with preemption disabled, reads the word,
 * reads or writes the slot above or at the top, and publishes the result
 * with one compare-and-exchange of the word; interrupts stay enabled. An
 * interrupt that uses the stack in between runs to completion and changes
 * the sequence number, so the interrupted update fails its exchange and is
 * retried: the same restartable sequence SLUB's fast path builds on its
 * transaction id. Only the owning CPU writes slots, and it publishes a slot
 * with a release exchange, so any CPU may empty a stack with
 * memlab_pcs_take_all() (a fully ordered exchange) without disturbing it.
 * A 56-bit sequence number cannot wrap within one update.
 */
#ifndef MEMLAB_PCPU_STACK_H
#define MEMLAB_PCPU_STACK_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/minmax.h>
#include <linux/types.h>

#define MEMLAB_PCS_SLOTS	32
#define MEMLAB_PCS_COUNT_MASK	0xffUL
#define MEMLAB_PCS_SEQ		0x100UL

struct memlab_pcs {
	unsigned long top;			/* count, and sequence above it */
	unsigned long slot[MEMLAB_PCS_SLOTS];
};

static inline unsigned int memlab_pcs_count(const struct memlab_pcs *s)
{
	return READ_ONCE(s->top) & MEMLAB_PCS_COUNT_MASK;
}

/*
 * Pop up to @n values into @vals, the top of the stack last. Owning CPU,
 * preemption disabled. Return how many were popped.
 */
static inline unsigned int memlab_pcs_pop(struct memlab_pcs *s, unsigned long *vals,
					  unsigned int n)
{
	unsigned long top;
	unsigned int count, k, i;

	do {
		top = READ_ONCE(s->top);
		count = top & MEMLAB_PCS_COUNT_MASK;
		k = min(n, count);
		if (!k)
			return 0;
		for (i = 0; i < k; i++)
			vals[i] = READ_ONCE(s->slot[count - k + i]);
	} while (cmpxchg_relaxed(&s->top, top, top - k + MEMLAB_PCS_SEQ) != top);
	return k;
}

/* Pop one value. Owning CPU, preemption disabled. */
static inline bool memlab_pcs_pop1(struct memlab_pcs *s, unsigned long *val)
{
	unsigned long top, v;

	do {
		top = READ_ONCE(s->top);
		if (!(top & MEMLAB_PCS_COUNT_MASK))
			return false;
		v = READ_ONCE(s->slot[(top & MEMLAB_PCS_COUNT_MASK) - 1]);
	} while (cmpxchg_relaxed(&s->top, top, top - 1 + MEMLAB_PCS_SEQ) != top);
	*val = v;
	return true;
}

/*
 * Push all @n values of @vals, or none when fewer than @n slots below @cap
 * are free. Owning CPU, preemption disabled.
 */
static inline bool memlab_pcs_push(struct memlab_pcs *s, const unsigned long *vals,
				   unsigned int n, unsigned int cap)
{
	unsigned long top;
	unsigned int count, i;

	do {
		top = READ_ONCE(s->top);
		count = top & MEMLAB_PCS_COUNT_MASK;
		if (count + n > cap)
			return false;
		for (i = 0; i < n; i++)
			WRITE_ONCE(s->slot[count + i], vals[i]);
	} while (cmpxchg_release(&s->top, top, top + n + MEMLAB_PCS_SEQ) != top);
	return true;
}

/* Push one value, or return false when @cap slots are in use. */
static inline bool memlab_pcs_push1(struct memlab_pcs *s, unsigned long val,
				    unsigned int cap)
{
	return memlab_pcs_push(s, &val, 1, cap);
}

/*
 * Whether @val is on top of the stack: the cheap double-free test of the
 * fast paths. Owning CPU, preemption disabled.
 */
static inline bool memlab_pcs_is_top(struct memlab_pcs *s, unsigned long val)
{
	unsigned long count = READ_ONCE(s->top) & MEMLAB_PCS_COUNT_MASK;

	return count && READ_ONCE(s->slot[count - 1]) == val;
}

/*
 * Empty the stack into @vals (MEMLAB_PCS_SLOTS of room), from any CPU and
 * any context. Return how many values were taken.
 */
static inline unsigned int memlab_pcs_take_all(struct memlab_pcs *s, unsigned long *vals)
{
	unsigned long top;
	unsigned int count, i;

	do {
		/* Pairs with the release in memlab_pcs_push(): the slots are written. */
		top = smp_load_acquire(&s->top);
		count = top & MEMLAB_PCS_COUNT_MASK;
		if (!count)
			return 0;
		for (i = 0; i < count; i++)
			vals[i] = READ_ONCE(s->slot[i]);
	} while (cmpxchg(&s->top, top, (top & ~MEMLAB_PCS_COUNT_MASK) + MEMLAB_PCS_SEQ) != top);
	return count;
}

#endif
