/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * memlab: the /dev/memlab user ABI (memlab_dev.ko)
 *
 * /dev/memlab hands out physically contiguous memory from memlab's default
 * pool. The file has two kinds of buffer:
 *
 * - The shared buffer, at file offset 0 (MEMLAB_SHARED_OFFSET). It exists
 *   from module load to unload, is zeroed when created, and read(), write(),
 *   lseek() and mmap() all reach it, so every process that opens the device
 *   sees the same bytes.
 * - Private buffers, allocated with MEMLAB_IOC_ALLOC. Each is a block of
 *   2^order pages, zeroed before it reaches user space, reached only through
 *   mmap() at the offset the ioctl returns, and only through the file it was
 *   allocated on (and its duplicates: dup(), fork()), or through a dma-buf
 *   made of it (MEMLAB_IOC_EXPORT). A private buffer is freed when its
 *   handle is gone (MEMLAB_IOC_FREE or the last close) and no mapping or
 *   dma-buf of it is left.
 *
 * mmap() takes MAP_SHARED only, with PROT_READ alone on a file opened
 * read-only (the kernel refuses PROT_WRITE there with EACCES). The offset
 * selects the buffer and a page within it: the shared buffer's offset is 0,
 * a private buffer's is the mmap_offset MEMLAB_IOC_ALLOC returned, plus a
 * multiple of the page size to map part of it. Errors, checked in this
 * order: MAP_PRIVATE: EINVAL; an offset that names no buffer of this file:
 * ENXIO; a mapping that would reach past the end of the buffer: EOVERFLOW.
 * Growing a mapping with mremap() fails with EFAULT (VM_DONTEXPAND).
 *
 * A private buffer is mapped by its page frame numbers (remap_pfn_range()),
 * unless it was allocated with MEMLAB_ALLOC_PAGES: then its pages are
 * mapped as struct pages, which get_user_pages() can take, so O_DIRECT,
 * io_uring fixed buffers, vmsplice() and V4L2 USERPTR work on it (on a PFN
 * mapping they fail with EFAULT). A page-backed buffer whose pages are
 * still referenced by such I/O when its handle and mappings are gone
 * returns to the pool only once the references are dropped.
 *
 * Every ioctl structure starts with a size field the caller sets to the
 * size of the structure it was compiled with, and ends in reserved space
 * the caller zeroes. The kernel refuses a wrong size, a non-zero reserved
 * word and an unknown flag with EINVAL, and an unknown ioctl with ENOTTY.
 * A later ABI that needs more room defines new fields in the reserved space
 * and bumps MEMLAB_ABI_VERSION; one that outgrows it adds new ioctl numbers
 * and keeps serving these.
 */
#ifndef _UAPI_MEMLAB_H
#define _UAPI_MEMLAB_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * 1: MEMLAB_IOC_INFO, MEMLAB_IOC_ALLOC, MEMLAB_IOC_FREE
 * 2: MEMLAB_IOC_SYNC
 * 3: MEMLAB_ALLOC_DMA32, MEMLAB_IOC_EXPORT, MEMLAB_ALLOC_PAGES
 */
#define MEMLAB_ABI_VERSION	3

/* The ioctl type byte, unused in Documentation/userspace-api/ioctl. */
#define MEMLAB_IOC_MAGIC	0xDE

/* mmap() offset of the shared buffer. */
#define MEMLAB_SHARED_OFFSET	0

/*
 * Cache modes of a private buffer's user mappings (MEMLAB_IOC_ALLOC flags).
 * Both non-cacheable modes are memory, for every caller: loads, stores,
 * unaligned accesses and atomics all work. Write-combine is the kernel's
 * pgprot_writecombine(); non-cached is the type the DMA API maps coherent
 * buffers with for a device that does not snoop (pgprot_dmacoherent()).
 * On arm64 both are Normal non-cacheable, so they behave alike there: the
 * architecture has no Normal type that forbids gathering writes, and
 * Device memory (which does) is for MMIO, not RAM. Other architectures
 * may tell them apart (x86: WC against UC-).
 */
#define MEMLAB_CACHE_CACHED	0x0	/* normal write-back memory, the default */
#define MEMLAB_CACHE_WC		0x1	/* write-combine: Normal non-cacheable on arm64 */
#define MEMLAB_CACHE_UNCACHED	0x2	/* non-cached: Normal non-cacheable on arm64 */
#define MEMLAB_CACHE_MASK	0x3

/*
 * Map the buffer with struct pages (vm_insert_pages(), VM_MIXEDMAP) rather
 * than by PFN (remap_pfn_range(), VM_PFNMAP | VM_IO), so get_user_pages()
 * and pin_user_pages() work on the mapping. Cached buffers only: the
 * kernel reaches pages taken that way through its cacheable linear map.
 */
