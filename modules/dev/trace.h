/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_dev's tracepoints, in the memlab trace system
 * (/sys/kernel/tracing/events/memlab/): private buffers created and
 * freed, mappings of any buffer made, dma-bufs exported and faults of
 * page-backed mappings. buffer.c defines them (CREATE_TRACE_POINTS);
 * docs/dev.rst lists the fields and formats.
 *
 * Buffers are named by their handle (0: the shared buffer) and their
 * first page frame, never by a kernel address.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM memlab

#if !defined(_TRACE_MEMLAB_DEV_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_MEMLAB_DEV_H

#include <linux/cred.h>
#include <linux/fcntl.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/tracepoint.h>
#include <linux/uidgid.h>

#include <memlab/alloc.h>
#include <uapi/memlab.h>

#include "internal.h"

/*
 * The vm_fault_t results memlab_vm_fault() gives, as numbers: they are
 * enum constants of a restricted (sparse __bitwise) type, which neither
 * TRACE_DEFINE_ENUM() nor a flag table takes, and which the format file
 * would otherwise name where user space needs values. buffer.c checks
 * them against vm_fault_t's.
 */
#define MEMLAB_FAULT_OOM	0x000001
#define MEMLAB_FAULT_SIGBUS	0x000002
#define MEMLAB_FAULT_NOPAGE	0x000100

#define memlab_show_cache(cache)					\
	__print_symbolic(cache,						\
			 { MEMLAB_CACHE_CACHED,		"cached" },		\
			 { MEMLAB_CACHE_WC,		"wc" },			\
			 { MEMLAB_CACHE_UNCACHED,	"uncached" })

/* Of a non-zero @flags: the caller prints 0 as "none", as show_gfp_flags() does */
#define memlab_show_alloc_flags(flags)					\
	__print_flags(flags, "|",					\
		      { MEMLAB_ALLOC_PAGES,	"pages" },			\
		      { MEMLAB_ALLOC_DMA32,	"dma32" })

#define memlab_show_map(pages)						\
	__print_symbolic(pages, { 0, "pfn" }, { 1, "pages" })

#define memlab_show_accmode(mode)					\
	__print_symbolic(mode,						\
			 { O_RDONLY,	"O_RDONLY" },				\
			 { O_WRONLY,	"O_WRONLY" },				\
			 { O_RDWR,	"O_RDWR" })

#define memlab_show_fault(result)					\
	__print_flags(result, "|",					\
		      { MEMLAB_FAULT_OOM,	"OOM" },			\
		      { MEMLAB_FAULT_SIGBUS,	"SIGBUS" },			\
		      { MEMLAB_FAULT_NOPAGE,	"NOPAGE" })

/*
 * Private buffer @buf created for the current task, from a request with
 * @flags (MEMLAB_ALLOC_*): the block is allocated, zeroed, maintained and
 * has its handle
 */
TRACE_EVENT(memlab_dev_create,
	    TP_PROTO(const struct memlab_buf *buf, u32 flags),
	    TP_ARGS(buf, flags),
	    TP_STRUCT__entry(__field(u32, handle)
			     __field(u64, bytes)
			     __field(unsigned int, order)
			     __field(u32, cache)
			     __field(u32, flags)
			     __field(unsigned long, pfn)
			     __field(pid_t, pid)
			     __field(u32, uid)),
	    TP_fast_assign(__entry->handle = buf->handle;
			   __entry->bytes = buf->size;
			   __entry->order = buf->order;
			   __entry->cache = buf->cache;
			   __entry->flags = flags & (MEMLAB_ALLOC_PAGES | MEMLAB_ALLOC_DMA32);
			   __entry->pfn = memlab_block_pfn(memlab_dev_pool(), buf->vaddr);
			   __entry->pid = buf->pid;
			   __entry->uid = from_kuid(&init_user_ns, current_uid());),
	    TP_printk("handle=%u bytes=%llu order=%u cache=%s flags=%s pfn=0x%lx pid=%d uid=%u",
		      __entry->handle, __entry->bytes, __entry->order,
		      memlab_show_cache(__entry->cache),
		      __entry->flags ? memlab_show_alloc_flags(__entry->flags) : "none",
		      __entry->pfn, __entry->pid, __entry->uid)
);

/*
 * Private buffer @buf freed: its last reference is gone and its block is
 * about to go back to the pool; @buf->pinned for the delayed free of a
 * buffer kept while get_user_pages() held its pages
 */
