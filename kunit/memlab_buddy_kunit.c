// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for memlab_alloc's buddy allocator, through its exported API
 * on private pools. Each case gets a fresh pool over a 4 MiB chunk of
 * kernel pages (order 10 with 4 KiB pages) and checks the pool's
 * invariants when it is done.
 *
 * Random cases print their seed; load with seed=N to replay one.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/irq_work.h>
#include <linux/kallsyms.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/slab.h>
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

#define POOL_ORDER	MEMLAB_TEST_POOL_ORDER
#define POOL_PAGES	BIT(POOL_ORDER)

static int memlab_buddy_test_init(struct kunit *test)
{
	struct memlab_test_pool *ctx;
	int ret;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ret = memlab_test_pool_init(test, ctx, "buddy");
	if (!ret)
		test->priv = ctx;
	return ret;
}

static void memlab_buddy_test_exit(struct kunit *test)
{
	if (test->priv)
		memlab_test_pool_exit(test, test->priv);
}

static void expect_all_free(struct kunit *test, struct memlab_pool *pool)
{
	struct memlab_pool_info info;

	/* Blocks in per-CPU caches count as free, but are not on the lists. */
	memlab_pool_get_info(pool, &info);
	KUNIT_EXPECT_EQ(test, info.free_pages, (unsigned long)POOL_PAGES);
	memlab_test_pool_info(pool, &info);
	KUNIT_EXPECT_EQ(test, info.cached_pages, 0UL);
	KUNIT_EXPECT_EQ(test, info.nr_free[POOL_ORDER], 1UL);
	KUNIT_EXPECT_EQ(test, memlab_pool_check(pool), 0U);
}

static void memlab_buddy_test_limits(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	struct memlab_pool_info info;
	void *p;

	memlab_test_pool_info(ctx->pool, &info);
	KUNIT_EXPECT_EQ(test, info.max_order, (unsigned int)POOL_ORDER);
	KUNIT_EXPECT_EQ(test, info.total_pages, (unsigned long)POOL_PAGES);

	/* Above the largest order: refused, nothing taken. */
	KUNIT_EXPECT_NULL(test, memlab_alloc_pages(ctx->pool, POOL_ORDER + 1, __GFP_NOWARN));
	KUNIT_EXPECT_NULL(test, memlab_alloc_pages(ctx->pool, 255, __GFP_NOWARN));

	/* The largest order: the whole pool, then nothing more. */
	p = memlab_alloc_pages(ctx->pool, POOL_ORDER, 0);
	KUNIT_ASSERT_PTR_EQ(test, p, ctx->base);
	KUNIT_EXPECT_NULL(test, memlab_alloc_pages(ctx->pool, 0, __GFP_NOWARN));
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, p, POOL_ORDER), 0);
	expect_all_free(test, ctx->pool);

	/* Creation rejects what it cannot manage. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(memlab_pool_create("x", ctx->base, 0, 0)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memlab_pool_create("x", ctx->base + 1, 0, PAGE_SIZE)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memlab_pool_create("", ctx->base, 0, PAGE_SIZE)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memlab_pool_create("a/b", ctx->base, 0, PAGE_SIZE)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(memlab_pool_create(info.name, ctx->base, 0, PAGE_SIZE)),
			-EEXIST);
}

static void memlab_buddy_test_fill_every_order(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	void **blocks;
	unsigned int order, i;

	blocks = kunit_kcalloc(test, POOL_PAGES, sizeof(*blocks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, blocks);
	for (order = 0; order <= POOL_ORDER; order++) {
		unsigned int n = POOL_PAGES >> order;

		for (i = 0; i < n; i++) {
			blocks[i] = memlab_alloc_pages(ctx->pool, order, 0);
			KUNIT_ASSERT_NOT_NULL_MSG(test, blocks[i], "order %u block %u", order, i);
			/* Naturally aligned within the pool. */
			KUNIT_EXPECT_EQ(test, (blocks[i] - ctx->base) % (PAGE_SIZE << order), 0);
		}
		KUNIT_EXPECT_NULL(test, memlab_alloc_pages(ctx->pool, 0, __GFP_NOWARN));
		for (i = 0; i < n; i++)
			KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, blocks[i], order), 0);
		expect_all_free(test, ctx->pool);
	}
}

/*
 * Pessimistic: hold every other page, so half the pool is free and no
 * block above order 0 can be had; then free the held pages and everything
 * merges back into one block.
 *
 *   before: |U|.|U|.|U|.| ... |U|.|
 *   after:  |..........................|
 */
