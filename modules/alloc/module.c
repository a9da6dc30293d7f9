// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_alloc module: parameters and the default pool.
 *
 * The default pool is the reserved-memory region that the memory-region
 * property of the "memlab,memlab" device-tree node names; without such a
 * node (or with use_dt=0) it is pool_size bytes taken from the page
 * allocator at load time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/export.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/sizes.h>

#include <memlab/alloc.h>
#include <memlab/parse.h>

#include "internal.h"

#define MEMLAB_POOL_SIZE_MAX	SZ_1G

static unsigned long long pool_size = SZ_16M;
static bool use_dt = true;
static bool slab_debug;
static bool slab_hardened = true;
static bool lab_bugs;

/* Flags of every pool's size-class caches, from the parameters at load. */
unsigned int memlab_kmalloc_flags;

/* A size as memlab_parse_size() takes it: non-zero, page-aligned, up to 1G. */
static int pool_size_set(const char *val, const struct kernel_param *kp)
{
	u64 size;

	if (memlab_parse_size(val, &size) || !size || !PAGE_ALIGNED(size) ||
	    size > MEMLAB_POOL_SIZE_MAX)
		return -EINVAL;	/* the module loader logs the value */
	*(unsigned long long *)kp->arg = size;
	return 0;
}

static const struct kernel_param_ops pool_size_ops = {
	.set = pool_size_set,
	.get = param_get_ullong,
};

module_param_cb(pool_size, &pool_size_ops, &pool_size, 0444);
MODULE_PARM_DESC(pool_size,
		 "Default pool size when no device-tree pool is used, e.g. 16M (default 16M, max 1G)");
module_param(use_dt, bool, 0444);
MODULE_PARM_DESC(use_dt, "Use the memlab,memlab device-tree pool when present (default 1)");
module_param(slab_debug, bool, 0444);
MODULE_PARM_DESC(slab_debug, "Size-class caches in debug mode: red zones, poison, tracking (default 0)");
module_param(slab_hardened, bool, 0444);
MODULE_PARM_DESC(slab_hardened, "Size-class caches with encoded freelist pointers (default 1)");
module_param(lab_bugs, bool, 0444);
MODULE_PARM_DESC(lab_bugs, "Add debugfs alloc/default/plant, which plants bugs for the slab lab (default 0)");

static struct memlab_pool *default_pool;

/**
 * memlab_default_pool() - the pool memlab_alloc created at load time
 *
 * Context: Any context.
 * Return: the default pool; it lives as long as the module.
 */
struct memlab_pool *memlab_default_pool(void)
{
	return default_pool;
}
EXPORT_SYMBOL_GPL(memlab_default_pool);

/**
 * memlab_of_node() - the device tree's memlab node
 *
 * The one lookup of the "memlab,memlab" node (its memory-region and
 * memlab,shared-buffer-size properties) for every memlab module. A node
 * whose status is not "okay" is no node.
 *
 * Context: Process context.
 * Return: the node with a reference the caller drops with of_node_put(),
 * or NULL when there is none or it is disabled.
 */
struct device_node *memlab_of_node(void)
{
	struct device_node *np;

	np = of_find_compatible_node(NULL, NULL, "memlab,memlab");
	if (np && !of_device_is_available(np)) {
		of_node_put(np);
		np = NULL;
	}
	return np;
}
EXPORT_SYMBOL_GPL(memlab_of_node);

/*
 * A region memlab may own alone. A reusable one is CMA's: the page
 * allocator lends it out. One with a compatible (shared-dma-pool, a
 * vendor's) is claimed by its driver. Either would give the memory two
 * owners: -EBUSY. "no-map" must agree with the kernel's memory map, since
 * memremap() gives the linear map's alias of RAM the kernel maps and a new
 * mapping of anything else: without it the pool is in the linear map,
 * with it outside (then /dev/memlab has no struct page to maintain caches
 * with, and refuses non-cacheable buffers).
 */
