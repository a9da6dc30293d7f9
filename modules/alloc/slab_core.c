// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab slab core
 *
 * A slab is PAGE_SIZE << order bytes cut into equal slots; free slots are
 * chained through a pointer stored in each free object (or just after it,
 * when a constructor's state must survive). With MEMLAB_SLAB_HARDENED the
 * stored pointer is XORed with a per-cache key and the byte-swapped address
 * it is stored at, as CONFIG_SLAB_FREELIST_HARDENED does, so a leaked or
 * overwritten pointer does not lead an allocation to an arbitrary address.
 *
 * Debug caches surround each object with red zones (0xbb while free, 0xcc
 * while allocated), fill free objects with 0x6b ending in 0xa5, and record
 * the last allocating and freeing caller. Every check counts what it finds
 * in a checker instead of stopping the kernel; the kernel side logs it.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/stdarg.h>
#include <linux/string.h>
#include <linux/types.h>

#include "slab_core.h"

#define FP_SIZE		sizeof(void *)

static unsigned long slot_align(unsigned long x, unsigned long a)
{
	return (x + a - 1) & ~(a - 1);
}

static const char *const memlab_slab_err_names[MEMLAB_SLAB_ERR_NR] = {
	[MEMLAB_SLAB_ERR_REDZONE]	= "redzone",
	[MEMLAB_SLAB_ERR_POISON]	= "poison",
	[MEMLAB_SLAB_ERR_DOUBLE_FREE]	= "double_free",
	[MEMLAB_SLAB_ERR_FREELIST]	= "freelist",
	[MEMLAB_SLAB_ERR_BAD_OBJECT]	= "bad_object",
	[MEMLAB_SLAB_ERR_COUNT]		= "count",
};

const char *memlab_slab_err_name(enum memlab_slab_err err)
{
	if ((unsigned int)err >= MEMLAB_SLAB_ERR_NR)
		return "unknown";
	return memlab_slab_err_names[err];
}

static __printf(3, 4) void slab_error(struct memlab_slab_checker *c, enum memlab_slab_err err,
				      const char *fmt, ...)
{
	char msg[128];
	va_list args;

	if (!c)
		return;
	c->errors[err]++;
	if (c->report && c->reported < 16) {
		va_start(args, fmt);
		vsnprintf(msg, sizeof(msg), fmt, args);
		va_end(args);
		c->report(c->ctx, msg);
		c->reported++;
	}
}

/**
 * memlab_slab_geom_init() - lay out the objects and pick the slab order
 * @g: filled in
 * @object_size: bytes per object, at least 1
 * @align: object alignment, a power of two up to @page_size (0: pointer size)
 * @flags: MEMLAB_SLAB_DEBUG, MEMLAB_SLAB_HARDENED
 * @ctor: whether the cache has a constructor
 * @page_size: the page size
 * @key: freelist hardening key
 *
 * The order is the smallest that wastes at most 1/16 of a slab, else 1/8,
 * else 1/4, as SLUB's calculate_order() relaxes its bound.
 *
 * Return: 0, or -EINVAL when no slab up to MEMLAB_SLAB_MAX_ORDER holds an
 * object or the alignment is not a power of two.
 */
int memlab_slab_geom_init(struct memlab_slab_geom *g, size_t object_size, size_t align,
			  unsigned int flags, bool ctor, unsigned long page_size,
			  unsigned long key)
{
	static const unsigned int fractions[] = { 16, 8, 4, 1 };
	unsigned long slot;
	unsigned int f, order;

	memset(g, 0, sizeof(*g));
	if (!align)
		align = FP_SIZE;
	if (!object_size || (align & (align - 1)) || align > page_size ||
	    (flags & ~MEMLAB_SLAB_FLAGS))
		return -EINVAL;
	if (align < FP_SIZE)
		align = FP_SIZE;
	g->object_size = object_size;
	g->align = align;
	g->flags = flags;
	g->ctor = ctor;
	g->key = key;
	if (flags & MEMLAB_SLAB_DEBUG) {
		/* A word of red zone on each side at least; keep the object aligned. */
		g->red_left = align;
		g->inuse = slot_align(object_size, FP_SIZE) + FP_SIZE;
		g->offset = g->inuse;
		g->track = g->offset + FP_SIZE;
		slot = g->red_left + g->track + sizeof(struct memlab_slab_track);
	} else if (ctor || object_size < FP_SIZE) {
		g->inuse = object_size;
		g->offset = ctor ? slot_align(object_size, FP_SIZE) : 0;
		slot = g->offset + FP_SIZE;
	} else {
		/* Mid-object, as SLUB does, away from small overflows. */
		g->inuse = object_size;
		g->offset = (object_size / 2) & ~(FP_SIZE - 1);
		if (g->offset + FP_SIZE > object_size)
			g->offset = 0;
		slot = object_size;
	}
	g->size = slot_align(slot, align);

	for (f = 0; f < ARRAY_SIZE(fractions); f++) {
		for (order = 0; order <= MEMLAB_SLAB_MAX_ORDER; order++) {
			unsigned long bytes = page_size << order;
			unsigned long n = bytes / g->size;

			if (!n)
				continue;
			if (n > MEMLAB_SLAB_MAX_OBJECTS)
				n = MEMLAB_SLAB_MAX_OBJECTS;
			if ((bytes - n * g->size) * fractions[f] <= bytes) {
				g->order = order;
				g->objects = n;
				g->waste = bytes - n * g->size;
				return 0;
			}
		}
	}
	for (order = 0; order <= MEMLAB_SLAB_MAX_ORDER; order++) {
		unsigned long bytes = page_size << order;

		if (bytes / g->size) {
			g->order = order;
			g->objects = bytes / g->size > MEMLAB_SLAB_MAX_OBJECTS ?
				     MEMLAB_SLAB_MAX_OBJECTS : bytes / g->size;
			g->waste = bytes - g->objects * g->size;
			return 0;
		}
	}
	return -EINVAL;
}

/**
 * memlab_slab_object() - the address of object @i of a slab
 * @g: the cache's geometry
 * @s: the slab
 * @i: object index, below g->objects
 *
 * Return: the object's address.
 */
void *memlab_slab_object(const struct memlab_slab_geom *g, const struct memlab_slab_core *s,
			 unsigned int i)
{
	return (char *)s->base + (unsigned long)i * g->size + g->red_left;
}

/**
 * memlab_slab_track_of() - the track record of an object of a debug cache
 * @g: the cache's geometry
 * @obj: the object
 *
 * Return: the record, or NULL when the cache does not track callers.
 */
struct memlab_slab_track *memlab_slab_track_of(const struct memlab_slab_geom *g, void *obj)
{
	return g->track ? (struct memlab_slab_track *)((char *)obj + g->track) : NULL;
}

static void *fp_get(const struct memlab_slab_geom *g, void *obj)
{
	unsigned long v, at = (unsigned long)obj + g->offset;

	memcpy(&v, (void *)at, sizeof(v));
	if (g->flags & MEMLAB_SLAB_HARDENED)
		v ^= g->key ^ __builtin_bswap64(at);
	return (void *)v;
}

static void fp_set(const struct memlab_slab_geom *g, void *obj, void *next)
{
	unsigned long v = (unsigned long)next, at = (unsigned long)obj + g->offset;

	if (g->flags & MEMLAB_SLAB_HARDENED)
		v ^= g->key ^ __builtin_bswap64(at);
	memcpy((void *)at, &v, sizeof(v));
}

/*
 * Whether @n bytes at @p are all @val: a word compare for the usual
 * one-word red zone, else the kernel's memchr_inv(), as SLUB checks.
 */
static bool bytes_are(const void *p, u8 val, size_t n)
{
	u64 w;

	if (n == sizeof(w)) {
		memcpy(&w, p, sizeof(w));
		return w == 0x0101010101010101ULL * val;
	}
	return !memchr_inv(p, val, n);
}

static bool redzones_are(const struct memlab_slab_geom *g, void *obj, u8 val)
{
	return bytes_are((char *)obj - g->red_left, val, g->red_left) &&
	       bytes_are((char *)obj + g->object_size, val, g->inuse - g->object_size);
}

static void bytes_set(void *p, u8 val, size_t n)
{
	u64 w = 0x0101010101010101ULL * val;

	if (n == sizeof(w))
		memcpy(p, &w, sizeof(w));
	else
		memset(p, val, n);
}

static void redzones_set(const struct memlab_slab_geom *g, void *obj, u8 val)
{
	bytes_set((char *)obj - g->red_left, val, g->red_left);
	bytes_set((char *)obj + g->object_size, val, g->inuse - g->object_size);
}

static bool poisoned(const struct memlab_slab_geom *g, void *obj)
{
	const u8 *b = obj;

	return bytes_are(b, MEMLAB_POISON_FREE, g->object_size - 1) &&
	       b[g->object_size - 1] == MEMLAB_POISON_END;
}

static void poison(const struct memlab_slab_geom *g, void *obj)
{
	memset(obj, MEMLAB_POISON_FREE, g->object_size - 1);
	((u8 *)obj)[g->object_size - 1] = MEMLAB_POISON_END;
}

/* Debug caches poison free objects unless a constructor owns their bytes. */
static bool slab_poisons(const struct memlab_slab_geom *g)
{
	return (g->flags & MEMLAB_SLAB_DEBUG) && !g->ctor;
}

/**
 * memlab_slab_init() - make @base a slab of free objects
 * @g: the cache's geometry
 * @s: the slab's core state, filled in
 * @base: PAGE_SIZE << g->order bytes
 */
void memlab_slab_init(const struct memlab_slab_geom *g, struct memlab_slab_core *s,
		      void *base)
{
	unsigned int i;

	s->base = base;
	s->inuse = 0;
	s->freelist = memlab_slab_object(g, s, 0);
	for (i = 0; i < g->objects; i++) {
		void *obj = memlab_slab_object(g, s, i);

		if (g->flags & MEMLAB_SLAB_DEBUG) {
			redzones_set(g, obj, MEMLAB_RED_INACTIVE);
			memset(memlab_slab_track_of(g, obj), 0, sizeof(struct memlab_slab_track));
		}
		if (slab_poisons(g))
			poison(g, obj);
		fp_set(g, obj, i + 1 < g->objects ? memlab_slab_object(g, s, i + 1) : NULL);
	}
}

/**
 * memlab_slab_take() - take the first free object of a slab
 * @g: the cache's geometry
 * @s: the slab
 * @caller: recorded as the allocating caller (debug caches)
 * @pid: recorded as the allocating task (debug caches)
 * @c: counts and reports what the debug checks find
 *
 * A free pointer that leads outside the slab ends the freelist there: the
 * objects behind it are lost to the cache rather than handed out twice.
 * A damaged free object is repaired and handed out.
 *
 * Return: the object, or NULL when the slab has none free.
 */
void *memlab_slab_take(const struct memlab_slab_geom *g, struct memlab_slab_core *s,
		       unsigned long caller, u32 pid, struct memlab_slab_checker *c)
{
	void *obj = s->freelist, *next;

	if (!obj)
		return NULL;
	next = fp_get(g, obj);
	if (next && memlab_slab_object_index(g, s, next) < 0) {
		slab_error(c, MEMLAB_SLAB_ERR_FREELIST,
			   "slab %p: free pointer of object %d is corrupt", s->base,
			   memlab_slab_object_index(g, s, obj));
		next = NULL;
		s->inuse = g->objects - 1;	/* the rest is lost */
	}
	s->freelist = next;
	s->inuse++;
	if (g->flags & MEMLAB_SLAB_DEBUG) {
		struct memlab_slab_track *t = memlab_slab_track_of(g, obj);

		if (slab_poisons(g) && !poisoned(g, obj))
			slab_error(c, MEMLAB_SLAB_ERR_POISON,
				   "object %d written after free (freed by %pS)",
				   memlab_slab_object_index(g, s, obj), (void *)t->free_caller);
		if (!redzones_are(g, obj, MEMLAB_RED_INACTIVE))
			slab_error(c, MEMLAB_SLAB_ERR_REDZONE,
				   "object %d: red zone overwritten while free",
				   memlab_slab_object_index(g, s, obj));
		redzones_set(g, obj, MEMLAB_RED_ACTIVE);
		t->alloc_caller = caller;
		t->alloc_pid = pid;
	}
	return obj;
}

/**
 * memlab_slab_put() - return an object to its slab
 * @g: the cache's geometry
 * @s: the slab @obj is in
 * @obj: the object
 * @caller: recorded as the freeing caller (debug caches)
 * @pid: recorded as the freeing task (debug caches)
 * @c: counts and reports what the checks find
 *
 * A pointer that is not an object of @s, and a double free where it can be
 * told (always in debug caches, for the freelist head otherwise), are
 * refused. An object whose red zone was overwritten is repaired and freed.
 *
 * Return: 0, or -EINVAL when the free was refused.
 */
int memlab_slab_put(const struct memlab_slab_geom *g, struct memlab_slab_core *s, void *obj,
		    unsigned long caller, u32 pid, struct memlab_slab_checker *c)
{
	int idx = memlab_slab_object_index(g, s, obj);

	if (idx < 0) {
		slab_error(c, MEMLAB_SLAB_ERR_BAD_OBJECT, "slab %p: %p is not an object",
			   s->base, obj);
		return -EINVAL;
	}
	if (obj == s->freelist || !s->inuse) {
		slab_error(c, MEMLAB_SLAB_ERR_DOUBLE_FREE, "object %d freed twice", idx);
		return -EINVAL;
	}
	if (g->flags & MEMLAB_SLAB_DEBUG) {
		struct memlab_slab_track *t = memlab_slab_track_of(g, obj);

		/* Active red zones: the usual case, checked first. */
		if (!redzones_are(g, obj, MEMLAB_RED_ACTIVE)) {
			if (redzones_are(g, obj, MEMLAB_RED_INACTIVE)) {
				slab_error(c, MEMLAB_SLAB_ERR_DOUBLE_FREE,
					   "object %d freed twice (first by %pS)", idx,
					   (void *)t->free_caller);
				return -EINVAL;
			}
			slab_error(c, MEMLAB_SLAB_ERR_REDZONE,
				   "object %d: red zone overwritten (allocated by %pS)", idx,
				   (void *)t->alloc_caller);
		}
		redzones_set(g, obj, MEMLAB_RED_INACTIVE);
		if (slab_poisons(g))
			poison(g, obj);
		t->free_caller = caller;
		t->free_pid = pid;
	}
	fp_set(g, obj, s->freelist);
	s->freelist = obj;
	s->inuse--;
	return 0;
}

/**
 * memlab_slab_validate() - check a slab's freelist and, in debug caches,
 *	every object's red zones and poison
 * @g: the cache's geometry
 * @s: the slab
 * @scratch: a bitmap of at least g->objects bits
 * @c: counts and reports what is found
 *
 * Objects a per-CPU cache holds count as allocated here.
 *
 * Return: the number of errors found in this slab.
 */
unsigned int memlab_slab_validate(const struct memlab_slab_geom *g,
				  const struct memlab_slab_core *s, unsigned long *scratch,
				  struct memlab_slab_checker *c)
{
	const unsigned int bits = 8 * sizeof(unsigned long);
	unsigned int n = 0, i, errors = 0;
	bool broken = false;
	u64 before = 0;
	void *p;

	for (i = 0; i < MEMLAB_SLAB_ERR_NR; i++)
		before += c->errors[i];
	memset(scratch, 0, (g->objects + bits - 1) / bits * sizeof(unsigned long));
	for (p = s->freelist; p; p = fp_get(g, p)) {
		int idx = memlab_slab_object_index(g, s, p);

		if (idx < 0) {
			slab_error(c, MEMLAB_SLAB_ERR_FREELIST,
				   "slab %p: freelist leads to %p, not an object", s->base, p);
			broken = true;
			break;
		}
		if (scratch[idx / bits] & (1UL << (idx % bits))) {
			slab_error(c, MEMLAB_SLAB_ERR_FREELIST,
				   "slab %p: freelist loops at object %d", s->base, idx);
			broken = true;
			break;
		}
		scratch[idx / bits] |= 1UL << (idx % bits);
		n++;
	}
	/* A broken list is one error; what it no longer reaches is not more. */
	if (!broken && n != g->objects - s->inuse)
		slab_error(c, MEMLAB_SLAB_ERR_COUNT, "slab %p: %u free objects listed, %u counted",
			   s->base, n, g->objects - s->inuse);
	if (g->flags & MEMLAB_SLAB_DEBUG) {
		for (i = 0; i < g->objects; i++) {
			void *obj = memlab_slab_object(g, s, i);
			bool is_free = scratch[i / bits] & (1UL << (i % bits));

			/* Behind a break, the red zone tells what the object is. */
			if (broken && !is_free && redzones_are(g, obj, MEMLAB_RED_INACTIVE))
				is_free = true;
			if (!redzones_are(g, obj, is_free ? MEMLAB_RED_INACTIVE :
							   MEMLAB_RED_ACTIVE))
				slab_error(c, MEMLAB_SLAB_ERR_REDZONE,
					   "slab %p: object %u: red zone overwritten", s->base, i);
			if (is_free && slab_poisons(g) && !poisoned(g, obj))
				slab_error(c, MEMLAB_SLAB_ERR_POISON,
					   "slab %p: object %u written after free", s->base, i);
		}
	}
	for (i = 0; i < MEMLAB_SLAB_ERR_NR; i++)
		errors += c->errors[i];
	return errors - before;
}
