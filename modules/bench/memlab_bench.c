// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_bench: the memlab buddy allocator against the kernel's own page
 * allocator (alloc_pages/__free_pages) and lib/genalloc's gen_pool, in one
 * boot. memlab and gen_pool manage the same 4 MiB carve-out in turn.
 *
 * Workloads, each timed as ns per operation:
 *   order N   an allocation of 2^N pages and its free, N = 0..9
 *   mix F%    with F% of the carve-out held in random blocks of order 0-3,
 *             free a random held block and allocate a random new one (the
 *             random choices are drawn before the timed loop)
 *   bigmix F% the mixes again, memlab against gen_pool, over big_mib MiB
 *             taken from the default pool: the size pools have in use
 * Then the slab layer against SLUB in the same boot, ns per object:
 *   cacheN     allocate one N-byte object and free it (memlab_cache_* and
 *              kmem_cache_*), N = 64, 256
 *   cacheNx16  allocate 16 and free the 16 with the bulk calls
 *              (memlab_cache_alloc_bulk(), kmem_cache_alloc_bulk(), ...)
 *   kmallocN   memlab_kmalloc()/memlab_kfree() against kmalloc()/kfree();
 *              kmallocNx16 allocates 16 one by one, then frees them
 *   debugN     debug caches: memlab's debug mode against a SLUB cache
 *              with SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER
 * Each figure is the median of `runs` runs of `ops` operations, the
 * allocators taking turns run by run; the tables end with the ratios
 * other/memlab (above 1: memlab is faster). The benchmark runs at load;
 * the module is then removed again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/genalloc.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/vmalloc.h>

#include <memlab/alloc.h>

static unsigned int runs = 5;
module_param(runs, uint, 0444);
MODULE_PARM_DESC(runs, "Runs per figure; the median is reported (default 5)");

static unsigned int big_mib = 64;
module_param(big_mib, uint, 0444);
MODULE_PARM_DESC(big_mib,
		 "MiB of the default pool for the mixes at pool size, a power of two; 0: none (default 64)");

static unsigned int ops = 1000000;
module_param(ops, uint, 0444);
MODULE_PARM_DESC(ops, "Operations per run (default 1000000)");

#define BENCH_ORDER	10		/* the carve-out: 4 MiB with 4 KiB pages */
#define BENCH_PAGES	BIT(BENCH_ORDER)
#define BENCH_MAX_REQ	9
#define MIX_MAX_ORDER	3
#define RUNS_MAX	51

enum bench_alloc { B_MEMLAB, B_PAGES, B_GENPOOL, B_NR };

struct bench {
	enum bench_alloc kind;
	unsigned int pages;		/* the carve-out's, for the mixes */
	struct memlab_pool *pool;
	struct gen_pool *gp;
};

struct held {
	void *addr;
	unsigned int order;
};

static void *bench_alloc(struct bench *b, unsigned int order)
{
	switch (b->kind) {
	case B_MEMLAB:
		return memlab_alloc_pages(b->pool, order, __GFP_NOWARN);
	case B_PAGES: {
		struct page *pg = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);

		return pg ? page_address(pg) : NULL;
	}
	default:
		return (void *)gen_pool_alloc(b->gp, PAGE_SIZE << order);
	}
}

static void bench_free(struct bench *b, void *addr, unsigned int order)
{
	switch (b->kind) {
	case B_MEMLAB:
		memlab_free_pages(b->pool, addr, order);
		break;
	case B_PAGES:
		__free_pages(virt_to_page(addr), order);
		break;
	default:
		gen_pool_free(b->gp, (unsigned long)addr, PAGE_SIZE << order);
		break;
	}
}

/* One run of alloc+free pairs of one order: ns per pair, or 0 on failure. */
static u64 bench_pairs(struct bench *b, unsigned int order)
{
	u64 t0, t1;
	unsigned int i;

	t0 = ktime_get_ns();
	for (i = 0; i < ops; i++) {
		void *p = bench_alloc(b, order);

		if (!p)
			return 0;
		bench_free(b, p, order);
	}
	t1 = ktime_get_ns();
	return div_u64(t1 - t0, ops);
}

/* One step of the random mix: which held block to free, which order to take. */
struct mix_step {
	u32 pick;
	u32 order;
};

/* The mix's random steps, drawn before each run so the timing excludes them. */
static struct mix_step *mix_steps;

