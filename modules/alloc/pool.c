// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab pools
 *
 * A pool is one or more physically contiguous chunks of memory managed by
 * one buddy allocator (buddy.c). The chunks are laid out in the buddy's
 * index space at multiples of the largest block size, so a block never
 * spans two chunks; a chunk shorter than that leaves a hole behind it. The
 * per-page descriptors live in a kvmalloc()ed array, never in the pool, so
 * a pool can sit on a no-map carve-out and a stray write into a block
 * cannot corrupt the allocator.
 *
 * Blocks are named by their kernel address, as with __get_free_pages().
 * Every buddy operation runs under the pool's raw spinlock with interrupts
 * off, so the API can be used from any context. Per-CPU caches of low-order
 * blocks sit in front of the buddy lists (pcp.c).
 *
 * In a pool in the linear map every page is an order-0 page with one
 * reference, as vm_insert_page() wants them: the page allocator's chunks
 * are split (alloc_pages_exact()), and reserved memory's pages are that way
 * from boot. A user of a block can so map its pages into user space and
 * tell, from their reference counts, whether anything still holds them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bsearch.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include <memlab/alloc.h>
#include <memlab/kunit_visibility.h>

#include "compat.h"
#include "internal.h"
#include "pcp.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* For the KUnit suites' probes (register_trace_*()) */
EXPORT_TRACEPOINT_IF_KUNIT(memlab_block_alloc);
EXPORT_TRACEPOINT_IF_KUNIT(memlab_block_free);
EXPORT_TRACEPOINT_IF_KUNIT(memlab_block_split);
EXPORT_TRACEPOINT_IF_KUNIT(memlab_block_merge);
EXPORT_TRACEPOINT_IF_KUNIT(memlab_misuse);
EXPORT_TRACEPOINT_IF_KUNIT(memlab_slab_alloc);
EXPORT_TRACEPOINT_IF_KUNIT(memlab_slab_free);
EXPORT_TRACEPOINT_IF_KUNIT(memlab_slab_grow);
EXPORT_TRACEPOINT_IF_KUNIT(memlab_slab_shrink);

/* Every pool, for name lookups and debugfs. */
LIST_HEAD(memlab_pools);
/* Guards memlab_pools and the pools' debugfs directories. */
DEFINE_MUTEX(memlab_pools_lock);

static const char *const memlab_source_names[] = {
	[MEMLAB_SRC_CALLER]	= "caller",
	[MEMLAB_SRC_KERNEL]	= "kernel-pages",
	[MEMLAB_SRC_RESERVED]	= "reserved-memory",
};

const char *memlab_pool_source_name(const struct memlab_pool *pool)
{
	return memlab_source_names[pool->source];
}

static int memlab_chunk_cmp(const void *a, const void *b)
{
	const struct memlab_chunk *ca = a, *cb = b;

	if (ca->vaddr == cb->vaddr)
		return 0;
	return ca->vaddr < cb->vaddr ? -1 : 1;
}

static int memlab_chunk_find(const void *key, const void *elt)
{
	const struct memlab_chunk *c = elt;
	unsigned long addr = (unsigned long)key, base = (unsigned long)c->vaddr;

	if (addr < base)
		return -1;
	if (addr - base >= (unsigned long)c->nr_pages << PAGE_SHIFT)
		return 1;
	return 0;
}

/* Inline: both entry points of the free fast path inline it. */
static __always_inline const struct memlab_chunk *memlab_chunk_of(const struct memlab_pool *pool,
								  const void *addr)
{
	if (likely(pool->nr_chunks == 1))
		return memlab_chunk_find(addr, pool->chunks) ? NULL : pool->chunks;
	return bsearch(addr, pool->chunks, pool->nr_chunks, sizeof(*pool->chunks),
		       memlab_chunk_find);
}

static const struct memlab_chunk *memlab_chunk_of_index(const struct memlab_pool *pool,
							u32 idx)
{
	unsigned int i;

	for (i = 0; i < pool->nr_chunks; i++) {
		const struct memlab_chunk *c = &pool->chunks[i];

		if (idx >= c->first && idx - c->first < c->nr_pages)
			return c;
	}
	return NULL;
}

/* memlab_pool_index_of() for pools of several chunks */
u32 __memlab_pool_index_of(const struct memlab_pool *pool, const void *addr)
{
	const struct memlab_chunk *c = memlab_chunk_of(pool, addr);

	return c ? c->first + ((addr - c->vaddr) >> PAGE_SHIFT) : MEMLAB_BUDDY_NONE;
}

