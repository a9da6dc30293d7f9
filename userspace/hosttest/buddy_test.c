// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-side tests of the memlab buddy core: unit tests of its behaviour and
 * a seeded random differential test against the reference model in
 * model.h. Prints TAP. Usage: buddy_test [seed] [operations]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buddy.h"
#include "model.h"
#include "tap.h"

struct fixture {
	struct memlab_buddy b;
	struct memlab_buddy_page *pages;
};

static void report(void *ctx, const char *msg)
{
	(void)ctx;
	tap_diag("check: %s", msg);
}

static void fx_init(struct fixture *f, uint32_t nr, unsigned int max_order)
{
	f->pages = calloc(nr, sizeof(*f->pages));
	if (memlab_buddy_init(&f->b, f->pages, nr, max_order))
		abort();
}

static void fx_fini(struct fixture *f)
{
	free(f->pages);
}

static void test_init_limits(void)
{
	struct memlab_buddy b;
	struct memlab_buddy_page pg[4];

	tap_ok(memlab_buddy_init(&b, pg, 0, 0) == -EINVAL, "init refuses 0 pages");
	tap_ok(memlab_buddy_init(&b, pg, 4, MEMLAB_BUDDY_MAX_ORDER + 1) == -EINVAL,
	       "init refuses an order above MEMLAB_BUDDY_MAX_ORDER");
	tap_ok(memlab_buddy_init(&b, pg, 4, 2) == 0 && b.free_pages == 0 &&
	       memlab_buddy_alloc(&b, 0) == -ENOMEM, "a new allocator holds nothing");
}

static void test_fill_every_order(void)
{
	struct fixture f;
	unsigned int o;
	int ok = 1;

	fx_init(&f, 1024, 10);
	memlab_buddy_add_range(&f.b, 0, 1024);
	ok &= f.b.nr_free[10] == 1 && f.b.free_pages == 1024;
	for (o = 0; o <= 10; o++) {
		uint32_t n = 1024 >> o, i;
		long got[1024];

		for (i = 0; i < n; i++) {
			got[i] = memlab_buddy_alloc(&f.b, o);
			ok &= got[i] >= 0 && !(got[i] & ((1 << o) - 1));
		}
		ok &= memlab_buddy_alloc(&f.b, o) == -ENOMEM && f.b.free_pages == 0;
		ok &= memlab_buddy_alloc(&f.b, 0) == -ENOMEM;
		for (i = 0; i < n; i++)
			ok &= memlab_buddy_free(&f.b, got[i], o, NULL) == 0;
		ok &= f.b.nr_free[10] == 1 && memlab_buddy_check(&f.b, report, NULL) == 0;
	}
	tap_ok(ok, "fill with every order, free all, one max-order block again");
	fx_fini(&f);
}

static void test_split_and_merge_counts(void)
{
	struct fixture f;
	long a;

	fx_init(&f, 16, 4);
	memlab_buddy_add_range(&f.b, 0, 16);
	a = memlab_buddy_alloc(&f.b, 0);
	tap_ok(a == 0 && f.b.stats[4].splits == 1 && f.b.stats[1].splits == 1 &&
	       f.b.nr_free[0] == 1 && f.b.nr_free[3] == 1,
	       "order-0 from order-4 splits once at each order");
	tap_ok(f.b.taken_order == 4, "taken_order says the order-4 block was taken (%u)",
	       f.b.taken_order);
	memlab_buddy_free(&f.b, a, 0, NULL);
	tap_ok(f.b.stats[0].merges == 1 && f.b.stats[3].merges == 1 &&
	       f.b.nr_free[4] == 1, "freeing it merges back at each order");
	tap_ok(f.b.merged_idx == 0 && f.b.merged_order == 4,
	       "merged_idx and merged_order name the order-4 block (%u, %u)",
	       f.b.merged_idx, f.b.merged_order);
	fx_fini(&f);
}

/*
 * What the last call did: an allocation the lists serve without a split
 * took a block of its own order; a free whose buddy is used merges
 * nothing; a refused call leaves the fields as they were.
 */
