/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_alloc: pools of physically contiguous memory and a buddy allocator
 * over each. See modules/alloc/ and the README's "memlab_alloc" section.
 */
#ifndef _MEMLAB_ALLOC_H
#define _MEMLAB_ALLOC_H

#include <linux/gfp.h>
#include <linux/types.h>

struct dentry;
struct memlab_pool;

/* Largest block order any pool can have (4 GiB with 4 KiB pages). */
#define MEMLAB_MAX_ORDER	20

/**
 * struct memlab_pool_info - a snapshot of a pool, from memlab_pool_get_info()
 * @name: the pool's name (its debugfs directory)
 * @total_pages: pages the pool manages
 * @free_pages: pages free now
 * @max_order: largest block order of this pool
 * @nr_free: free blocks of each order, up to @max_order
 * @double_free: frees of a block already free
 * @bad_address: frees of an address that does not start a used block
 * @wrong_order: frees of a used block with another order
 * @outside_pool: frees of an address the pool does not manage
 */
struct memlab_pool_info {
	const char *name;
	unsigned long total_pages;
	unsigned long free_pages;
	unsigned int max_order;
	unsigned long nr_free[MEMLAB_MAX_ORDER + 1];
	u64 double_free;
	u64 bad_address;
	u64 wrong_order;
	u64 outside_pool;
};

struct memlab_pool *memlab_default_pool(void);
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
unsigned int memlab_pool_check(struct memlab_pool *pool);

struct dentry *memlab_debugfs_root(void);

#endif
