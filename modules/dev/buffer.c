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
 * A buffer allocated with MEMLAB_ALLOC_PAGES is mapped with its struct
 * pages (vm_insert_pages(), VM_MIXEDMAP) rather than by PFN, so that
 * get_user_pages() can take them: O_DIRECT, io_uring fixed buffers,
 * vmsplice(). Such a reference outlives the VMA it was taken through, and
 * the block must not be reused while I/O may still write to it. The pool
 * gives each page one reference and each mapping of a page adds one, so
 * once the last buffer reference is gone, a page count above one is
 * somebody else's: the buffer is then kept, marked pinned, and a delayed
 * work looks again, less and less often, until every count is back to
 * one. A pinned buffer holds a module reference until it is freed.
 *
 * A PFN mapping that covers a 2 MiB-aligned range of the block, at a
 * virtual address congruent to it, is filled on demand instead, where the
 * kernel has huge PFN maps (compat.h): huge_fault() maps each such range
 * with one special PMD, fault() the pages around them with special PTEs.
 * The VMA is the same VM_PFNMAP one remap_pfn_range() makes, and its
 * references are counted the same way. Where munmap(), mprotect() or
 * mremap() cuts a PMD, the core zaps it and the pages fault back in as
 * PTEs of the same memory; fork() leaves the child's PMDs to fault in.
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

#include <linux/build_bug.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/idr.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/swiotlb.h>
#include <linux/workqueue.h>

#include <memlab/alloc.h>
#include <uapi/memlab.h>

#include "compat.h"
#include "internal.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* Pages of a page-backed buffer are mapped this many at a time. */
#define MEMLAB_INSERT_BATCH	16
/* A pinned buffer is looked at again after 10 ms, then twice as late, up to 1 s. */
#define MEMLAB_PINNED_FIRST	10U
#define MEMLAB_PINNED_MAX	1000U

/* Every live buffer, for the debugfs report; pinned ones included. */
LIST_HEAD(memlab_bufs);
/* Guards memlab_bufs, memlab_charged, memlab_nr_private and the pinned state. */
DEFINE_MUTEX(memlab_bufs_lock);
struct memlab_buf *memlab_shared;

static DEFINE_IDA(memlab_handles);
static u64 memlab_charged;		/* bytes of live private buffers */
static unsigned int memlab_nr_private;
static unsigned int memlab_nr_pinned;
static unsigned int memlab_pinned_wait = MEMLAB_PINNED_FIRST;	/* ms */

static void memlab_pinned_retry(struct work_struct *work);
static DECLARE_DELAYED_WORK(memlab_pinned_work, memlab_pinned_retry);

static unsigned long memlab_buf_pfn(struct memlab_buf *buf)
{
	return memlab_block_pfn(memlab_dev_pool(), buf->vaddr);
}

/*
 * A block can be mapped with struct pages when it is in the linear map (not
 * a no-map pool) and each page holds the pool's one reference (memlab_alloc's
 * pool.c): vm_insert_page() takes such pages, and memlab_buf_held() can tell
 * what else holds them.
 */
static int memlab_buf_check_pages(struct memlab_buf *buf)
{
	unsigned long pfn, i;

	if (!virt_addr_valid(buf->vaddr))
		return -EOPNOTSUPP;
	pfn = memlab_buf_pfn(buf);
	for (i = 0; i < 1UL << buf->order; i++)
		if (page_count(pfn_to_page(pfn + i)) != 1)
			return -EOPNOTSUPP;
	return 0;
}

/*
 * Whether anything but the pool holds a page of a page-backed buffer that
 * has no VMA left: get_user_pages() and pin_user_pages() references (I/O
 * in flight, a pipe, an io_uring fixed buffer) outlive the mappings they
 * were taken through.
 */
static bool memlab_buf_held(struct memlab_buf *buf)
{
	unsigned long pfn = memlab_buf_pfn(buf), i;

	for (i = 0; i < 1UL << buf->order; i++)
		if (page_count(pfn_to_page(pfn + i)) != 1)
			return true;
	/*
	 * Pairs with the barrier of the put_page() that dropped the last
	 * outside reference: what its owner wrote comes before the block's
	 * next owner writes.
	 */
	smp_mb();
	return false;
}

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
 * @flags: MEMLAB_CACHE_* mode, with MEMLAB_ALLOC_PAGES for a cached one
 *	mapped with struct pages, and MEMLAB_ALLOC_DMA32 for a block below
 *	4 GiB
 * @quota_global: bytes all private buffers together may hold
 *
 * Context: Process context; sleeps.
 * Return: the buffer with one reference, or ERR_PTR(-ENOSPC) when the
 * global quota would be exceeded, -ENOMEM when the pool has no block of
 * that order, -EOPNOTSUPP when a non-cacheable block cannot be maintained
 * or a page-backed one has no struct pages to map.
 */