phys_addr_t memlab_pool_index_phys(const struct memlab_pool *pool, u32 idx)
{
	const struct memlab_chunk *c = memlab_chunk_of_index(pool, idx);

	return c ? c->phys + ((phys_addr_t)(idx - c->first) << PAGE_SHIFT) : 0;
}

/* Inline: both entry points of the allocation fast path inline it. */
static __always_inline void *memlab_index_virt(const struct memlab_pool *pool, u32 idx)
{
	const struct memlab_chunk *c = likely(pool->nr_chunks == 1) ? pool->chunks :
				       memlab_chunk_of_index(pool, idx);

	return c ? c->vaddr + ((size_t)(idx - c->first) << PAGE_SHIFT) : NULL;
}

/*
 * memlab_buddy_alloc() with its split traced; pool->lock held. Inline, so
 * that a build with tracepoints pays no call for it while they are off.
 */
static __always_inline long memlab_pool_buddy_alloc(struct memlab_pool *pool,
						    unsigned int order)
{
	long idx = memlab_buddy_alloc(&pool->buddy, order);

	if (idx >= 0)
		trace_memlab_block_split(pool, idx, pool->buddy.taken_order, order);
	return idx;
}

/* memlab_buddy_free() with its merge traced; pool->lock held */
static __always_inline int __memlab_pool_buddy_free(struct memlab_pool *pool, u32 idx,
						    unsigned int order,
						    enum memlab_buddy_misuse *misuse)
{
	int ret = memlab_buddy_free(&pool->buddy, idx, order, misuse);

	if (!ret)
		trace_memlab_block_merge(pool, pool->buddy.merged_idx, order,
					 pool->buddy.merged_order);
	return ret;
}

/* __memlab_pool_buddy_free() for the per-CPU caches' batch returns */
int memlab_pool_buddy_free(struct memlab_pool *pool, u32 idx, unsigned int order,
			   enum memlab_buddy_misuse *misuse)
{
	return __memlab_pool_buddy_free(pool, idx, order, misuse);
}

/*
 * The buddy allocator's part of an allocation: a block of @order. When
 * the buddy lists have none, a larger block of this CPU's caches is split;
 * failing that, this CPU's smaller cached blocks go back to the lists to
 * merge, and last every CPU's caches are drained. Up to *@nr_extra more
 * blocks of @order go to @extra, marked CACHED, for this CPU's cache: any
 * while 1/8 of the pool stays on the buddy lists, and below that only
 * free blocks of @order itself, so that a nearly full pool neither empties
 * its lists into the caches nor splits the larger blocks it has left for
 * them; *@nr_extra is set to how many did.
 */
long memlab_pool_take(struct memlab_pool *pool, unsigned int order,
		      unsigned long *extra, unsigned int *nr_extra)
{
	struct memlab_buddy *b = &pool->buddy;
	unsigned int want = *nr_extra, n = 0;
	u32 reserve = b->managed_pages >> 3;
	bool smaller = false, drained = !pool->pcp;	/* no caches: nothing to drain */
	unsigned long flags;
	long idx, more;

	for (;;) {
		raw_spin_lock_irqsave(&pool->lock, flags);
		idx = memlab_pool_buddy_alloc(pool, order);
		if (idx >= 0 || drained || idx == -EINVAL)
			break;
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		/* The free blocks left may be in the per-CPU caches. */
		if (memlab_pcp_give_larger(pool, order))
			continue;
		/*
		 * This CPU's smaller blocks may merge into one of @order. They
		 * are taken as any CPU's are, so a move to another CPU
		 * meanwhile does no harm.
		 */
		if (!smaller) {
			smaller = true;
			if (memlab_pcp_give_all(pool, raw_cpu_ptr(pool->pcp), order))
				continue;
		}
		memlab_pool_drain(pool);
		drained = true;
	}
	while (idx >= 0 && n < want &&
	       (b->free_pages >= reserve + (1U << order) || b->nr_free[order])) {
		more = memlab_pool_buddy_alloc(pool, order);
		if (more < 0)
			break;
		WRITE_ONCE(pool->meta[more].state, MEMLAB_PG_CACHED);
		extra[n++] = more;
	}
	if (n)
		pool->pcp_moves[order].taken += n;
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	*nr_extra = n;
	return idx;
}

/* memlab_pool_take() of one block */
noinline long memlab_pool_take1(struct memlab_pool *pool, unsigned int order)
{
	unsigned int none = 0;

	return memlab_pool_take(pool, order, NULL, &none);
}

/* Bytes of a pool's per-page arrays. */
static size_t memlab_pool_page_meta_bytes(const struct memlab_pool *pool)
{
	return (size_t)pool->buddy.nr_pages *
	       (sizeof(*pool->meta) + sizeof(*pool->owner) + sizeof(*pool->slabs));
}

