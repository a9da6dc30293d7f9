/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_alloc internals shared by its source files.
 */
#ifndef MEMLAB_ALLOC_INTERNAL_H
#define MEMLAB_ALLOC_INTERNAL_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "buddy.h"

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
	struct page *page;		/* when taken from the page allocator */
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
	unsigned int nr_chunks;
	struct memlab_chunk *chunks;	/* sorted by vaddr */
	struct dentry *debugfs;
};

extern struct list_head memlab_pools;
extern struct mutex memlab_pools_lock;

struct memlab_pool *memlab_pool_create_reserved(const char *name, phys_addr_t phys,
						size_t size);
void memlab_pool_report_used(struct memlab_pool *pool);
const char *memlab_pool_source_name(const struct memlab_pool *pool);
phys_addr_t memlab_pool_index_phys(const struct memlab_pool *pool, u32 idx);

void memlab_debugfs_init(void);
void memlab_debugfs_exit(void);
void memlab_debugfs_add_pool(struct memlab_pool *pool);
void memlab_debugfs_remove_pool(struct memlab_pool *pool);

#endif