/*
 * One run of the random mix at @fill percent: ns per free+alloc, or 0 when
 * the fill could not be reached. The same seed gives every allocator the
 * same sequence of orders.
 */
static u64 bench_mix(struct bench *b, struct held *held, unsigned int fill, u32 seed)
{
	unsigned int nheld = 0, pages = 0, target = b->pages * fill / 100, i;
	struct rnd_state rnd;
	u64 t0, ns = 0;

	prandom_seed_state(&rnd, seed);
	while (pages < target) {
		unsigned int order = prandom_u32_state(&rnd) % (MIX_MAX_ORDER + 1);
		void *p;

		if (pages + BIT(order) > target)
			order = 0;
		p = bench_alloc(b, order);
		if (!p && order)	/* fragmentation: take a page instead */
			p = bench_alloc(b, order = 0);
		if (!p)
			goto out;
		held[nheld].addr = p;
		held[nheld++].order = order;
		pages += BIT(order);
	}
	for (i = 0; i < ops; i++) {
		mix_steps[i].pick = prandom_u32_state(&rnd);
		mix_steps[i].order = prandom_u32_state(&rnd) % (MIX_MAX_ORDER + 1);
	}
	t0 = ktime_get_ns();
	for (i = 0; i < ops; i++) {
		unsigned int k = mix_steps[i].pick % nheld, order = mix_steps[i].order;
		void *p;

		bench_free(b, held[k].addr, held[k].order);
		p = bench_alloc(b, order);
		if (!p)		/* fragmentation: take a page instead */
			p = bench_alloc(b, order = 0);
		if (!p) {
			held[k] = held[--nheld];
			if (!nheld)
				break;
			continue;
		}
		held[k].addr = p;
		held[k].order = order;
	}
	if (nheld)
		ns = div_u64(ktime_get_ns() - t0, ops);
out:
	while (nheld--)
		bench_free(b, held[nheld].addr, held[nheld].order);
	return ns;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	return v[n / 2];
}

/* Workload w: 0..BENCH_MAX_REQ are orders, then the 50% and 90% mixes. */
#define NR_WORK		(BENCH_MAX_REQ + 3)

/*
 * The median of @runs runs of @run(@arg, k, r) for each of the @nb sides k
 * of a workload, into @out; 0 when a run failed. The sides take turns run
 * by run, so a change in the host's load meanwhile (under emulation) hits
 * all alike.
 */
static void bench_turns(unsigned int nb, u64 (*run)(void *arg, unsigned int k, unsigned int r),
			void *arg, u64 *out)
{
	static u64 v[B_NR][RUNS_MAX];
	unsigned int r, k;

	for (k = 0; k < nb; k++)
		out[k] = 1;
	for (r = 0; r < runs; r++) {
		for (k = 0; k < nb; k++) {
			if (!out[k])
				continue;
			v[k][r] = run(arg, k, r);
			out[k] = v[k][r];
			cond_resched();
		}
	}
	for (k = 0; k < nb; k++)
		if (out[k])
			out[k] = median(v[k], runs);
}

struct bench_work {
	struct bench *bs;
	struct held *held;
	unsigned int w;
};

static u64 bench_work_run(void *arg, unsigned int k, unsigned int r)
{
	struct bench_work *bw = arg;

	if (bw->w <= BENCH_MAX_REQ)
		return bench_pairs(&bw->bs[k], bw->w);
	return bench_mix(&bw->bs[k], bw->held, bw->w == BENCH_MAX_REQ + 1 ? 50 : 90,
			 0x6d656d6c + r);
}

/* Workload @w for each of the @nb allocators of @bs. */
static void bench_row(struct bench *bs, unsigned int nb, struct held *held, unsigned int w,
		      u64 *out)
{
	struct bench_work bw = { .bs = bs, .held = held, .w = w };

	bench_turns(nb, bench_work_run, &bw, out);
}

static void print_ratio(char *buf, size_t len, u64 other, u64 mine)
{
	if (!other || !mine)
		snprintf(buf, len, "%9s", "n/a");
	else
		snprintf(buf, len, "%8llu.%02llux", div64_u64(other, mine),
			 div64_u64(other * 100, mine) % 100);
}

/* --- slab layer against SLUB ---------------------------------------- */

enum slab_kind { S_CACHE, S_KMALLOC, S_DEBUG, S_NR_KIND };

struct sbench {
	bool memlab;
	enum slab_kind kind;
	size_t size;
	struct memlab_pool *pool;
	struct memlab_cache *mc;
	struct kmem_cache *kc;
};

