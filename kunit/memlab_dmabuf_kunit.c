// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for memlab_dev's dma-buf exporter, from the importer's side.
 * Each case makes a dma-buf of a fresh buffer of memlab's default pool
 * (memlab_dev must be loaded) and platform devices of its own to import
 * it, as a driver would:
 *
 *   export - attach(dev) - map - begin/end_cpu_access - unmap - detach - put
 *                           |
 *                           +- sg_table: the block, [phys, phys + size)
 *
 * and ends with the pool's free pages as it found them. Every step is
 * also a deferred action, so a failed assertion still leaves nothing
 * behind.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/swiotlb.h>
#include <linux/vmalloc.h>

#include <memlab/alloc.h>
#include <memlab/kunit_visibility.h>
#include <uapi/memlab.h>

#include "compat.h"
#include "dmabuf.h"
#include "memlab_kunit_compat.h"

#define BUF_SIZE	SZ_64K

struct dmabuf_ctx {
	struct memlab_pool_info *info;
	unsigned long free_before;	/* the default pool's free pages at the start */
};

/* One mapping of an attachment, for its deferred unmap. */
struct dmabuf_mapping {
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
};

static unsigned long pool_free_pages(struct kunit *test)
{
	struct dmabuf_ctx *ctx = test->priv;

	memlab_pool_get_info(memlab_default_pool(), ctx->info);
	return ctx->info->free_pages;
}

static int memlab_dmabuf_test_init(struct kunit *test)
{
	struct dmabuf_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->info = kunit_kzalloc(test, sizeof(*ctx->info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->info);
	test->priv = ctx;
	ctx->free_before = pool_free_pages(test);
	return 0;
}

static void expect_pool_restored(struct kunit *test)
{
	struct dmabuf_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, pool_free_pages(test), ctx->free_before);
}

static void memlab_dmabuf_unregister(void *pdev)
{
	platform_device_unregister(pdev);
}

/* An importer: a platform device that can address anything, as vgem's. */
static struct device *make_importer(struct kunit *test)
{
	struct platform_device_info info = {
		.name = "memlab-dmabuf-kunit",
		.id = PLATFORM_DEVID_AUTO,
		.dma_mask = DMA_BIT_MASK(64),
	};
	struct platform_device *pdev;

	pdev = platform_device_register_full(&info);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(pdev), "register an importer: %pe", pdev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, memlab_dmabuf_unregister, pdev), 0);
	return &pdev->dev;
}

static void memlab_dmabuf_put(void *dmabuf)
{
	dma_buf_put(dmabuf);
	/* A kernel thread's last fput() is deferred: release the buffer now. */
	flush_delayed_fput();
}

static const char *const mode_names[] = {
	[MEMLAB_CACHE_CACHED]	= "cached",
	[MEMLAB_CACHE_WC]	= "write-combine",
	[MEMLAB_CACHE_UNCACHED]	= "non-cached",
};

/* A dma-buf of a new @cache buffer, put when the case ends. */
static struct dma_buf *export(struct kunit *test, u32 cache, phys_addr_t *phys)
{
	struct dma_buf *dmabuf;

	dmabuf = memlab_dmabuf_export_kunit(BUF_SIZE, cache, phys);
	if (IS_ERR(dmabuf) && PTR_ERR(dmabuf) == -EOPNOTSUPP)
		kunit_skip(test, "memlab_dev cannot maintain a %s block here", mode_names[cache]);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(dmabuf), "memlab_dmabuf_export_kunit: %pe", dmabuf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, memlab_dmabuf_put, dmabuf), 0);
	return dmabuf;
}

static void memlab_dmabuf_detach(void *attach)
{
	struct dma_buf_attachment *a = attach;

	dma_buf_detach(a->dmabuf, a);
}

static struct dma_buf_attachment *attach(struct kunit *test, struct dma_buf *dmabuf,
					 struct device *dev)
{
	struct dma_buf_attachment *a;

	a = dma_buf_attach(dmabuf, dev);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(a), "dma_buf_attach: %pe", a);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, memlab_dmabuf_detach, a), 0);
	return a;
}

