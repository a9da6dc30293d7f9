// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for memlab's slab caches and size classes, in the spirit of
 * lib/tests/slub_kunit.c: deliberate corruption of debug caches must be
 * found by the validate walk with the expected count, and everything else
 * must keep objects apart, aligned and accounted. Each case runs on a
 * private 4 MiB pool.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/irq_work.h>
#include <linux/kallsyms.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include <memlab/alloc.h>
#include <memlab/kunit_visibility.h>

#include "memlab_irq_stress.h"
#include "memlab_test_pool.h"
#include "trace.h"

static unsigned int seed;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "Seed for the random cases (default: random, printed)");

struct slab_ctx {
	struct memlab_test_pool tp;
	struct memlab_pool_info start;
};

static int memlab_slab_test_init(struct kunit *test)
{
	struct slab_ctx *ctx;
	int ret;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ret = memlab_test_pool_init(test, &ctx->tp, "slab");
	if (ret)
		return ret;
	memlab_test_pool_info(ctx->tp.pool, &ctx->start);
	test->priv = ctx;
	return 0;
}

static void memlab_slab_test_exit(struct kunit *test)
{
	struct slab_ctx *ctx = test->priv;

	if (ctx)
		memlab_test_pool_exit(test, &ctx->tp);
}

static struct memlab_cache *new_cache(struct kunit *test, const char *name, size_t size,
				      size_t align, unsigned int flags, void (*ctor)(void *))
{
	struct slab_ctx *ctx = test->priv;
	struct memlab_cache *c = memlab_cache_create(ctx->tp.pool, name, size, align, flags, ctor);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(c), "memlab_cache_create(%s): %pe", name, c);
	return c;
}

static u64 errors_of(struct memlab_cache *c, enum memlab_slab_err e)
{
	struct memlab_cache_info info;

	memlab_cache_get_info(c, &info);
	return info.errors[e];
}

/*
 * Set *@byte to @val: validate finds exactly one error; put it back:
 * validate finds none.
 */
static void expect_found_once(struct kunit *test, struct memlab_cache *c, u8 *byte, u8 val)
{
	u8 saved = *byte;

	*byte = val;
	KUNIT_EXPECT_EQ(test, memlab_cache_validate(c), 1);
	*byte = saved;
	KUNIT_EXPECT_EQ(test, memlab_cache_validate(c), 0);
}

static bool mem_is_zero_96(const void *p)
{
	const u8 *b = p;
	unsigned int i;

	for (i = 0; i < 96; i++)
		if (b[i])
			return false;
	return true;
}

static int cmp_ptr(const void *a, const void *b)
{
	unsigned long x = *(unsigned long *)a, y = *(unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Objects never overlap and honour the alignment asked for. */
static void memlab_slab_test_no_overlap(struct kunit *test)
{
	static const struct {
		size_t size, align;
		unsigned int flags;
	} cases[] = {
		{ 8, 0, 0 }, { 24, 8, 0 }, { 100, 64, 0 }, { 192, 0, MEMLAB_SLAB_HARDENED },
		{ 40, 32, MEMLAB_SLAB_DEBUG }, { 700, 256, 0 }, { 3000, 0, 0 },
		{ 33, 0, MEMLAB_SLAB_HWALIGN },
	};
	unsigned long *objs;
	unsigned int i, j, n = 300;

	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct memlab_cache *c = new_cache(test, "overlap", cases[i].size, cases[i].align,
						   cases[i].flags, NULL);
		size_t align = max_t(size_t, cases[i].align, sizeof(void *));

		if (cases[i].flags & MEMLAB_SLAB_HWALIGN)
			align = max_t(size_t, align, cache_line_size());
		for (j = 0; j < n; j++) {
			objs[j] = (unsigned long)memlab_cache_alloc(c, GFP_KERNEL);
			KUNIT_ASSERT_NE(test, objs[j], 0UL);
			KUNIT_EXPECT_EQ_MSG(test, objs[j] % align, 0UL, "size %zu align %zu",
					    cases[i].size, align);
			memset((void *)objs[j], j, cases[i].size);
		}
		sort(objs, n, sizeof(*objs), cmp_ptr, NULL);
		for (j = 1; j < n; j++)
			KUNIT_EXPECT_GE_MSG(test, objs[j] - objs[j - 1], cases[i].size,
					    "objects %u and %u overlap", j - 1, j);
		KUNIT_EXPECT_EQ(test, memlab_cache_validate(c), 0);
		for (j = 0; j < n; j++)
			memlab_cache_free(c, (void *)objs[j]);
		KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
	}
}

static atomic_t ctor_calls;

static void count_ctor(void *obj)
{
	atomic_inc(&ctor_calls);
	memset(obj, 0x5c, 48);
}

/* The constructor runs once per object lifetime, not per allocation. */
static void memlab_slab_test_ctor_once(struct kunit *test)
{
	struct memlab_cache *c;
	struct memlab_cache_info info;
	void *objs[64];
	unsigned int round, i;

	atomic_set(&ctor_calls, 0);
	c = new_cache(test, "ctor", 48, 0, MEMLAB_SLAB_DEBUG, count_ctor);
	memlab_cache_get_info(c, &info);
	KUNIT_ASSERT_LT(test, info.objects_per_slab, (unsigned int)ARRAY_SIZE(objs));
	/* Two slabs made: each object constructed once. */
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = memlab_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		memlab_cache_free(c, objs[i]);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctor_calls), 2 * (int)info.objects_per_slab);
	/*
	 * One empty slab is kept. Reusing its objects constructs nothing, and
	 * constructed state survives free and reallocation.
	 */
	for (round = 0; round < 4; round++) {
		for (i = 0; i < info.objects_per_slab; i++) {
			objs[i] = memlab_cache_alloc(c, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, objs[i]);
			KUNIT_EXPECT_EQ(test, ((u8 *)objs[i])[47], 0x5c);
		}
		for (i = 0; i < info.objects_per_slab; i++)
			memlab_cache_free(c, objs[i]);
	}
	KUNIT_EXPECT_EQ(test, atomic_read(&ctor_calls), 2 * (int)info.objects_per_slab);
	KUNIT_EXPECT_EQ(test, memlab_cache_validate(c), 0);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
}

