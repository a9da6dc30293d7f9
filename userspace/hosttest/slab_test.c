// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-side tests of the memlab slab core: layouts, freelists, every debug
 * check with deliberate corruption, hardening, and a seeded random
 * differential test against a model of the live objects. Prints TAP.
 * Usage: slab_test [seed] [operations]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "slab_core.h"
#include "tap.h"

#define PAGE	4096UL

static unsigned long scratch[MEMLAB_SLAB_MAX_OBJECTS / 64 + 1];

static void *slab_mem(const struct memlab_slab_geom *g)
{
	void *p = NULL;

	if (posix_memalign(&p, PAGE, PAGE << g->order))
		abort();
	return p;
}

static u64 total(const struct memlab_slab_checker *c)
{
	u64 n = 0;
	int i;

	for (i = 0; i < MEMLAB_SLAB_ERR_NR; i++)
		n += c->errors[i];
	return n;
}

static void test_geometry(void)
{
	static const size_t sizes[] = { 1, 7, 8, 24, 64, 96, 100, 192, 256, 500, 1024,
					2048, 3000, 4096, 8192, 12000 };
	static const size_t aligns[] = { 0, 8, 64, 256 };
	static const unsigned int flags[] = { 0, MEMLAB_SLAB_DEBUG, MEMLAB_SLAB_HARDENED };
	int ok = 1, waste_ok = 1;
	size_t i, j, k;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (j = 0; j < sizeof(aligns) / sizeof(aligns[0]); j++)
			for (k = 0; k < 3; k++) {
				struct memlab_slab_geom g;
				unsigned long bytes;

				if (memlab_slab_geom_init(&g, sizes[i], aligns[j], flags[k],
							  k == 2, PAGE, 0x1234)) {
					ok = 0;
					continue;
				}
				bytes = PAGE << g.order;
				ok &= g.size >= g.object_size && g.objects >= 1 &&
				      g.objects * g.size + g.waste == bytes &&
				      g.size % g.align == 0 && g.red_left % g.align == 0 &&
				      g.offset + sizeof(void *) <= g.size - g.red_left;
				/* The object never overlaps the free pointer with a ctor or debug. */
				if (k)
					ok &= g.offset >= g.object_size;
				if (g.objects > 1 && g.waste * 4 > bytes)
					waste_ok = 0;
			}
	tap_ok(ok, "geometry: slots hold object and free pointer, aligned, fill the slab");
	tap_ok(waste_ok, "geometry: waste at most a quarter of a slab");
	{
		struct memlab_slab_geom g;

		tap_ok(memlab_slab_geom_init(&g, 0, 0, 0, false, PAGE, 0) == -EINVAL &&
		       memlab_slab_geom_init(&g, 64, 24, 0, false, PAGE, 0) == -EINVAL &&
		       memlab_slab_geom_init(&g, 64, 0, 0x100, false, PAGE, 0) == -EINVAL &&
		       memlab_slab_geom_init(&g, 1 << 20, 0, 0, false, PAGE, 0) == -EINVAL,
		       "geometry: size 0, odd alignment, unknown flag, huge object refused");
		memlab_slab_geom_init(&g, 64, 0, 0, false, PAGE, 0);
		tap_ok(g.order == 0 && g.objects == 64 && g.waste == 0, "64-byte objects: 64 per page");
	}
}

static void test_take_all(unsigned int flags)
{
	struct memlab_slab_checker c = { 0 };
	struct memlab_slab_geom g;
	struct memlab_slab_core s;
	void *mem, *objs[MEMLAB_SLAB_MAX_OBJECTS];
	unsigned int i, n = 0;
	int ok = 1;

	memlab_slab_geom_init(&g, 96, 32, flags, false, PAGE, 0xfeedface);
	mem = slab_mem(&g);
	memlab_slab_init(&g, &s, mem);
	while ((objs[n] = memlab_slab_take(&g, &s, 1, 1, &c)))
		n++;
	ok &= n == g.objects && s.inuse == g.objects;
	for (i = 0; i < n; i++) {
		ok &= ((uintptr_t)objs[i] % 32) == 0;
		ok &= (char *)objs[i] >= (char *)mem &&
		      (char *)objs[i] + 96 <= (char *)mem + (PAGE << g.order);
		if (i)
			ok &= (char *)objs[i] - (char *)objs[i - 1] >= 96;
		memset(objs[i], 0x11, 96);
	}
	ok &= memlab_slab_validate(&g, &s, scratch, &c) == 0;
	for (i = 0; i < n; i++)
		ok &= memlab_slab_put(&g, &s, objs[i], 2, 2, &c) == 0;
	ok &= s.inuse == 0 && memlab_slab_validate(&g, &s, scratch, &c) == 0 && total(&c) == 0;
	tap_ok(ok, "flags %#x: take every object (%u), aligned, disjoint, put back, valid",
	       flags, n);
	free(mem);
}