static void memlab_dmabuf_unmap(void *mapping)
{
	struct dmabuf_mapping *m = mapping;

	memlab_dma_buf_unmap(m->attach, m->sgt, DMA_BIDIRECTIONAL);
}

/* Map @a both ways; the mapping, for kunit_release_action(). */
static struct dmabuf_mapping *map(struct kunit *test, struct dma_buf_attachment *a)
{
	struct dmabuf_mapping *m;

	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	m->attach = a;
	m->sgt = memlab_dma_buf_map(a, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(m->sgt), "dma_buf_map_attachment: %pe", m->sgt);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, memlab_dmabuf_unmap, m), 0);
	return m;
}

/* The table @dev sees is the whole block, in one piece. */
static void expect_block(struct kunit *test, struct sg_table *sgt, struct device *dev,
			 phys_addr_t phys)
{
	KUNIT_ASSERT_EQ(test, sgt->nents, 1U);
	KUNIT_EXPECT_EQ(test, sg_dma_len(sgt->sgl), (unsigned int)BUF_SIZE);
	/* Without bouncing, dma-direct gives a device the physical address. */
	if (!is_swiotlb_force_bounce(dev))
		KUNIT_EXPECT_EQ(test, (u64)sg_dma_address(sgt->sgl), (u64)phys);
	/* The pages themselves, unless dma-buf hides them from importers. */
	if (!IS_ENABLED(CONFIG_DMABUF_DEBUG)) {
		KUNIT_EXPECT_EQ(test, (u64)sg_phys(sgt->sgl), (u64)phys);
		KUNIT_EXPECT_EQ(test, sgt->sgl->length, (unsigned int)BUF_SIZE);
	}
}

/* The exporter's name, size, access mode and module. */
static void memlab_dmabuf_test_export(struct kunit *test)
{
	struct dma_buf *dmabuf;
	struct module *owner;
	phys_addr_t phys;
	int refs;

	dmabuf = export(test, MEMLAB_CACHE_CACHED, &phys);
	KUNIT_EXPECT_STREQ(test, dmabuf->exp_name, "memlab");
	KUNIT_EXPECT_EQ(test, dmabuf->size, (size_t)BUF_SIZE);
	KUNIT_EXPECT_EQ(test, dmabuf->file->f_flags & O_ACCMODE, (unsigned int)O_RDWR);
	KUNIT_EXPECT_EQ(test, phys & (BUF_SIZE - 1), 0);
	owner = dmabuf->owner;
	KUNIT_ASSERT_NOT_NULL(test, owner);
	KUNIT_EXPECT_STREQ(test, module_name(owner), "memlab_dev");

	/* The dma-buf pins memlab_dev until it is released (this suite, too). */
	refs = module_refcount(owner);
	kunit_release_action(test, memlab_dmabuf_put, dmabuf);
	KUNIT_EXPECT_EQ(test, module_refcount(owner), refs - 1);
	expect_pool_restored(test);
}

/*
 * One importer's whole round, in each cache mode:
 *
 *   attach - map -+- sg: one entry, [phys, phys + 64K)
 *                 +- begin_cpu_access(FROM_DEVICE) - end_cpu_access(TO_DEVICE)
 *                 +- unmap - detach - put: the pool as it was
 */
static void memlab_dmabuf_test_map(struct kunit *test)
{
	struct dmabuf_ctx *ctx = test->priv;
	const u32 *cache = test->param_value;
	struct dma_buf_attachment *a;
	struct dmabuf_mapping *m;
	struct dma_buf *dmabuf;
	struct device *dev;
	phys_addr_t phys;

	dev = make_importer(test);
	dmabuf = export(test, *cache, &phys);
	KUNIT_EXPECT_EQ(test, ctx->free_before - pool_free_pages(test), BUF_SIZE / PAGE_SIZE);
	a = attach(test, dmabuf, dev);
	m = map(test, a);
	expect_block(test, m->sgt, dev, phys);

	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_TO_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL), 0);
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL), 0);

	kunit_release_action(test, memlab_dmabuf_unmap, m);
	kunit_release_action(test, memlab_dmabuf_detach, a);
	kunit_release_action(test, memlab_dmabuf_put, dmabuf);
	expect_pool_restored(test);
}