static void *s_alloc(struct sbench *b)
{
	if (b->kind == S_KMALLOC)
		return b->memlab ? memlab_kmalloc(b->pool, b->size, GFP_KERNEL) :
				   kmalloc(b->size, GFP_KERNEL);
	return b->memlab ? memlab_cache_alloc(b->mc, GFP_KERNEL) :
			   kmem_cache_alloc(b->kc, GFP_KERNEL);
}

static void s_free(struct sbench *b, void *p)
{
	if (b->kind == S_KMALLOC) {
		if (b->memlab)
			memlab_kfree(b->pool, p);
		else
			kfree(p);
		return;
	}
	if (b->memlab)
		memlab_cache_free(b->mc, p);
	else
		kmem_cache_free(b->kc, p);
}

/* Allocate @n objects at once: the bulk calls, or one at a time for kmalloc. */
static bool s_alloc_batch(struct sbench *b, void **objs, unsigned int n)
{
	unsigned int j;

	/* kmem_cache_alloc_bulk(): the count (6.1, 6.12) or true (7.2); all or nothing. */
	if (b->kind != S_KMALLOC)
		return b->memlab ? memlab_cache_alloc_bulk(b->mc, GFP_KERNEL, n, objs) == n :
				   kmem_cache_alloc_bulk(b->kc, GFP_KERNEL, n, objs) != 0;
	for (j = 0; j < n; j++) {
		objs[j] = s_alloc(b);
		if (!objs[j]) {
			while (j--)
				s_free(b, objs[j]);
			return false;
		}
	}
	return true;
}

static void s_free_batch(struct sbench *b, void **objs, unsigned int n)
{
	unsigned int j;

	if (b->kind == S_KMALLOC) {
		for (j = 0; j < n; j++)
			s_free(b, objs[j]);
	} else if (b->memlab) {
		memlab_cache_free_bulk(b->mc, n, objs);
	} else {
		kmem_cache_free_bulk(b->kc, n, objs);
	}
}

/* One run: ns per object, allocating @batch at a time; 0 on failure. */
static u64 s_run(struct sbench *b, unsigned int batch)
{
	void *objs[16];
	unsigned int i;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < ops; i += batch) {
		if (batch == 1) {
			objs[0] = s_alloc(b);
			if (!objs[0])
				return 0;
			s_free(b, objs[0]);
			continue;
		}
		if (!s_alloc_batch(b, objs, batch))
			return 0;
		s_free_batch(b, objs, batch);
	}
	return div_u64(ktime_get_ns() - t0, ops);
}

struct s_work {
	struct sbench *b;
	unsigned int batch;
};

static u64 s_work_run(void *arg, unsigned int m, unsigned int r)
{
	struct s_work *sw = arg;

	return s_run(&sw->b[m], sw->batch);
}

/* Both sides of a slab workload, taking turns run by run; 0 marks a failure. */
static void s_row(struct sbench *b, unsigned int batch, u64 *out)
{
	struct s_work sw = { .b = b, .batch = batch };

	bench_turns(2, s_work_run, &sw, out);
}

#define NR_SLAB_SIZES	2
#define NR_SLAB_WORK	(S_NR_KIND * NR_SLAB_SIZES * 2)

static const size_t slab_sizes[NR_SLAB_SIZES] = { 64, 256 };

/* Fill @res[memlab?][w] for every slab workload; 0 marks a failure. */
static int bench_slab(struct memlab_pool *pool, u64 res[2][NR_SLAB_WORK])
{
	const slab_flags_t slub_debug = SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER;
	unsigned int kind, si, batch, m, w = 0;
	int ret = 0;

	for (kind = 0; kind < S_NR_KIND; kind++) {
		for (si = 0; si < NR_SLAB_SIZES; si++) {
			struct sbench b[2] = { };

			for (m = 0; m < 2; m++) {
				b[m].memlab = m;
				b[m].kind = kind;
				b[m].size = slab_sizes[si];
				b[m].pool = pool;
			}
			if (kind != S_KMALLOC) {
				b[1].mc = memlab_cache_create(pool, "bench", slab_sizes[si], 0,
							      kind == S_DEBUG ?
							      MEMLAB_CACHE_DEBUG : 0, NULL);
				b[0].kc = kmem_cache_create("memlab_bench", slab_sizes[si], 0,
							    kind == S_DEBUG ? slub_debug : 0, NULL);
				if (IS_ERR(b[1].mc) || !b[0].kc) {
					ret = -ENOMEM;
					if (!IS_ERR(b[1].mc))
						memlab_cache_destroy(b[1].mc);
					kmem_cache_destroy(b[0].kc);
					break;
				}
			}
			for (batch = 1; batch <= 16; batch += 15, w++) {
				u64 out[2];

				s_row(b, batch, out);
				res[0][w] = out[0];
				res[1][w] = out[1];
			}
			if (kind != S_KMALLOC) {
				memlab_cache_destroy(b[1].mc);
				kmem_cache_destroy(b[0].kc);
			}
		}
	}
	return ret;
}

