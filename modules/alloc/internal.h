/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_alloc internals shared by its source files.
 */
#ifndef MEMLAB_ALLOC_INTERNAL_H
#define MEMLAB_ALLOC_INTERNAL_H

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "buddy.h"
#include "slab_core.h"

#include <memlab/alloc.h>

struct dentry;
struct page;
struct seq_file;

enum memlab_pool_source {
	MEMLAB_SRC_CALLER,		/* range supplied by the creator */
	MEMLAB_SRC_KERNEL,		/* pages taken from the page allocator */
	MEMLAB_SRC_RESERVED,		/* device-tree reserved-memory region */
};

/* A physically contiguous piece of a pool; kernel pools have several. */
struct memlab_chunk {
	void *vaddr;
	phys_addr_t phys;
	u32 first;			/* index of its first page */
	u32 nr_pages;
};

/* pool->owner[] of a page that starts a large memlab_kmalloc() block */
#define MEMLAB_OWNER_LARGE	1UL

struct memlab_pcs;

struct memlab_cache {
	char name[32];
	struct list_head node;		/* on pool->caches, under caches_lock */
	struct memlab_pool *pool;
	struct memlab_slab_geom geom;
	void (*ctor)(void *obj);
	bool kmalloc;			/* a size class of memlab_kmalloc() */
	struct memlab_pcs __percpu *cpu;	/* free objects per CPU (pcpu_stack.h) */
	/* Guards the lists, counters and every slab's core state. */
	raw_spinlock_t lock;
	struct list_head lists[3];	/* empty, partial, full */
	unsigned long nr_slabs[3];
	unsigned long inuse;		/* objects off the freelists */
	unsigned long fails;
	struct memlab_slab_checker checker;	/* errors found at alloc/free */
	/*
	 * Users' allocations and frees the slabs served directly (debug
	 * caches, bulk calls, misses and spills of the per-CPU arrays); the
	 * arrays count theirs in their struct memlab_pcs.
	 */
	atomic_long_t slow_allocs;
	atomic_long_t slow_frees;
};

enum memlab_slab_list {
	MEMLAB_SLABS_EMPTY,
	MEMLAB_SLABS_PARTIAL,
	MEMLAB_SLABS_FULL,
};

/* struct memlab_pool_info's nr_free[] is the buddy's, order for order. */
static_assert(MEMLAB_MAX_ORDER == MEMLAB_BUDDY_MAX_ORDER);

/* A slab: in pool->slabs[], at the index of the page it starts at. */
struct memlab_slab {
	struct memlab_slab_core core;
	struct list_head node;		/* on its cache's list, under cache->lock */
	struct memlab_cache *cache;	/* NULL while the slot is unused */
	enum memlab_slab_list list;
};

/* Orders with a per-CPU cache of free blocks: 0 to 3, as the kernel's pcp */
#define MEMLAB_PCP_ORDERS	4

struct memlab_pcp;

/*
 * Blocks of one order moved between the per-CPU caches and the buddy
 * lists, under the pool lock. With what the caches served (struct
 * memlab_pcs) they give the users' allocations and frees
 * (memlab_pool_snapshot()).
 */
struct memlab_pcp_moves {
	u64 taken;		/* allocated from the buddy lists for a cache */
	u64 given;		/* freed to the buddy lists from a cache */
};

struct memlab_pool {
	char name[32];
	struct list_head node;		/* on memlab_pools, under memlab_pools_lock */
	enum memlab_pool_source source;
	bool memremapped;
	/* Serialises every use of @buddy; taken with interrupts off. */
	raw_spinlock_t lock;
	struct memlab_buddy buddy;
	struct memlab_buddy_page *meta;
	/*
	 * Per-CPU caches of low-order blocks in front of @buddy; an order
	 * whose @pcp_high is 0 has none, and a pool whose metadata would pass
	 * 2% of its size with them has no @pcp at all. @pcp_moves is under
	 * @lock.
	 */
	struct memlab_pcp __percpu *pcp;
	unsigned int pcp_high[MEMLAB_PCP_ORDERS];
	unsigned int pcp_batch[MEMLAB_PCP_ORDERS];
	struct memlab_pcp_moves pcp_moves[MEMLAB_PCP_ORDERS];
	unsigned int nr_chunks;
	struct memlab_chunk *chunks;	/* sorted by vaddr */
	bool dma32;			/* every chunk ends at or below 4 GiB */
	struct dentry *debugfs;
	/* Slab (or large-block tag) owning each page; outside the pool too. */
	unsigned long *owner;
	struct memlab_slab *slabs;	/* descriptor slots, one per page */
	/*
	 * Guards @caches and the size classes. Never held while debugfs
	 * files are removed: their readers take it.
	 */
	struct mutex caches_lock;
	struct list_head caches;
	struct memlab_cache *kmalloc[MEMLAB_KMALLOC_CLASSES];
};

extern struct list_head memlab_pools;
extern unsigned int memlab_kmalloc_flags;
extern struct mutex memlab_pools_lock;

struct memlab_pool *memlab_pool_create_reserved(const char *name, phys_addr_t phys,
						size_t size);
void memlab_pool_report_used(struct memlab_pool *pool);
void memlab_pool_note_misuse(struct memlab_pool *pool, enum memlab_buddy_misuse misuse,
			     const void *addr, unsigned long caller);
const char *memlab_pool_source_name(const struct memlab_pool *pool);
phys_addr_t memlab_pool_index_phys(const struct memlab_pool *pool, u32 idx);
u32 __memlab_pool_index_of(const struct memlab_pool *pool, const void *addr);

/* The page index of @addr in @pool, or MEMLAB_BUDDY_NONE. */
static inline u32 memlab_pool_index_of(const struct memlab_pool *pool, const void *addr)
{
	const struct memlab_chunk *c = pool->chunks;
	unsigned long off = (unsigned long)addr - (unsigned long)c->vaddr;

	if (pool->nr_chunks != 1)
		return __memlab_pool_index_of(pool, addr);
	return off < (unsigned long)c->nr_pages << PAGE_SHIFT ?
	       c->first + (u32)(off >> PAGE_SHIFT) : MEMLAB_BUDDY_NONE;
}

void *__memlab_alloc_pages(struct memlab_pool *pool, unsigned int order, gfp_t gfp,
			   unsigned long caller);
int __memlab_free_pages(struct memlab_pool *pool, void *addr, unsigned int order,
			unsigned long caller);
size_t memlab_pool_meta_bytes(const struct memlab_pool *pool);
void memlab_pool_snapshot(struct memlab_pool *pool, struct memlab_buddy *copy);
unsigned int memlab_pool_check_report(struct memlab_pool *pool,
				      void (*report)(void *ctx, const char *msg), void *ctx);

int memlab_kmalloc_init(struct memlab_pool *pool, unsigned int flags);
int memlab_kmalloc_release(struct memlab_pool *pool, bool destroy);
void memlab_kmalloc_exit(struct memlab_pool *pool);
int memlab_cache_validate_report(struct memlab_cache *cache, memlab_slab_report_t report,
				 void *ctx);

void memlab_debugfs_init(void);
void memlab_debugfs_exit(void);
void memlab_debugfs_add_pool(struct memlab_pool *pool);
void memlab_debugfs_remove_pool(struct memlab_pool *pool);
void memlab_plant_init(struct memlab_pool *pool);
void memlab_plant_exit(void);

#endif
