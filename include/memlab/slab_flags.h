/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab slab caches: the flags of memlab_cache_create() and the kinds of
 * error a cache detects. Shared by <memlab/alloc.h> and the slab core,
 * which builds unchanged in userspace, so this header includes nothing.
 */
#ifndef _MEMLAB_SLAB_FLAGS_H
#define _MEMLAB_SLAB_FLAGS_H

/* memlab_cache_create() flags */
#define MEMLAB_SLAB_DEBUG	0x1U	/* red zones, poisoning, caller tracking */
#define MEMLAB_SLAB_HARDENED	0x2U	/* encoded freelist pointers */
#define MEMLAB_SLAB_HWALIGN	0x4U	/* objects aligned to the cache line */
#define MEMLAB_SLAB_FLAGS	0x7U	/* every flag defined */

/* Indices of struct memlab_cache_info's errors[] */
enum memlab_slab_err {
	MEMLAB_SLAB_ERR_REDZONE,	/* a red zone was overwritten */
	MEMLAB_SLAB_ERR_POISON,		/* a free object was written to */
	MEMLAB_SLAB_ERR_DOUBLE_FREE,	/* an object was freed twice */
	MEMLAB_SLAB_ERR_FREELIST,	/* a free pointer leads nowhere valid */
	MEMLAB_SLAB_ERR_BAD_OBJECT,	/* a pointer that is no object of the cache */
	MEMLAB_SLAB_ERR_COUNT,		/* counters disagree with the freelist */
	MEMLAB_SLAB_ERR_NR,
};

#endif /* _MEMLAB_SLAB_FLAGS_H */
