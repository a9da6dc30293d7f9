// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_core: the /sys/kernel/debug/memlab directory every memlab module
 * puts its reports under (alloc/, dev/, gpio/, pt/).
 *
 * debugfs removes a directory with everything below it, so the directory
 * has one owner that outlives every module using it: this module, which
 * each of them depends on through memlab_debugfs_root(). Owning nothing
 * else, it lets memlab_gpio and memlab_pt load without memlab_alloc and
 * the pool memlab_alloc takes at load.
 */
#include <linux/debugfs.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/module.h>

#include <memlab/core.h>

static struct dentry *memlab_root;

/**
 * memlab_debugfs_root() - the memlab directory in debugfs
 *
 * Context: Any context.
 * Return: the dentry of /sys/kernel/debug/memlab, or an ERR_PTR() when
 * debugfs is unavailable (debugfs_create_*() accept either, and create
 * nothing under an error). It lives as long as this module, which every
 * caller depends on.
 */
struct dentry *memlab_debugfs_root(void)
{
	return memlab_root;
}
EXPORT_SYMBOL_GPL(memlab_debugfs_root);

static int __init memlab_core_init(void)
{
	memlab_root = debugfs_create_dir("memlab", NULL);
	return 0;
}

static void __exit memlab_core_exit(void)
{
	debugfs_remove(memlab_root);
}

module_init(memlab_core_init);
module_exit(memlab_core_exit);

MODULE_DESCRIPTION("memlab core: the debugfs directory of the memlab modules");
MODULE_AUTHOR("memlab developers");
MODULE_LICENSE("GPL");
