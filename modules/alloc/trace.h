/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_alloc's tracepoints, in the memlab trace system
 * (/sys/kernel/tracing/events/memlab/): blocks allocated and freed, the
 * splits and merges of the buddy lists, refused frees, slab objects
 * allocated and freed, and slabs made and given back. pool.c defines them
 * (CREATE_TRACE_POINTS); docs/alloc.rst lists the fields and formats.
 *
 * Pointers are printed hashed (%p), page frame numbers and orders as
 * numbers, callers as symbols (%pS), as the kmem events print them.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM memlab

#if !defined(_TRACE_MEMLAB_ALLOC_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_MEMLAB_ALLOC_H

#include <linux/tracepoint.h>
#include <trace/events/mmflags.h>

#include <memlab/trace_compat.h>

#include "internal.h"

TRACE_DEFINE_ENUM(MEMLAB_MISUSE_DOUBLE_FREE);
TRACE_DEFINE_ENUM(MEMLAB_MISUSE_BAD_ADDRESS);
TRACE_DEFINE_ENUM(MEMLAB_MISUSE_WRONG_ORDER);
TRACE_DEFINE_ENUM(MEMLAB_MISUSE_OUTSIDE);

#define memlab_show_misuse(kind)					\
	__print_symbolic(kind,						\
			 { MEMLAB_MISUSE_DOUBLE_FREE,	"double_free" },	\
			 { MEMLAB_MISUSE_BAD_ADDRESS,	"bad_address" },	\
			 { MEMLAB_MISUSE_WRONG_ORDER,	"wrong_order" },	\
			 { MEMLAB_MISUSE_OUTSIDE,	"outside_pool" })

/* The block at page index @idx of @pool, allocated by @caller */
TRACE_EVENT(memlab_block_alloc,
	    TP_PROTO(const struct memlab_pool *pool, u32 idx, unsigned int order, gfp_t gfp,
		     unsigned long caller),
	    TP_ARGS(pool, idx, order, gfp, caller),
	    TP_STRUCT__entry(__string(pool, pool->name)
			     __field(unsigned long, pfn)
			     __field(unsigned int, order)
			     __field(unsigned long, gfp_flags)
			     __field(unsigned long, caller)),
	    TP_fast_assign(memlab_assign_str(pool, pool->name);
			   __entry->pfn = PHYS_PFN(memlab_pool_index_phys(pool, idx));
			   __entry->order = order;
			   __entry->gfp_flags = (__force unsigned long)gfp;
			   __entry->caller = caller;),
	    TP_printk("pool=%s pfn=0x%lx order=%u gfp_flags=%s caller=%pS",
		      __get_str(pool), __entry->pfn, __entry->order,
		      show_gfp_flags(__entry->gfp_flags), (void *)__entry->caller)
);

/* The block at page index @idx of @pool, freed by @caller: the free was accepted */
TRACE_EVENT(memlab_block_free,
	    TP_PROTO(const struct memlab_pool *pool, u32 idx, unsigned int order,
		     unsigned long caller),
	    TP_ARGS(pool, idx, order, caller),
	    TP_STRUCT__entry(__string(pool, pool->name)
			     __field(unsigned long, pfn)
			     __field(unsigned int, order)
			     __field(unsigned long, caller)),
	    TP_fast_assign(memlab_assign_str(pool, pool->name);
			   __entry->pfn = PHYS_PFN(memlab_pool_index_phys(pool, idx));
			   __entry->order = order;
			   __entry->caller = caller;),
	    TP_printk("pool=%s pfn=0x%lx order=%u caller=%pS",
		      __get_str(pool), __entry->pfn, __entry->order, (void *)__entry->caller)
);

/*
 * A free block of the buddy lists that changed order, from @from_order to
 * @to_order, starting at page index @idx: the block a split keeps (it
 * starts where the block taken did), or the block a merge made. Only
 * changes are traced.
 */
DECLARE_EVENT_CLASS(memlab_block_orders,
		    TP_PROTO(const struct memlab_pool *pool, u32 idx, unsigned int from_order,
			     unsigned int to_order),
		    TP_ARGS(pool, idx, from_order, to_order),
		    TP_STRUCT__entry(__string(pool, pool->name)
				     __field(unsigned long, pfn)
				     __field(unsigned int, from_order)
				     __field(unsigned int, to_order)),
		    TP_fast_assign(memlab_assign_str(pool, pool->name);
				   __entry->pfn = PHYS_PFN(memlab_pool_index_phys(pool, idx));
				   __entry->from_order = from_order;
				   __entry->to_order = to_order;),
		    TP_printk("pool=%s pfn=0x%lx from_order=%u to_order=%u",
			      __get_str(pool), __entry->pfn, __entry->from_order,
			      __entry->to_order)
);