#define MEMLAB_ALLOC_PAGES	0x4	/* map with struct pages: get_user_pages() works */

/*
 * Memory below 4 GiB, for devices that address 32 bits (on the RK3588, RGA2
 * and the blocks without an IOMMU). The pool has it everywhere or nowhere:
 * a kernel-pages pool is taken from ZONE_DMA32, a reserved-memory pool is
 * wherever the device tree puts it (alloc-ranges).
 */
#define MEMLAB_ALLOC_DMA32	0x8

/* Every flag defined */
#define MEMLAB_ALLOC_FLAGS	(MEMLAB_CACHE_MASK | MEMLAB_ALLOC_PAGES | MEMLAB_ALLOC_DMA32)

/**
 * struct memlab_info - the pool, the shared buffer, quotas (MEMLAB_IOC_INFO)
 * @size: in: sizeof(struct memlab_info)
 * @abi_version: out: MEMLAB_ABI_VERSION
 * @page_size: out: bytes per page; buffers are 2^order pages
 * @max_order: out: largest order MEMLAB_IOC_ALLOC can ever give
 * @pool_bytes: out: bytes the default pool manages
 * @pool_free_bytes: out: bytes free in the pool now
 * @shared_bytes: out: size of the shared buffer at offset 0
 * @quota_open_bytes: out: private-buffer bytes one open file may hold
 * @quota_global_bytes: out: private-buffer bytes all users together may hold
 * @used_open_bytes: out: private-buffer bytes this open file holds handles to
 * @used_global_bytes: out: private-buffer bytes allocated now, system-wide
 * @nr_buffers: out: live private buffers, system-wide
 * @__pad: must be zero
 * @reserved: in: must be zero; out: zero
 */
struct memlab_info {
	__u32 size;
	__u32 abi_version;
	__u32 page_size;
	__u32 max_order;
	__u64 pool_bytes;
	__u64 pool_free_bytes;
	__u64 shared_bytes;
	__u64 quota_open_bytes;
	__u64 quota_global_bytes;
	__u64 used_open_bytes;
	__u64 used_global_bytes;
	__u32 nr_buffers;
	__u32 __pad;
	__u64 reserved[8];
};

/**
 * struct memlab_allocation_data - allocate a private buffer (MEMLAB_IOC_ALLOC)
 * @size: in: sizeof(struct memlab_allocation_data)
 * @flags: in: one MEMLAB_CACHE_* mode, optionally with MEMLAB_ALLOC_PAGES
 *	(with MEMLAB_CACHE_CACHED only) and MEMLAB_ALLOC_DMA32; other bits or
 *	combinations: EINVAL; out: as given
 * @length: in: bytes wanted, rounded up to 2^order pages; 0: EINVAL, more
 *	than 2^max_order pages: E2BIG
 * @bytes: out: bytes given, page_size << @order
 * @mmap_offset: out: the mmap() offset of the buffer's first page
 * @phys: out: physical address of the buffer for a caller with
 *	CAP_SYS_ADMIN, 0 for anyone else
 * @handle: out: the buffer's handle for MEMLAB_IOC_FREE, never 0 (which
 *	the debugfs report uses for the shared buffer)
 * @order: out: the buffer is 2^@order pages, physically contiguous and
 *	aligned to its size within the pool
 * @reserved: in: must be zero; out: zero
 *
 * Other errors: ERANGE for MEMLAB_ALLOC_DMA32 when the pool has no memory
 * below 4 GiB (it lies above, or across, 4 GiB),
 * EDQUOT when the open file's quota would be exceeded,
 * ENOSPC when the global quota would be, ENOMEM when the pool has no free
 * block of that order, EOPNOTSUPP for a write-combine or non-cached buffer
 * where the kernel cannot clean its own cacheable alias of the block in
 * place: a pool outside the linear map (no-map), or a device that is
 * DMA-coherent, bounces (swiotlb=force) or translates addresses; and for
 * MEMLAB_ALLOC_PAGES where the block has no struct pages the kernel can
 * map (a no-map pool).
 */
struct memlab_allocation_data {
	__u32 size;
	__u32 flags;
	__u64 length;
	__u64 bytes;
	__u64 mmap_offset;
	__u64 phys;
	__u32 handle;
	__u32 order;
	__u64 reserved[4];
};

