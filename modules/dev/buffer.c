// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_dev buffers and their lifetime
 *
 * A buffer is one block of the default pool. It holds a reference for its
 * handle (the shared buffer: for the module), one for each VMA that maps
 * it and one for each dma-buf made of it (dmabuf.c); vm_ops open and close
 * count the VMAs that fork() and partial munmap() create and destroy. The
 * block goes back to the pool when the last reference does, so memory a
 * process still maps, or a device may still reach, is never reused.
 *
 * Write-combine and non-cached buffers are also mapped cacheable by the
 * kernel's linear map. Before the first user mapping exists, the block is
 * cleaned and invalidated to the point of coherency, so no dirty line of
 * that alias is left to be written back over what user space stores
 * through its own mapping later; the kernel does not touch the block
 * through the alias again until it is freed. The maintenance goes through
 * the DMA API (dma_map_page() cleans, dma_unmap_page() with
 * DMA_BIDIRECTIONAL invalidates): it is the one interface for it that
 * modules can use on every supported kernel. The arch's own routine for
 * a kernel range (dcache_clean_inval_poc() on arm64) would say exactly
 * this, but it is not exported, and the pmem helpers that are exported
 * promise persistence, not coherence.
 *
 * The DMA API only maintains the block itself when the device is
 * described as a non-coherent one that reaches the block's physical
 * address directly, so the device is memlab,memlab's platform device
 * (main.c) and every other case is refused: a coherent device gets no
 * maintenance at all, and one that bounces (swiotlb=force, a confidential
 * guest, an address past its reach) or sits behind an IOMMU gets it for
 * another range.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/swiotlb.h>

#include <memlab/alloc.h>
#include <uapi/memlab.h>

#include "compat.h"
#include "internal.h"

/* Every live buffer, for the debugfs report. */
LIST_HEAD(memlab_bufs);
/* Guards memlab_bufs, memlab_charged and memlab_nr_private. */
DEFINE_MUTEX(memlab_bufs_lock);
struct memlab_buf *memlab_shared;

static DEFINE_IDA(memlab_handles);
static u64 memlab_charged;		/* bytes of live private buffers */
static unsigned int memlab_nr_private;

/*
 * Cache maintenance of bytes [@offset, @offset + @len) of @buf to the
 * point of coherency (see the top): mapping for @dir cleans, unmapping
 * for DMA_BIDIRECTIONAL invalidates. Never an invalidate alone, on any
 * architecture, so no CPU write is ever dropped.
 */
static int memlab_buf_maintain(struct memlab_buf *buf, struct device *dev, size_t offset,
			       size_t len, enum dma_data_direction dir)
{
	phys_addr_t phys;
	dma_addr_t dma;
	int ret = 0;

	/* Only a block in the linear map has a struct page to hand over. */
	if (!virt_addr_valid(buf->vaddr))
		return -EOPNOTSUPP;
	/* The DMA API does no cache maintenance for a coherent device. */
	if (dev_is_dma_coherent(dev))
		return -EOPNOTSUPP;
	/* Every mapping bounces: the block itself would be left alone. */
	if (is_swiotlb_force_bounce(dev))
		return -EOPNOTSUPP;
	phys = virt_to_phys(buf->vaddr) + offset;
	dma = dma_map_page(dev, virt_to_page(buf->vaddr), offset, len, dir);
	if (dma_mapping_error(dev, dma))
		return -EOPNOTSUPP;
	/* Another address: a bounce slot or an IOMMU page was maintained. */
	if (dma != phys)
		ret = -EOPNOTSUPP;
	dma_unmap_page(dev, dma, len, dir);
	return ret;
}

/* Clean and invalidate all of @buf (see the top). */
static int memlab_buf_clean_inval(struct memlab_buf *buf, struct device *dev)
{
	return memlab_buf_maintain(buf, dev, 0, buf->size, DMA_BIDIRECTIONAL);
}

/**
 * memlab_buf_sync() - cache maintenance on a range of a buffer (MEMLAB_IOC_SYNC)
 * @buf: the buffer
 * @dev: the device whose DMA description does the maintenance
 * @offset: first byte
 * @len: bytes, at least one; @offset + @len within the buffer
 * @flags: MEMLAB_SYNC_TO_DEVICE, MEMLAB_SYNC_FROM_DEVICE or both
 *
 * TO_DEVICE cleans the range (the CPU's writes reach memory, for a device
 * to read); FROM_DEVICE, alone or with TO_DEVICE, cleans and invalidates it
 * (what a device wrote is what the CPU reads next). Whole cache lines are
 * maintained, so bytes around the range may be cleaned too, which changes
 * no data. Nothing is done for a write-combine or non-cached buffer: no
 * cacheable mapping of its block holds a dirty line.
 *
 * Context: Process context.
 * Return: 0, or -EOPNOTSUPP when the block cannot be maintained in place
 * (memlab_buf_create()'s cases).
 */