/* Bytes of a pool's metadata, all outside it: per-page arrays, per-CPU caches. */
size_t memlab_pool_meta_bytes(const struct memlab_pool *pool)
{
	return memlab_pool_page_meta_bytes(pool) +
	       (pool->pcp ? num_possible_cpus() * sizeof(struct memlab_pcp) : 0);
}

/*
 * Whether the pool can have per-CPU caches with its metadata within 2% of
 * its size; a small pool on many CPUs goes without.
 */
static bool memlab_pcp_fits(const struct memlab_pool *pool)
{
	u64 bytes = (u64)pool->buddy.managed_pages << PAGE_SHIFT;

	return (memlab_pool_page_meta_bytes(pool) +
		num_possible_cpus() * sizeof(struct memlab_pcp)) * 50 <= bytes;
}

/*
 * Allocate the pool with room for @nr_chunks chunks, unnamed and unlisted.
 * The caller fills the chunks, then calls memlab_pool_setup().
 */
static struct memlab_pool *memlab_pool_alloc(const char *name, unsigned int nr_chunks)
{
	struct memlab_pool *pool;

	if (!name || !*name || strlen(name) >= sizeof(pool->name) ||
	    strchr(name, '/'))
		return ERR_PTR(-EINVAL);
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	pool->chunks = kcalloc(nr_chunks, sizeof(*pool->chunks), GFP_KERNEL);
	if (!pool->chunks) {
		kfree(pool);
		return ERR_PTR(-ENOMEM);
	}
	strscpy(pool->name, name, sizeof(pool->name));
	pool->nr_chunks = nr_chunks;
	raw_spin_lock_init(&pool->lock);
	INIT_LIST_HEAD(&pool->node);
	INIT_LIST_HEAD(&pool->caches);
	mutex_init(&pool->caches_lock);
	return pool;
}

/*
 * Lay the chunks out in index space @stride pages apart, build the buddy
 * over them with blocks of at most 2^@max_order pages, and publish the pool.
 */
static int memlab_pool_setup(struct memlab_pool *pool, u32 stride, unsigned int max_order)
{
	struct memlab_pool *other;
	unsigned int i;
	u64 nr_index;
	int ret;

	nr_index = (u64)stride * (pool->nr_chunks - 1) + pool->chunks[pool->nr_chunks - 1].nr_pages;
	if (nr_index >= MEMLAB_BUDDY_NONE)
		return -E2BIG;
	pool->dma32 = true;
	for (i = 0; i < pool->nr_chunks; i++) {
		const struct memlab_chunk *c = &pool->chunks[i];

		pool->chunks[i].first = i * stride;
		if ((u64)c->phys + ((u64)c->nr_pages << PAGE_SHIFT) > SZ_4G)
			pool->dma32 = false;
	}
	pool->meta = kvcalloc(nr_index, sizeof(*pool->meta), GFP_KERNEL);
	pool->owner = kvcalloc(nr_index, sizeof(*pool->owner), GFP_KERNEL);
	pool->slabs = kvcalloc(nr_index, sizeof(*pool->slabs), GFP_KERNEL);
	if (!pool->meta || !pool->owner || !pool->slabs) {
		ret = -ENOMEM;
		goto err_meta;
	}
	ret = memlab_buddy_init(&pool->buddy, pool->meta, nr_index, max_order);
	if (ret)
		goto err_meta;
	for (i = 0; i < pool->nr_chunks; i++)
		memlab_buddy_add_range(&pool->buddy, pool->chunks[i].first,
				       pool->chunks[i].nr_pages);
	if (memlab_pcp_fits(pool)) {
		ret = memlab_pcp_init(pool);
		if (ret)
			goto err_meta;
	}
	sort(pool->chunks, pool->nr_chunks, sizeof(*pool->chunks), memlab_chunk_cmp, NULL);

	mutex_lock(&memlab_pools_lock);
	list_for_each_entry(other, &memlab_pools, node) {
		if (!strcmp(other->name, pool->name)) {
			mutex_unlock(&memlab_pools_lock);
			ret = -EEXIST;
			goto err_meta;
		}
	}
	list_add_tail(&pool->node, &memlab_pools);
	memlab_debugfs_add_pool(pool);
	mutex_unlock(&memlab_pools_lock);
	return 0;

err_meta:
	free_percpu(pool->pcp);
	pool->pcp = NULL;
	kvfree(pool->meta);
	kvfree(pool->owner);
	kvfree(pool->slabs);
	pool->meta = NULL;
	pool->owner = NULL;
	pool->slabs = NULL;
	return ret;
}