/*
 * Two importers, each with a table of its own over the same block; the
 * CPU syncs with one mapped and one not, and they leave in the order they
 * came, the first while the second is still mapped.
 */
static void memlab_dmabuf_test_two_importers(struct kunit *test)
{
	struct dma_buf_attachment *a1, *a2;
	struct dmabuf_mapping *m1, *m2;
	struct device *dev1, *dev2;
	struct dma_buf *dmabuf;
	phys_addr_t phys;

	dev1 = make_importer(test);
	dev2 = make_importer(test);
	dmabuf = export(test, MEMLAB_CACHE_CACHED, &phys);
	a1 = attach(test, dmabuf, dev1);
	a2 = attach(test, dmabuf, dev2);
	m2 = map(test, a2);
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL), 0);
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL), 0);
	m1 = map(test, a1);
	KUNIT_EXPECT_PTR_NE(test, m1->sgt, m2->sgt);
	expect_block(test, m1->sgt, dev1, phys);
	expect_block(test, m2->sgt, dev2, phys);
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_TO_DEVICE), 0);

	kunit_release_action(test, memlab_dmabuf_unmap, m1);
	kunit_release_action(test, memlab_dmabuf_detach, a1);
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_TO_DEVICE), 0);
	kunit_release_action(test, memlab_dmabuf_unmap, m2);
	kunit_release_action(test, memlab_dmabuf_detach, a2);
	kunit_release_action(test, memlab_dmabuf_put, dmabuf);
	expect_pool_restored(test);
}

/* An attachment maps once at a time: a second map is refused until the unmap. */
static void memlab_dmabuf_test_map_twice(struct kunit *test)
{
	struct dma_buf_attachment *a;
	struct dmabuf_mapping *m;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;
	struct device *dev;
	phys_addr_t phys;

	dev = make_importer(test);
	dmabuf = export(test, MEMLAB_CACHE_CACHED, &phys);
	a = attach(test, dmabuf, dev);
	m = map(test, a);
	sgt = memlab_dma_buf_map(a, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(sgt), -EBUSY);
	if (!IS_ERR(sgt))
		memlab_dma_buf_unmap(a, sgt, DMA_BIDIRECTIONAL);
	kunit_release_action(test, memlab_dmabuf_unmap, m);
	m = map(test, a);
	expect_block(test, m->sgt, dev, phys);
	kunit_release_action(test, memlab_dmabuf_unmap, m);
	kunit_release_action(test, memlab_dmabuf_detach, a);
	kunit_release_action(test, memlab_dmabuf_put, dmabuf);
	expect_pool_restored(test);
}

/*
 * vmap in each cache mode: the linear map's address for a cached block,
 * a vmalloc address of the same pages for the others. The block starts
 * zeroed; bytes the CPU writes survive a clean for the device and the
 * invalidation that takes the device's writes back.
 */