static void memlab_buddy_test_pessimistic(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	struct memlab_pool_info info;
	void **blocks;
	unsigned int i, order;

	blocks = kunit_kcalloc(test, POOL_PAGES, sizeof(*blocks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, blocks);
	for (i = 0; i < POOL_PAGES; i++) {
		blocks[i] = memlab_alloc_pages(ctx->pool, 0, 0);
		KUNIT_ASSERT_NOT_NULL(test, blocks[i]);
	}
	for (i = 1; i < POOL_PAGES; i += 2)
		KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, blocks[i], 0), 0);
	memlab_test_pool_info(ctx->pool, &info);
	KUNIT_EXPECT_EQ(test, info.free_pages, (unsigned long)POOL_PAGES / 2);
	KUNIT_EXPECT_EQ(test, info.nr_free[0], (unsigned long)POOL_PAGES / 2);
	for (order = 1; order <= POOL_ORDER; order++)
		KUNIT_EXPECT_NULL(test, memlab_alloc_pages(ctx->pool, order, __GFP_NOWARN));
	for (i = 0; i < POOL_PAGES; i += 2)
		KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, blocks[i], 0), 0);
	expect_all_free(test, ctx->pool);
}

/*
 * Pathological: take one block of each order from the top order down, so
 * that the pool is carved into one block per order plus one spare page.
 * Freeing them in the reverse order must merge at every step.
 */
static void memlab_buddy_test_pathological(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	void *blocks[POOL_ORDER + 1];
	struct memlab_pool_info info;
	int order;

	for (order = POOL_ORDER - 1; order >= 0; order--) {
		blocks[order] = memlab_alloc_pages(ctx->pool, order, 0);
		KUNIT_ASSERT_NOT_NULL(test, blocks[order]);
	}
	/* One page is left: an order-0 request fits, order 1 does not. */
	memlab_test_pool_info(ctx->pool, &info);
	KUNIT_EXPECT_EQ(test, info.free_pages, 1UL);
	KUNIT_EXPECT_NULL(test, memlab_alloc_pages(ctx->pool, 1, __GFP_NOWARN));
	for (order = 0; order < POOL_ORDER; order++) {
		KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, blocks[order], order), 0);
		memlab_test_pool_info(ctx->pool, &info);
		/* Free space is always one block: everything so far merged. */
		if (order < POOL_ORDER - 1)
			KUNIT_EXPECT_EQ(test, info.nr_free[order + 1], 1UL);
	}
	expect_all_free(test, ctx->pool);
}

static void memlab_buddy_test_misuse(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	struct memlab_pool_info info;
	void *a, *b;
	int x;

	a = memlab_alloc_pages(ctx->pool, 2, 0);
	b = memlab_alloc_pages(ctx->pool, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);

	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, a, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, a + PAGE_SIZE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, a + 8, 2), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, &x, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, b, 0), 0);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, b, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_pool_check(ctx->pool), 0U);

	memlab_test_pool_info(ctx->pool, &info);
	KUNIT_EXPECT_EQ(test, info.wrong_order, 1ULL);
	KUNIT_EXPECT_EQ(test, info.bad_address, 2ULL);
	KUNIT_EXPECT_EQ(test, info.outside_pool, 1ULL);
	KUNIT_EXPECT_EQ(test, info.double_free, 1ULL);
	KUNIT_EXPECT_EQ(test, info.free_pages, (unsigned long)POOL_PAGES - 4);

	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, a, 2), 0);
	expect_all_free(test, ctx->pool);
}

static void memlab_buddy_test_addresses(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	phys_addr_t base = page_to_phys(ctx->backing);
	unsigned int order;

	for (order = 0; order <= POOL_ORDER; order++) {
		void *p = memlab_alloc_pages(ctx->pool, order, __GFP_ZERO);
		size_t off;

		KUNIT_ASSERT_NOT_NULL(test, p);
		off = p - ctx->base;
		KUNIT_EXPECT_EQ(test, memlab_block_phys(ctx->pool, p), base + off);
		KUNIT_EXPECT_EQ(test, memlab_block_pfn(ctx->pool, p), PHYS_PFN(base + off));
		KUNIT_EXPECT_PTR_EQ(test, memlab_phys_to_virt(ctx->pool, base + off), p);
		KUNIT_EXPECT_EQ(test, virt_to_phys(p), base + off);
		/* __GFP_ZERO: first and last byte as witnesses. */
		KUNIT_EXPECT_EQ(test, ((u8 *)p)[0], 0);
		KUNIT_EXPECT_EQ(test, ((u8 *)p)[(PAGE_SIZE << order) - 1], 0);
		memset(p, 0xa5, PAGE_SIZE << order);
		KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, p, order), 0);
	}
	KUNIT_EXPECT_EQ(test, memlab_block_phys(ctx->pool, &order), 0);
	KUNIT_EXPECT_NULL(test, memlab_phys_to_virt(ctx->pool, base - 1));
	expect_all_free(test, ctx->pool);
}

