// SPDX-License-Identifier: GPL-2.0-only
/*
 * The /dev/memlab ABI pinned: ioctl numbers, structure sizes and field
 * offsets of include/uapi/memlab.h as MEMLAB_ABI_VERSION 3 defines them
 * (earlier versions' unchanged).
 * A rename is free; a change of any number here breaks every program
 * built against an earlier header, and fails this test.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>

#include "../../include/uapi/memlab.h"
#include "tap.h"

#define FIELD(type, field, off, sz)						\
	tap_ok(offsetof(struct type, field) == (off) &&				\
	       sizeof(((struct type *)0)->field) == (sz),			\
	       #type "." #field ": offset %zu size %zu (want %d, %d)",		\
	       offsetof(struct type, field), sizeof(((struct type *)0)->field),	\
	       (off), (sz))

int main(void)
{
	tap_begin();
	tap_plan(49);

	tap_ok(MEMLAB_ABI_VERSION == 3, "MEMLAB_ABI_VERSION is 3");
	tap_ok(MEMLAB_IOC_INFO == 0xc090de00u, "MEMLAB_IOC_INFO is 0xc090de00 (0x%lx)",
	       (unsigned long)MEMLAB_IOC_INFO);
	tap_ok(MEMLAB_IOC_ALLOC == 0xc050de01u, "MEMLAB_IOC_ALLOC is 0xc050de01 (0x%lx)",
	       (unsigned long)MEMLAB_IOC_ALLOC);
	tap_ok(MEMLAB_IOC_FREE == 0x4018de02u, "MEMLAB_IOC_FREE is 0x4018de02 (0x%lx)",
	       (unsigned long)MEMLAB_IOC_FREE);
	tap_ok(MEMLAB_IOC_SYNC == 0x4030de03u, "MEMLAB_IOC_SYNC is 0x4030de03 (0x%lx)",
	       (unsigned long)MEMLAB_IOC_SYNC);
	tap_ok(MEMLAB_IOC_EXPORT == 0xc020de04u, "MEMLAB_IOC_EXPORT is 0xc020de04 (0x%lx)",
	       (unsigned long)MEMLAB_IOC_EXPORT);
	tap_ok(MEMLAB_SYNC_TO_DEVICE == 1 && MEMLAB_SYNC_FROM_DEVICE == 2 &&
	       MEMLAB_SYNC_FLAGS == 3, "sync directions: TO_DEVICE 1, FROM_DEVICE 2, FLAGS 3");
	tap_ok(MEMLAB_SHARED_OFFSET == 0, "MEMLAB_SHARED_OFFSET is 0");
	tap_ok(MEMLAB_CACHE_CACHED == 0 && MEMLAB_CACHE_WC == 1 &&
	       MEMLAB_CACHE_UNCACHED == 2 && MEMLAB_CACHE_MASK == 3,
	       "cache modes: CACHED 0, WC 1, UNCACHED 2, MASK 3");
	tap_ok(MEMLAB_ALLOC_PAGES == 4 && MEMLAB_ALLOC_DMA32 == 8 && MEMLAB_ALLOC_FLAGS == 0xf,
	       "MEMLAB_ALLOC_PAGES 4, MEMLAB_ALLOC_DMA32 8, MEMLAB_ALLOC_FLAGS 0xf");

	tap_ok(sizeof(struct memlab_info) == 144, "struct memlab_info is 144 bytes");
	FIELD(memlab_info, size, 0, 4);
	FIELD(memlab_info, abi_version, 4, 4);
	FIELD(memlab_info, page_size, 8, 4);
	FIELD(memlab_info, max_order, 12, 4);
	FIELD(memlab_info, pool_bytes, 16, 8);
	FIELD(memlab_info, pool_free_bytes, 24, 8);
	FIELD(memlab_info, shared_bytes, 32, 8);
	FIELD(memlab_info, quota_open_bytes, 40, 8);
	FIELD(memlab_info, quota_global_bytes, 48, 8);
	FIELD(memlab_info, used_open_bytes, 56, 8);
	FIELD(memlab_info, used_global_bytes, 64, 8);
	FIELD(memlab_info, nr_buffers, 72, 4);
	FIELD(memlab_info, reserved, 80, 64);

	tap_ok(sizeof(struct memlab_allocation_data) == 80,
	       "struct memlab_allocation_data is 80 bytes");
	FIELD(memlab_allocation_data, size, 0, 4);
	FIELD(memlab_allocation_data, flags, 4, 4);
	FIELD(memlab_allocation_data, length, 8, 8);
	FIELD(memlab_allocation_data, bytes, 16, 8);
	FIELD(memlab_allocation_data, mmap_offset, 24, 8);
	FIELD(memlab_allocation_data, phys, 32, 8);
	FIELD(memlab_allocation_data, handle, 40, 4);
	FIELD(memlab_allocation_data, order, 44, 4);
	FIELD(memlab_allocation_data, reserved, 48, 32);

	tap_ok(sizeof(struct memlab_free) == 24 && offsetof(struct memlab_free, handle) == 4 &&
	       offsetof(struct memlab_free, reserved) == 8,
	       "struct memlab_free: 24 bytes, handle at 4, reserved at 8");

	tap_ok(sizeof(struct memlab_sync) == 48, "struct memlab_sync is 48 bytes");
	FIELD(memlab_sync, size, 0, 4);
	FIELD(memlab_sync, handle, 4, 4);
	FIELD(memlab_sync, offset, 8, 8);
	FIELD(memlab_sync, length, 16, 8);
	FIELD(memlab_sync, flags, 24, 4);
	FIELD(memlab_sync, reserved, 32, 16);

	tap_ok(sizeof(struct memlab_export) == 32, "struct memlab_export is 32 bytes");
	FIELD(memlab_export, size, 0, 4);
	FIELD(memlab_export, handle, 4, 4);
	FIELD(memlab_export, flags, 8, 4);
	FIELD(memlab_export, fd, 12, 4);
	FIELD(memlab_export, reserved, 16, 16);
	/* The flags are the open(2) flags, as every Linux architecture numbers them. */
	tap_ok(O_RDONLY == 0 && O_WRONLY == 1 && O_RDWR == 2 && O_ACCMODE == 3,
	       "export flags: O_RDONLY 0, O_WRONLY 1, O_RDWR 2");
	return tap_done();
}