static void print_slab(u64 res[2][NR_SLAB_WORK])
{
	static const char *const kinds[S_NR_KIND] = { "cache", "kmalloc", "debug" };
	unsigned int w = 0, kind, si, batch;

	pr_info("%-13s %9s %9s %9s\n", "workload", "memlab", "slub", "vs_slub");
	for (kind = 0; kind < S_NR_KIND; kind++)
		for (si = 0; si < NR_SLAB_SIZES; si++)
			for (batch = 1; batch <= 16; batch += 15, w++) {
				char name[24], r[16];

				snprintf(name, sizeof(name), "%s%zu%s", kinds[kind], slab_sizes[si],
					 batch > 1 ? "x16" : "");
				print_ratio(r, sizeof(r), res[0][w], res[1][w]);
				pr_info("%-13s %9llu %9llu %9s\n", name, res[1][w], res[0][w], r);
			}
}

/*
 * The mixes again over a carve-out of @big_mib MiB from the default pool,
 * the size pools have in use: res[0] memlab, res[1] gen_pool.
 */
static int bench_big(u64 res[2][2])
{
	unsigned int order = ilog2(big_mib) + 20 - PAGE_SHIFT, f;
	struct memlab_pool *dp = memlab_default_pool();
	struct bench bs[2] = {
		{ .kind = B_MEMLAB, .pages = 1U << order },
		{ .kind = B_GENPOOL, .pages = 1U << order },
	};
	struct held *held;
	phys_addr_t phys;
	void *base;
	int ret = 0;

	if (!dp)
		return -ENODEV;
	base = memlab_alloc_pages(dp, order, __GFP_NOWARN);
	if (!base)
		return -ENOSPC;
	phys = memlab_block_phys(dp, base);
	held = kvcalloc(1U << order, sizeof(*held), GFP_KERNEL);
	bs[0].pool = memlab_pool_create("bench-big", base, phys, PAGE_SIZE << order);
	bs[1].gp = gen_pool_create(PAGE_SHIFT, NUMA_NO_NODE);
	if (!held || IS_ERR(bs[0].pool) || !bs[1].gp ||
	    gen_pool_add_virt(bs[1].gp, (unsigned long)base, phys, PAGE_SIZE << order,
			      NUMA_NO_NODE)) {
		ret = -ENOMEM;
		goto out;
	}
	for (f = 0; f < 2; f++) {
		u64 out[2];

		bench_row(bs, 2, held, BENCH_MAX_REQ + 1 + f, out);
		res[0][f] = out[0];
		res[1][f] = out[1];
	}
out:
	if (bs[1].gp)
		gen_pool_destroy(bs[1].gp);
	if (!IS_ERR_OR_NULL(bs[0].pool) && memlab_pool_destroy(bs[0].pool)) {
		base = NULL;	/* still in use: the default pool's reports show it */
		ret = -EBUSY;
	}
	kvfree(held);
	if (base)
		memlab_free_pages(dp, base, order);
	return ret;
}