/*
 * GFP_DMA32 is served by a pool that lies wholly below 4 GiB and by no
 * other. The pools here are described at made-up physical addresses over
 * pages of the test's own: nothing is mapped to user space or given to a
 * device, so only the descriptions matter.
 */
static void memlab_buddy_test_dma32(struct kunit *test)
{
	static const struct {
		u64 phys;		/* where the 64 KiB pool is said to be */
		bool dma32;
		const char *what;
	} cases[] = {
		{ SZ_4G - SZ_64K, true, "ends at 4 GiB" },
		{ SZ_4G - SZ_32K, false, "straddles 4 GiB" },
		{ SZ_4G, false, "starts at 4 GiB" },
	};
	struct memlab_pool_info info;
	struct memlab_pool *pool;
	struct page *backing;
	unsigned int i;
	char name[32];
	void *p;

	backing = alloc_pages(GFP_KERNEL, get_order(SZ_64K));
	KUNIT_ASSERT_NOT_NULL(test, backing);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(name, sizeof(name), "kunit-dma32-%u-%d", i, current->pid);
		pool = memlab_pool_create(name, page_address(backing), cases[i].phys, SZ_64K);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pool);
		memlab_pool_get_info(pool, &info);
		KUNIT_EXPECT_EQ_MSG(test, info.dma32, cases[i].dma32, "a pool that %s",
				    cases[i].what);
		p = memlab_alloc_pages(pool, 0, GFP_DMA32 | __GFP_NOWARN);
		KUNIT_EXPECT_EQ_MSG(test, !!p, cases[i].dma32, "GFP_DMA32, a pool that %s",
				    cases[i].what);
		if (p)
			KUNIT_EXPECT_LE(test, memlab_block_phys(pool, p) + PAGE_SIZE, SZ_4G);
		if (p)
			KUNIT_EXPECT_EQ(test, memlab_free_pages(pool, p, 0), 0);
		/* Without the zone modifier every pool serves. */
		p = memlab_alloc_pages(pool, 4, 0);
		KUNIT_EXPECT_NOT_NULL_MSG(test, p, "a pool that %s, no GFP_DMA32", cases[i].what);
		if (p)
			KUNIT_EXPECT_EQ(test, memlab_free_pages(pool, p, 4), 0);
		KUNIT_EXPECT_EQ(test, memlab_pool_destroy(pool), 0);
	}
	__free_pages(backing, get_order(SZ_64K));
}

static void memlab_buddy_test_destroy_busy(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	void *p = memlab_alloc_pages(ctx->pool, 3, 0);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, memlab_pool_destroy(ctx->pool), -EBUSY);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, p, 3), 0);
	expect_all_free(test, ctx->pool);
}

static void memlab_buddy_test_default_pool(struct kunit *test)
{
	struct memlab_pool *pool = memlab_default_pool();
	struct memlab_pool_info before, after;
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, pool);
	memlab_test_pool_info(pool, &before);
	KUNIT_EXPECT_GT(test, before.total_pages, 0UL);
	KUNIT_EXPECT_GE(test, before.max_order, 10U);
	p = memlab_alloc_pages(pool, 0, __GFP_ZERO);
	if (!p)
		kunit_skip(test, "default pool is exhausted by another user");
	KUNIT_EXPECT_NE(test, memlab_block_phys(pool, p), 0);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(pool, p, 0), 0);
	memlab_test_pool_info(pool, &after);
	KUNIT_EXPECT_EQ(test, after.free_pages, before.free_pages);
	KUNIT_EXPECT_EQ(test, memlab_pool_check(pool), 0U);
}

/*
 * The per-CPU caches of orders 0-3: a freed block is cached and comes back
 * first on the same CPU; misuse of a cached block is still caught; every
 * page can be allocated while other blocks sit in caches; reports drain.
 */