static void test_last_call(void)
{
	struct fixture f;
	long a, b, c;
	int ok;

	fx_init(&f, 16, 4);
	memlab_buddy_add_range(&f.b, 0, 16);
	a = memlab_buddy_alloc(&f.b, 1);
	ok = a == 0 && f.b.taken_order == 4;
	b = memlab_buddy_alloc(&f.b, 1);
	ok &= b == 2 && f.b.taken_order == 1;
	tap_ok(ok, "taken_order: 4 for the first order-1 block, 1 for its buddy");
	c = memlab_buddy_alloc(&f.b, 0);
	ok = c == 4 && f.b.taken_order == 2;
	ok &= memlab_buddy_free(&f.b, a, 1, NULL) == 0 &&
	      f.b.merged_idx == 0 && f.b.merged_order == 1;
	tap_ok(ok, "a free next to a used buddy leaves its own block (%u, %u)",
	       f.b.merged_idx, f.b.merged_order);
	ok = memlab_buddy_free(&f.b, a, 1, NULL) == -EINVAL &&
	     f.b.merged_idx == 0 && f.b.merged_order == 1;
	ok &= memlab_buddy_alloc(&f.b, 5) == -EINVAL && f.b.taken_order == 2;
	tap_ok(ok, "refused calls leave taken_order and merged_* alone");
	ok = memlab_buddy_free(&f.b, b, 1, NULL) == 0 &&
	     f.b.merged_idx == 0 && f.b.merged_order == 2;
	ok &= memlab_buddy_free(&f.b, c, 0, NULL) == 0 &&
	      f.b.merged_idx == 0 && f.b.merged_order == 4;
	tap_ok(ok, "the last frees merge to order 2, then to the whole range");
	fx_fini(&f);
}

/* Splits and merges counted at every order, all orders together. */
static uint64_t total_splits(const struct memlab_buddy *b)
{
	uint64_t n = 0;
	unsigned int o;

	for (o = 0; o <= MEMLAB_BUDDY_MAX_ORDER; o++)
		n += b->stats[o].splits;
	return n;
}

static uint64_t total_merges(const struct memlab_buddy *b)
{
	uint64_t n = 0;
	unsigned int o;

	for (o = 0; o <= MEMLAB_BUDDY_MAX_ORDER; o++)
		n += b->stats[o].merges;
	return n;
}

/*
 * taken_order and merged_* agree with the counters and the descriptors:
 * an allocation of @order that took a block of taken_order made
 * taken_order - @order splits; a free merged merged_order - @order times
 * into a free, aligned block of merged_order that holds @idx.
 */
static int last_alloc_ok(const struct memlab_buddy *b, unsigned int order, uint64_t splits)
{
	return b->taken_order >= order && b->taken_order <= b->max_order &&
	       total_splits(b) - splits == b->taken_order - order;
}

static int last_free_ok(const struct memlab_buddy *b, uint32_t idx, unsigned int order,
			uint64_t merges)
{
	uint32_t size = 1U << b->merged_order;

	return b->merged_order >= order && total_merges(b) - merges == b->merged_order - order &&
	       !(b->merged_idx & (size - 1)) && (idx & ~(size - 1)) == b->merged_idx &&
	       b->pages[b->merged_idx].state == MEMLAB_PG_FREE &&
	       b->pages[b->merged_idx].order == b->merged_order;
}

static void test_unaligned_range(void)
{
	struct fixture f;
	int ok;

	/* pages 3..12 of 16: blocks 3(0) 4-7(2) 8-11(2) 12(0) */
	fx_init(&f, 16, 4);
	memlab_buddy_add_range(&f.b, 3, 10);
	ok = f.b.free_pages == 10 && f.b.managed_pages == 10 &&
	     f.b.nr_free[0] == 2 && f.b.nr_free[2] == 2 &&
	     memlab_buddy_check(&f.b, report, NULL) == 0;
	tap_ok(ok, "an unaligned range is split into its aligned blocks and merged");
	tap_ok(memlab_buddy_alloc(&f.b, 3) == -ENOMEM && memlab_buddy_alloc(&f.b, 2) == 8,
	       "holes never merge: no order-3 block, order 2 from the last freed");
	fx_fini(&f);
}

