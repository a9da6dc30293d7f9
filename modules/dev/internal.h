/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_dev internals shared by its source files.
 */
#ifndef MEMLAB_DEV_INTERNAL_H
#define MEMLAB_DEV_INTERNAL_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pgtable.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct device;
struct file;
struct memlab_pool;
struct vm_area_struct;

/*
 * The mmap() offset of private buffer N is N << MEMLAB_COOKIE_SHIFT, so
 * every buffer the pool can give (MEMLAB_MAX_ORDER) fits below the next
 * one's cookie, whatever the page size.
 */
#define MEMLAB_COOKIE_SHIFT	32
#define MEMLAB_COOKIE_PGSHIFT	(MEMLAB_COOKIE_SHIFT - PAGE_SHIFT)
#define MEMLAB_HANDLE_MAX	0x7fffffff

/**
 * struct memlab_buf - a block of the pool that user space can reach
 * @ref: one for the handle (or, for the shared buffer, the module), one per
 *	VMA, one per dma-buf
 * @node: on memlab_bufs, under memlab_bufs_lock
 * @handle: 0 for the shared buffer, else unique among live buffers
 * @order: the block is 2^@order pages
 * @cache: MEMLAB_CACHE_* mode of user mappings
 * @pages: mapped with struct pages (MEMLAB_ALLOC_PAGES), else by PFN
 * @pinned: page-backed, with no handle and no VMA left, but pages still
 *	held by get_user_pages(); under memlab_bufs_lock
 * @size: bytes user space can reach: the whole block for a private buffer
 * @vaddr: the block's kernel address
 * @nr_fds: open files holding it: its handle (0 or 1), or every open file
 *	for the shared buffer
 * @nr_vmas: user mappings of it
 * @pid: thread-group id of the allocating process, 0 for the shared buffer
 * @comm: its command name
 */
struct memlab_buf {
	struct kref ref;
	struct list_head node;
	u32 handle;
	unsigned int order;
	u32 cache;
	bool pages;
	bool pinned;
	size_t size;
	void *vaddr;
	atomic_t nr_fds;
	atomic_t nr_vmas;
	pid_t pid;
	char comm[TASK_COMM_LEN];
};

/**
 * struct memlab_file - state of one open file of /dev/memlab
 * @lock: serialises @bufs and @charged
 * @bufs: handle -> struct memlab_buf; each entry holds a reference
 * @charged: bytes of the buffers in @bufs, against quota_open
 */
struct memlab_file {
	struct mutex lock;		/* guards @bufs and @charged */
	struct xarray bufs;
	u64 charged;
};

/* buffer.c */
extern struct list_head memlab_bufs;
extern struct mutex memlab_bufs_lock;
extern struct memlab_buf *memlab_shared;

struct memlab_buf *memlab_buf_create(struct memlab_pool *pool, struct device *dma_dev,
				     unsigned int order, u32 flags, u64 quota_global);
struct memlab_buf *memlab_shared_create(struct memlab_pool *pool, size_t size);
void memlab_buf_put(struct memlab_buf *buf);
int memlab_buf_sync(struct memlab_buf *buf, struct device *dev, size_t offset, size_t len,
		    u32 flags);
u64 memlab_bufs_charged(unsigned int *nr_buffers);
int memlab_buf_mmap(struct memlab_buf *buf, struct vm_area_struct *vma,
		    unsigned long pgoff);
bool memlab_buf_huge_pfn(struct memlab_buf *buf, unsigned long pgoff, unsigned long len,
			 unsigned long *pfn);
pgprot_t memlab_pgprot(u32 cache, pgprot_t prot);
void memlab_bufs_exit(void);

/* ioctl.c */
long memlab_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* main.c */
struct memlab_pool *memlab_dev_pool(void);
struct device *memlab_dev_dma_device(void);
u64 memlab_quota_open(void);
u64 memlab_quota_global(void);

/* debugfs.c */
void memlab_dev_debugfs_init(void);
void memlab_dev_debugfs_exit(void);

#endif