static void memlab_pool_free(struct memlab_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->nr_chunks; i++) {
		struct memlab_chunk *c = &pool->chunks[i];

		if (pool->source == MEMLAB_SRC_KERNEL && c->vaddr)
			free_pages_exact(c->vaddr, (size_t)c->nr_pages << PAGE_SHIFT);
		else if (pool->memremapped && c->vaddr)
			memunmap(c->vaddr);
	}
	free_percpu(pool->pcp);
	kvfree(pool->meta);
	kvfree(pool->owner);
	kvfree(pool->slabs);
	kfree(pool->chunks);
	kfree(pool);
}

/*
 * The last step of every constructor: the size classes. On failure the
 * pool is unpublished and freed.
 */
static struct memlab_pool *memlab_pool_finish(struct memlab_pool *pool)
{
	int ret = memlab_kmalloc_init(pool, memlab_kmalloc_flags);

	if (!ret)
		return pool;
	mutex_lock(&memlab_pools_lock);
	list_del(&pool->node);
	memlab_debugfs_remove_pool(pool);
	mutex_unlock(&memlab_pools_lock);
	memlab_pool_free(pool);
	return ERR_PTR(ret);
}

static unsigned int memlab_order_for(u64 nr_pages)
{
	return min_t(unsigned int, ilog2(nr_pages), MEMLAB_BUDDY_MAX_ORDER);
}

/* A pool over one range that is already mapped at @vaddr. */
static struct memlab_pool *memlab_pool_create_range(const char *name, void *vaddr,
						    phys_addr_t phys, size_t size,
						    enum memlab_pool_source source)
{
	struct memlab_pool *pool;
	u64 nr_pages = size >> PAGE_SHIFT;
	int ret;

	if (!vaddr || !nr_pages || !PAGE_ALIGNED(size) || !PAGE_ALIGNED(vaddr) ||
	    !PAGE_ALIGNED(phys))
		return ERR_PTR(-EINVAL);
	if (nr_pages >= MEMLAB_BUDDY_NONE)
		return ERR_PTR(-E2BIG);
	pool = memlab_pool_alloc(name, 1);
	if (IS_ERR(pool))
		return pool;
	pool->source = source;
	pool->chunks[0].vaddr = vaddr;
	pool->chunks[0].phys = phys;
	pool->chunks[0].nr_pages = nr_pages;
	ret = memlab_pool_setup(pool, nr_pages, memlab_order_for(nr_pages));
	if (ret) {
		memlab_pool_free(pool);
		return ERR_PTR(ret);
	}
	return memlab_pool_finish(pool);
}

/**
 * memlab_pool_create() - create a pool over a caller-supplied range
 * @name: unique name, also the pool's debugfs directory
 * @vaddr: kernel address of the range, page aligned
 * @phys: physical address of the range, page aligned
 * @size: size in bytes, a multiple of PAGE_SIZE
 *
 * The range must stay mapped at @vaddr until memlab_pool_destroy(). The
 * largest block is the largest power of two pages not above @size.
 *
 * Context: Process context; sleeps.
 * Return: the pool, or an ERR_PTR(): -EINVAL for a bad name or range,
 * -EEXIST when the name is taken, -E2BIG or -ENOMEM.
 */
struct memlab_pool *memlab_pool_create(const char *name, void *vaddr,
				       phys_addr_t phys, size_t size)
{
	return memlab_pool_create_range(name, vaddr, phys, size, MEMLAB_SRC_CALLER);
}
EXPORT_SYMBOL_GPL(memlab_pool_create);

/* The default pool's constructor for a device-tree reserved-memory region. */
struct memlab_pool *memlab_pool_create_reserved(const char *name, phys_addr_t phys,
						size_t size)
{
	struct memlab_pool *pool;
	void *vaddr;

	if (!size || !PAGE_ALIGNED(size) || !PAGE_ALIGNED(phys))
		return ERR_PTR(-EINVAL);
	/* Works for mapped and no-map regions alike. */
	vaddr = memremap(phys, size, MEMREMAP_WB);
	if (!vaddr)
		return ERR_PTR(-ENOMEM);
	pool = memlab_pool_create_range(name, vaddr, phys, size, MEMLAB_SRC_RESERVED);
	if (IS_ERR(pool))
		memunmap(vaddr);
	else
		pool->memremapped = true;	/* unmapped when the pool goes */
	return pool;
}

