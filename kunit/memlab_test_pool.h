/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A private memlab pool for KUnit cases: one order-10 block of kernel pages
 * (4 MiB with 4 KiB pages), made in a suite's .init, checked and destroyed
 * in its .exit.
 */
#ifndef MEMLAB_TEST_POOL_H
#define MEMLAB_TEST_POOL_H

#include <kunit/test.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include <memlab/alloc.h>

#define MEMLAB_TEST_POOL_ORDER	10

struct memlab_test_pool {
	struct page *backing;
	struct memlab_pool *pool;
	void *base;
};

static inline int memlab_test_pool_init(struct kunit *test, struct memlab_test_pool *tp,
					const char *prefix)
{
	char name[32];

	tp->backing = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MEMLAB_TEST_POOL_ORDER);
	if (!tp->backing)
		kunit_skip(test, "no order-%u block for the test pool", MEMLAB_TEST_POOL_ORDER);
	tp->base = page_address(tp->backing);
	snprintf(name, sizeof(name), "kunit-%s-%d", prefix, current->pid);
	tp->pool = memlab_pool_create(name, tp->base, page_to_phys(tp->backing),
				      PAGE_SIZE << MEMLAB_TEST_POOL_ORDER);
	if (IS_ERR(tp->pool)) {
		__free_pages(tp->backing, MEMLAB_TEST_POOL_ORDER);
		KUNIT_FAIL(test, "memlab_pool_create: %pe", tp->pool);
		return PTR_ERR(tp->pool);
	}
	return 0;
}

/* A pool's state with every CPU's cached blocks back on the buddy lists. */
static inline void memlab_test_pool_info(struct memlab_pool *pool, struct memlab_pool_info *info)
{
	memlab_pool_drain(pool);
	memlab_pool_get_info(pool, info);
}

static inline void memlab_test_pool_exit(struct kunit *test, struct memlab_test_pool *tp)
{
	KUNIT_EXPECT_EQ(test, memlab_pool_check(tp->pool), 0U);
	if (memlab_pool_destroy(tp->pool)) {
		/* Leaking the backing pages is safer than freeing them in use. */
		KUNIT_FAIL(test, "pool still busy at the end of the case");
		return;
	}
	__free_pages(tp->backing, MEMLAB_TEST_POOL_ORDER);
}

#endif
