/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab slab core: object layout, a slab's freelist and the debug checks,
 * with no locks, lists or page allocation. Like the buddy core it builds
 * unchanged in userspace (userspace/hosttest).
 */
#ifndef MEMLAB_SLAB_CORE_H
#define MEMLAB_SLAB_CORE_H

#include <linux/errno.h>
#include <linux/types.h>

#include <memlab/slab_flags.h>

#define MEMLAB_SLAB_MAX_ORDER	3	/* 32 KiB slabs with 4 KiB pages */
#define MEMLAB_SLAB_MAX_OBJECTS	4096

/* Byte patterns, as SLUB's include/linux/poison.h */
#define MEMLAB_RED_INACTIVE	0xbb	/* red zone of a free object */
#define MEMLAB_RED_ACTIVE	0xcc	/* red zone of an allocated object */
#define MEMLAB_POISON_FREE	0x6b	/* a free object's bytes */
#define MEMLAB_POISON_END	0xa5	/* a free object's last byte */

/* Where an object was last allocated and freed (debug caches). */
struct memlab_slab_track {
	unsigned long alloc_caller;
	unsigned long free_caller;
	u32 alloc_pid;
	u32 free_pid;
};

/*
 * Layout of one object slot of @size bytes (debug caches):
 *
 *   | red_left | object_size bytes | red_right | free ptr | track |
 *              ^ the pointer users get
 *
 * Without debug, the slot is the object rounded up to the alignment and
 * the free pointer lives inside the free object at @offset (outside it
 * when there is a constructor, so constructed state survives).
 */
struct memlab_slab_geom {
	u32 object_size;
	u32 align;
	u32 size;		/* slot stride */
	u32 red_left;		/* bytes before the object */
	u32 inuse;		/* object plus right red zone, from the object */
	u32 offset;		/* free pointer, from the object */
	u32 track;		/* track record, from the object; 0 if none */
	u32 order;		/* slab size: PAGE_SIZE << order */
	u32 objects;		/* per slab */
	u32 waste;		/* bytes per slab in no slot */
	u32 flags;
	bool ctor;
	unsigned long key;	/* freelist hardening key */
};

/* A slab's core state; the kernel side wraps it with its list links. */
struct memlab_slab_core {
	void *base;		/* first byte of the slab */
	void *freelist;		/* first free object, or NULL */
	u32 inuse;		/* objects not on the freelist */
};

typedef void (*memlab_slab_report_t)(void *ctx, const char *msg);

struct memlab_slab_checker {
	memlab_slab_report_t report;
	void *ctx;
	u64 errors[MEMLAB_SLAB_ERR_NR];
	unsigned int reported;
};

int memlab_slab_geom_init(struct memlab_slab_geom *g, size_t object_size, size_t align,
			  unsigned int flags, bool ctor, unsigned long page_size,
			  unsigned long key);
void memlab_slab_init(const struct memlab_slab_geom *g, struct memlab_slab_core *s,
		      void *base);
void *memlab_slab_take(const struct memlab_slab_geom *g, struct memlab_slab_core *s,
		       unsigned long caller, u32 pid, struct memlab_slab_checker *c);
int memlab_slab_put(const struct memlab_slab_geom *g, struct memlab_slab_core *s, void *obj,
		    unsigned long caller, u32 pid, struct memlab_slab_checker *c);
unsigned int memlab_slab_validate(const struct memlab_slab_geom *g,
				  const struct memlab_slab_core *s, unsigned long *scratch,
				  struct memlab_slab_checker *c);
struct memlab_slab_track *memlab_slab_track_of(const struct memlab_slab_geom *g, void *obj);
void *memlab_slab_object(const struct memlab_slab_geom *g, const struct memlab_slab_core *s,
			 unsigned int i);
const char *memlab_slab_err_name(enum memlab_slab_err err);

/**
 * memlab_slab_object_index() - which object of a slab @obj is
 * @g: the cache's geometry
 * @s: the slab
 * @obj: a pointer
 *
 * Return: the index, or -EINVAL when @obj is not the start of an object of
 * this slab.
 */
static inline int memlab_slab_object_index(const struct memlab_slab_geom *g,
					   const struct memlab_slab_core *s, const void *obj)
{
	unsigned long off = (unsigned long)obj - (unsigned long)s->base;

	if ((unsigned long)obj < (unsigned long)s->base + g->red_left)
		return -EINVAL;
	off -= g->red_left;
	if (off % g->size || off / g->size >= g->objects)
		return -EINVAL;
	return off / g->size;
}

#endif