/**
 * memlab_pool_create_pages() - create a pool from pages of the page allocator
 * @name: unique name, also the pool's debugfs directory
 * @size: size in bytes, a multiple of PAGE_SIZE
 *
 * The memory is taken as chunks of the largest order alloc_pages() gives
 * (4 MiB with 4 KiB pages), and the last chunk as smaller ones when @size
 * is not a multiple of that; each chunk is physically contiguous and the
 * largest block is one chunk. The chunks are split into order-0 pages of
 * one reference each (alloc_pages_exact()). The pages come from ZONE_DMA32
 * where the kernel has one, so that the pool serves GFP_DMA32 allocations
 * (devices that address 32 bits, as several of the RK3588's do).
 *
 * Context: Process context; sleeps.
 * Return: the pool, or an ERR_PTR(): -EINVAL for a bad name or size,
 * -EEXIST when the name is taken, -ENOMEM when the pages cannot be had.
 */
struct memlab_pool *memlab_pool_create_pages(const char *name, size_t size)
{
	unsigned int chunk_order, nr_chunks, i;
	u64 nr_pages = size >> PAGE_SHIFT, left;
	struct memlab_pool *pool;
	int ret;

	if (!nr_pages || !PAGE_ALIGNED(size) || nr_pages >= MEMLAB_BUDDY_NONE)
		return ERR_PTR(-EINVAL);
	chunk_order = min_t(unsigned int, MEMLAB_PAGE_MAX_ORDER, ilog2(nr_pages));
	/* Whole chunks, then one per set bit of the remainder. */
	nr_chunks = (nr_pages >> chunk_order) +
		    hweight64(nr_pages & ((1ULL << chunk_order) - 1));
	pool = memlab_pool_alloc(name, nr_chunks);
	if (IS_ERR(pool))
		return pool;
	pool->source = MEMLAB_SRC_KERNEL;
	left = nr_pages;
	for (i = 0; i < nr_chunks; i++) {
		unsigned int order = min_t(unsigned int, chunk_order, ilog2(left));
		struct memlab_chunk *c = &pool->chunks[i];

		/* Split: each page its own, with one reference (see the top). */
		c->vaddr = alloc_pages_exact(PAGE_SIZE << order,
					     GFP_KERNEL | GFP_DMA32 | __GFP_NOWARN |
					     __GFP_RETRY_MAYFAIL);
		if (!c->vaddr) {
			ret = -ENOMEM;
			goto err;
		}
		c->phys = virt_to_phys(c->vaddr);
		c->nr_pages = 1U << order;
		left -= c->nr_pages;
	}
	ret = memlab_pool_setup(pool, 1U << chunk_order, chunk_order);
	if (ret)
		goto err;
	return memlab_pool_finish(pool);
err:
	memlab_pool_free(pool);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(memlab_pool_create_pages);

/**
 * memlab_pool_destroy() - destroy a pool with nothing allocated
 * @pool: the pool
 *
 * A pool with blocks or objects still allocated, or with caches other
 * than its size classes, is left as it is and what is outstanding is
 * logged.
 *
 * Context: Process context; sleeps.
 * Return: 0, or -EBUSY when blocks are still allocated.
 */
int memlab_pool_destroy(struct memlab_pool *pool)
{
	struct memlab_buddy *b = &pool->buddy;
	struct memlab_cache *cache;
	unsigned long flags;
	u32 used;

	mutex_lock(&memlab_pools_lock);
	mutex_lock(&pool->caches_lock);
	list_for_each_entry(cache, &pool->caches, node) {
		if (!cache->kmalloc) {
			mutex_unlock(&pool->caches_lock);
			mutex_unlock(&memlab_pools_lock);
			pr_warn("pool %s: not destroyed, cache %s still exists\n",
				pool->name, cache->name);
			return -EBUSY;
		}
	}
	/* Empty slabs of the size classes do not keep a pool alive. */
	memlab_kmalloc_release(pool, false);
	memlab_pool_drain(pool);
	raw_spin_lock_irqsave(&pool->lock, flags);
	used = b->managed_pages - b->free_pages;
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	if (used) {
		mutex_unlock(&pool->caches_lock);
		mutex_unlock(&memlab_pools_lock);
		pr_warn("pool %s: not destroyed, %u pages still allocated\n",
			pool->name, used);
		memlab_pool_report_used(pool);
		return -EBUSY;
	}
	memlab_kmalloc_release(pool, true);
	mutex_unlock(&pool->caches_lock);
	list_del(&pool->node);
	memlab_debugfs_remove_pool(pool);
	mutex_unlock(&memlab_pools_lock);
	memlab_pool_free(pool);
	return 0;
}
EXPORT_SYMBOL_GPL(memlab_pool_destroy);

/*
 * Log the blocks still allocated in @pool, at most a few lines. The walk
 * is done without the lock held for long: one block per acquisition.
 */
void memlab_pool_report_used(struct memlab_pool *pool)
{
	struct memlab_buddy *b = &pool->buddy;
	unsigned int shown = 0;
	unsigned long flags;
	u32 i = 0;

	while (i < b->nr_pages && shown < 8) {
		u8 state, order;

		raw_spin_lock_irqsave(&pool->lock, flags);
		state = b->pages[i].state;
		order = b->pages[i].order;
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		if (state == MEMLAB_PG_USED) {
			pr_warn("pool %s: order-%u block at %pa still allocated\n",
				pool->name, order,
				&(phys_addr_t){ memlab_pool_index_phys(pool, i) });
			shown++;
		}
		i += (state == MEMLAB_PG_USED || state == MEMLAB_PG_FREE) ? 1U << order : 1;
	}
}

/* The end of an allocation with __GFP_ZERO or, when @traced, the event on */
static noinline void *memlab_alloc_pages_finish(struct memlab_pool *pool, u32 idx,
						unsigned int order, gfp_t gfp,
						unsigned long caller, bool traced)
{
	void *addr = memlab_index_virt(pool, idx);

	if (gfp & __GFP_ZERO)
		memset(addr, 0, PAGE_SIZE << order);
	if (traced)
		trace_memlab_block_alloc(pool, idx, order, gfp, caller);
	return addr;
}

/*
 * memlab_alloc_pages() on behalf of @caller, inline in every entry point;
 * @traced (a constant) says whether it has the event. A block that needs
 * neither zeroing nor the event returns here; the rest is
 * memlab_alloc_pages_finish()'s, so that the event, while off, keeps
 * nothing more live than a build without it.
 */
static __always_inline void *memlab_alloc_pages_from(struct memlab_pool *pool,
						     unsigned int order, gfp_t gfp,
						     unsigned long caller, bool traced)
{
	long idx;

	if ((gfp & __GFP_DMA32) && !pool->dma32)
		return NULL;
	if (order < MEMLAB_PCP_ORDERS && pool->pcp_high[order])
		idx = memlab_pcp_alloc(pool, order);
	else
		idx = memlab_pool_take1(pool, order);
	if (idx < 0) {
		if (!(gfp & __GFP_NOWARN))
			pr_debug("pool %s: no free order-%u block\n", pool->name, order);
		return NULL;
	}
	if (likely(!(gfp & __GFP_ZERO)) && !(traced && trace_memlab_block_alloc_enabled()))
		return memlab_index_virt(pool, idx);
	return memlab_alloc_pages_finish(pool, idx, order, gfp, caller, traced);
}

/* memlab_alloc_pages() with its event on */
static noinline void *memlab_alloc_pages_traced(struct memlab_pool *pool, unsigned int order,
						gfp_t gfp, unsigned long caller)
{
	return memlab_alloc_pages_from(pool, order, gfp, caller, true);
}

/**
 * memlab_alloc_pages() - allocate a block of 2^@order pages
 * @pool: the pool
 * @order: block order
 * @gfp: __GFP_ZERO to zero the block, __GFP_NOWARN to stay quiet on
 *	failure, __GFP_DMA32 (GFP_DMA32) for a block below 4 GiB, which
 *	only a pool that lies wholly below 4 GiB gives; other flags are
 *	ignored, the call never sleeps
 *
 * Context: Any context.
 * Return: the block's kernel address, naturally aligned within the pool,
 * or NULL when no block of that order is free, @order is too large, or
 * __GFP_DMA32 asks for what the pool does not have.
 */
void *memlab_alloc_pages(struct memlab_pool *pool, unsigned int order, gfp_t gfp)
{
	/*
	 * The caller's address only when the event is on: with it off the
	 * fast path computes nothing for it (an allocation that began before
	 * the event was enabled is not traced, as with any tracepoint).
	 */
	if (trace_memlab_block_alloc_enabled())
		return memlab_alloc_pages_traced(pool, order, gfp, _RET_IP_);
	return memlab_alloc_pages_from(pool, order, gfp, 0, false);
}
EXPORT_SYMBOL_GPL(memlab_alloc_pages);

/* memlab_alloc_pages() for memlab_kmalloc(), which passes on its caller */
void *__memlab_alloc_pages(struct memlab_pool *pool, unsigned int order, gfp_t gfp,
			   unsigned long caller)
{
	return memlab_alloc_pages_from(pool, order, gfp, caller, true);
}

/*
 * memlab_free_pages() through the buddy lists: an order without a per-CPU
 * cache, or something to check and refuse. @c is the chunk of @addr.
 */
static noinline int memlab_free_pages_locked(struct memlab_pool *pool,
					     const struct memlab_chunk *c, void *addr,
					     unsigned int order, unsigned long caller)
{
	enum memlab_buddy_misuse misuse;
	unsigned long flags;
	size_t off;
	u32 idx = 0;
	int ret;

	raw_spin_lock_irqsave(&pool->lock, flags);
	if (!c) {
		memlab_buddy_note_outside(&pool->buddy);
		misuse = MEMLAB_MISUSE_OUTSIDE;
		ret = -EINVAL;
	} else {
		off = addr - c->vaddr;
		if (off & ~PAGE_MASK) {
			pool->buddy.misuse[MEMLAB_MISUSE_BAD_ADDRESS]++;
			misuse = MEMLAB_MISUSE_BAD_ADDRESS;
			ret = -EINVAL;
		} else {
			idx = c->first + (off >> PAGE_SHIFT);
			ret = __memlab_pool_buddy_free(pool, idx, order, &misuse);
		}
	}
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	if (!ret) {
		trace_memlab_block_free(pool, idx, order, caller);
		return 0;
	}
	trace_memlab_misuse(pool, misuse, addr, caller);
	pr_warn_ratelimited("pool %s: %s: free of %p order %u from %pS refused\n",
			    pool->name, memlab_buddy_misuse_name(misuse),
			    addr, order, (void *)caller);
	return ret;
}

/* memlab_free_pages() on behalf of @caller, inline in every entry point; @traced as above */
static __always_inline int memlab_free_pages_from(struct memlab_pool *pool, void *addr,
						  unsigned int order, unsigned long caller,
						  bool traced)
{
	const struct memlab_chunk *c = memlab_chunk_of(pool, addr);
	u32 idx;

	if (likely(c && order < MEMLAB_PCP_ORDERS && pool->pcp_high[order] &&
		   PAGE_ALIGNED(addr))) {
		idx = c->first + ((addr - c->vaddr) >> PAGE_SHIFT);
		if (memlab_pcp_free(pool, idx, order)) {
			if (traced)
				trace_memlab_block_free(pool, idx, order, caller);
			return 0;
		}
	}
	return memlab_free_pages_locked(pool, c, addr, order, caller);
}

/* memlab_free_pages() with its event on */
static noinline int memlab_free_pages_traced(struct memlab_pool *pool, void *addr,
					     unsigned int order, unsigned long caller)
{
	return memlab_free_pages_from(pool, addr, order, caller, true);
}

/**
 * memlab_free_pages() - free a block from memlab_alloc_pages()
 * @pool: the pool it came from
 * @addr: the address memlab_alloc_pages() returned
 * @order: the order it was allocated with
 *
 * A double free, a free of an address that does not start an allocated
 * block or lies outside the pool, and a free with the wrong order are
 * refused: they are counted (the pool's stats file), logged (ratelimited)
 * and change nothing else.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL when the free was refused.
 */
int memlab_free_pages(struct memlab_pool *pool, void *addr, unsigned int order)
{
	/* As in memlab_alloc_pages(): the per-CPU path keeps nothing for the event. */
	if (trace_memlab_block_free_enabled())
		return memlab_free_pages_traced(pool, addr, order, _RET_IP_);
	return memlab_free_pages_from(pool, addr, order, _RET_IP_, false);
}
EXPORT_SYMBOL_GPL(memlab_free_pages);

/* memlab_free_pages() for memlab_kfree(), which passes on its caller */
int __memlab_free_pages(struct memlab_pool *pool, void *addr, unsigned int order,
			unsigned long caller)
{
	return memlab_free_pages_from(pool, addr, order, caller, true);
}

/* Count and log a refused free that never reached the buddy allocator. */
void memlab_pool_note_misuse(struct memlab_pool *pool, enum memlab_buddy_misuse misuse,
			     const void *addr, unsigned long caller)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pool->lock, flags);
	pool->buddy.misuse[misuse]++;
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	trace_memlab_misuse(pool, misuse, addr, caller);
	pr_warn_ratelimited("pool %s: %s: free of %p from %pS refused\n", pool->name,
			    memlab_buddy_misuse_name(misuse), addr, (void *)caller);
}