/**
 * struct memlab_free - drop a private buffer's handle (MEMLAB_IOC_FREE)
 * @size: in: sizeof(struct memlab_free)
 * @handle: in: a handle this open file holds; anything else: ENOENT
 * @reserved: in: must be zero
 *
 * The memory goes back to the pool when the last mapping of it goes too.
 */
struct memlab_free {
	__u32 size;
	__u32 handle;
	__u64 reserved[2];
};

/* Directions of MEMLAB_IOC_SYNC */
#define MEMLAB_SYNC_TO_DEVICE	0x1	/* clean: the CPU's writes reach memory */
#define MEMLAB_SYNC_FROM_DEVICE	0x2	/* clean and invalidate: the CPU reads memory */
#define MEMLAB_SYNC_FLAGS	0x3	/* every flag defined */

/**
 * struct memlab_sync - cache maintenance on a private buffer (MEMLAB_IOC_SYNC)
 * @size: in: sizeof(struct memlab_sync)
 * @handle: in: a handle this open file holds; anything else (0, the
 *	shared buffer's, included): ENOENT
 * @offset: in: first byte of the range, from the buffer's start
 * @length: in: bytes; 0: EINVAL; a range that ends past the buffer
 *	(bytes, as MEMLAB_IOC_ALLOC returned): EOVERFLOW
 * @flags: in: MEMLAB_SYNC_TO_DEVICE before a device reads what the CPU
 *	wrote, MEMLAB_SYNC_FROM_DEVICE after a device wrote and before the
 *	CPU reads, or both; none or an unknown bit: EINVAL
 * @__pad: must be zero
 * @reserved: in: must be zero
 *
 * For a cached buffer handed to a device that does not snoop the CPU's
 * caches. TO_DEVICE cleans the range to the point of coherency;
 * FROM_DEVICE cleans and invalidates it, so no CPU write is dropped. Whole
 * cache lines are maintained: no alignment is asked for, and bytes next to
 * the range may be cleaned too, which changes no data. A write-combine or
 * non-cached buffer needs none and succeeds at once. EOPNOTSUPP when the
 * kernel cannot maintain the block in place, in MEMLAB_IOC_ALLOC's cases.
 */
struct memlab_sync {
	__u32 size;
	__u32 handle;
	__u64 offset;
	__u64 length;
	__u32 flags;
	__u32 __pad;
	__u64 reserved[2];
};

/**
 * struct memlab_export - a dma-buf of a private buffer (MEMLAB_IOC_EXPORT)
 * @size: in: sizeof(struct memlab_export)
 * @handle: in: a handle this open file holds; anything else (0, the
 *	shared buffer's, included): ENOENT
 * @flags: in: the dma-buf file's flags, as dma-heap's fd_flags: O_RDONLY,
 *	O_WRONLY or O_RDWR, optionally with O_CLOEXEC; anything else: EINVAL.
 *	An access mode this open file lacks (O_RDWR on a file opened
 *	read-only): EACCES
 * @fd: out: the dma-buf's file descriptor
 * @reserved: in: must be zero; out: zero
 *
 * Each call makes a new dma-buf (exporter name "memlab") of the whole
 * buffer, which devices attach and map, and which mmap() (MAP_SHARED only)
 * maps with the buffer's cache mode. DMA_BUF_IOCTL_SYNC on it does the
 * cache maintenance of every device that has mapped it. The buffer lives
 * while the dma-buf does, after its handle is freed and its memlab file
 * closed; memlab_dev cannot be unloaded meanwhile. The buffer counts
 * against the global quota until it is freed, against this file's quota
 * only while the file holds its handle.
 *
 * Other errors: EOPNOTSUPP when the kernel has no dma-buf support
 * (CONFIG_DMA_SHARED_BUFFER) or the block is outside the linear map (a
 * no-map pool), EMFILE when no file descriptor is free, ENOMEM.
 */
struct memlab_export {
	__u32 size;
	__u32 handle;
	__u32 flags;
	__s32 fd;
	__u64 reserved[2];
};

#define MEMLAB_IOC_INFO		_IOWR(MEMLAB_IOC_MAGIC, 0x00, struct memlab_info)
#define MEMLAB_IOC_ALLOC	_IOWR(MEMLAB_IOC_MAGIC, 0x01, struct memlab_allocation_data)
#define MEMLAB_IOC_FREE		_IOW(MEMLAB_IOC_MAGIC, 0x02, struct memlab_free)
#define MEMLAB_IOC_SYNC		_IOW(MEMLAB_IOC_MAGIC, 0x03, struct memlab_sync)
#define MEMLAB_IOC_EXPORT	_IOWR(MEMLAB_IOC_MAGIC, 0x04, struct memlab_export)

#endif /* _UAPI_MEMLAB_H */
