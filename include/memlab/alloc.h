/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_alloc: pools of physically contiguous memory and a buddy allocator
 * over each. See modules/alloc/ and docs/alloc.rst.
 */
#ifndef _MEMLAB_ALLOC_H
#define _MEMLAB_ALLOC_H

#include <linux/gfp.h>
#include <linux/types.h>

#include <memlab/slab_flags.h>

struct device_node;
struct memlab_cache;
struct memlab_pool;

/* Largest block order any pool can have (4 GiB with 4 KiB pages). */
#define MEMLAB_MAX_ORDER	20

/**
 * struct memlab_pool_info - a snapshot of a pool, from memlab_pool_get_info()
 * @name: the pool's name (its debugfs directory)
 * @total_pages: pages the pool manages
 * @free_pages: pages free now, @cached_pages included
 * @cached_pages: free pages held in per-CPU caches (orders 0 to 3)
 * @max_order: largest block order of this pool
 * @percpu_caches: whether the pool has per-CPU caches of orders 0 to 3;
 *	a pool too small for them within 2% of metadata has none
 * @dma32: whether the whole pool lies below 4 GiB, so that it serves
 *	GFP_DMA32 allocations
 * @metadata_bytes: bytes of the pool's metadata, all outside it
 * @nr_free: free blocks of each order on the buddy lists, up to @max_order;
 *	blocks in per-CPU caches are not listed (memlab_pool_drain())
 * @double_free: frees of a block already free
 * @bad_address: frees of an address that does not start a used block
 * @wrong_order: frees of a used block with another order
 * @outside_pool: frees of an address the pool does not manage
 */
struct memlab_pool_info {
	const char *name;
	unsigned long total_pages;
	unsigned long free_pages;
	unsigned long cached_pages;
	unsigned int max_order;
	bool percpu_caches;
	bool dma32;
	size_t metadata_bytes;
	unsigned long nr_free[MEMLAB_MAX_ORDER + 1];
	u64 double_free;
	u64 bad_address;
	u64 wrong_order;
	u64 outside_pool;
};

/* memlab_kmalloc() size classes: 8 bytes to 8 KiB, with 96 and 192 */
#define MEMLAB_KMALLOC_CLASSES	13
#define MEMLAB_KMALLOC_MAX	8192

/**
 * struct memlab_cache_info - a snapshot of a cache, from memlab_cache_get_info()
 * @name: the cache's name
 * @object_size: bytes per object as created
 * @slot_size: bytes per object in a slab, with alignment and debug data
 * @align: object alignment
 * @order: slab size is PAGE_SIZE << @order
 * @objects_per_slab: objects in one slab
 * @waste_per_slab: bytes of a slab in no object slot
 * @freeptr_offset: where a free object's freelist pointer is, from the
 *	object (at or past @object_size with a constructor or in debug mode)
 * @flags: MEMLAB_SLAB_* flags in effect
 * @inuse: objects allocated to users
 * @cpu_cached: free objects held in per-CPU arrays
 * @slabs_full: slabs with no free object
 * @slabs_partial: slabs with some
 * @slabs_empty: slabs with every object free
 * @fails: allocations that found no memory
 * @errors: what allocations and frees detected, by enum memlab_slab_err
 * @allocs: objects handed to users since the cache was created
 * @frees: objects users gave back since then (refused frees not counted)
 */
struct memlab_cache_info {
	const char *name;
	unsigned int object_size;
	unsigned int slot_size;
	unsigned int align;
	unsigned int order;
	unsigned int objects_per_slab;
	unsigned int waste_per_slab;
	unsigned int freeptr_offset;
	unsigned int flags;
	unsigned long inuse;
	unsigned long cpu_cached;
	unsigned long slabs_full;
	unsigned long slabs_partial;
	unsigned long slabs_empty;
	unsigned long fails;
	u64 errors[MEMLAB_SLAB_ERR_NR];
	unsigned long allocs;
	unsigned long frees;
};

struct memlab_pool *memlab_default_pool(void);
struct device_node *memlab_of_node(void);
struct memlab_pool *memlab_pool_create(const char *name, void *vaddr,
				       phys_addr_t phys, size_t size);
struct memlab_pool *memlab_pool_create_pages(const char *name, size_t size);
int memlab_pool_destroy(struct memlab_pool *pool);

void *memlab_alloc_pages(struct memlab_pool *pool, unsigned int order, gfp_t gfp);
int memlab_free_pages(struct memlab_pool *pool, void *addr, unsigned int order);

phys_addr_t memlab_block_phys(struct memlab_pool *pool, const void *addr);
unsigned long memlab_block_pfn(struct memlab_pool *pool, const void *addr);
void *memlab_phys_to_virt(struct memlab_pool *pool, phys_addr_t phys);

void memlab_pool_get_info(struct memlab_pool *pool, struct memlab_pool_info *info);
void memlab_pool_drain(struct memlab_pool *pool);
unsigned int memlab_pool_check(struct memlab_pool *pool);

struct memlab_cache *memlab_cache_create(struct memlab_pool *pool, const char *name,
					 size_t size, size_t align, unsigned int flags,
					 void (*ctor)(void *obj));
int memlab_cache_destroy(struct memlab_cache *cache);
void *memlab_cache_alloc(struct memlab_cache *cache, gfp_t gfp);
void memlab_cache_free(struct memlab_cache *cache, void *obj);
unsigned int memlab_cache_alloc_bulk(struct memlab_cache *cache, gfp_t gfp, unsigned int n,
				     void **objs);
void memlab_cache_free_bulk(struct memlab_cache *cache, unsigned int n, void **objs);
unsigned long memlab_cache_shrink(struct memlab_cache *cache);
int memlab_cache_validate(struct memlab_cache *cache);
void memlab_cache_get_info(struct memlab_cache *cache, struct memlab_cache_info *info);

void *memlab_kmalloc(struct memlab_pool *pool, size_t size, gfp_t gfp);
void memlab_kfree(struct memlab_pool *pool, const void *p);
size_t memlab_ksize(struct memlab_pool *pool, const void *p);

#endif