struct dbg {
	struct memlab_slab_checker c;
	struct memlab_slab_geom g;
	struct memlab_slab_core s;
	void *mem;
};

static void dbg_init(struct dbg *d, unsigned int flags)
{
	memset(d, 0, sizeof(*d));
	memlab_slab_geom_init(&d->g, 40, 8, MEMLAB_SLAB_DEBUG | flags, false, PAGE, 77);
	d->mem = slab_mem(&d->g);
	memlab_slab_init(&d->g, &d->s, d->mem);
}

static void test_debug_checks(void)
{
	struct memlab_slab_track *t;
	struct dbg d;
	char *a, *b;

	/* Right red zone overwrite: caught at free, and by validate before. */
	dbg_init(&d, 0);
	a = memlab_slab_take(&d.g, &d.s, 0x1000, 7, &d.c);
	a[40] = 'x';
	tap_ok(memlab_slab_validate(&d.g, &d.s, scratch, &d.c) == 1 &&
	       d.c.errors[MEMLAB_SLAB_ERR_REDZONE] == 1, "red zone overwrite: validate counts 1");
	tap_ok(memlab_slab_put(&d.g, &d.s, a, 0x2000, 7, &d.c) == 0 &&
	       d.c.errors[MEMLAB_SLAB_ERR_REDZONE] == 2 &&
	       memlab_slab_validate(&d.g, &d.s, scratch, &d.c) == 0,
	       "red zone overwrite: reported at free, repaired, freed");
	free(d.mem);

	/* Left red zone (underflow). */
	dbg_init(&d, 0);
	a = memlab_slab_take(&d.g, &d.s, 0, 0, &d.c);
	a[-1] = 0;
	tap_ok(memlab_slab_validate(&d.g, &d.s, scratch, &d.c) == 1,
	       "left red zone overwrite: validate counts 1");
	free(d.mem);

	/* Write after free: validate sees it, and so does the next allocation. */
	dbg_init(&d, 0);
	a = memlab_slab_take(&d.g, &d.s, 0, 0, &d.c);
	memlab_slab_put(&d.g, &d.s, a, 0, 0, &d.c);
	a[3] = 0;
	tap_ok(memlab_slab_validate(&d.g, &d.s, scratch, &d.c) == 1 &&
	       d.c.errors[MEMLAB_SLAB_ERR_POISON] == 1, "write after free: validate counts 1");
	b = memlab_slab_take(&d.g, &d.s, 0, 0, &d.c);
	tap_ok(b == a && d.c.errors[MEMLAB_SLAB_ERR_POISON] == 2,
	       "write after free: caught again when the object is reallocated");
	free(d.mem);

	/* Double free, with the first freeing caller remembered. */
	dbg_init(&d, 0);
	a = memlab_slab_take(&d.g, &d.s, 0xaaa, 11, &d.c);
	b = memlab_slab_take(&d.g, &d.s, 0xbbb, 12, &d.c);
	memlab_slab_put(&d.g, &d.s, a, 0xccc, 13, &d.c);
	memlab_slab_put(&d.g, &d.s, b, 0xddd, 14, &d.c);
	t = memlab_slab_track_of(&d.g, a);
	tap_ok(memlab_slab_put(&d.g, &d.s, a, 0xeee, 15, &d.c) == -EINVAL &&
	       d.c.errors[MEMLAB_SLAB_ERR_DOUBLE_FREE] == 1 && t->free_caller == 0xccc &&
	       t->alloc_caller == 0xaaa && t->alloc_pid == 11 &&
	       memlab_slab_validate(&d.g, &d.s, scratch, &d.c) == 0,
	       "double free (not the freelist head): refused, counted, slab intact");
	free(d.mem);

	/* A pointer into the middle of an object, and one outside the slab. */
	dbg_init(&d, 0);
	a = memlab_slab_take(&d.g, &d.s, 0, 0, &d.c);
	tap_ok(memlab_slab_put(&d.g, &d.s, a + 4, 0, 0, &d.c) == -EINVAL &&
	       memlab_slab_put(&d.g, &d.s, (char *)d.mem + (PAGE << d.g.order) + 64, 0, 0,
			       &d.c) == -EINVAL &&
	       d.c.errors[MEMLAB_SLAB_ERR_BAD_OBJECT] == 2, "bad pointers refused and counted");
	free(d.mem);

	/* Corrupted freelist: validate stops there, take cuts the list. */
	dbg_init(&d, MEMLAB_SLAB_HARDENED);
	a = memlab_slab_take(&d.g, &d.s, 0, 0, &d.c);
	b = d.s.freelist;
	memset(b + d.g.offset, 0x41, sizeof(void *));
	tap_ok(memlab_slab_validate(&d.g, &d.s, scratch, &d.c) >= 1 &&
	       d.c.errors[MEMLAB_SLAB_ERR_FREELIST] == 1, "corrupted freelist: validate finds it");
	tap_ok(memlab_slab_take(&d.g, &d.s, 0, 0, &d.c) == b &&
	       memlab_slab_take(&d.g, &d.s, 0, 0, &d.c) == NULL &&
	       d.c.errors[MEMLAB_SLAB_ERR_FREELIST] == 2,
	       "corrupted freelist: allocation stops instead of following it");
	free(d.mem);
}