/* Every size class, its usable size, and the buddy path above 8 KiB. */
static void memlab_slab_test_size_classes(struct kunit *test)
{
	static const size_t sizes[] = { 1, 8, 9, 16, 17, 64, 65, 96, 97, 128, 129, 192, 193,
					256, 257, 512, 1000, 1024, 2000, 2048, 4000, 4096,
					5000, 8192 };
	static const size_t want[] = { 8, 8, 16, 16, 32, 64, 96, 96, 128, 128, 192, 192, 256,
				       256, 512, 512, 1024, 1024, 2048, 2048, 4096, 4096,
				       8192, 8192 };
	struct slab_ctx *ctx = test->priv;
	struct memlab_pool_info info, before;
	struct memlab_cache *c;
	unsigned int i;
	void *p, *page;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p = memlab_kmalloc(ctx->tp.pool, sizes[i], GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ_MSG(test, memlab_ksize(ctx->tp.pool, p), want[i], "size %zu",
				    sizes[i]);
		KUNIT_EXPECT_EQ(test, ((u8 *)p)[sizes[i] - 1], 0);
		memset(p, 0xee, sizes[i]);
		memlab_kfree(ctx->tp.pool, p);
	}
	/* Above the largest class: a buddy block of the covering order. */
	memlab_test_pool_info(ctx->tp.pool, &before);
	p = memlab_kmalloc(ctx->tp.pool, 3 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, memlab_ksize(ctx->tp.pool, p), 4 * PAGE_SIZE);
	/* Inside the block: refused, and the block stays allocated. */
	memlab_kfree(ctx->tp.pool, (u8 *)p + 8);
	memlab_kfree(ctx->tp.pool, (u8 *)p + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, memlab_ksize(ctx->tp.pool, p), 4 * PAGE_SIZE);
	memlab_kfree(ctx->tp.pool, p);
	memlab_test_pool_info(ctx->tp.pool, &info);
	KUNIT_EXPECT_EQ(test, info.bad_address, 2ULL);
	KUNIT_EXPECT_EQ(test, info.free_pages, before.free_pages);
	KUNIT_EXPECT_PTR_EQ(test, memlab_kmalloc(ctx->tp.pool, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	memlab_kfree(ctx->tp.pool, ZERO_SIZE_PTR);
	memlab_kfree(ctx->tp.pool, NULL);
	/* Pointers memlab_kmalloc() never returned are refused and counted. */
	memlab_kfree(ctx->tp.pool, &info);
	memlab_test_pool_info(ctx->tp.pool, &info);
	KUNIT_EXPECT_EQ(test, info.outside_pool, 1ULL);
	c = new_cache(test, "not-kmalloc", 64, 0, 0, NULL);
	p = memlab_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	page = memlab_alloc_pages(ctx->tp.pool, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, page);
	memlab_kfree(ctx->tp.pool, p);
	memlab_kfree(ctx->tp.pool, page);
	memlab_test_pool_info(ctx->tp.pool, &info);
	KUNIT_EXPECT_EQ(test, info.bad_address, 4ULL);
	KUNIT_EXPECT_EQ(test, memlab_ksize(ctx->tp.pool, p), 0UL);
	/* Both are still usable and freed the right way. */
	memset(p, 0x11, 64);
	memlab_cache_free(c, p);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->tp.pool, page, 0), 0);
	KUNIT_EXPECT_EQ(test, memlab_cache_validate(c), 0);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
}