DEFINE_EVENT_CONDITION(memlab_block_orders, memlab_block_split,
		       TP_PROTO(const struct memlab_pool *pool, u32 idx, unsigned int from_order,
				unsigned int to_order),
		       TP_ARGS(pool, idx, from_order, to_order),
		       TP_CONDITION(from_order > to_order)
);

DEFINE_EVENT_CONDITION(memlab_block_orders, memlab_block_merge,
		       TP_PROTO(const struct memlab_pool *pool, u32 idx, unsigned int from_order,
				unsigned int to_order),
		       TP_ARGS(pool, idx, from_order, to_order),
		       TP_CONDITION(from_order < to_order)
);

/* A free of @addr by @caller, refused as @kind */
TRACE_EVENT(memlab_misuse,
	    TP_PROTO(const struct memlab_pool *pool, enum memlab_buddy_misuse kind,
		     const void *addr, unsigned long caller),
	    TP_ARGS(pool, kind, addr, caller),
	    TP_STRUCT__entry(__string(pool, pool->name)
			     __field(unsigned int, kind)
			     __field(const void *, addr)
			     __field(unsigned long, caller)),
	    TP_fast_assign(memlab_assign_str(pool, pool->name);
			   __entry->kind = kind;
			   __entry->addr = addr;
			   __entry->caller = caller;),
	    TP_printk("pool=%s kind=%s addr=%p caller=%pS",
		      __get_str(pool), memlab_show_misuse(__entry->kind), __entry->addr,
		      (void *)__entry->caller)
);

/* The object @obj of @cache, allocated by @caller */
TRACE_EVENT(memlab_slab_alloc,
	    TP_PROTO(const struct memlab_cache *cache, const void *obj, gfp_t gfp,
		     unsigned long caller),
	    TP_ARGS(cache, obj, gfp, caller),
	    TP_STRUCT__entry(__string(pool, cache->pool->name)
			     __string(cache, cache->name)
			     __field(const void *, obj)
			     __field(unsigned int, size)
			     __field(unsigned long, gfp_flags)
			     __field(unsigned long, caller)),
	    TP_fast_assign(memlab_assign_str(pool, cache->pool->name);
			   memlab_assign_str(cache, cache->name);
			   __entry->obj = obj;
			   __entry->size = cache->geom.object_size;
			   __entry->gfp_flags = (__force unsigned long)gfp;
			   __entry->caller = caller;),
	    TP_printk("pool=%s cache=%s obj=%p size=%u gfp_flags=%s caller=%pS",
		      __get_str(pool), __get_str(cache), __entry->obj, __entry->size,
		      show_gfp_flags(__entry->gfp_flags), (void *)__entry->caller)
);

/* A free of @obj of @cache by @caller, traced before it is checked */
TRACE_EVENT(memlab_slab_free,
	    TP_PROTO(const struct memlab_cache *cache, const void *obj, unsigned long caller),
	    TP_ARGS(cache, obj, caller),
	    TP_STRUCT__entry(__string(pool, cache->pool->name)
			     __string(cache, cache->name)
			     __field(const void *, obj)
			     __field(unsigned long, caller)),
	    TP_fast_assign(memlab_assign_str(pool, cache->pool->name);
			   memlab_assign_str(cache, cache->name);
			   __entry->obj = obj;
			   __entry->caller = caller;),
	    TP_printk("pool=%s cache=%s obj=%p caller=%pS",
		      __get_str(pool), __get_str(cache), __entry->obj, (void *)__entry->caller)
);

/* A slab of @cache, whose first byte is @base, made or given back */
DECLARE_EVENT_CLASS(memlab_slab_page,
		    TP_PROTO(const struct memlab_cache *cache, const void *base),
		    TP_ARGS(cache, base),
		    TP_STRUCT__entry(__string(pool, cache->pool->name)
				     __string(cache, cache->name)
				     __field(unsigned long, pfn)
				     __field(unsigned int, order)
				     __field(unsigned int, objects)),
		    TP_fast_assign(memlab_assign_str(pool, cache->pool->name);
				   memlab_assign_str(cache, cache->name);
				   __entry->pfn = memlab_block_pfn(cache->pool, base);
				   __entry->order = cache->geom.order;
				   __entry->objects = cache->geom.objects;),
		    TP_printk("pool=%s cache=%s pfn=0x%lx order=%u objects=%u",
			      __get_str(pool), __get_str(cache), __entry->pfn, __entry->order,
			      __entry->objects)
);

DEFINE_EVENT(memlab_slab_page, memlab_slab_grow,
	     TP_PROTO(const struct memlab_cache *cache, const void *base),
	     TP_ARGS(cache, base)
);

DEFINE_EVENT(memlab_slab_page, memlab_slab_shrink,
	     TP_PROTO(const struct memlab_cache *cache, const void *base),
	     TP_ARGS(cache, base)
);

#endif /* _TRACE_MEMLAB_ALLOC_H */

/* Outside the guard: define_trace.h reads this file again from here */
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
