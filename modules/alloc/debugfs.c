// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_alloc debugfs reports: /sys/kernel/debug/memlab/alloc/<pool>/
 *
 *   buddyinfo  free blocks per order, in /proc/buddyinfo's shape
 *   stats      counters per order, misuse counts, extfrag indices
 *   map        a picture of the pool, one character per span of pages
 *   blocks     every block with its order and state, per-CPU cached ones
 *              as such (no drain)
 *   slabinfo   the pool's caches, in /proc/slabinfo 2.1's columns, then
 *              per-cache detail
 *   check      walks every invariant, buddy and caches, once per open, and
 *              prints the result
 *
 * The formats are documented in docs/alloc.rst and parsed by the tests.
 */
#include <linux/debugfs.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <memlab/alloc.h>
#include <memlab/core.h>

#include "internal.h"

static struct dentry *memlab_alloc_dir;

static int buddyinfo_show(struct seq_file *m, void *v)
{
	struct memlab_pool *pool = m->private;
	struct memlab_buddy *b;
	unsigned int o;

	/* A copy, as users see the pool (memlab_pool_snapshot()). */
	b = kmalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	memlab_pool_snapshot(pool, b);
	seq_printf(m, "Pool %s, zone %8s ", pool->name, "memlab");
	for (o = 0; o <= b->max_order; o++)
		seq_printf(m, "%6u ", b->nr_free[o]);
	seq_putc(m, '\n');
	kfree(b);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(buddyinfo);

static int stats_show(struct seq_file *m, void *v)
{
	struct memlab_pool *pool = m->private;
	struct memlab_buddy *b;
	unsigned int o, i;
	u32 largest;

	b = kmalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	memlab_pool_snapshot(pool, b);
	largest = memlab_buddy_largest_free_order(b);

	seq_printf(m, "pool %s\n", pool->name);
	seq_printf(m, "source %s\n", memlab_pool_source_name(pool));
	seq_printf(m, "chunks %u\n", pool->nr_chunks);
	for (i = 0; i < pool->nr_chunks; i++)
		seq_printf(m, "chunk %u %pa %lu\n", i, &pool->chunks[i].phys,
			   (unsigned long)pool->chunks[i].nr_pages << PAGE_SHIFT);
	seq_printf(m, "page_size %lu\n", PAGE_SIZE);
	seq_printf(m, "max_order %u\n", b->max_order);
	seq_printf(m, "total_pages %u\n", b->managed_pages);
	seq_printf(m, "free_pages %u\n", b->free_pages);
	seq_printf(m, "free_bytes %llu\n", (u64)b->free_pages << PAGE_SHIFT);
	if (largest == MEMLAB_BUDDY_NONE)
		seq_puts(m, "largest_free_order -1\nlargest_free_bytes 0\n");
	else
		seq_printf(m, "largest_free_order %u\nlargest_free_bytes %llu\n",
			   largest, (u64)PAGE_SIZE << largest);
	seq_printf(m, "metadata_bytes %zu\n", memlab_pool_meta_bytes(pool));
	for (i = MEMLAB_MISUSE_DOUBLE_FREE; i < MEMLAB_MISUSE_NR; i++)
		seq_printf(m, "misuse_%s %llu\n", memlab_buddy_misuse_name(i), b->misuse[i]);
	seq_puts(m, "percpu_high");
	for (o = 0; o < MEMLAB_PCP_ORDERS; o++)
		seq_printf(m, " %u", pool->pcp_high[o]);
	seq_puts(m, "\npercpu_batch");
	for (o = 0; o < MEMLAB_PCP_ORDERS; o++)
		seq_printf(m, " %u", pool->pcp_batch[o]);
	seq_puts(m, "\n");

	seq_printf(m, "%-5s %12s %12s %12s %12s %12s %8s %9s %9s\n", "order", "allocs",
		   "frees", "splits", "merges", "fails", "free", "unusable", "fragindex");
	for (o = 0; o <= b->max_order; o++) {
		struct memlab_buddy_order_stats *st = &b->stats[o];
		struct memlab_buddy_frag fr;

		memlab_buddy_frag(b, o, &fr);
		seq_printf(m, "%-5u %12llu %12llu %12llu %12llu %12llu %8u", o, st->allocs,
			   st->frees, st->splits, st->merges, st->fails, b->nr_free[o]);
		seq_printf(m, " %5d.%03d %5d.%03d\n", fr.unusable / 1000, fr.unusable % 1000,
			   fr.fragmentation / 1000, abs(fr.fragmentation % 1000));
	}
	kfree(b);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

#define MAP_COLUMNS	64
#define MAP_CELLS_MAX	1024

static char map_order_char(unsigned int order)
{
	return order < 10 ? '0' + order : 'A' + order - 10;
}

/*
 * One character per span of pages: '.' all free, an order digit when the
 * span lies in one allocated block of that order, '*' for a span holding
 * several blocks some of which are allocated, ' ' for a hole.
 */
static char map_cell(struct memlab_buddy *b, u32 start, u32 span)
{
	u32 i = memlab_buddy_block_of(b, start), end = min(start + span, b->nr_pages);
	bool any_used = false, any_free = false, any_hole = false;

	if (i == MEMLAB_BUDDY_NONE) {
		i = start;
	} else if (i + (1U << b->pages[i].order) >= end) {
		if (b->pages[i].state == MEMLAB_PG_USED)
			return map_order_char(b->pages[i].order);
		return '.';
	}
	while (i < end) {
		struct memlab_buddy_page *pg = &b->pages[i];

		switch (pg->state) {
		case MEMLAB_PG_FREE:
		case MEMLAB_PG_CACHED:	/* free to users */
			any_free = true;
			i += 1U << pg->order;
			break;
		case MEMLAB_PG_USED:
			any_used = true;
			i += 1U << pg->order;
			break;
		default:
			any_hole = true;
			i++;
			break;
		}
	}
	if (any_used)
		return '*';
	if (any_free)
		return '.';
	return any_hole ? ' ' : '?';
}

static int map_show(struct seq_file *m, void *v)
{
	struct memlab_pool *pool = m->private;
	struct memlab_buddy *b = &pool->buddy;
	char line[MAP_COLUMNS + 1];
	unsigned long flags;
	u32 span = 1, cell, cells;

	while (DIV_ROUND_UP(b->nr_pages, span) > MAP_CELLS_MAX)
		span <<= 1;
	cells = DIV_ROUND_UP(b->nr_pages, span);
	seq_printf(m, "# pool %s: %u pages, one character = %u page%s (%lu KiB)\n",
		   pool->name, b->nr_pages, span, span > 1 ? "s" : "",
		   (span * PAGE_SIZE) >> 10);
	seq_puts(m, "# . free  0-9,A-K allocated block of that order  * mixed  ' ' hole\n");
	memlab_pool_drain(pool);
	for (cell = 0; cell < cells; cell += MAP_COLUMNS) {
		u32 n = min_t(u32, MAP_COLUMNS, cells - cell), j;

		/* One line per acquisition keeps interrupts-off time short. */
		raw_spin_lock_irqsave(&pool->lock, flags);
		for (j = 0; j < n; j++)
			line[j] = map_cell(b, (cell + j) * span, span);
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		line[n] = '\0';
		seq_printf(m, "%08llx %s\n", (u64)cell * span << PAGE_SHIFT, line);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(map);

#define BLOCKS_BATCH	64
#define BLOCKS_STEPS	4096

struct blocks_entry {
	u32 idx;
	u8 order;
	u8 state;
};

static const char *blocks_state_name(unsigned int state)
{
	switch (state) {
	case MEMLAB_PG_FREE:
		return "free";
	case MEMLAB_PG_USED:
		return "allocated";
	default:
		return "cached";
	}
}

/*
 * Up to BLOCKS_BATCH block heads from *@idx on, in at most BLOCKS_STEPS
 * steps; *@idx moves past them. Called with the pool lock held. A cached
 * head can turn used and back without it (pcp.h), but its order stays.
 */
static unsigned int blocks_batch(struct memlab_buddy *b, u32 *idx, struct blocks_entry *e)
{
	unsigned int n = 0, steps = 0;
	u32 i = *idx, head;

	while (i < b->nr_pages && n < BLOCKS_BATCH && steps++ < BLOCKS_STEPS) {
		const struct memlab_buddy_page *pg = &b->pages[i];
		u8 state = READ_ONCE(pg->state);

		switch (state) {
		case MEMLAB_PG_FREE:
		case MEMLAB_PG_USED:
		case MEMLAB_PG_CACHED:
			e[n].idx = i;
			e[n].order = pg->order;
			e[n++].state = state;
			i += 1U << pg->order;
			break;
		case MEMLAB_PG_TAIL:
			/* merged, since the last batch, into a block printed already */
			head = memlab_buddy_block_of(b, i);
			i = head == MEMLAB_BUDDY_NONE ? i + 1 : head + (1U << b->pages[head].order);
			break;
		default:
			i++;
			break;
		}
	}
	*idx = i;
	return n;
}

/*
 * Every block in address order, as the pool holds it: unlike the other
 * reports this one does not drain the per-CPU caches, so the blocks they
 * hold show as cached. The lock is taken per batch, so offsets only grow
 * and blocks never overlap, but the pool may change between batches.
 */
static int blocks_show(struct seq_file *m, void *v)
{
	struct memlab_pool *pool = m->private;
	struct memlab_buddy *b = &pool->buddy;
	struct blocks_entry e[BLOCKS_BATCH];
	unsigned long flags;
	unsigned int n, j;
	u32 idx = 0;

	seq_printf(m, "pool %s\n", pool->name);
	seq_printf(m, "page_size %lu\n", PAGE_SIZE);
	seq_printf(m, "span_pages %u\n", b->nr_pages);
	seq_printf(m, "total_pages %u\n", b->managed_pages);
	seq_printf(m, "max_order %u\n", b->max_order);
	seq_printf(m, "%-10s %5s %s\n", "offset", "order", "state");
	while (idx < b->nr_pages) {
		raw_spin_lock_irqsave(&pool->lock, flags);
		n = blocks_batch(b, &idx, e);
		raw_spin_unlock_irqrestore(&pool->lock, flags);
		for (j = 0; j < n; j++)
			seq_printf(m, "0x%08llx %5u %s\n", (u64)e[j].idx << PAGE_SHIFT,
				   e[j].order, blocks_state_name(e[j].state));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(blocks);

static const char *const cache_error_names[MEMLAB_SLAB_ERR_NR] = {
	"redzone", "poison", "double_free", "freelist", "bad_object", "count",
};

static void slabinfo_flags(struct seq_file *m, unsigned int flags)
{
	if (!flags)
		seq_puts(m, "-");
	if (flags & MEMLAB_SLAB_DEBUG)
		seq_puts(m, "D");
	if (flags & MEMLAB_SLAB_HARDENED)
		seq_puts(m, "H");
}

static int slabinfo_show(struct seq_file *m, void *v)
{
	struct memlab_pool *pool = m->private;
	struct memlab_cache_info info;
	struct memlab_cache *cache;
	unsigned int i;

	seq_puts(m, "slabinfo - version: 2.1\n");
	seq_puts(m, "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>");
	seq_puts(m, " : tunables <limit> <batchcount> <sharedfactor>");
	seq_puts(m, " : slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	mutex_lock(&pool->caches_lock);
	list_for_each_entry(cache, &pool->caches, node) {
		unsigned long slabs;

		memlab_cache_get_info(cache, &info);
		slabs = info.slabs_full + info.slabs_partial + info.slabs_empty;
		seq_printf(m, "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u",
			   info.name, info.inuse, slabs * info.objects_per_slab, info.slot_size,
			   info.objects_per_slab, 1 << info.order, 0, 0, 0);
		seq_printf(m, " : slabdata %6lu %6lu %6lu\n",
			   info.slabs_full + info.slabs_partial, slabs, 0UL);
	}
	seq_puts(m, "\n# detail: name inuse cpu_cached full partial empty object_size align");
	seq_puts(m, " order waste_per_slab flags fails errors");
	for (i = 0; i < MEMLAB_SLAB_ERR_NR; i++)
		seq_printf(m, " %s", cache_error_names[i]);
	seq_puts(m, " allocs frees\n");
	list_for_each_entry(cache, &pool->caches, node) {
		u64 errors = 0;

		memlab_cache_get_info(cache, &info);
		for (i = 0; i < MEMLAB_SLAB_ERR_NR; i++)
			errors += info.errors[i];
		seq_printf(m, "%s %lu %lu %lu %lu %lu %u %u %u %u ", info.name, info.inuse,
			   info.cpu_cached, info.slabs_full, info.slabs_partial,
			   info.slabs_empty, info.object_size, info.align, info.order,
			   info.waste_per_slab);
		slabinfo_flags(m, info.flags);
		seq_printf(m, " %lu %llu", info.fails, errors);
		for (i = 0; i < MEMLAB_SLAB_ERR_NR; i++)
			seq_printf(m, " %llu", info.errors[i]);
		seq_printf(m, " %lu %lu\n", info.allocs, info.frees);
	}
	mutex_unlock(&pool->caches_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(slabinfo);

/*
 * The check report, written once per open into a buffer of its own: the
 * walks run with interrupts off, and seq_file calls show again whenever
 * its buffer overflows, so show only copies what the one walk found. The
 * text is bounded: each walk reports its first errors only, and a report
 * longer than the buffer ends with a "truncated" line before the verdict.
 */
#define CHECK_TEXT_SIZE		(4 * PAGE_SIZE)
#define CHECK_VERDICT_SPACE	128

struct check_text {
	size_t len;
	bool truncated;
	char buf[CHECK_TEXT_SIZE];
};

static __printf(2, 3) void check_add(struct check_text *t, const char *fmt, ...)
{
	size_t room = CHECK_TEXT_SIZE - CHECK_VERDICT_SPACE - t->len;
	va_list args;
	int n;

	if (t->truncated)
		return;
	va_start(args, fmt);
	n = vsnprintf(t->buf + t->len, room, fmt, args);
	va_end(args);
	if (n < 0 || (size_t)n >= room) {
		t->truncated = true;
		return;
	}
	t->len += n;
}

static void check_report(void *ctx, const char *msg)
{
	check_add(ctx, "  %s\n", msg);
}

static int check_run(struct memlab_pool *pool, struct check_text *t)
{
	unsigned int errors, total;
	struct memlab_cache *cache;
	int cerr;

	check_add(t, "pool %s\n", pool->name);
	errors = memlab_pool_check_report(pool, check_report, t);
	total = errors;
	check_add(t, "buddy: %s", errors ? "FAILED" : "ok");
	if (errors)
		check_add(t, " (%u errors)", errors);
	check_add(t, "\n");

	mutex_lock(&pool->caches_lock);
	list_for_each_entry(cache, &pool->caches, node) {
		cerr = memlab_cache_validate_report(cache, check_report, t);
		if (cerr < 0) {
			mutex_unlock(&pool->caches_lock);
			return cerr;
		}
		if (cerr)
			check_add(t, "cache %s: FAILED (%d errors)\n", cache->name, cerr);
		total += cerr;
	}
	mutex_unlock(&pool->caches_lock);
	/* the verdict has room of its own, so it is never truncated away */
	if (t->truncated)
		t->len += scnprintf(t->buf + t->len, CHECK_TEXT_SIZE - t->len, "  truncated\n");
	t->len += scnprintf(t->buf + t->len, CHECK_TEXT_SIZE - t->len, "slab: %s\nresult: %s\n",
			    total > errors ? "FAILED" : "ok", total ? "FAILED" : "ok");
	return 0;
}

static int check_show(struct seq_file *m, void *v)
{
	struct check_text *t = m->private;

	seq_write(m, t->buf, t->len);
	return 0;
}

static int check_open(struct inode *inode, struct file *file)
{
	struct check_text *t;
	int ret;

	t = kvzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	ret = check_run(inode->i_private, t);
	if (!ret)
		ret = single_open_size(file, check_show, t, t->len + 1);
	if (ret)
		kvfree(t);
	return ret;
}

static int check_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	kvfree(m->private);
	return single_release(inode, file);
}

static const struct file_operations check_fops = {
	.owner		= THIS_MODULE,
	.open		= check_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= check_release,
};

void memlab_debugfs_add_pool(struct memlab_pool *pool)
{
	struct dentry *d = debugfs_create_dir(pool->name, memlab_alloc_dir);

	pool->debugfs = d;
	debugfs_create_file("buddyinfo", 0444, d, pool, &buddyinfo_fops);
	/* stats shows physical addresses, check walks with interrupts off */
	debugfs_create_file("stats", 0400, d, pool, &stats_fops);
	debugfs_create_file("map", 0444, d, pool, &map_fops);
	debugfs_create_file("blocks", 0444, d, pool, &blocks_fops);
	debugfs_create_file("slabinfo", 0444, d, pool, &slabinfo_fops);
	debugfs_create_file("check", 0400, d, pool, &check_fops);
}

void memlab_debugfs_remove_pool(struct memlab_pool *pool)
{
	debugfs_remove_recursive(pool->debugfs);
	pool->debugfs = NULL;
}

void memlab_debugfs_init(void)
{
	memlab_alloc_dir = debugfs_create_dir("alloc", memlab_debugfs_root());
}

void memlab_debugfs_exit(void)
{
	debugfs_remove(memlab_alloc_dir);
	memlab_alloc_dir = NULL;
}