TRACE_EVENT_CONDITION(memlab_dev_free,
		      TP_PROTO(const struct memlab_buf *buf),
		      TP_ARGS(buf),
		      TP_CONDITION(buf->handle),
		      TP_STRUCT__entry(__field(u32, handle)
				       __field(u64, bytes)
				       __field(unsigned int, order)
				       __field(unsigned long, pfn)
				       __field(bool, pinned)),
		      TP_fast_assign(__entry->handle = buf->handle;
				     __entry->bytes = buf->size;
				     __entry->order = buf->order;
				     __entry->pfn = memlab_block_pfn(memlab_dev_pool(), buf->vaddr);
				     __entry->pinned = buf->pinned;),
		      TP_printk("handle=%u bytes=%llu order=%u pfn=0x%lx pinned=%u",
				__entry->handle, __entry->bytes, __entry->order, __entry->pfn,
				__entry->pinned)
);

/*
 * @vma mapped over pages @pgoff onwards of @buf, through /dev/memlab or a
 * dma-buf of @buf: its page tables are filled
 */
TRACE_EVENT(memlab_dev_mmap,
	    TP_PROTO(const struct memlab_buf *buf, const struct vm_area_struct *vma,
		     unsigned long pgoff),
	    TP_ARGS(buf, vma, pgoff),
	    TP_STRUCT__entry(__field(u32, handle)
			     __field(u64, offset)
			     __field(unsigned long, len)
			     __field(u32, cache)
			     __field(bool, pages)
			     __field(unsigned long, pfn)),
	    TP_fast_assign(__entry->handle = buf->handle;
			   __entry->offset = (u64)vma->vm_pgoff << PAGE_SHIFT;
			   __entry->len = vma->vm_end - vma->vm_start;
			   __entry->cache = buf->cache;
			   __entry->pages = buf->pages;
			   __entry->pfn = memlab_block_pfn(memlab_dev_pool(), buf->vaddr) + pgoff;),
	    TP_printk("handle=%u offset=0x%llx len=%lu cache=%s map=%s pfn=0x%lx",
		      __entry->handle, __entry->offset, __entry->len,
		      memlab_show_cache(__entry->cache), memlab_show_map(__entry->pages),
		      __entry->pfn)
);

/*
 * A dma-buf of @bytes of buffer @handle, installed as descriptor @fd with
 * the file flags @flags; @ino is its inode, as dma-buf's bufinfo lists it
 */
TRACE_EVENT(memlab_dev_export,
	    TP_PROTO(u32 handle, u64 bytes, int fd, u32 flags, u64 ino),
	    TP_ARGS(handle, bytes, fd, flags, ino),
	    TP_STRUCT__entry(__field(u32, handle)
			     __field(u64, bytes)
			     __field(int, fd)
			     __field(u32, mode)
			     __field(bool, cloexec)
			     __field(u64, ino)),
	    TP_fast_assign(__entry->handle = handle;
			   __entry->bytes = bytes;
			   __entry->fd = fd;
			   __entry->mode = flags & O_ACCMODE;
			   __entry->cloexec = flags & O_CLOEXEC;
			   __entry->ino = ino;),
	    TP_printk("handle=%u bytes=%llu fd=%d mode=%s cloexec=%u ino=%llu",
		      __entry->handle, __entry->bytes, __entry->fd,
		      memlab_show_accmode(__entry->mode), __entry->cloexec, __entry->ino)
);

/*
 * A fault at user address @addr of a page-backed mapping of @buf, on page
 * @pgoff of the buffer, answered with @result
 */
TRACE_EVENT(memlab_dev_fault,
	    TP_PROTO(const struct memlab_buf *buf, unsigned long addr, unsigned long pgoff,
		     vm_fault_t result),
	    TP_ARGS(buf, addr, pgoff, result),
	    TP_STRUCT__entry(__field(u32, handle)
			     __field(unsigned long, addr)
			     __field(unsigned long, offset)
			     __field(unsigned long, pfn)
			     __field(unsigned int, result)),
	    TP_fast_assign(__entry->handle = buf->handle;
			   __entry->addr = addr;
			   __entry->offset = pgoff << PAGE_SHIFT;
			   __entry->pfn = memlab_block_pfn(memlab_dev_pool(), buf->vaddr) + pgoff;
			   __entry->result = (__force unsigned int)result;),
	    TP_printk("handle=%u addr=0x%lx offset=0x%lx pfn=0x%lx result=%s",
		      __entry->handle, __entry->addr, __entry->offset, __entry->pfn,
		      memlab_show_fault(__entry->result))
);

#endif /* _TRACE_MEMLAB_DEV_H */

/* Outside the guard: define_trace.h reads this file again from here */
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