static void memlab_dmabuf_test_vmap(struct kunit *test)
{
	const u32 *cache = test->param_value;
	struct iosys_map map1, map2;
	struct dma_buf_attachment *a;
	struct dmabuf_mapping *m;
	struct dma_buf *dmabuf;
	unsigned long i;
	phys_addr_t phys;
	u8 *p;

	dmabuf = export(test, *cache, &phys);
	a = attach(test, dmabuf, make_importer(test));
	m = map(test, a);
	KUNIT_ASSERT_EQ(test, memlab_dma_buf_vmap(dmabuf, &map1), 0);
	KUNIT_ASSERT_FALSE(test, map1.is_iomem);
	p = map1.vaddr;
	if (*cache == MEMLAB_CACHE_CACHED) {
		KUNIT_EXPECT_PTR_EQ(test, (void *)p, phys_to_virt(phys));
	} else {
		KUNIT_ASSERT_TRUE(test, is_vmalloc_addr(p));
		for (i = 0; i < BUF_SIZE / PAGE_SIZE; i++)
			KUNIT_EXPECT_EQ(test, vmalloc_to_pfn(p + i * PAGE_SIZE),
					PHYS_PFN(phys) + i);
	}
	/* The core counts vmaps: a second gives the same address. */
	KUNIT_ASSERT_EQ(test, memlab_dma_buf_vmap(dmabuf, &map2), 0);
	KUNIT_EXPECT_PTR_EQ(test, map2.vaddr, map1.vaddr);
	memlab_dma_buf_vunmap(dmabuf, &map2);

	KUNIT_EXPECT_TRUE(test, !p[0] && !memcmp(p, p + 1, BUF_SIZE - 1));
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_TO_DEVICE), 0);
	memset(p, 0xa5, BUF_SIZE);
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_TO_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_TRUE(test, p[0] == 0xa5 && !memcmp(p, p + 1, BUF_SIZE - 1));
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);
	memlab_dma_buf_vunmap(dmabuf, &map1);

	kunit_release_action(test, memlab_dmabuf_unmap, m);
	kunit_release_action(test, memlab_dmabuf_detach, a);
	kunit_release_action(test, memlab_dmabuf_put, dmabuf);
	expect_pool_restored(test);
}

/*
 * The buffer lives as long as any reference to its dma-buf, whichever
 * goes first, and goes back to the pool with the last:
 *
 *   export (ref 1) - get (ref 2) - put the first: still used - put the last: free
 */
static void memlab_dmabuf_test_lifetime(struct kunit *test)
{
	struct dmabuf_ctx *ctx = test->priv;
	struct dma_buf *dmabuf;
	unsigned long used;
	phys_addr_t phys;

	dmabuf = export(test, MEMLAB_CACHE_CACHED, &phys);
	used = ctx->free_before - pool_free_pages(test);
	KUNIT_EXPECT_EQ(test, used, BUF_SIZE / PAGE_SIZE);
	get_dma_buf(dmabuf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, memlab_dmabuf_put, dmabuf), 0);
	kunit_release_action(test, memlab_dmabuf_put, dmabuf);
	KUNIT_EXPECT_EQ(test, ctx->free_before - pool_free_pages(test), used);
	kunit_release_action(test, memlab_dmabuf_put, dmabuf);
	expect_pool_restored(test);
}

static const u32 memlab_dmabuf_modes[] = {
	MEMLAB_CACHE_CACHED, MEMLAB_CACHE_WC, MEMLAB_CACHE_UNCACHED,
};

static void memlab_dmabuf_mode_desc(const u32 *mode, char *desc)
{
	strscpy(desc, mode_names[*mode], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(memlab_dmabuf_mode, memlab_dmabuf_modes, memlab_dmabuf_mode_desc);

static struct kunit_case memlab_dmabuf_test_cases[] = {
	KUNIT_CASE(memlab_dmabuf_test_export),
	KUNIT_CASE_PARAM(memlab_dmabuf_test_map, memlab_dmabuf_mode_gen_params),
	KUNIT_CASE(memlab_dmabuf_test_two_importers),
	KUNIT_CASE(memlab_dmabuf_test_map_twice),
	KUNIT_CASE_PARAM(memlab_dmabuf_test_vmap, memlab_dmabuf_mode_gen_params),
	KUNIT_CASE(memlab_dmabuf_test_lifetime),
	{}
};

static struct kunit_suite memlab_dmabuf_test_suite = {
	.name = "memlab_dmabuf",
	.init = memlab_dmabuf_test_init,
	.test_cases = memlab_dmabuf_test_cases,
};

kunit_test_suite(memlab_dmabuf_test_suite);

MEMLAB_IMPORT_KUNIT_NS();
MEMLAB_IMPORT_DMA_BUF_NS();
MODULE_DESCRIPTION("KUnit tests for memlab_dev's dma-buf exporter");
MODULE_LICENSE("GPL");