/**
 * memlab_block_phys() - physical address of a pool address
 * @pool: the pool
 * @addr: an address inside one of the pool's blocks
 *
 * Context: Any context.
 * Return: the physical address, or 0 when @addr is outside the pool.
 */
phys_addr_t memlab_block_phys(struct memlab_pool *pool, const void *addr)
{
	const struct memlab_chunk *c = memlab_chunk_of(pool, addr);

	return c ? c->phys + (addr - c->vaddr) : 0;
}
EXPORT_SYMBOL_GPL(memlab_block_phys);

/**
 * memlab_block_pfn() - page frame number of a pool address
 * @pool: the pool
 * @addr: an address inside one of the pool's blocks
 *
 * Context: Any context.
 * Return: the PFN, or 0 when @addr is outside the pool.
 */
unsigned long memlab_block_pfn(struct memlab_pool *pool, const void *addr)
{
	const struct memlab_chunk *c = memlab_chunk_of(pool, addr);

	return c ? PHYS_PFN(c->phys + (addr - c->vaddr)) : 0;
}
EXPORT_SYMBOL_GPL(memlab_block_pfn);

/**
 * memlab_phys_to_virt() - kernel address of a physical address in a pool
 * @pool: the pool
 * @phys: a physical address inside the pool
 *
 * Context: Any context.
 * Return: the kernel address, or NULL when @phys is outside the pool.
 */
