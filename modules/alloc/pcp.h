/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab per-CPU caches of free blocks: the fast paths, inline for
 * pool.c's memlab_alloc_pages() and memlab_free_pages(), and what pcp.c
 * and pool.c share.
 */
#ifndef MEMLAB_ALLOC_PCP_H
#define MEMLAB_ALLOC_PCP_H

#include <linux/atomic.h>
#include <linux/types.h>

#include "internal.h"
#include "pcpu_stack.h"

/* A CPU's cache of free blocks of each order below MEMLAB_PCP_ORDERS, as block indices. */
struct memlab_pcp {
	struct memlab_pcs blocks[MEMLAB_PCP_ORDERS];
};

/* Lock this CPU's cache of @order; NULL when it is in use (pcpu_stack.h). */
static __always_inline struct memlab_pcs *memlab_pcp_get(struct memlab_pool *pool,
							 unsigned int order, unsigned long *flags)
{
	return memlab_pcs_get(&pool->pcp->blocks[order], flags);
}

int memlab_pcp_init(struct memlab_pool *pool);
bool memlab_pcp_give_all(struct memlab_pool *pool, struct memlab_pcp *pcp, unsigned int below);
bool memlab_pcp_give_larger(struct memlab_pool *pool, unsigned int order);
long memlab_pcp_refill(struct memlab_pool *pool, unsigned int order);
void memlab_pcp_spill(struct memlab_pool *pool, u32 idx, unsigned int order);
unsigned long memlab_pcp_cached_pages(struct memlab_pool *pool);
long memlab_pool_take(struct memlab_pool *pool, unsigned int order,
		      unsigned long *extra, unsigned int *nr_extra);
long memlab_pool_take1(struct memlab_pool *pool, unsigned int order);
int memlab_pool_buddy_free(struct memlab_pool *pool, u32 idx, unsigned int order,
			   enum memlab_buddy_misuse *misuse);

/*
 * Allocate a block of a cached order: from this CPU's cache, or refill it;
 * straight from the buddy lists when the cache is in use.
 */
static __always_inline long memlab_pcp_alloc(struct memlab_pool *pool, unsigned int order)
{
	unsigned long idx, flags;
	struct memlab_pcs *s;
	bool hit;

	s = memlab_pcp_get(pool, order, &flags);
	if (unlikely(!s))
		return memlab_pool_take1(pool, order);
	hit = memlab_pcs_pop1(s, &idx);
	s->allocs += hit;
	memlab_pcs_put(s, flags);
	if (unlikely(!hit))
		return memlab_pcp_refill(pool, order);
	WRITE_ONCE(pool->meta[idx].state, MEMLAB_PG_USED);
	return idx;
}

/*
 * Free the used block of @order at @idx into this CPU's cache, if it is
 * one: its head turns from USED to CACHED in one exchange, so a double
 * free, even on two CPUs at once, finds it CACHED and takes the checking
 * slow path. Return false when it is no such block.
 */
static __always_inline bool memlab_pcp_free(struct memlab_pool *pool, u32 idx,
					    unsigned int order)
{
	u16 used = memlab_buddy_tag(order, MEMLAB_PG_USED);
	unsigned long flags;
	struct memlab_pcs *s;
	bool pushed = false;

	if (cmpxchg_relaxed(&pool->meta[idx].tag, used,
			    memlab_buddy_tag(order, MEMLAB_PG_CACHED)) != used)
		return false;
	s = memlab_pcp_get(pool, order, &flags);
	if (likely(s)) {
		pushed = memlab_pcs_push1(s, idx, pool->pcp_high[order]);
		s->frees += pushed;
		memlab_pcs_put(s, flags);
	}
	if (unlikely(!pushed))
		memlab_pcp_spill(pool, idx, order);
	return true;
}

#endif