struct memlab_buf *memlab_buf_create(struct memlab_pool *pool, struct device *dma_dev,
				     unsigned int order, u32 flags, u64 quota_global)
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
	buf = memlab_buf_new(pool, order, flags & MEMLAB_ALLOC_DMA32 ? GFP_DMA32 : 0);
	if (!buf)
		goto err_uncharge;
	buf->cache = flags & MEMLAB_CACHE_MASK;
	buf->pages = flags & MEMLAB_ALLOC_PAGES;
	if (buf->cache != MEMLAB_CACHE_CACHED) {
		ret = memlab_buf_clean_inval(buf, dma_dev);
		if (ret)
			goto err_free;
	}
	if (buf->pages) {
		ret = memlab_buf_check_pages(buf);
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
	trace_memlab_dev_create(buf, flags);
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

/* Return the block to the pool and forget the buffer. */
static void memlab_buf_destroy(struct memlab_buf *buf)
{
	mutex_lock(&memlab_bufs_lock);
	list_del(&buf->node);
	if (buf->handle) {
		memlab_charged -= PAGE_SIZE << buf->order;
		memlab_nr_private--;
	}
	mutex_unlock(&memlab_bufs_lock);
	/*
	 * Traced before the block and the handle are given back, so that
	 * neither shows in another buffer's memlab_dev_create first.
	 */
	trace_memlab_dev_free(buf);
	/* The pool counts a refused free; there is nothing else to do. */
	memlab_free_pages(memlab_dev_pool(), buf->vaddr, buf->order);
	if (buf->handle)
		ida_free(&memlab_handles, buf->handle);
	kfree(buf);
}

/*
 * Keep a buffer whose pages are still held until they are not. Called from
 * the last reference, which comes from a file operation or a VMA's close,
 * both with the module held: taking a reference of our own is safe.
 */
static void memlab_buf_pin(struct memlab_buf *buf)
{
	__module_get(THIS_MODULE);
	mutex_lock(&memlab_bufs_lock);
	buf->pinned = true;
	memlab_nr_pinned++;
	memlab_pinned_wait = MEMLAB_PINNED_FIRST;
	mutex_unlock(&memlab_bufs_lock);
	/* Already pending: at most MEMLAB_PINNED_MAX away. */
	schedule_delayed_work(&memlab_pinned_work, msecs_to_jiffies(MEMLAB_PINNED_FIRST));
}

/* Free the pinned buffers nothing holds any more; look again later if some are left. */
static void memlab_pinned_retry(struct work_struct *work)
{
	struct memlab_buf *buf, *tmp;
	unsigned int wait = 0;
	LIST_HEAD(done);

	mutex_lock(&memlab_bufs_lock);
	list_for_each_entry_safe(buf, tmp, &memlab_bufs, node) {
		if (buf->pinned && !memlab_buf_held(buf)) {
			list_move(&buf->node, &done);
			memlab_nr_pinned--;
		}
	}
	if (memlab_nr_pinned) {
		memlab_pinned_wait = min(2 * memlab_pinned_wait, MEMLAB_PINNED_MAX);
		wait = memlab_pinned_wait;
	}
	mutex_unlock(&memlab_bufs_lock);
	/* The buffers still pinned hold the module. */
	if (wait)
		schedule_delayed_work(&memlab_pinned_work, msecs_to_jiffies(wait));
	list_for_each_entry_safe(buf, tmp, &done, node) {
		memlab_buf_destroy(buf);
		/* memlab_bufs_exit() waits for this function to return. */
		module_put(THIS_MODULE);
	}
}

static void memlab_buf_release(struct kref *ref)
{
	struct memlab_buf *buf = container_of(ref, struct memlab_buf, ref);

	/* No VMA is left, so a page count above the pool's is a pin. */
	if (buf->pages && memlab_buf_held(buf))
		memlab_buf_pin(buf);
	else
		memlab_buf_destroy(buf);
}

/**
 * memlab_bufs_exit() - wait for the work that frees pinned buffers
 *
 * The module can only go once no buffer is pinned, but the work that freed
 * the last one may still be returning.
 *
 * Context: Process context; sleeps.
 */
void memlab_bufs_exit(void)
{
	cancel_delayed_work_sync(&memlab_pinned_work);
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

/* memlab_dev_fault prints these results by value (trace.h). */
static_assert(MEMLAB_FAULT_OOM == (__force unsigned int)VM_FAULT_OOM);
static_assert(MEMLAB_FAULT_SIGBUS == (__force unsigned int)VM_FAULT_SIGBUS);
static_assert(MEMLAB_FAULT_NOPAGE == (__force unsigned int)VM_FAULT_NOPAGE);

/*
 * A page-backed mapping is filled by mmap(); an entry is missing only after
 * madvise(MADV_DONTNEED) dropped it, and the same page goes back.
 */
static vm_fault_t memlab_vm_fault(struct vm_fault *vmf)
{
	struct memlab_buf *buf = vmf->vma->vm_private_data;
	unsigned long pgoff = vmf->pgoff & (BIT(MEMLAB_COOKIE_PGSHIFT) - 1);
	vm_fault_t result = VM_FAULT_NOPAGE;
	int ret;

	if (pgoff >= buf->size >> PAGE_SHIFT) {
		result = VM_FAULT_SIGBUS;
	} else {
		ret = vm_insert_page(vmf->vma, vmf->address,
				     pfn_to_page(memlab_buf_pfn(buf) + pgoff));
		/* -EBUSY: another thread mapped it first. */
		if (ret && ret != -EBUSY)
			result = vmf_error(ret);
	}
	trace_memlab_dev_fault(buf, vmf->address, pgoff, result);
	return result;
}

/* The page of a PFN mapping filled on demand, outside its PMDs. */
static vm_fault_t memlab_vm_pfn_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct memlab_buf *buf = vma->vm_private_data;
	unsigned long pgoff = vmf->pgoff & (BIT(MEMLAB_COOKIE_PGSHIFT) - 1);

	if (pgoff >= buf->size >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	/* vm_page_prot holds the cache mode; mprotect() keeps it. */
	return vmf_insert_pfn_prot(vma, vmf->address, memlab_buf_pfn(buf) + pgoff,
				   vma->vm_page_prot);
}

#if MEMLAB_HAVE_PMD_PFNMAP
/* A whole 2 MiB of the VMA on 2 MiB-aligned memory of the buffer: one PMD. */
static vm_fault_t memlab_vm_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct memlab_buf *buf = vma->vm_private_data;
	unsigned long addr = vmf->address & PMD_MASK, pgoff, pfn;

	if (order != PMD_ORDER || addr < vma->vm_start || vma->vm_end - addr < PMD_SIZE)
		return VM_FAULT_FALLBACK;
	pgoff = (vma->vm_pgoff & (BIT(MEMLAB_COOKIE_PGSHIFT) - 1)) +
		((addr - vma->vm_start) >> PAGE_SHIFT);
	pfn = memlab_buf_pfn(buf) + pgoff;
	if (!IS_ALIGNED(pfn, BIT(PMD_ORDER)) ||
	    pgoff + BIT(PMD_ORDER) > buf->size >> PAGE_SHIFT)
		return VM_FAULT_FALLBACK;
	return memlab_insert_pfn_pmd(vmf, pfn);
}
#endif

static const struct vm_operations_struct memlab_vm_ops = {
	.open	= memlab_vm_open,
	.close	= memlab_vm_close,
};

static const struct vm_operations_struct memlab_huge_vm_ops = {
	.open		= memlab_vm_open,
	.close		= memlab_vm_close,
	.fault		= memlab_vm_pfn_fault,
#if MEMLAB_HAVE_PMD_PFNMAP
	.huge_fault	= memlab_vm_huge_fault,
#endif
};

static const struct vm_operations_struct memlab_page_vm_ops = {
	.open	= memlab_vm_open,
	.close	= memlab_vm_close,
	.fault	= memlab_vm_fault,
};

/* Map pages [@pgoff, @pgoff + vma_pages(@vma)) of @buf with their struct pages. */
static int memlab_buf_insert(struct memlab_buf *buf, struct vm_area_struct *vma,
			     unsigned long pgoff)
{
	unsigned long pfn = memlab_buf_pfn(buf) + pgoff, addr = vma->vm_start;
	unsigned long left = vma_pages(vma);
	struct page *batch[MEMLAB_INSERT_BATCH];

	while (left) {
		unsigned long i, n = min_t(unsigned long, left, ARRAY_SIZE(batch)), rest = n;
		int ret;

		for (i = 0; i < n; i++)
			batch[i] = pfn_to_page(pfn + i);
		/* A partial mapping is undone by the core when mmap() fails. */
		ret = vm_insert_pages(vma, addr, batch, &rest);
		if (ret)
			return ret;
		pfn += n;
		addr += n << PAGE_SHIFT;
		left -= n;
	}
	return 0;
}

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
 * memlab_buf_huge_pfn() - whether a PFN mapping of a buffer can hold PMDs
 * @buf: the buffer
 * @pgoff: first page of @buf to map
 * @len: bytes to map
 * @pfn: set to the page frame number of page @pgoff of @buf
 *
 * Context: Any context.
 * Return: true when a mapping of @len bytes from @pgoff would be filled
 * with PMDs at a virtual address congruent to @pfn's modulo 2 MiB; false
 * for a page-backed buffer, on a kernel without huge PFN maps, and for
 * less than 2 MiB.
 */
bool memlab_buf_huge_pfn(struct memlab_buf *buf, unsigned long pgoff, unsigned long len,
			 unsigned long *pfn)
{
	*pfn = memlab_buf_pfn(buf) + pgoff;
	return MEMLAB_HAVE_PMD_PFNMAP && !buf->pages && len >= PMD_SIZE;
}

/* Whether a PFN mapping is filled on demand, with PMDs (see the top). */
static bool memlab_buf_huge(struct memlab_buf *buf, struct vm_area_struct *vma,
			    unsigned long pgoff)
{
	unsigned long pfn;

	if (!memlab_buf_huge_pfn(buf, pgoff, vma->vm_end - vma->vm_start, &pfn))
		return false;
	/* The virtual address agrees with the physical one below 2 MiB... */
	if ((vma->vm_start - PFN_PHYS(pfn)) & ~PMD_MASK)
		return false;
	/* ...and the VMA holds a whole 2 MiB-aligned range. */
	return ALIGN(vma->vm_start, PMD_SIZE) + PMD_SIZE <= vma->vm_end;
}

/**
 * memlab_buf_mmap() - map pages of a buffer into a VMA
 * @buf: the buffer; on success the VMA owns the caller's reference
 * @vma: the VMA, MAP_SHARED, checked by the caller
 * @pgoff: first page of @buf to map
 *
 * The VMA is filled at once: by PFN, or for a page-backed buffer with its
 * struct pages; a PFN mapping that can hold PMDs is filled on demand
 * (see the top).
 *
 * Context: Process context, mmap_lock held for writing.
 * Return: 0, -EOVERFLOW when the VMA would reach past the end of @buf,
 * -EAGAIN when the page tables cannot be filled.
 */
int memlab_buf_mmap(struct memlab_buf *buf, struct vm_area_struct *vma,
		    unsigned long pgoff)
{
	unsigned long pages = vma_pages(vma), buf_pages = PAGE_ALIGN(buf->size) >> PAGE_SHIFT;
	const struct vm_operations_struct *ops;
	int ret;

	/* The mapping stays inside the buffer. */
	if (pgoff >= buf_pages || pages > buf_pages - pgoff)
		return -EOVERFLOW;

	vma->vm_page_prot = memlab_pgprot(buf->cache, vma->vm_page_prot);
	/* remap_pfn_range() sets these too; the driver relies on them. */
	memlab_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	if (buf->pages) {
		ops = &memlab_page_vm_ops;
		ret = memlab_buf_insert(buf, vma, pgoff);
	} else if (memlab_buf_huge(buf, vma, pgoff)) {
		/* What remap_pfn_range() sets; the faults fill the VMA. */
		ops = &memlab_huge_vm_ops;
		memlab_vm_flags_set(vma, VM_IO | VM_PFNMAP);
		ret = 0;
	} else {
		ops = &memlab_vm_ops;
		ret = remap_pfn_range(vma, vma->vm_start, memlab_buf_pfn(buf) + pgoff,
				      pages << PAGE_SHIFT, vma->vm_page_prot);
	}
	if (ret)
		return -EAGAIN;
	/* Only now: a failed mmap() gets no close() from the core. */
	vma->vm_private_data = buf;
	vma->vm_ops = ops;
	atomic_inc(&buf->nr_vmas);
	trace_memlab_dev_mmap(buf, vma, pgoff);
	return 0;
}