static void memlab_buddy_test_percpu(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	struct memlab_pool_info info;
	unsigned int i, n = 0, o;
	void **pages;
	void *p, *q;
	int err;

	memlab_test_pool_info(ctx->pool, &info);
	if (!info.percpu_caches)
		kunit_skip(test, "no per-CPU caches: %u CPUs for a %lu KiB pool",
			   num_possible_cpus(), info.total_pages << (PAGE_SHIFT - 10));
	preempt_disable();	/* one CPU's cache; the calls never sleep */
	p = memlab_alloc_pages(ctx->pool, 0, 0);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, p, 0), 0);
	q = memlab_alloc_pages(ctx->pool, 0, 0);
	preempt_enable();
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, q, p);

	/* A cached block freed again, or as another order, or by a tail. */
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, q, 0), 0);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, q, 0), -EINVAL);
	p = memlab_alloc_pages(ctx->pool, 1, 0);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, p, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, p, 1), 0);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, p + PAGE_SIZE, 0), -EINVAL);
	memlab_test_pool_info(ctx->pool, &info);
	KUNIT_EXPECT_EQ(test, info.double_free, 2ULL);
	KUNIT_EXPECT_EQ(test, info.wrong_order, 1ULL);
	KUNIT_EXPECT_EQ(test, memlab_pool_check(ctx->pool), 0U);

	/* Blocks of every cached order in the caches, then take every page. */
	for (o = 0; o < 4; o++) {
		p = memlab_alloc_pages(ctx->pool, o, 0);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, p, o), 0);
	}
	pages = kunit_kcalloc(test, POOL_PAGES, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	while (n < POOL_PAGES && (pages[n] = memlab_alloc_pages(ctx->pool, 0, __GFP_NOWARN)))
		n++;
	KUNIT_EXPECT_EQ(test, n, (unsigned int)POOL_PAGES);

	/*
	 * The first eight pages freed into this CPU's cache are the only free
	 * order-3 block: an order-3 request gives them back to merge.
	 */
	preempt_disable();
	for (i = 0, err = 0; i < 8; i++)
		err |= memlab_free_pages(ctx->pool, ctx->base + i * PAGE_SIZE, 0);
	p = memlab_alloc_pages(ctx->pool, 3, __GFP_NOWARN);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_ASSERT_PTR_EQ(test, p, ctx->base);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, p, 3), 0);

	for (i = 0; i < n; i++)
		if (pages[i] >= ctx->base + 8 * PAGE_SIZE)
			KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, pages[i], 0), 0);
	/* The last frees sit in a cache; reports drain it. */
	expect_all_free(test, ctx->pool);
	p = memlab_alloc_pages(ctx->pool, POOL_ORDER, 0);
	KUNIT_EXPECT_PTR_EQ(test, p, ctx->base);
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, p, POOL_ORDER), 0);
}

/*
 * Pools of 16 KiB to 4 MiB keep their metadata within 2% of their size:
 * the small ones have no per-CPU caches, and hand out every page all the
 * same.
 */
static void memlab_buddy_test_metadata(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	struct memlab_pool_info info;
	struct memlab_pool *pool;
	unsigned int order, i, n;
	char name[32];
	void **pages;

	pages = kunit_kcalloc(test, POOL_PAGES, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	for (order = 2; order <= POOL_ORDER; order += 2) {
		snprintf(name, sizeof(name), "kunit-meta-%d-%u", current->pid, order);
		pool = memlab_pool_create(name, ctx->base, page_to_phys(ctx->backing),
					  PAGE_SIZE << order);
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(pool), "order %u: %pe", order, pool);
		memlab_test_pool_info(pool, &info);
		KUNIT_EXPECT_LE_MSG(test, info.metadata_bytes * 50, (size_t)PAGE_SIZE << order,
				    "order %u", order);
		if (order == 2)		/* 1 KiB per CPU is over 2% of 16 KiB */
			KUNIT_EXPECT_FALSE(test, info.percpu_caches);
		for (n = 0; n < BIT(order); n++) {
			pages[n] = memlab_alloc_pages(pool, 0, __GFP_NOWARN);
			if (!pages[n])
				break;
		}
		KUNIT_EXPECT_EQ_MSG(test, n, (unsigned int)BIT(order), "order %u", order);
		for (i = 0; i < n; i++)
			KUNIT_EXPECT_EQ(test, memlab_free_pages(pool, pages[i], 0), 0);
		KUNIT_EXPECT_EQ(test, memlab_pool_check(pool), 0U);
		KUNIT_EXPECT_EQ(test, memlab_pool_destroy(pool), 0);
	}
}

static struct {
	struct irq_work work;
	struct memlab_pool *pool;
	atomic_t runs;
	atomic_t fails;
} buddy_irq;

static void buddy_irq_fn(struct irq_work *work)
{
	unsigned int order = atomic_read(&buddy_irq.runs) % 4;
	u8 *p = memlab_alloc_pages(buddy_irq.pool, order, 0);

	if (!p || memlab_free_pages(buddy_irq.pool, p, order))
		atomic_inc(&buddy_irq.fails);
	atomic_inc(&buddy_irq.runs);
}

