// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab per-CPU caches of free blocks
 *
 * In front of a pool's buddy lists, each CPU caches free blocks of orders
 * 0 to 3, as the page allocator's per-CPU lists do up to
 * PAGE_ALLOC_COSTLY_ORDER. A cache is a trylocked per-CPU stack
 * (pcpu_stack.h); the fast paths are inline in pcp.h, and this file holds
 * what moves blocks between the caches and the buddy lists: refills,
 * spills, drains, and the counts the reports add up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/printk.h>

#include "internal.h"
#include "pcp.h"

/*
 * Size the per-CPU caches: a CPU keeps at most 1/16 of the pool in blocks
 * of each cached order (so 1/4 in all), and no more than a stack holds.
 * Pools too small for two blocks of an order have no cache for it.
 */
static void memlab_pcp_size(struct memlab_pool *pool)
{
	unsigned int o;

	for (o = 0; o < MEMLAB_PCP_ORDERS; o++) {
		u32 high = min_t(u32, MEMLAB_PCS_SLOTS, pool->buddy.managed_pages >> (4 + o));

		if (o > pool->buddy.max_order || high < 2)
			high = 0;
		pool->pcp_high[o] = high;
		pool->pcp_batch[o] = high / 2;
	}
}

/* Give @pool its per-CPU caches, empty, sized by memlab_pcp_size(). */
int memlab_pcp_init(struct memlab_pool *pool)
{
	unsigned int o;
	int cpu;

	pool->pcp = alloc_percpu(struct memlab_pcp);
	if (!pool->pcp)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		for (o = 0; o < MEMLAB_PCP_ORDERS; o++)
			memlab_pcs_init(&per_cpu_ptr(pool->pcp, cpu)->blocks[o]);
	memlab_pcp_size(pool);
	return 0;
}

/*
 * Give @n CACHED blocks of @order back to the buddy allocator. The first
 * @given of them came off a cache or were taken for one; the others are
 * users' frees that no cache took.
 */
static void memlab_pcp_return(struct memlab_pool *pool, unsigned int order,
			      const unsigned long *idx, unsigned int n, unsigned int given)
{
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&pool->lock, flags);
	for (i = 0; i < n; i++) {
		WRITE_ONCE(pool->meta[idx[i]].state, MEMLAB_PG_USED);
		if (memlab_pool_buddy_free(pool, idx[i], order, NULL))
			pr_err("pool %s: cached order-%u block %lu refused\n", pool->name,
			       order, idx[i]);
	}
	pool->pcp_moves[order].given += given;
	raw_spin_unlock_irqrestore(&pool->lock, flags);
}

/*
 * Give the cached blocks of orders below @below in @pcp, any CPU's, back
 * to the buddy allocator. Return whether there were any. Not inlined, so
 * that its array stays off the frame of every refill.
 */
noinline bool memlab_pcp_give_all(struct memlab_pool *pool, struct memlab_pcp *pcp,
					 unsigned int below)
{
	unsigned long idx[MEMLAB_PCS_SLOTS];
	unsigned int o, n;
	bool got = false;

	for (o = 0; o < min_t(unsigned int, below, MEMLAB_PCP_ORDERS); o++) {
		n = memlab_pcs_take_all(&pcp->blocks[o], idx);
		if (n) {
			memlab_pcp_return(pool, o, idx, n, n);
			got = true;
		}
	}
	return got;
}

/**
 * memlab_pool_drain() - give every CPU's cached blocks back to the buddy
 * @pool: the pool
 *
 * Blocks freed meanwhile may be cached again. Outside task context a
 * cache in use at that moment (by the context interrupted here, say) is
 * skipped.
 *
 * Context: Any context but NMI.
 */
void memlab_pool_drain(struct memlab_pool *pool)
{
	int cpu;

	if (!pool->pcp)
		return;
	for_each_possible_cpu(cpu)
		memlab_pcp_give_all(pool, per_cpu_ptr(pool->pcp, cpu), MEMLAB_PCP_ORDERS);
}
EXPORT_SYMBOL_GPL(memlab_pool_drain);

/*
 * Give the buddy allocator one block larger than @order from this CPU's
 * caches, to split. Return whether there was one.
 */