static void test_misuse(void)
{
	enum memlab_buddy_misuse m;
	struct fixture f;
	long a, c;
	int ok;

	fx_init(&f, 64, 6);
	memlab_buddy_add_range(&f.b, 0, 32);
	a = memlab_buddy_alloc(&f.b, 2);
	c = memlab_buddy_alloc(&f.b, 0);

	ok = memlab_buddy_free(&f.b, a, 3, &m) == -EINVAL && m == MEMLAB_MISUSE_WRONG_ORDER;
	tap_ok(ok && f.b.misuse[MEMLAB_MISUSE_WRONG_ORDER] == 1, "wrong order detected");
	ok = memlab_buddy_free(&f.b, a + 1, 0, &m) == -EINVAL && m == MEMLAB_MISUSE_BAD_ADDRESS;
	tap_ok(ok, "free of a page inside a used block detected");
	ok = memlab_buddy_free(&f.b, 40, 0, &m) == -EINVAL && m == MEMLAB_MISUSE_OUTSIDE;
	tap_ok(ok, "free of a hole detected as outside the pool");
	ok = memlab_buddy_free(&f.b, 64, 0, &m) == -EINVAL && m == MEMLAB_MISUSE_OUTSIDE;
	tap_ok(ok, "free past the index space detected as outside the pool");
	ok = memlab_buddy_free(&f.b, 20, 0, &m) == -EINVAL && m == MEMLAB_MISUSE_DOUBLE_FREE;
	tap_ok(ok, "free of a never-allocated page inside a free block is a double free");
	tap_ok(memlab_buddy_free(&f.b, a, 2, NULL) == 0, "the right free still works");
	ok = memlab_buddy_free(&f.b, a, 2, &m) == -EINVAL && m == MEMLAB_MISUSE_DOUBLE_FREE;
	tap_ok(ok, "double free of a merged block detected");
	memlab_buddy_free(&f.b, c, 0, NULL);
	ok = memlab_buddy_free(&f.b, c, 0, &m) == -EINVAL && m == MEMLAB_MISUSE_DOUBLE_FREE;
	tap_ok(ok && f.b.misuse[MEMLAB_MISUSE_DOUBLE_FREE] == 3, "double free counted");
	tap_ok(f.b.free_pages == 32 && f.b.nr_free[5] == 1 &&
	       memlab_buddy_check(&f.b, report, NULL) == 0,
	       "after every misuse the allocator is intact");
	fx_fini(&f);
}

static void test_check_catches_corruption(void)
{
	struct fixture f;
	unsigned int errs;

	fx_init(&f, 64, 6);
	memlab_buddy_add_range(&f.b, 0, 64);
	memlab_buddy_alloc(&f.b, 0);
	f.b.pages[8].state = MEMLAB_PG_USED;	/* a tail turned head */
	errs = memlab_buddy_check(&f.b, NULL, NULL);
	tap_ok(errs > 0, "check finds a corrupted descriptor (%u errors)", errs);
	fx_fini(&f);
}

static void test_frag_index(void)
{
	struct memlab_buddy_frag fr;
	struct fixture f;
	long blk[16];
	int i;

	fx_init(&f, 16, 4);
	memlab_buddy_add_range(&f.b, 0, 16);
	memlab_buddy_frag(&f.b, 4, &fr);
	tap_ok(fr.unusable == 0 && fr.fragmentation == -1000,
	       "one free max block: unusable 0.000, fragmentation -1.000");
	for (i = 0; i < 16; i++)
		blk[i] = memlab_buddy_alloc(&f.b, 0);
	for (i = 0; i < 16; i += 2)
		memlab_buddy_free(&f.b, blk[i], 0, NULL);
	/* 8 free order-0 pages, none adjacent to another */
	memlab_buddy_frag(&f.b, 1, &fr);
	tap_ok(fr.unusable == 1000, "checkerboard: all free space unusable at order 1");
	/* vmstat: 1000 - (1000 + 8 * 1000 / 2) / 8 = 375 */
	tap_ok(fr.fragmentation == 375, "checkerboard: fragmentation index 0.375 (%d)",
	       fr.fragmentation);
	fx_fini(&f);
}

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: deterministic for a given seed on every host */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

struct live {
	uint32_t idx;
	unsigned int order;
};