void *memlab_phys_to_virt(struct memlab_pool *pool, phys_addr_t phys)
{
	unsigned int i;

	for (i = 0; i < pool->nr_chunks; i++) {
		const struct memlab_chunk *c = &pool->chunks[i];

		if (phys >= c->phys && phys - c->phys < ((phys_addr_t)c->nr_pages << PAGE_SHIFT))
			return c->vaddr + (phys - c->phys);
	}
	return NULL;
}
EXPORT_SYMBOL_GPL(memlab_phys_to_virt);

/**
 * memlab_pool_get_info() - a snapshot of a pool's state
 * @pool: the pool
 * @info: filled in
 *
 * The per-CPU caches are counted, not drained: @info->free_pages includes
 * @info->cached_pages, and @info->nr_free counts the buddy lists only.
 * Call memlab_pool_drain() first for lists that hold every free block.
 *
 * Context: Any context.
 */
void memlab_pool_get_info(struct memlab_pool *pool, struct memlab_pool_info *info)
{
	struct memlab_buddy *b = &pool->buddy;
	unsigned long flags, cached;
	unsigned int o;

	memset(info, 0, sizeof(*info));
	info->name = pool->name;
	cached = memlab_pcp_cached_pages(pool);
	raw_spin_lock_irqsave(&pool->lock, flags);
	info->total_pages = b->managed_pages;
	/* A block moving between a cache and the lists may be counted twice. */
	info->cached_pages = min_t(unsigned long, cached, b->managed_pages - b->free_pages);
	info->free_pages = b->free_pages + info->cached_pages;
	info->max_order = b->max_order;
	info->percpu_caches = !!pool->pcp;
	info->dma32 = pool->dma32;
	info->metadata_bytes = memlab_pool_meta_bytes(pool);
	for (o = 0; o <= b->max_order; o++)
		info->nr_free[o] = b->nr_free[o];
	info->double_free = b->misuse[MEMLAB_MISUSE_DOUBLE_FREE];
	info->bad_address = b->misuse[MEMLAB_MISUSE_BAD_ADDRESS];
	info->wrong_order = b->misuse[MEMLAB_MISUSE_WRONG_ORDER];
	info->outside_pool = b->misuse[MEMLAB_MISUSE_OUTSIDE];
	raw_spin_unlock_irqrestore(&pool->lock, flags);
}
EXPORT_SYMBOL_GPL(memlab_pool_get_info);

