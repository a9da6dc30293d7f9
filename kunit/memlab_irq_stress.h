/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A hard-interrupt stress of an allocator's per-CPU fast path, shared by
 * the buddy and slab suites.
 *
 * A kthread bound to one CPU allocates and frees in a tight loop while an
 * hrtimer pinned to the same CPU fires at random short intervals. The
 * timer's handler makes net allocations (it keeps what it takes), net
 * frees (of what it kept, and of what the task handed it), so interrupts
 * land in the middle of the task's pushes and pops with the per-CPU stack
 * at every depth. Every value handed out is marked in a bitmap, one bit
 * per 2^@shift bytes of the arena: a value handed out twice finds its bit
 * set, a free of an unmarked value is counted too, and at the end the
 * caller checks that the allocator has everything back.
 */
#ifndef MEMLAB_IRQ_STRESS_H
#define MEMLAB_IRQ_STRESS_H

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "memlab_kunit_compat.h"

#define MEMLAB_IRQ_KEEP		48	/* values the handler or the task may keep */

struct memlab_irq_stress {
	/* Set by the caller. */
	void *(*alloc)(void *ctx);
	int (*free)(void *ctx, void *p);
	void *ctx;
	void *base;			/* the arena every value lies in */
	unsigned int shift;		/* log2 of the bitmap's granule */
	size_t span;			/* bytes of the arena */
	unsigned int seed;
	unsigned int ms;		/* how long the task runs */

	/* Results. */
	unsigned long ops, irqs;
	atomic_long_t dups, bad_frees, fails;

	/* Private. */
	unsigned long *owned;
	struct hrtimer timer;
	struct rnd_state irq_rnd;
	bool stop;
	void *irq_held[MEMLAB_IRQ_KEEP];
	unsigned int nr_irq_held;
	/* Handed from the task to the handler; the task masks interrupts. */
	void *handoff[MEMLAB_IRQ_KEEP];
	unsigned int nr_handoff;
	struct completion done;
};

static unsigned long memlab_irq_stress_bit(struct memlab_irq_stress *s, void *p)
{
	return (unsigned long)((u8 *)p - (u8 *)s->base) >> s->shift;
}

static bool memlab_irq_stress_got(struct memlab_irq_stress *s, void *p)
{
	if (!p) {
		atomic_long_inc(&s->fails);
		return false;
	}
	if ((u8 *)p < (u8 *)s->base || (u8 *)p >= (u8 *)s->base + s->span) {
		atomic_long_inc(&s->dups);
		return false;
	}
	if (test_and_set_bit(memlab_irq_stress_bit(s, p), s->owned)) {
		/* Someone else owns it: never free it a second time. */
		atomic_long_inc(&s->dups);
		return false;
	}
	return true;
}

static void memlab_irq_stress_put(struct memlab_irq_stress *s, void *p)
{
	if (!test_and_clear_bit(memlab_irq_stress_bit(s, p), s->owned))
		atomic_long_inc(&s->bad_frees);
	if (s->free(s->ctx, p))
		atomic_long_inc(&s->bad_frees);
}

static enum hrtimer_restart memlab_irq_stress_fire(struct hrtimer *t)
{
	struct memlab_irq_stress *s = container_of(t, struct memlab_irq_stress, timer);
	u32 r = prandom_u32_state(&s->irq_rnd);
	unsigned int i, n = 1 + (r & 3);
	void *p;

	s->irqs++;
	if (r & 4) {
		/* Net allocations: keep up to @n more. */
		for (i = 0; i < n && s->nr_irq_held < MEMLAB_IRQ_KEEP; i++) {
			p = s->alloc(s->ctx);
			if (memlab_irq_stress_got(s, p))
				s->irq_held[s->nr_irq_held++] = p;
		}
	} else {
		/* Net frees: of what this handler kept, and of the task's. */
		for (i = 0; i < n && s->nr_irq_held; i++)
			memlab_irq_stress_put(s, s->irq_held[--s->nr_irq_held]);
		while (s->nr_handoff)
			memlab_irq_stress_put(s, s->handoff[--s->nr_handoff]);
	}
	if (READ_ONCE(s->stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(2000 + (r >> 8) % 30000));
	return HRTIMER_RESTART;
}

static int memlab_irq_stress_task(void *data)
{
	struct memlab_irq_stress *s = data;
	unsigned long end = jiffies + msecs_to_jiffies(s->ms), flags;
	void *held[MEMLAB_IRQ_KEEP];
	unsigned int nr = 0, i;
	struct rnd_state rnd;
	u32 r;
	void *p;

	prandom_seed_state(&rnd, s->seed);
	memlab_hrtimer_setup(&s->timer, memlab_irq_stress_fire, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL_PINNED_HARD);
	hrtimer_start(&s->timer, ns_to_ktime(5000), HRTIMER_MODE_REL_PINNED_HARD);
	while (time_before(jiffies, end)) {
		r = prandom_u32_state(&rnd);
		s->ops++;
		if ((r & 1) && nr < MEMLAB_IRQ_KEEP) {
			p = s->alloc(s->ctx);
			if (memlab_irq_stress_got(s, p))
				held[nr++] = p;
		} else if (nr) {
			/* Free a random one; sometimes hand it to the handler. */
			i = (r >> 1) % nr;
			p = held[i];
			held[i] = held[--nr];
			if (r & 0x300) {
				memlab_irq_stress_put(s, p);
				continue;
			}
			local_irq_save(flags);
			if (s->nr_handoff < MEMLAB_IRQ_KEEP) {
				s->handoff[s->nr_handoff++] = p;
				p = NULL;
			}
			local_irq_restore(flags);
			if (p)
				memlab_irq_stress_put(s, p);
		}
		if (!(s->ops & 255))
			cond_resched();
	}
	WRITE_ONCE(s->stop, true);
	hrtimer_cancel(&s->timer);
	while (nr)
		memlab_irq_stress_put(s, held[--nr]);
	while (s->nr_irq_held)
		memlab_irq_stress_put(s, s->irq_held[--s->nr_irq_held]);
	while (s->nr_handoff)
		memlab_irq_stress_put(s, s->handoff[--s->nr_handoff]);
	complete(&s->done);
	return 0;
}

/*
 * Run the stress on one CPU for @s->ms milliseconds; the caller then checks
 * the counters and that its allocator has everything back.
 */
static void memlab_irq_stress_run(struct kunit *test, struct memlab_irq_stress *s)
{
	struct task_struct *task;

	s->owned = kunit_kcalloc(test, BITS_TO_LONGS(s->span >> s->shift),
				 sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->owned);
	prandom_seed_state(&s->irq_rnd, s->seed ^ 0x9e3779b9);
	init_completion(&s->done);
	task = kthread_create(memlab_irq_stress_task, s, "memlab-irq-stress");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	kthread_bind(task, cpumask_first(cpu_online_mask));
	wake_up_process(task);
	wait_for_completion(&s->done);
	kunit_info(test, "%lu task operations, %lu interrupts (seed %u)\n", s->ops, s->irqs,
		   s->seed);
	KUNIT_EXPECT_GT(test, s->irqs, 0UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->dups), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->bad_frees), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&s->fails), 0L);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(s->owned, s->span >> s->shift));
}

#endif