int memlab_buf_sync(struct memlab_buf *buf, struct device *dev, size_t offset, size_t len,
		    u32 flags)
{
	if (buf->cache != MEMLAB_CACHE_CACHED)
		return 0;
	return memlab_buf_maintain(buf, dev, offset, len,
				   flags & MEMLAB_SYNC_FROM_DEVICE ? DMA_BIDIRECTIONAL :
								     DMA_TO_DEVICE);
}

static struct memlab_buf *memlab_buf_new(struct memlab_pool *pool, unsigned int order,
					 gfp_t gfp)
{
	struct memlab_buf *buf;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return NULL;
	buf->vaddr = memlab_alloc_pages(pool, order, gfp | __GFP_ZERO | __GFP_NOWARN);
	if (!buf->vaddr) {
		kfree(buf);
		return NULL;
	}
	kref_init(&buf->ref);
	INIT_LIST_HEAD(&buf->node);
	buf->order = order;
	buf->size = PAGE_SIZE << order;
	return buf;
}

/**
 * memlab_buf_create() - allocate a zeroed private buffer
 * @pool: the pool
 * @dma_dev: device for cache maintenance of non-cacheable buffers
 * @order: block order
 * @cache: MEMLAB_CACHE_* mode
 * @gfp: GFP_DMA32 for a block below 4 GiB, or 0
 * @quota_global: bytes all private buffers together may hold
 *
 * Context: Process context; sleeps.
 * Return: the buffer with one reference, or ERR_PTR(-ENOSPC) when the
 * global quota would be exceeded, -ENOMEM when the pool has no block of
 * that order, -EOPNOTSUPP when a non-cacheable block cannot be maintained.
 */
struct memlab_buf *memlab_buf_create(struct memlab_pool *pool, struct device *dma_dev,
				     unsigned int order, u32 cache, gfp_t gfp, u64 quota_global)
{
	u64 bytes = (u64)PAGE_SIZE << order;
	struct memlab_buf *buf;
	int handle, ret;

	mutex_lock(&memlab_bufs_lock);
	if (memlab_charged + bytes > quota_global) {
		mutex_unlock(&memlab_bufs_lock);
		return ERR_PTR(-ENOSPC);
	}
	memlab_charged += bytes;
	mutex_unlock(&memlab_bufs_lock);

	ret = -ENOMEM;
	buf = memlab_buf_new(pool, order, gfp);
	if (!buf)
		goto err_uncharge;
	buf->cache = cache;
	if (cache != MEMLAB_CACHE_CACHED) {
		ret = memlab_buf_clean_inval(buf, dma_dev);
		if (ret)
			goto err_free;
	}
	handle = ida_alloc_range(&memlab_handles, 1, MEMLAB_HANDLE_MAX, GFP_KERNEL);
	if (handle < 0) {
		ret = handle;	/* -ENOSPC with 2^31 - 1 buffers alive, or -ENOMEM */
		goto err_free;
	}
	buf->handle = handle;
	atomic_set(&buf->nr_fds, 1);
	buf->pid = task_tgid_nr(current);
	get_task_comm(buf->comm, current);

	mutex_lock(&memlab_bufs_lock);
	list_add_tail(&buf->node, &memlab_bufs);
	memlab_nr_private++;
	mutex_unlock(&memlab_bufs_lock);
	return buf;

err_free:
	memlab_free_pages(pool, buf->vaddr, order);
	kfree(buf);
err_uncharge:
	mutex_lock(&memlab_bufs_lock);
	memlab_charged -= bytes;
	mutex_unlock(&memlab_bufs_lock);
	return ERR_PTR(ret);
}

/**
 * memlab_shared_create() - allocate the zeroed shared buffer
 * @pool: the pool
 * @size: bytes, a multiple of PAGE_SIZE
 *
 * Context: Process context; sleeps.
 * Return: the buffer with the module's reference, or NULL when the pool
 * has no block large enough.
 */
struct memlab_buf *memlab_shared_create(struct memlab_pool *pool, size_t size)
{
	struct memlab_buf *buf;

	buf = memlab_buf_new(pool, get_order(size), 0);
	if (!buf)
		return NULL;
	buf->size = size;
	buf->cache = MEMLAB_CACHE_CACHED;
	strscpy(buf->comm, "-", sizeof(buf->comm));
	mutex_lock(&memlab_bufs_lock);
	list_add(&buf->node, &memlab_bufs);
	mutex_unlock(&memlab_bufs_lock);
	return buf;
}