static void test_hardened(void)
{
	struct memlab_slab_geom g;
	struct memlab_slab_core s;
	void *mem, *first, *stored;

	memlab_slab_geom_init(&g, 64, 0, MEMLAB_SLAB_HARDENED, false, PAGE, 0x5eed);
	mem = slab_mem(&g);
	memlab_slab_init(&g, &s, mem);
	first = s.freelist;
	memcpy(&stored, (char *)first + g.offset, sizeof(stored));
	tap_ok(stored != memlab_slab_object(&g, &s, 1), "hardened: stored pointer is encoded");
	tap_ok(memlab_slab_take(&g, &s, 0, 0, NULL) == first &&
	       s.freelist == memlab_slab_object(&g, &s, 1), "hardened: decodes to the next object");
	free(mem);
}

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

#define NSLABS	4

static void test_differential(uint64_t seed, long ops)
{
	struct memlab_slab_checker c = { 0 };
	struct memlab_slab_core s[NSLABS];
	struct memlab_slab_geom g;
	void *mem[NSLABS];
	struct { void *p; int slab; uint8_t tag; } *live;
	unsigned int nlive = 0, cap, i;
	long op, bad = 0;

	rng = seed ? seed : 1;
	memlab_slab_geom_init(&g, 1 + rnd() % 300, 8 << (rnd() % 4),
			      (rnd() & 1 ? MEMLAB_SLAB_DEBUG : 0) | (rnd() & 1 ? MEMLAB_SLAB_HARDENED : 0),
			      false, PAGE, rnd());
	cap = g.objects * NSLABS;
	live = calloc(cap, sizeof(*live));
	for (i = 0; i < NSLABS; i++) {
		mem[i] = slab_mem(&g);
		memlab_slab_init(&g, &s[i], mem[i]);
	}
	for (op = 0; op < ops && bad < 5; op++) {
		if (nlive && (rnd() % 2 || nlive == cap)) {
			unsigned int k = rnd() % nlive;
			unsigned char *p = live[k].p;
			size_t j;

			/* Nobody else wrote into this object while it was live. */
			for (j = 0; j < g.object_size; j++)
				if (p[j] != live[k].tag) {
					tap_diag("op %ld: object %p overwritten", op, live[k].p);
					bad++;
					break;
				}
			if (memlab_slab_put(&g, &s[live[k].slab], live[k].p, 0, 0, &c))
				bad++;
			live[k] = live[--nlive];
		} else {
			int sl = rnd() % NSLABS;
			void *p = memlab_slab_take(&g, &s[sl], 0, 0, &c);

			if (!p) {
				if (s[sl].inuse != g.objects) {
					tap_diag("op %ld: slab %d empty-handed with %u in use", op, sl,
						 s[sl].inuse);
					bad++;
				}
				continue;
			}
			live[nlive].p = p;
			live[nlive].slab = sl;
			live[nlive].tag = rnd();
			memset(p, live[nlive].tag, g.object_size);
			nlive++;
		}
		if (!(op % 101))
			for (i = 0; i < NSLABS; i++)
				bad += memlab_slab_validate(&g, &s[i], scratch, &c) != 0;
	}
	tap_ok(bad == 0 && total(&c) == 0,
	       "differential: %ld ops, object %u bytes, align %u, flags %#x, seed %" PRIu64,
	       op, g.object_size, g.align, g.flags, seed);
	for (i = 0; i < NSLABS; i++)
		free(mem[i]);
	free(live);
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : (uint64_t)time(NULL);
	long ops = argc > 2 ? strtol(argv[2], NULL, 0) : 100000;
	int i;

	tap_begin();
	tap_diag("seed %" PRIu64 " (replay: slab_test %" PRIu64 " %ld)", seed, seed, ops);
	test_geometry();
	test_take_all(0);
	test_take_all(MEMLAB_SLAB_DEBUG);
	test_take_all(MEMLAB_SLAB_HARDENED);
	test_take_all(MEMLAB_SLAB_DEBUG | MEMLAB_SLAB_HARDENED);
	test_debug_checks();
	test_hardened();
	for (i = 0; i < 4; i++)
		test_differential(seed + i, ops);
	return tap_done();
}