/*
 * Blocks of the cached orders allocated and freed in hard interrupt
 * context (irq_work raises a self-IPI), landing between the task's own
 * uses of the same CPU's caches.
 */
static void memlab_buddy_test_irq(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	unsigned int i, queued = 0;
	void *held[4];

	buddy_irq.pool = ctx->pool;
	atomic_set(&buddy_irq.runs, 0);
	atomic_set(&buddy_irq.fails, 0);
	init_irq_work(&buddy_irq.work, buddy_irq_fn);
	for (i = 0; i < 4000; i++) {
		unsigned int o = i % 4;

		if (irq_work_queue(&buddy_irq.work))
			queued++;
		held[o] = memlab_alloc_pages(ctx->pool, o, 0);
		KUNIT_ASSERT_NOT_NULL(test, held[o]);
		KUNIT_ASSERT_EQ(test, memlab_free_pages(ctx->pool, held[o], o), 0);
		if (!(i % 64))
			cond_resched();
	}
	irq_work_sync(&buddy_irq.work);
	KUNIT_EXPECT_EQ(test, atomic_read(&buddy_irq.runs), (int)queued);
	KUNIT_EXPECT_GT(test, queued, 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&buddy_irq.fails), 0);
	expect_all_free(test, ctx->pool);
}

static void *buddy_stress_alloc(void *pool)
{
	return memlab_alloc_pages(pool, 0, __GFP_NOWARN);
}

static int buddy_stress_free(void *pool, void *p)
{
	return memlab_free_pages(pool, p, 0);
}

/*
 * Order-0 blocks allocated and freed by a task while a hard interrupt on
 * its CPU makes net allocations and net frees of the same order, landing
 * anywhere in the task's use of the CPU's cache: every block has one owner
 * at a time, and the pool has every page back at the end.
 */
static void memlab_buddy_test_irq_net(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	struct memlab_irq_stress *s;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	if (!seed)
		seed = get_random_u32();
	s->alloc = buddy_stress_alloc;
	s->free = buddy_stress_free;
	s->ctx = ctx->pool;
	s->base = ctx->base;
	s->shift = PAGE_SHIFT;
	s->span = PAGE_SIZE << POOL_ORDER;
	s->seed = seed;
	s->ms = 3000;
	memlab_irq_stress_run(test, s);
	expect_all_free(test, ctx->pool);
}

struct live_block {
	void *addr;
	unsigned int order;
};

static void memlab_buddy_test_random(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	u32 s = seed ? seed : get_random_u32();
	struct live_block *live;
	struct rnd_state rnd;
	unsigned int nlive = 0, i;

	kunit_info(test, "seed %u (replay with seed=%u)\n", s, s);
	prandom_seed_state(&rnd, s);
	live = kunit_kcalloc(test, POOL_PAGES, sizeof(*live), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, live);
	for (i = 0; i < 20000; i++) {
		u32 r = prandom_u32_state(&rnd);

		if (nlive && (r % 100 < 45 || nlive == POOL_PAGES)) {
			unsigned int k = prandom_u32_state(&rnd) % nlive;

			KUNIT_ASSERT_EQ(test, memlab_free_pages(ctx->pool, live[k].addr,
								live[k].order), 0);
			live[k] = live[--nlive];
		} else {
			unsigned int order = prandom_u32_state(&rnd) % (POOL_ORDER + 1);
			void *p = memlab_alloc_pages(ctx->pool, order, __GFP_NOWARN);

			if (p) {
				live[nlive].addr = p;
				live[nlive++].order = order;
			}
		}
		if (!(i % 1000))
			KUNIT_ASSERT_EQ(test, memlab_pool_check(ctx->pool), 0U);
	}
	while (nlive--)
		KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, live[nlive].addr,
							live[nlive].order), 0);
	expect_all_free(test, ctx->pool);
}

struct stress_arg {
	struct memlab_pool *pool;
	struct completion done;
	unsigned int id;
	unsigned long errors;
	unsigned long allocs;
};