static void memlab_buf_release(struct kref *ref)
{
	struct memlab_buf *buf = container_of(ref, struct memlab_buf, ref);

	mutex_lock(&memlab_bufs_lock);
	list_del(&buf->node);
	if (buf->handle) {
		memlab_charged -= PAGE_SIZE << buf->order;
		memlab_nr_private--;
	}
	mutex_unlock(&memlab_bufs_lock);
	if (buf->handle)
		ida_free(&memlab_handles, buf->handle);
	/* The pool counts a refused free; there is nothing else to do. */
	memlab_free_pages(memlab_dev_pool(), buf->vaddr, buf->order);
	kfree(buf);
}

/**
 * memlab_buf_put() - drop a reference; the last one frees the buffer
 * @buf: the buffer
 *
 * Context: Process context; sleeps.
 */
void memlab_buf_put(struct memlab_buf *buf)
{
	kref_put(&buf->ref, memlab_buf_release);
}

/**
 * memlab_bufs_charged() - bytes and number of live private buffers
 * @nr_buffers: set to the number of live private buffers
 *
 * Context: Process context; sleeps.
 * Return: their bytes.
 */
u64 memlab_bufs_charged(unsigned int *nr_buffers)
{
	u64 bytes;

	mutex_lock(&memlab_bufs_lock);
	bytes = memlab_charged;
	*nr_buffers = memlab_nr_private;
	mutex_unlock(&memlab_bufs_lock);
	return bytes;
}

/* A new VMA refers to the buffer: fork() or the split of a partial munmap(). */
static void memlab_vm_open(struct vm_area_struct *vma)
{
	struct memlab_buf *buf = vma->vm_private_data;

	kref_get(&buf->ref);
	atomic_inc(&buf->nr_vmas);
}

static void memlab_vm_close(struct vm_area_struct *vma)
{
	struct memlab_buf *buf = vma->vm_private_data;

	atomic_dec(&buf->nr_vmas);
	memlab_buf_put(buf);
}

static const struct vm_operations_struct memlab_vm_ops = {
	.open	= memlab_vm_open,
	.close	= memlab_vm_close,
};

/*
 * Non-cached is what the DMA API gives coherent buffers of non-coherent
 * devices: memory on which ordinary loads, stores, exclusives and
 * unaligned accesses work. On arm64 that is Normal non-cacheable, the
 * same type as write-combine, never Device (pgprot_noncached), whose
 * atomics and unaligned accesses fault or are unpredictable on RAM.
 */
pgprot_t memlab_pgprot(u32 cache, pgprot_t prot)
{
	switch (cache) {
	case MEMLAB_CACHE_WC:
		return pgprot_writecombine(prot);
	case MEMLAB_CACHE_UNCACHED:
		return pgprot_dmacoherent(prot);
	default:
		return prot;
	}
}

/**
 * memlab_buf_mmap() - map pages of a buffer into a VMA
 * @buf: the buffer; on success the VMA owns the caller's reference
 * @vma: the VMA, MAP_SHARED, checked by the caller
 * @pgoff: first page of @buf to map
 *
 * Context: Process context, mmap_lock held for writing.
 * Return: 0, -EOVERFLOW when the VMA would reach past the end of @buf,
 * -EAGAIN when the page tables cannot be filled.
 */
int memlab_buf_mmap(struct memlab_buf *buf, struct vm_area_struct *vma,
		    unsigned long pgoff)
{
	unsigned long pages = vma_pages(vma), buf_pages = PAGE_ALIGN(buf->size) >> PAGE_SHIFT;
	unsigned long pfn = memlab_block_pfn(memlab_dev_pool(), buf->vaddr);

	/* The mapping stays inside the buffer. */
	if (pgoff >= buf_pages || pages > buf_pages - pgoff)
		return -EOVERFLOW;

	vma->vm_page_prot = memlab_pgprot(buf->cache, vma->vm_page_prot);
	/* remap_pfn_range() sets these too; the driver relies on them. */
	memlab_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	if (remap_pfn_range(vma, vma->vm_start, pfn + pgoff, pages << PAGE_SHIFT,
			    vma->vm_page_prot))
		return -EAGAIN;
	/* Only now: a failed mmap() gets no close() from the core. */
	vma->vm_private_data = buf;
	vma->vm_ops = &memlab_vm_ops;
	atomic_inc(&buf->nr_vmas);
	return 0;
}