/* Shrink gives every page back: buddyinfo returns to where it started. */
static void memlab_slab_test_shrink(struct kunit *test)
{
	struct slab_ctx *ctx = test->priv;
	struct memlab_pool_info mid, end;
	struct memlab_cache *c;
	void **objs;
	unsigned int i, n = 2000, o;

	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	c = new_cache(test, "shrink", 200, 0, 0, NULL);
	for (i = 0; i < n; i++) {
		objs[i] = memlab_cache_alloc(c, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	memlab_test_pool_info(ctx->tp.pool, &mid);
	KUNIT_EXPECT_LT(test, mid.free_pages, ctx->start.free_pages);
	for (i = 0; i < n; i++)
		memlab_cache_free(c, objs[i]);
	KUNIT_EXPECT_GT(test, memlab_cache_shrink(c), 0UL);
	memlab_test_pool_info(ctx->tp.pool, &end);
	KUNIT_EXPECT_EQ(test, end.free_pages, ctx->start.free_pages);
	for (o = 0; o <= end.max_order; o++)
		KUNIT_EXPECT_EQ_MSG(test, end.nr_free[o], ctx->start.nr_free[o], "order %u", o);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
}

static void memlab_slab_test_destroy_busy(struct kunit *test)
{
	struct slab_ctx *ctx = test->priv;
	struct memlab_cache *c = new_cache(test, "busy", 64, 0, 0, NULL);
	void *p = memlab_cache_alloc(c, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), -EBUSY);
	/* A pool with a cache of its user's is not destroyed either. */
	KUNIT_EXPECT_EQ(test, memlab_pool_destroy(ctx->tp.pool), -EBUSY);
	memlab_cache_free(c, p);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memlab_cache_create(ctx->tp.pool, "kmalloc-64", 64, 0, 0,
							  NULL)), -EEXIST);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memlab_cache_create(ctx->tp.pool, "x", 64, 3, 0, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memlab_cache_create(ctx->tp.pool, "x", 0, 0, 0, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memlab_cache_create(ctx->tp.pool, "x", 64, 0, 0x80, NULL)),
			-EINVAL);
}

/*
 * Red zone overwrite: one byte past the object.
 *
 *   | rz | object ........ |X rz | fp | track |
 */