static int memlab_buddy_stress_fn(void *data)
{
	struct stress_arg *arg = data;
	struct live_block live[32];
	unsigned int nlive = 0, i;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, seed + arg->id);
	for (i = 0; i < 5000; i++) {
		u32 r = prandom_u32_state(&rnd);

		if (nlive && (r & 1 || nlive == ARRAY_SIZE(live))) {
			nlive--;
			if (memlab_free_pages(arg->pool, live[nlive].addr, live[nlive].order))
				arg->errors++;
		} else {
			unsigned int order = (r >> 1) % 5;
			u8 *p = memlab_alloc_pages(arg->pool, order, __GFP_NOWARN);

			if (!p)
				continue;
			/* Another thread writing the same block would show here. */
			memset(p, arg->id, PAGE_SIZE << order);
			if (p[(PAGE_SIZE << order) - 1] != (u8)arg->id)
				arg->errors++;
			live[nlive].addr = p;
			live[nlive++].order = order;
			arg->allocs++;
		}
		if (!(i % 256))
			cond_resched();
	}
	while (nlive--)
		if (memlab_free_pages(arg->pool, live[nlive].addr, live[nlive].order))
			arg->errors++;
	complete(&arg->done);
	return 0;
}

static void memlab_buddy_test_threads(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	unsigned int n = max(4U, num_online_cpus()), i;
	struct memlab_pool_info info;
	struct stress_arg *args;

	args = kunit_kcalloc(test, n, sizeof(*args), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, args);
	for (i = 0; i < n; i++) {
		struct task_struct *t;

		args[i].pool = ctx->pool;
		args[i].id = i + 1;
		init_completion(&args[i].done);
		t = kthread_run(memlab_buddy_stress_fn, &args[i], "memlab-stress/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	/*
	 * Meanwhile drain every CPU's caches from here and check the pool,
	 * under the threads' feet.
	 */
	for (;;) {
		for (i = 0; i < n && completion_done(&args[i].done); i++)
			;
		if (i == n)
			break;
		memlab_test_pool_info(ctx->pool, &info);
		KUNIT_EXPECT_EQ(test, memlab_pool_check(ctx->pool), 0U);
		usleep_range(50, 100);
	}
	for (i = 0; i < n; i++) {
		wait_for_completion(&args[i].done);
		KUNIT_EXPECT_EQ_MSG(test, args[i].errors, 0UL, "thread %u", i);
		KUNIT_EXPECT_GT(test, args[i].allocs, 0UL);
	}
	expect_all_free(test, ctx->pool);
}

/* What the block tracepoints report about one pool, in order */
enum block_event_kind { EV_ALLOC, EV_FREE, EV_SPLIT, EV_MERGE, EV_MISUSE };

struct block_event {
	enum block_event_kind kind;
	u32 idx;
	unsigned int order, to_order;	/* split and merge: from @order to @to_order */
	gfp_t gfp;
	enum memlab_buddy_misuse misuse;
	const void *addr;
	unsigned long caller;
};

struct block_events {
	const struct memlab_pool *pool;
	raw_spinlock_t lock;	/* the probes run under raw spinlocks, on any CPU */
	unsigned int n;			/* events seen, even past ev[] */
	struct block_event ev[8];
};

static void block_event_add(struct block_events *log, const struct memlab_pool *pool,
			    const struct block_event *e)
{
	unsigned long flags;

	if (pool != log->pool)
		return;
	raw_spin_lock_irqsave(&log->lock, flags);
	if (log->n < ARRAY_SIZE(log->ev))
		log->ev[log->n] = *e;
	log->n++;
	raw_spin_unlock_irqrestore(&log->lock, flags);
}

static void probe_block_alloc(void *data, const struct memlab_pool *pool, u32 idx,
			      unsigned int order, gfp_t gfp, unsigned long caller)
{
	block_event_add(data, pool, &(struct block_event){ .kind = EV_ALLOC, .idx = idx,
			.order = order, .gfp = gfp, .caller = caller });
}

static void probe_block_free(void *data, const struct memlab_pool *pool, u32 idx,
			     unsigned int order, unsigned long caller)
{
	block_event_add(data, pool, &(struct block_event){ .kind = EV_FREE, .idx = idx,
			.order = order, .caller = caller });
}

static void probe_block_split(void *data, const struct memlab_pool *pool, u32 idx,
			      unsigned int from_order, unsigned int to_order)
{
	block_event_add(data, pool, &(struct block_event){ .kind = EV_SPLIT, .idx = idx,
			.order = from_order, .to_order = to_order });
}

static void probe_block_merge(void *data, const struct memlab_pool *pool, u32 idx,
			      unsigned int from_order, unsigned int to_order)
{
	block_event_add(data, pool, &(struct block_event){ .kind = EV_MERGE, .idx = idx,
			.order = from_order, .to_order = to_order });
}

static void probe_misuse(void *data, const struct memlab_pool *pool,
			 enum memlab_buddy_misuse kind, const void *addr, unsigned long caller)
{
	block_event_add(data, pool, &(struct block_event){ .kind = EV_MISUSE,
			.misuse = kind, .addr = addr, .caller = caller });
}

static int block_probes(struct block_events *log, bool on)
{
	int ret = 0;

	if (!on) {
		unregister_trace_memlab_misuse(probe_misuse, log);
		unregister_trace_memlab_block_merge(probe_block_merge, log);
		unregister_trace_memlab_block_split(probe_block_split, log);
		unregister_trace_memlab_block_free(probe_block_free, log);
		unregister_trace_memlab_block_alloc(probe_block_alloc, log);
		/* No probe is running, or will run, with @log after this. */
		tracepoint_synchronize_unregister();
		return 0;
	}
	ret = register_trace_memlab_block_alloc(probe_block_alloc, log);
	if (ret)
		return ret;
	ret = register_trace_memlab_block_free(probe_block_free, log);
	if (ret)
		goto err_alloc;
	ret = register_trace_memlab_block_split(probe_block_split, log);
	if (ret)
		goto err_free;
	ret = register_trace_memlab_block_merge(probe_block_merge, log);
	if (ret)
		goto err_split;
	ret = register_trace_memlab_misuse(probe_misuse, log);
	if (!ret)
		return 0;
	unregister_trace_memlab_block_merge(probe_block_merge, log);
err_split:
	unregister_trace_memlab_block_split(probe_block_split, log);
err_free:
	unregister_trace_memlab_block_free(probe_block_free, log);
err_alloc:
	unregister_trace_memlab_block_alloc(probe_block_alloc, log);
	tracepoint_synchronize_unregister();
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

/* The events of the last step, then none */
static unsigned int take_events(struct block_events *log, struct block_event *ev)
{
	unsigned long flags;
	unsigned int n;

	raw_spin_lock_irqsave(&log->lock, flags);
	n = log->n;
	memcpy(ev, log->ev, sizeof(log->ev));
	log->n = 0;
	raw_spin_unlock_irqrestore(&log->lock, flags);
	return n;
}

/*
 * The block tracepoints, seen by probes: an order-5 block taken from the
 * whole pool is one split (10 to 5) and one allocation; its free one merge
 * (5 to 10) and one free; a second free one misuse. memlab_kmalloc() and
 * memlab_kfree() of a large block name their own caller.
 *
 *   after the allocation: |a(5)|.(5)|..(6)..|....(7)....|  ...  (9)  |
 *   after the free:       |..............(10).......................|
 */
static void memlab_buddy_test_trace(struct kunit *test)
{
	struct memlab_test_pool *ctx = test->priv;
	struct block_event ev[ARRAY_SIZE(((struct block_events *)NULL)->ev)];
	struct block_events *log;
	unsigned int n, i, allocs = 0, frees = 0;
	void *a, *k;
	u32 idx;
	int ret;

	log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, log);
	log->pool = ctx->pool;
	raw_spin_lock_init(&log->lock);
	ret = block_probes(log, true);
	if (ret)
		kunit_skip(test, "cannot attach probes to the block tracepoints: %d", ret);

	a = memlab_alloc_pages(ctx->pool, 5, __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, a);
	idx = (a - ctx->base) >> PAGE_SHIFT;
	n = take_events(log, ev);
	KUNIT_ASSERT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, ev[0].kind, EV_SPLIT);
	KUNIT_EXPECT_EQ(test, ev[0].idx, idx);
	KUNIT_EXPECT_EQ(test, ev[0].order, (unsigned int)POOL_ORDER);
	KUNIT_EXPECT_EQ(test, ev[0].to_order, 5U);
	KUNIT_EXPECT_EQ(test, ev[1].kind, EV_ALLOC);
	KUNIT_EXPECT_EQ(test, ev[1].idx, idx);
	KUNIT_EXPECT_EQ(test, ev[1].order, 5U);
	KUNIT_EXPECT_TRUE(test, ev[1].gfp == __GFP_ZERO);
	KUNIT_EXPECT_TRUE(test, called_from(ev[1].caller, __func__));

	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, a, 5), 0);
	n = take_events(log, ev);
	KUNIT_ASSERT_EQ(test, n, 2U);
	KUNIT_EXPECT_EQ(test, ev[0].kind, EV_MERGE);
	KUNIT_EXPECT_EQ(test, ev[0].idx, 0U);
	KUNIT_EXPECT_EQ(test, ev[0].order, 5U);
	KUNIT_EXPECT_EQ(test, ev[0].to_order, (unsigned int)POOL_ORDER);
	KUNIT_EXPECT_EQ(test, ev[1].kind, EV_FREE);
	KUNIT_EXPECT_EQ(test, ev[1].idx, idx);
	KUNIT_EXPECT_EQ(test, ev[1].order, 5U);
	KUNIT_EXPECT_TRUE(test, called_from(ev[1].caller, __func__));

	/* Refused: a misuse event, and nothing else */
	KUNIT_EXPECT_EQ(test, memlab_free_pages(ctx->pool, a, 5), -EINVAL);
	n = take_events(log, ev);
	KUNIT_ASSERT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, ev[0].kind, EV_MISUSE);
	KUNIT_EXPECT_EQ(test, ev[0].misuse, MEMLAB_MISUSE_DOUBLE_FREE);
	KUNIT_EXPECT_PTR_EQ(test, ev[0].addr, (const void *)a);
	KUNIT_EXPECT_TRUE(test, called_from(ev[0].caller, __func__));

	/*
	 * A large memlab_kmalloc() is an order-2 block, from a per-CPU cache
	 * that a refill fills first (splits), and its memlab_kfree() goes back
	 * to that cache (no merge): one allocation and one free, both ours.
	 */
	k = memlab_kmalloc(ctx->pool, 3 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, k);
	memlab_kfree(ctx->pool, k);
	n = take_events(log, ev);
	KUNIT_ASSERT_LE(test, n, (unsigned int)ARRAY_SIZE(ev));
	for (i = 0; i < n; i++) {
		if (ev[i].kind == EV_ALLOC) {
			allocs++;
			KUNIT_EXPECT_EQ(test, ev[i].idx, (u32)((k - ctx->base) >> PAGE_SHIFT));
			KUNIT_EXPECT_EQ(test, ev[i].order, 2U);
			KUNIT_EXPECT_TRUE(test, ev[i].gfp == (GFP_KERNEL | __GFP_NOWARN));
			KUNIT_EXPECT_TRUE(test, called_from(ev[i].caller, __func__));
		} else if (ev[i].kind == EV_FREE) {
			frees++;
			KUNIT_EXPECT_TRUE(test, called_from(ev[i].caller, __func__));
		} else {
			KUNIT_EXPECT_EQ(test, ev[i].kind, EV_SPLIT);
		}
	}
	KUNIT_EXPECT_EQ(test, allocs, 1U);
	KUNIT_EXPECT_EQ(test, frees, 1U);

	/* memlab_kfree() of what memlab_kmalloc() did not give: a misuse, ours */
	memlab_kfree(ctx->pool, a);
	n = take_events(log, ev);
	KUNIT_ASSERT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, ev[0].kind, EV_MISUSE);
	KUNIT_EXPECT_EQ(test, ev[0].misuse, MEMLAB_MISUSE_BAD_ADDRESS);
	KUNIT_EXPECT_PTR_EQ(test, ev[0].addr, (const void *)a);
	KUNIT_EXPECT_TRUE(test, called_from(ev[0].caller, __func__));

	block_probes(log, false);
	expect_all_free(test, ctx->pool);
}