static void memlab_check_log(void *ctx, const char *msg)
{
	pr_err("pool %s: check: %s\n", ((struct memlab_pool *)ctx)->name, msg);
}

/*
 * memlab_pool_check() with each error handed to @report(@ctx, message),
 * under the pool lock, after the per-CPU caches are drained.
 */
unsigned int memlab_pool_check_report(struct memlab_pool *pool,
				      void (*report)(void *ctx, const char *msg), void *ctx)
{
	unsigned long flags;
	unsigned int errors;

	memlab_pool_drain(pool);
	raw_spin_lock_irqsave(&pool->lock, flags);
	errors = memlab_buddy_check(&pool->buddy, report, ctx);
	raw_spin_unlock_irqrestore(&pool->lock, flags);
	return errors;
}

/**
 * memlab_pool_check() - verify every invariant of a pool's allocator
 * @pool: the pool
 *
 * Walks the free lists and every page descriptor (see the check file in
 * docs/alloc.rst); the first errors are logged.
 *
 * Context: Any context; interrupts are off for a walk of the whole pool.
 * Return: the number of errors, 0 when the pool is consistent.
 */
unsigned int memlab_pool_check(struct memlab_pool *pool)
{
	return memlab_pool_check_report(pool, memlab_check_log, pool);
}
EXPORT_SYMBOL_GPL(memlab_pool_check);