bool memlab_pcp_give_larger(struct memlab_pool *pool, unsigned int order)
{
	unsigned long idx, flags;
	struct memlab_pcs *s;
	unsigned int o;
	bool got = false;

	for (o = order + 1; o < MEMLAB_PCP_ORDERS && !got; o++) {
		s = memlab_pcp_get(pool, o, &flags);
		if (!s)
			continue;
		got = memlab_pcs_pop1(s, &idx);
		memlab_pcs_put(s, flags);
		if (got)
			memlab_pcp_return(pool, o, &idx, 1, 1);
	}
	return got;
}

/*
 * This CPU's cache of @order is empty: allocate from the buddy allocator,
 * with a batch more for the cache.
 */
noinline long memlab_pcp_refill(struct memlab_pool *pool, unsigned int order)
{
	unsigned long extra[MEMLAB_PCS_SLOTS / 2], flags;
	unsigned int n = pool->pcp_batch[order] - 1;
	struct memlab_pcs *s;
	long got;

	got = memlab_pool_take(pool, order, extra, &n);
	if (!n)
		return got;
	s = memlab_pcp_get(pool, order, &flags);
	if (s) {
		if (memlab_pcs_push(s, extra, n, pool->pcp_high[order]))
			n = 0;
		memlab_pcs_put(s, flags);
	}
	/* Interrupts filled the cache meanwhile, or hold it: they go back. */
	if (n)
		memlab_pcp_return(pool, order, extra, n, n);
	return got;
}

/*
 * This CPU's cache of @order is full: a batch goes back to the buddy
 * allocator, and the CACHED block at @idx too if it still does not fit
 * or the cache is in use.
 */
noinline void memlab_pcp_spill(struct memlab_pool *pool, u32 idx, unsigned int order)
{
	unsigned long spill[MEMLAB_PCS_SLOTS / 2 + 1], flags;
	unsigned int n = 0, popped = 0;
	struct memlab_pcs *s;
	bool pushed = false;

	s = memlab_pcp_get(pool, order, &flags);
	if (s) {
		popped = memlab_pcs_pop(s, spill, pool->pcp_batch[order]);
		pushed = memlab_pcs_push1(s, idx, pool->pcp_high[order]);
		s->frees += pushed;
		memlab_pcs_put(s, flags);
	}
	n = popped;
	if (!pushed)
		spill[n++] = idx;
	memlab_pcp_return(pool, order, spill, n, popped);
}

/**
 * memlab_pool_snapshot() - the buddy allocator's state, as users see it
 * @pool: the pool
 * @copy: filled in
 *
 * The per-CPU caches are drained first, and the allocation and free
 * counts are those of the pool's users: the buddy allocator's own, less
 * the blocks it moved to and from the caches, plus what the caches served.
 * Exact while the pool is idle.
 *
 * Context: Any context but NMI.
 */
void memlab_pool_snapshot(struct memlab_pool *pool, struct memlab_buddy *copy)
{
	u64 allocs[MEMLAB_PCP_ORDERS] = { }, frees[MEMLAB_PCP_ORDERS] = { };
	unsigned long flags;
	unsigned int o;
	int cpu;

	memlab_pool_drain(pool);
	for_each_possible_cpu(cpu) {
		struct memlab_pcp *pcp;

		if (!pool->pcp)
			break;
		pcp = per_cpu_ptr(pool->pcp, cpu);
		for (o = 0; o < MEMLAB_PCP_ORDERS; o++) {
			allocs[o] += READ_ONCE(pcp->blocks[o].allocs);
			frees[o] += READ_ONCE(pcp->blocks[o].frees);
		}
	}
	raw_spin_lock_irqsave(&pool->lock, flags);
	*copy = pool->buddy;
	for (o = 0; o < MEMLAB_PCP_ORDERS; o++) {
		copy->stats[o].allocs += allocs[o] - pool->pcp_moves[o].taken;
		copy->stats[o].frees += frees[o] - pool->pcp_moves[o].given;
	}
	raw_spin_unlock_irqrestore(&pool->lock, flags);
}

/* Pages in every CPU's caches, for reports: they may change at once. */
unsigned long memlab_pcp_cached_pages(struct memlab_pool *pool)
{
	unsigned long pages = 0;
	unsigned int o;
	int cpu;

	if (!pool->pcp)
		return 0;
	for_each_possible_cpu(cpu)
		for (o = 0; o < MEMLAB_PCP_ORDERS; o++)
			pages += (unsigned long)memlab_pcs_count(&per_cpu_ptr(pool->pcp,
									      cpu)->blocks[o]) << o;
	return pages;
}