static struct kunit_case memlab_buddy_test_cases[] = {
	KUNIT_CASE(memlab_buddy_test_limits),
	KUNIT_CASE(memlab_buddy_test_fill_every_order),
	KUNIT_CASE(memlab_buddy_test_pessimistic),
	KUNIT_CASE(memlab_buddy_test_pathological),
	KUNIT_CASE(memlab_buddy_test_misuse),
	KUNIT_CASE(memlab_buddy_test_percpu),
	KUNIT_CASE(memlab_buddy_test_metadata),
	KUNIT_CASE(memlab_buddy_test_irq),
	KUNIT_CASE_SLOW(memlab_buddy_test_irq_net),
	KUNIT_CASE(memlab_buddy_test_addresses),
	KUNIT_CASE(memlab_buddy_test_dma32),
	KUNIT_CASE(memlab_buddy_test_destroy_busy),
	KUNIT_CASE(memlab_buddy_test_default_pool),
	KUNIT_CASE(memlab_buddy_test_trace),
	KUNIT_CASE_SLOW(memlab_buddy_test_random),
	KUNIT_CASE_SLOW(memlab_buddy_test_threads),
	{}
};

static struct kunit_suite memlab_buddy_test_suite = {
	.name = "memlab_buddy",
	.init = memlab_buddy_test_init,
	.exit = memlab_buddy_test_exit,
	.test_cases = memlab_buddy_test_cases,
};

kunit_test_suite(memlab_buddy_test_suite);

MEMLAB_IMPORT_KUNIT_NS();
MODULE_DESCRIPTION("KUnit tests for the memlab buddy allocator");
MODULE_LICENSE("GPL");