static void memlab_slab_test_redzone(struct kunit *test)
{
	struct memlab_cache *c = new_cache(test, "rz", 64, 0, MEMLAB_SLAB_DEBUG, NULL);
	u8 *p = memlab_cache_alloc(c, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	expect_found_once(test, c, &p[64], 0x12);
	/* Left red zone, found at free this time; the free repairs it. */
	p[-1] = 0x34;
	memlab_cache_free(c, p);
	KUNIT_EXPECT_EQ(test, errors_of(c, MEMLAB_SLAB_ERR_REDZONE), 1ULL);
	KUNIT_EXPECT_EQ(test, memlab_cache_validate(c), 0);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
}

/* Write after free: the poison of the free object is broken. */
static void memlab_slab_test_use_after_free(struct kunit *test)
{
	struct memlab_cache *c = new_cache(test, "uaf", 64, 0, MEMLAB_SLAB_DEBUG, NULL);
	u8 *p = memlab_cache_alloc(c, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	memlab_cache_free(c, p);
	expect_found_once(test, c, &p[10], 0);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
}

/* Double free: refused and counted, in debug and in plain caches. */
static void memlab_slab_test_double_free(struct kunit *test)
{
	struct memlab_cache *c = new_cache(test, "df", 64, 0, MEMLAB_SLAB_DEBUG, NULL);
	struct memlab_cache *plain = new_cache(test, "df-plain", 64, 0, 0, NULL);
	void *a = memlab_cache_alloc(c, GFP_KERNEL), *b = memlab_cache_alloc(c, GFP_KERNEL);
	void *q;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	memlab_cache_free(c, a);
	memlab_cache_free(c, b);
	memlab_cache_free(c, a);
	KUNIT_EXPECT_EQ(test, errors_of(c, MEMLAB_SLAB_ERR_DOUBLE_FREE), 1ULL);
	KUNIT_EXPECT_EQ(test, memlab_cache_validate(c), 0);

	/* Plain caches catch the common case: the object just freed. */
	q = memlab_cache_alloc(plain, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	memlab_cache_free(plain, q);
	memlab_cache_free(plain, q);
	KUNIT_EXPECT_EQ(test, errors_of(plain, MEMLAB_SLAB_ERR_DOUBLE_FREE), 1ULL);
	/* A pointer into the middle of an object is no object. */
	q = memlab_cache_alloc(plain, GFP_KERNEL);
	memlab_cache_free(plain, (u8 *)q + 8);
	KUNIT_EXPECT_EQ(test, errors_of(plain, MEMLAB_SLAB_ERR_BAD_OBJECT), 1ULL);
	memlab_cache_free(plain, q);
	KUNIT_EXPECT_EQ(test, memlab_cache_validate(plain), 0);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(plain), 0);
}

static void expect_counts(struct kunit *test, struct memlab_cache *c, unsigned long allocs,
			  unsigned long frees)
{
	struct memlab_cache_info info;

	memlab_cache_get_info(c, &info);
	KUNIT_EXPECT_EQ_MSG(test, info.allocs, allocs, "cache %s: allocs", info.name);
	KUNIT_EXPECT_EQ_MSG(test, info.frees, frees, "cache %s: frees", info.name);
	KUNIT_EXPECT_EQ_MSG(test, info.inuse, allocs - frees, "cache %s: inuse", info.name);
}

/*
 * The bulk calls: all or nothing, objects distinct and usable, checked as
 * single frees are, and nothing left behind.
 */
static void memlab_slab_test_bulk(struct kunit *test)
{
	static const unsigned int counts[] = { 1, 16, 31, 40, 200 };
	struct slab_ctx *ctx = test->priv;
	struct memlab_pool_info end;
	unsigned int flags, i, k;
	struct memlab_cache *c;
	void **objs;
	void *bad;

	objs = kunit_kcalloc(test, 201, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (flags = 0; flags <= MEMLAB_SLAB_DEBUG; flags += MEMLAB_SLAB_DEBUG) {
		c = new_cache(test, flags ? "bulk-debug" : "bulk", 96, 0, flags, NULL);
		for (k = 0; k < ARRAY_SIZE(counts); k++) {
			unsigned int n = counts[k];

			KUNIT_ASSERT_EQ(test, memlab_cache_alloc_bulk(c, __GFP_ZERO, n, objs), n);
			sort(objs, n, sizeof(*objs), cmp_ptr, NULL);
			for (i = 0; i < n; i++) {
				KUNIT_EXPECT_TRUE(test, mem_is_zero_96(objs[i]));
				if (i)
					KUNIT_EXPECT_GE(test, (uintptr_t)objs[i],
							(uintptr_t)objs[i - 1] + 96);
				memset(objs[i], 0x5a, 96);
			}
			memlab_cache_free_bulk(c, n, objs);
		}
		KUNIT_EXPECT_EQ(test, memlab_cache_alloc_bulk(c, GFP_KERNEL, 0, objs), 0U);
		/* NULL entries are skipped; a bad pointer is refused, the rest freed. */
		KUNIT_ASSERT_EQ(test, memlab_cache_alloc_bulk(c, GFP_KERNEL, 3, objs), 3U);
		bad = (u8 *)objs[1] + 4;
		objs[3] = NULL;
		objs[4] = bad;
		memlab_cache_free_bulk(c, 5, objs);
		KUNIT_EXPECT_EQ(test, errors_of(c, MEMLAB_SLAB_ERR_BAD_OBJECT), 1ULL);
		KUNIT_EXPECT_EQ(test, memlab_cache_validate(c), 0);
		KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
	}
	/* More than the pool holds: none allocated, nor counted, nothing leaked. */
	c = new_cache(test, "bulk-big", 8192, 0, 0, NULL);
	i = (ctx->start.free_pages << PAGE_SHIFT) / 8192 + 1;
	objs = kunit_kcalloc(test, i, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	KUNIT_EXPECT_EQ(test, memlab_cache_alloc_bulk(c, GFP_KERNEL, i, objs), 0U);
	expect_counts(test, c, 0, 0);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
	memlab_test_pool_info(ctx->tp.pool, &end);
	KUNIT_EXPECT_EQ(test, end.free_pages, ctx->start.free_pages);
}

/*
 * allocs and frees count what users were given and gave back, through
 * every path: this CPU's array (hits, misses, spills of a full array),
 * the bulk calls, debug caches; refused frees do not count (nor does a
 * failed bulk allocation: memlab_slab_test_bulk()).
 */
static void memlab_slab_test_counts(struct kunit *test)
{
	struct memlab_cache *c;
	unsigned int flags, i;
	void **objs;

	objs = kunit_kcalloc(test, 300, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (flags = 0; flags <= MEMLAB_SLAB_DEBUG; flags += MEMLAB_SLAB_DEBUG) {
		c = new_cache(test, flags ? "counts-debug" : "counts", 64, 0, flags, NULL);
		expect_counts(test, c, 0, 0);
		/* 100 one by one, then 60 back: more than an array holds */
		for (i = 0; i < 100; i++) {
			objs[i] = memlab_cache_alloc(c, i & 1 ? __GFP_ZERO : GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, objs[i]);
		}
		for (i = 0; i < 60; i++)
			memlab_cache_free(c, objs[i]);
		expect_counts(test, c, 100, 60);
		/* refused: a double free, a pointer inside an object */
		memlab_cache_free(c, objs[59]);
		memlab_cache_free(c, (u8 *)objs[60] + 8);
		expect_counts(test, c, 100, 60);
		/* bulk, small enough for the array and too large for it */
		KUNIT_ASSERT_EQ(test, memlab_cache_alloc_bulk(c, GFP_KERNEL, 20, objs), 20U);
		expect_counts(test, c, 120, 60);
		memlab_cache_free_bulk(c, 20, objs);
		expect_counts(test, c, 120, 80);
		KUNIT_ASSERT_EQ(test, memlab_cache_alloc_bulk(c, GFP_KERNEL, 200, objs + 100),
				200U);
		expect_counts(test, c, 320, 80);
		memlab_cache_free_bulk(c, 240, objs + 60);
		expect_counts(test, c, 320, 320);
		/* NULL is no free */
		memlab_cache_free(c, NULL);
		expect_counts(test, c, 320, 320);
		KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
	}
}

/* Corrupted freelist: a free object's next pointer overwritten. */
static void memlab_slab_test_freelist(struct kunit *test)
{
	struct memlab_cache *c = new_cache(test, "fl", 64, 0,
					   MEMLAB_SLAB_DEBUG | MEMLAB_SLAB_HARDENED, NULL);
	struct memlab_cache_info info;
	u8 *a, *b, saved[sizeof(void *)];

	a = memlab_cache_alloc(c, GFP_KERNEL);
	b = memlab_cache_alloc(c, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	memlab_cache_free(c, b);
	memlab_cache_free(c, a);	/* a heads the freelist, b is next */
	memlab_cache_get_info(c, &info);
	memcpy(saved, a + info.freeptr_offset, sizeof(saved));
	memset(a + info.freeptr_offset, 0x41, sizeof(saved));
	KUNIT_EXPECT_EQ(test, memlab_cache_validate(c), 1);
	memcpy(a + info.freeptr_offset, saved, sizeof(saved));
	KUNIT_EXPECT_EQ(test, memlab_cache_validate(c), 0);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
}

static struct {
	struct irq_work work;
	struct memlab_cache *cache;
	struct memlab_pool *pool;
	atomic_t runs, fails;
} irq_test;

static void irq_test_fn(struct irq_work *work)
{
	void *a = memlab_cache_alloc(irq_test.cache, GFP_ATOMIC);
	void *b = memlab_kmalloc(irq_test.pool, 100, GFP_ATOMIC);

	if (!a || !b)
		atomic_inc(&irq_test.fails);
	memlab_cache_free(irq_test.cache, a);
	memlab_kfree(irq_test.pool, b);
	atomic_inc(&irq_test.runs);
}

/*
 * Allocation from hard interrupt context (irq_work raises a self-IPI)
 * between the task's own allocations from the same cache and CPU array.
 */
static void memlab_slab_test_irq(struct kunit *test)
{
	struct slab_ctx *ctx = test->priv;
	unsigned int i, queued = 0;
	void *p;

	irq_test.cache = new_cache(test, "irq", 128, 0, 0, NULL);
	irq_test.pool = ctx->tp.pool;
	atomic_set(&irq_test.runs, 0);
	atomic_set(&irq_test.fails, 0);
	init_irq_work(&irq_test.work, irq_test_fn);
	for (i = 0; i < 2000; i++) {
		if (irq_work_queue(&irq_test.work))
			queued++;
		p = memlab_cache_alloc(irq_test.cache, GFP_KERNEL);
		memlab_cache_free(irq_test.cache, p);
		p = memlab_kmalloc(ctx->tp.pool, 100, GFP_KERNEL);
		memlab_kfree(ctx->tp.pool, p);
		if (!(i % 64))
			cond_resched();
	}
	irq_work_sync(&irq_test.work);
	KUNIT_EXPECT_EQ(test, atomic_read(&irq_test.runs), (int)queued);
	KUNIT_EXPECT_GT(test, queued, 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&irq_test.fails), 0);
	/* the handler's counts land in the same CPU's array counters */
	expect_counts(test, irq_test.cache, 2000 + queued, 2000 + queued);
	KUNIT_EXPECT_EQ(test, memlab_cache_validate(irq_test.cache), 0);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(irq_test.cache), 0);
}

static void *slab_stress_alloc(void *cache)
{
	return memlab_cache_alloc(cache, 0);
}

static int slab_stress_free(void *cache, void *p)
{
	memlab_cache_free(cache, p);
	return 0;
}

/*
 * Objects allocated and freed by a task while a hard interrupt on its CPU
 * makes net allocations and net frees from the same cache, landing
 * anywhere in the task's use of the CPU's array: every object has one
 * owner at a time, and the cache has every object back at the end.
 */
static void memlab_slab_test_irq_net(struct kunit *test)
{
	struct slab_ctx *ctx = test->priv;
	struct memlab_irq_stress *s;
	struct memlab_cache_info info;
	struct memlab_cache *c;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	c = new_cache(test, "irq-net", 64, 0, 0, NULL);
	if (!seed)
		seed = get_random_u32();
	s->alloc = slab_stress_alloc;
	s->free = slab_stress_free;
	s->ctx = c;
	s->base = ctx->tp.base;
	s->shift = 6;
	s->span = PAGE_SIZE << MEMLAB_TEST_POOL_ORDER;
	s->seed = seed;
	s->ms = 3000;
	memlab_irq_stress_run(test, s);
	memlab_cache_get_info(c, &info);
	KUNIT_EXPECT_EQ(test, info.inuse, 0UL);
	/* every object came back: no count lost to an interrupt */
	KUNIT_EXPECT_GT(test, info.allocs, 0UL);
	KUNIT_EXPECT_EQ(test, info.allocs, info.frees);
	for (unsigned int e = 0; e < MEMLAB_SLAB_ERR_NR; e++)
		KUNIT_EXPECT_EQ_MSG(test, info.errors[e], 0ULL, "error %u", e);
	KUNIT_EXPECT_EQ(test, memlab_cache_validate(c), 0);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
}

struct slab_thread {
	struct memlab_cache *cache;
	struct memlab_pool *pool;
	struct completion done;
	unsigned int id;
	unsigned long errors;
	unsigned long allocs;		/* from the cache, not memlab_kmalloc() */
};

static int memlab_slab_thread_fn(void *data)
{
	struct slab_thread *t = data;
	struct rnd_state rnd;
	u8 *held[48] = { };
	unsigned int i, k;

	prandom_seed_state(&rnd, seed + t->id);
	for (i = 0; i < 20000; i++) {
		k = prandom_u32_state(&rnd) % ARRAY_SIZE(held);
		if (held[k]) {
			if (held[k][0] != (u8)t->id || held[k][95] != (u8)t->id)
				t->errors++;
			if (k & 1)
				memlab_kfree(t->pool, held[k]);
			else
				memlab_cache_free(t->cache, held[k]);
			held[k] = NULL;
		} else {
			held[k] = k & 1 ? memlab_kmalloc(t->pool, 96, GFP_KERNEL) :
					  memlab_cache_alloc(t->cache, GFP_KERNEL);
			if (!held[k]) {
				t->errors++;
				continue;
			}
			t->allocs += !(k & 1);
			memset(held[k], t->id, 96);
		}
		if (!(i % 128))
			cond_resched();
	}
	for (k = 0; k < ARRAY_SIZE(held); k++) {
		if (!held[k])
			continue;
		if (k & 1)
			memlab_kfree(t->pool, held[k]);
		else
			memlab_cache_free(t->cache, held[k]);
	}
	complete(&t->done);
	return 0;
}

/* Several kthreads on all CPUs share a cache and a size class. */
static void memlab_slab_test_threads(struct kunit *test)
{
	struct slab_ctx *ctx = test->priv;
	unsigned int n = max(4U, 2 * num_online_cpus()), i;
	struct memlab_cache *c = new_cache(test, "threads", 96, 0, 0, NULL);
	struct memlab_pool_info pinfo;
	struct memlab_cache_info info;
	unsigned long allocs = 0;
	struct slab_thread *t;

	if (!seed)
		seed = get_random_u32();
	kunit_info(test, "seed %u (replay with seed=%u)\n", seed, seed);
	t = kunit_kcalloc(test, n, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < n; i++) {
		struct task_struct *task;

		t[i].cache = c;
		t[i].pool = ctx->tp.pool;
		t[i].id = i + 1;
		init_completion(&t[i].done);
		task = kthread_create(memlab_slab_thread_fn, &t[i], "memlab-slab/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		kthread_bind(task, i % num_online_cpus());
		wake_up_process(task);
	}
	/* Meanwhile empty every CPU's stacks from here, under the threads' feet. */
	for (;;) {
		for (i = 0; i < n && completion_done(&t[i].done); i++)
			;
		if (i == n)
			break;
		memlab_cache_shrink(c);
		memlab_cache_get_info(c, &info);
		memlab_test_pool_info(ctx->tp.pool, &pinfo);
		usleep_range(50, 100);
	}
	for (i = 0; i < n; i++) {
		wait_for_completion(&t[i].done);
		KUNIT_EXPECT_EQ_MSG(test, t[i].errors, 0UL, "thread %u", i);
		allocs += t[i].allocs;
	}
	memlab_cache_get_info(c, &info);
	KUNIT_EXPECT_EQ(test, info.inuse, 0UL);
	/* Every CPU's counts, with stacks emptied under them, add up. */
	KUNIT_EXPECT_EQ(test, info.allocs, allocs);
	KUNIT_EXPECT_EQ(test, info.frees, allocs);
	KUNIT_EXPECT_EQ(test, memlab_cache_validate(c), 0);
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
}

/* What the slab tracepoints report about one pool's caches, in order */
enum slab_event_kind { EV_ALLOC, EV_FREE, EV_GROW, EV_SHRINK };

struct slab_event {
	enum slab_event_kind kind;
	const struct memlab_cache *cache;
	const void *ptr;		/* the object, or the slab's first byte */
	gfp_t gfp;
	unsigned long caller;
};

struct slab_events {
	const struct memlab_pool *pool;
	raw_spinlock_t lock;	/* the probes run under raw spinlocks, on any CPU */
	unsigned int n;			/* events seen, even past ev[] */
	struct slab_event ev[256];
};

static void slab_event_add(struct slab_events *log, const struct slab_event *e)
{
	unsigned long flags;

	if (e->cache->pool != log->pool)
		return;
	raw_spin_lock_irqsave(&log->lock, flags);
	if (log->n < ARRAY_SIZE(log->ev))
		log->ev[log->n] = *e;
	log->n++;
	raw_spin_unlock_irqrestore(&log->lock, flags);
}

static void probe_slab_alloc(void *data, const struct memlab_cache *cache, const void *obj,
			     gfp_t gfp, unsigned long caller)
{
	slab_event_add(data, &(struct slab_event){ .kind = EV_ALLOC, .cache = cache,
		       .ptr = obj, .gfp = gfp, .caller = caller });
}

static void probe_slab_free(void *data, const struct memlab_cache *cache, const void *obj,
			    unsigned long caller)
{
	slab_event_add(data, &(struct slab_event){ .kind = EV_FREE, .cache = cache,
		       .ptr = obj, .caller = caller });
}

static void probe_slab_grow(void *data, const struct memlab_cache *cache, const void *base)
{
	slab_event_add(data, &(struct slab_event){ .kind = EV_GROW, .cache = cache,
		       .ptr = base });
}

static void probe_slab_shrink(void *data, const struct memlab_cache *cache, const void *base)
{
	slab_event_add(data, &(struct slab_event){ .kind = EV_SHRINK, .cache = cache,
		       .ptr = base });
}

static void slab_probes_off(struct slab_events *log)
{
	unregister_trace_memlab_slab_shrink(probe_slab_shrink, log);
	unregister_trace_memlab_slab_grow(probe_slab_grow, log);
	unregister_trace_memlab_slab_free(probe_slab_free, log);
	unregister_trace_memlab_slab_alloc(probe_slab_alloc, log);
	/* No probe is running, or will run, with @log after this. */
	tracepoint_synchronize_unregister();
}

static int slab_probes_on(struct slab_events *log)
{
	int ret;

	/* Unregistering a probe that was never registered is harmless. */
	ret = register_trace_memlab_slab_alloc(probe_slab_alloc, log);
	if (!ret)
		ret = register_trace_memlab_slab_free(probe_slab_free, log);
	if (!ret)
		ret = register_trace_memlab_slab_grow(probe_slab_grow, log);
	if (!ret)
		ret = register_trace_memlab_slab_shrink(probe_slab_shrink, log);
	if (ret)
		slab_probes_off(log);
	return ret;
}

/* Whether @caller is an address in the function named @fn ("fn [module]") */
static bool called_from(unsigned long caller, const char *fn)
{
	char sym[KSYM_SYMBOL_LEN];
	size_t len = strlen(fn);

	snprintf(sym, sizeof(sym), "%ps", (void *)caller);
	return !strncmp(sym, fn, len) && (!sym[len] || sym[len] == ' ');
}

/* How many of events [@from, @to) of @log are of @kind */
static unsigned int count_events(const struct slab_events *log, unsigned int from,
				 unsigned int to, enum slab_event_kind kind)
{
	unsigned int i, n = 0;

	for (i = from; i < to; i++)
		n += log->ev[i].kind == kind;
	return n;
}

/*
 * The slab tracepoints, seen by probes: one event per object allocated
 * and freed, singly and in bulk, with the object, the cache and this
 * function as the caller; one grow per slab made and one shrink per slab
 * given back, the same slabs; a size class through memlab_kmalloc().
 */
static void memlab_slab_test_trace(struct kunit *test)
{
	struct slab_ctx *ctx = test->priv;
	struct memlab_cache_info info;
	const unsigned int n = 50, nb = 20;
	struct slab_events *log;
	unsigned int i, j, mark, grows, shrinks, matched = 0;
	struct memlab_cache *c;
	void *objs[50], *k;
	struct slab_event *e;
	int ret;

	log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log);
	log->pool = ctx->tp.pool;
	raw_spin_lock_init(&log->lock);
	ret = slab_probes_on(log);
	if (ret)
		kunit_skip(test, "cannot attach probes to the slab tracepoints: %d", ret);

	/* 50 objects of 100 bytes: more than a 4 KiB slab holds */
	c = new_cache(test, "trace", 100, 0, 0, NULL);
	for (i = 0; i < n; i++) {
		objs[i] = memlab_cache_alloc(c, __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	memlab_cache_get_info(c, &info);
	grows = info.slabs_full + info.slabs_partial + info.slabs_empty;
	KUNIT_EXPECT_GE(test, grows, 2U);
	KUNIT_ASSERT_EQ(test, log->n, n + grows);
	KUNIT_EXPECT_EQ(test, count_events(log, 0, log->n, EV_GROW), grows);
	for (i = 0, j = 0; i < log->n; i++) {
		e = &log->ev[i];
		KUNIT_EXPECT_PTR_EQ(test, e->cache, (const struct memlab_cache *)c);
		if (e->kind != EV_ALLOC)
			continue;
		KUNIT_EXPECT_PTR_EQ(test, e->ptr, (const void *)objs[j]);
		KUNIT_EXPECT_TRUE(test, e->gfp == __GFP_ZERO);
		KUNIT_EXPECT_TRUE(test, called_from(e->caller, __func__));
		j++;
	}

	/* Freed in the same order: the same objects, and no slab made */
	mark = log->n;
	for (i = 0; i < n; i++)
		memlab_cache_free(c, objs[i]);
	KUNIT_EXPECT_EQ(test, count_events(log, mark, log->n, EV_FREE), n);
	KUNIT_EXPECT_EQ(test, count_events(log, mark, log->n, EV_GROW), 0U);
	for (i = mark, j = 0; i < log->n; i++) {
		e = &log->ev[i];
		if (e->kind != EV_FREE)
			continue;
		KUNIT_EXPECT_PTR_EQ(test, e->ptr, (const void *)objs[j]);
		KUNIT_EXPECT_TRUE(test, called_from(e->caller, __func__));
		j++;
	}

	/* In bulk: one event per object */
	mark = log->n;
	KUNIT_ASSERT_EQ(test, memlab_cache_alloc_bulk(c, GFP_KERNEL, nb, objs), nb);
	memlab_cache_free_bulk(c, nb, objs);
	KUNIT_EXPECT_EQ(test, count_events(log, mark, log->n, EV_ALLOC), nb);
	KUNIT_EXPECT_EQ(test, count_events(log, mark, log->n, EV_FREE), nb);
	for (i = mark; i < log->n; i++)
		if (log->ev[i].kind == EV_ALLOC || log->ev[i].kind == EV_FREE)
			KUNIT_EXPECT_TRUE(test, called_from(log->ev[i].caller, __func__));

	/* Every slab made is given back once by the end: the same slabs */
	KUNIT_EXPECT_EQ(test, memlab_cache_destroy(c), 0);
	KUNIT_ASSERT_LE(test, log->n, (unsigned int)ARRAY_SIZE(log->ev));
	grows = count_events(log, 0, log->n, EV_GROW);
	shrinks = count_events(log, 0, log->n, EV_SHRINK);
	KUNIT_EXPECT_EQ(test, shrinks, grows);
	for (i = 0; i < log->n; i++) {
		if (log->ev[i].kind != EV_GROW)
			continue;
		for (j = 0; j < log->n; j++)
			if (log->ev[j].kind == EV_SHRINK && log->ev[j].ptr == log->ev[i].ptr)
				break;
		matched += j < log->n;
	}
	KUNIT_EXPECT_EQ(test, matched, grows);

	/* A size class: its own cache, this function the caller */
	mark = log->n;
	k = memlab_kmalloc(ctx->tp.pool, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, k);
	memlab_kfree(ctx->tp.pool, k);
	for (i = mark, j = 0; i < log->n && i < ARRAY_SIZE(log->ev); i++) {
		e = &log->ev[i];
		if (e->kind != EV_ALLOC && e->kind != EV_FREE)
			continue;
		KUNIT_EXPECT_STREQ(test, e->cache->name, "kmalloc-64");
		KUNIT_EXPECT_PTR_EQ(test, e->ptr, (const void *)k);
		KUNIT_EXPECT_TRUE(test, called_from(e->caller, __func__));
		j++;
	}
	KUNIT_EXPECT_EQ(test, j, 2U);
	slab_probes_off(log);
}

static struct kunit_case memlab_slab_test_cases[] = {
	KUNIT_CASE(memlab_slab_test_no_overlap),
	KUNIT_CASE(memlab_slab_test_ctor_once),
	KUNIT_CASE(memlab_slab_test_size_classes),
	KUNIT_CASE(memlab_slab_test_shrink),
	KUNIT_CASE(memlab_slab_test_destroy_busy),
	KUNIT_CASE(memlab_slab_test_redzone),
	KUNIT_CASE(memlab_slab_test_use_after_free),
	KUNIT_CASE(memlab_slab_test_double_free),
	KUNIT_CASE(memlab_slab_test_bulk),
	KUNIT_CASE(memlab_slab_test_counts),
	KUNIT_CASE(memlab_slab_test_freelist),
	KUNIT_CASE(memlab_slab_test_irq),
	KUNIT_CASE(memlab_slab_test_trace),
	KUNIT_CASE_SLOW(memlab_slab_test_irq_net),
	KUNIT_CASE_SLOW(memlab_slab_test_threads),
	{}
};

static struct kunit_suite memlab_slab_test_suite = {
	.name = "memlab_slab",
	.init = memlab_slab_test_init,
	.exit = memlab_slab_test_exit,
	.test_cases = memlab_slab_test_cases,
};

kunit_test_suite(memlab_slab_test_suite);

MEMLAB_IMPORT_KUNIT_NS();
MODULE_DESCRIPTION("KUnit tests for memlab's slab caches");
MODULE_LICENSE("GPL");
