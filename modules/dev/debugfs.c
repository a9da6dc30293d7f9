// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_dev debugfs report: /sys/kernel/debug/memlab/dev/buffers
 *
 * One line per live buffer, the shared one (handle 0) first, under a
 * header line; the format is documented in docs/dev.rst and parsed by
 * userspace/tests/dev_mmap_test.c.
 */
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/mm.h>
#include <linux/seq_file.h>

#include <memlab/alloc.h>
#include <memlab/core.h>
#include <uapi/memlab.h>

#include "internal.h"

static struct dentry *memlab_dev_dir;

static const char *const memlab_cache_names[] = {
	[MEMLAB_CACHE_CACHED]	= "cached",
	[MEMLAB_CACHE_WC]	= "wc",
	[MEMLAB_CACHE_UNCACHED]	= "uncached",
};

static int buffers_show(struct seq_file *m, void *v)
{
	struct memlab_pool *pool = memlab_dev_pool();
	struct memlab_buf *buf;

	seq_printf(m, "%-10s %12s %5s %-8s %4s %4s %7s %-16s %-18s %s\n", "handle", "bytes",
		   "order", "cache", "fds", "vmas", "pid", "comm", "phys", "map");
	mutex_lock(&memlab_bufs_lock);
	list_for_each_entry(buf, &memlab_bufs, node) {
		char comm[TASK_COMM_LEN];
		unsigned int i;

		/* One word per column, whatever the process called itself. */
		for (i = 0; i < sizeof(comm) - 1 && buf->comm[i]; i++)
			comm[i] = isgraph(buf->comm[i]) ? buf->comm[i] : '_';
		comm[i] = '\0';
		seq_printf(m, "%-10u %12zu %5u %-8s %4d %4d %7d %-16s %pa %s\n", buf->handle,
			   buf->size, buf->order, memlab_cache_names[buf->cache],
			   atomic_read(&buf->nr_fds), atomic_read(&buf->nr_vmas), buf->pid,
			   i ? comm : "-",
			   &(phys_addr_t){ memlab_block_phys(pool, buf->vaddr) },
			   buf->pinned ? "pinned" : buf->pages ? "pages" : "pfn");
	}
	mutex_unlock(&memlab_bufs_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(buffers);

void memlab_dev_debugfs_init(void)
{
	memlab_dev_dir = debugfs_create_dir("dev", memlab_debugfs_root());
	debugfs_create_file("buffers", 0400, memlab_dev_dir, NULL, &buffers_fops);
}

void memlab_dev_debugfs_exit(void)
{
	debugfs_remove(memlab_dev_dir);
}