static int memlab_dt_region_check(struct device_node *rnp, const struct reserved_mem *rmem)
{
	bool nomap = of_property_read_bool(rnp, "no-map");
	bool ram = region_intersects(rmem->base, rmem->size, IORESOURCE_SYSTEM_RAM,
				     IORES_DESC_NONE) == REGION_INTERSECTS;
	const char *compat;

	if (of_property_read_bool(rnp, "reusable")) {
		pr_err("%pOF: reusable (CMA) region: the page allocator owns it too\n", rnp);
		return -EBUSY;
	}
	if (!of_property_read_string(rnp, "compatible", &compat)) {
		pr_err("%pOF: compatible \"%s\": its driver owns the region\n", rnp, compat);
		return -EBUSY;
	}
	if (nomap == ram) {
		pr_err("%pOF: %s no-map, but the kernel %s it as RAM\n", rnp,
		       nomap ? "has" : "has no", ram ? "maps" : "does not map");
		return -EINVAL;
	}
	return 0;
}

/* The pool over @rmem, NULL to fall back to kernel pages, or an ERR_PTR(). */
static struct memlab_pool *memlab_dt_pool_create(struct device_node *rnp,
						 struct reserved_mem *rmem)
{
	struct memlab_pool *pool;
	int ret;

	ret = memlab_dt_region_check(rnp, rmem);
	if (ret)
		return ERR_PTR(ret);
	pool = memlab_pool_create_reserved("default", rmem->base, rmem->size);
	if (IS_ERR(pool)) {
		pr_err("%pOF: cannot use %pa+%pa (%pe); using kernel pages\n",
		       rnp, &rmem->base, &rmem->size, pool);
		return NULL;
	}
	pr_info("default pool: %pOF at %pa, %llu KiB, %s\n", rnp, &rmem->base,
		(unsigned long long)rmem->size >> 10,
		virt_addr_valid(memlab_phys_to_virt(pool, rmem->base)) ?
		"in the linear map" : "no-map, mapped apart");
	return pool;
}

/*
 * The reserved-memory region of the memlab,memlab node: its pool, NULL
 * when there is none to use (kernel pages then), or an ERR_PTR() when the
 * region must not be used at all.
 */
static struct memlab_pool *memlab_dt_pool(void)
{
	struct device_node *np, *rnp;
	struct reserved_mem *rmem;
	struct memlab_pool *pool = NULL;

	np = memlab_of_node();
	if (!np)
		return NULL;
	rnp = of_parse_phandle(np, "memory-region", 0);
	if (!rnp) {
		pr_err("%pOF: no memory-region; using kernel pages\n", np);
		of_node_put(np);
		return NULL;
	}
	rmem = of_reserved_mem_lookup(rnp);
	if (rmem)
		pool = memlab_dt_pool_create(rnp, rmem);
	else
		pr_err("%pOF: %pOF is not a reserved-memory region; using kernel pages\n",
		       np, rnp);
	of_node_put(rnp);
	of_node_put(np);
	return pool;
}

static int __init memlab_alloc_init(void)
{
	memlab_kmalloc_flags = (slab_debug ? MEMLAB_SLAB_DEBUG : 0) |
			       (slab_hardened ? MEMLAB_SLAB_HARDENED : 0);
	memlab_debugfs_init();
	if (use_dt) {
		default_pool = memlab_dt_pool();
		if (IS_ERR(default_pool)) {
			memlab_debugfs_exit();
			return PTR_ERR(default_pool);
		}
	}
	if (!default_pool) {
		default_pool = memlab_pool_create_pages("default", pool_size);
		if (IS_ERR(default_pool)) {
			int ret = PTR_ERR(default_pool);

			pr_err("cannot take %llu KiB for the default pool: %pe\n",
			       pool_size >> 10, default_pool);
			memlab_debugfs_exit();
			return ret;
		}
		pr_info("default pool: %llu KiB of kernel pages\n", pool_size >> 10);
	}
	if (lab_bugs)
		memlab_plant_init(default_pool);
	return 0;
}

static void __exit memlab_alloc_exit(void)
{
	/* Users hold module references, so nothing is allocated by now. */
	memlab_plant_exit();
	if (memlab_pool_destroy(default_pool))
		pr_err("default pool leaked at unload\n");
	memlab_debugfs_exit();
}

module_init(memlab_alloc_init);
module_exit(memlab_alloc_exit);

MODULE_DESCRIPTION("memlab buddy allocator over device-tree or kernel-supplied pools");
MODULE_AUTHOR("memlab developers");
MODULE_LICENSE("GPL");