static int __init memlab_bench_init(void)
{
	u64 res[B_NR][NR_WORK] = { };
	static u64 sres[2][NR_SLAB_WORK];
	struct page *carve;
	struct held *held;
	struct bench bs[B_NR] = {
		[B_MEMLAB] = { .kind = B_MEMLAB, .pages = BENCH_PAGES },
		[B_PAGES] = { .kind = B_PAGES, .pages = BENCH_PAGES },
		[B_GENPOOL] = { .kind = B_GENPOOL, .pages = BENCH_PAGES },
	};
	unsigned int w, k;
	void *base;
	int ret = 0;

	if (runs < 1 || runs > RUNS_MAX || !ops ||
	    (big_mib && (!is_power_of_2(big_mib) || big_mib > 1024)))
		return -EINVAL;
	held = kcalloc(BENCH_PAGES, sizeof(*held), GFP_KERNEL);
	mix_steps = vmalloc(array_size(ops, sizeof(*mix_steps)));
	carve = alloc_pages(GFP_KERNEL | __GFP_NOWARN, BENCH_ORDER);
	if (!held || !mix_steps || !carve) {
		ret = -ENOMEM;
		goto out;
	}
	base = page_address(carve);

	bs[B_MEMLAB].pool = memlab_pool_create("bench", base, page_to_phys(carve),
					       BENCH_PAGES * PAGE_SIZE);
	if (IS_ERR(bs[B_MEMLAB].pool)) {
		ret = PTR_ERR(bs[B_MEMLAB].pool);
		goto out;
	}
	/* gen_pool manages the same carve-out; only one uses it at a time. */
	bs[B_GENPOOL].gp = gen_pool_create(PAGE_SHIFT, NUMA_NO_NODE);
	if (!bs[B_GENPOOL].gp ||
	    gen_pool_add_virt(bs[B_GENPOOL].gp, (unsigned long)base, page_to_phys(carve),
			      BENCH_PAGES * PAGE_SIZE, NUMA_NO_NODE)) {
		ret = -ENOMEM;
		goto out_pools;
	}
	for (w = 0; w < NR_WORK; w++) {
		u64 out[B_NR];

		bench_row(bs, B_NR, held, w, out);
		for (k = 0; k < B_NR; k++)
			res[k][w] = out[k];
	}
	pr_info("page allocators measured\n");
	ret = bench_slab(bs[B_MEMLAB].pool, sres);
	pr_info("slab layer measured\n");

	pr_info("ns/op, median of %u runs of %u ops; ratio = other/memlab\n", runs, ops);
	pr_info("%-9s %9s %12s %9s %14s %11s\n", "workload", "memlab", "alloc_pages",
		"gen_pool", "vs_alloc_pages", "vs_gen_pool");
	for (w = 0; w < NR_WORK; w++) {
		char name[16], r1[16], r2[16];

		if (w <= BENCH_MAX_REQ)
			snprintf(name, sizeof(name), "order%u", w);
		else
			snprintf(name, sizeof(name), "mix%u%%", w == BENCH_MAX_REQ + 1 ? 50 : 90);
		print_ratio(r1, sizeof(r1), res[B_PAGES][w], res[B_MEMLAB][w]);
		print_ratio(r2, sizeof(r2), res[B_GENPOOL][w], res[B_MEMLAB][w]);
		pr_info("%-9s %9llu %12llu %9llu %14s %11s\n", name, res[B_MEMLAB][w],
			res[B_PAGES][w], res[B_GENPOOL][w], r1, r2);
	}
	if (big_mib) {
		u64 big[2][2] = { };
		int err = bench_big(big);

		if (err) {
			pr_info("mixes over %u MiB of the default pool: skipped (%pe)\n", big_mib,
				ERR_PTR(err));
		} else {
			pr_info("mixes over %u MiB of the default pool; ratio = gen_pool/memlab\n",
				big_mib);
			pr_info("%-9s %9s %9s %11s\n", "workload", "memlab", "gen_pool",
				"vs_gen_pool");
			for (w = 0; w < 2; w++) {
				char r[16];

				print_ratio(r, sizeof(r), big[1][w], big[0][w]);
				pr_info("big%-6s %9llu %9llu %11s\n", w ? "mix90%" : "mix50%",
					big[0][w], big[1][w], r);
			}
		}
	}
	pr_info("slab layer: ns per object, median of %u runs of %u objects; ratio = slub/memlab\n",
		runs, ops);
	print_slab(sres);
	pr_info("done\n");
out_pools:
	if (bs[B_GENPOOL].gp)
		gen_pool_destroy(bs[B_GENPOOL].gp);
	if (memlab_pool_destroy(bs[B_MEMLAB].pool)) {
		/* Something is still allocated: the carve-out cannot go back. */
		carve = NULL;
		ret = -EBUSY;
	}
out:
	if (carve)
		__free_pages(carve, BENCH_ORDER);
	kfree(held);
	vfree(mix_steps);
	return ret;
}
module_init(memlab_bench_init);

static void __exit memlab_bench_exit(void)
{
}
module_exit(memlab_bench_exit);

MODULE_DESCRIPTION("memlab allocator benchmark against alloc_pages and gen_pool");
MODULE_LICENSE("GPL");