static void test_differential(uint64_t seed, long ops)
{
	const uint32_t nr = 1024;
	struct live *live = calloc(nr, sizeof(*live));
	unsigned int max_order = 8;
	uint32_t nlive = 0;
	struct fixture f;
	struct model m;
	long i, mismatches = 0, checks = 0;

	rng_state = seed ? seed : 1;
	fx_init(&f, nr, max_order);
	model_init(&m, nr);
	/* Three ranges with holes between them and unaligned edges. */
	memlab_buddy_add_range(&f.b, 5, 300);
	model_add(&m, 5, 300);
	memlab_buddy_add_range(&f.b, 320, 512);
	model_add(&m, 320, 512);
	memlab_buddy_add_range(&f.b, 900, 124);
	model_add(&m, 900, 124);

	for (i = 0; i < ops && mismatches < 5; i++) {
		uint32_t r = rnd();

		if (nlive && (r % 100 < 45 || nlive == nr)) {
			uint32_t k = rnd() % nlive;

			uint64_t merges = total_merges(&f.b);

			if (memlab_buddy_free(&f.b, live[k].idx, live[k].order, NULL)) {
				tap_diag("op %ld: free %u/%u refused", i, live[k].idx, live[k].order);
				mismatches++;
			} else if (!last_free_ok(&f.b, live[k].idx, live[k].order, merges)) {
				tap_diag("op %ld: free %u/%u: merged to %u/%u", i, live[k].idx,
					 live[k].order, f.b.merged_idx, f.b.merged_order);
				mismatches++;
			}
			model_release(&m, live[k].idx, live[k].order);
			live[k] = live[--nlive];
		} else {
			unsigned int order = rnd() % (max_order + 2);
			int want = model_can_alloc(&m, order, max_order);
			uint64_t splits = total_splits(&f.b);
			long got = memlab_buddy_alloc(&f.b, order);
			uint32_t id;

			if (got >= 0 && !last_alloc_ok(&f.b, order, splits)) {
				tap_diag("op %ld: order %u: took order %u", i, order,
					 f.b.taken_order);
				mismatches++;
			}
			if ((got >= 0) != want) {
				tap_diag("op %ld: order %u: buddy %ld, model %s", i, order,
					 got, want ? "can" : "cannot");
				mismatches++;
			}
			if (got >= 0) {
				if (model_take(&m, got, order, &id)) {
					tap_diag("op %ld: block %ld/%u overlaps or is misplaced",
						 i, got, order);
					mismatches++;
					continue;
				}
				live[nlive].idx = got;
				live[nlive++].order = order;
			}
		}
		if (f.b.free_pages != m.free) {
			tap_diag("op %ld: %u free pages, model %u", i, f.b.free_pages, m.free);
			mismatches++;
		}
		if (!(i % 97)) {
			checks++;
			if (memlab_buddy_check(&f.b, report, NULL))
				mismatches++;
		}
	}
	while (nlive) {
		nlive--;
		memlab_buddy_free(&f.b, live[nlive].idx, live[nlive].order, NULL);
	}
	tap_ok(mismatches == 0, "differential: %ld ops, %ld checks, seed %" PRIu64,
	       i, checks, seed);
	tap_ok(f.b.free_pages == 936 && memlab_buddy_check(&f.b, report, NULL) == 0,
	       "differential: everything free again and consistent");
	free(live);
	model_destroy(&m);
	fx_fini(&f);
}

/*
 * A block the pool layer holds in a per-CPU cache: used to the core, free
 * to users. Every free of it, or of a page inside it, is a double free,
 * check accepts it, and it frees normally once made USED again.
 */
static void test_cached_block(void)
{
	enum memlab_buddy_misuse m;
	struct fixture f;
	long a;
	int ok;

	fx_init(&f, 16, 4);
	memlab_buddy_add_range(&f.b, 0, 16);
	a = memlab_buddy_alloc(&f.b, 1);
	f.b.pages[a].state = MEMLAB_PG_CACHED;
	tap_ok(f.b.pages[a].tag == memlab_buddy_tag(1, MEMLAB_PG_CACHED),
	       "a descriptor's tag is its order and state");
	ok = memlab_buddy_free(&f.b, a, 1, &m) == -EINVAL && m == MEMLAB_MISUSE_DOUBLE_FREE;
	tap_ok(ok, "free of a cached block is a double free");
	ok = memlab_buddy_free(&f.b, a + 1, 0, &m) == -EINVAL && m == MEMLAB_MISUSE_DOUBLE_FREE;
	tap_ok(ok, "free of a page inside a cached block is a double free");
	tap_ok(memlab_buddy_block_of(&f.b, a + 1) == (uint32_t)a &&
	       memlab_buddy_check(&f.b, report, NULL) == 0 && f.b.free_pages == 14,
	       "a cached block counts as used and passes check");
	f.b.pages[a].state = MEMLAB_PG_USED;
	tap_ok(memlab_buddy_free(&f.b, a, 1, NULL) == 0 && f.b.nr_free[4] == 1 &&
	       memlab_buddy_check(&f.b, report, NULL) == 0,
	       "made used again, it frees and merges");
	fx_fini(&f);
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : (uint64_t)time(NULL);
	long ops = argc > 2 ? strtol(argv[2], NULL, 0) : 200000;

	tap_begin();
	tap_diag("seed %" PRIu64 " (replay: buddy_test %" PRIu64 " %ld)", seed, seed, ops);
	test_init_limits();
	test_fill_every_order();
	test_split_and_merge_counts();
	test_last_call();
	test_unaligned_range();
	test_misuse();
	test_cached_block();
	test_check_catches_corruption();
	test_frag_index();
	test_differential(seed, ops);
	return tap_done();
}
