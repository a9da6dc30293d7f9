// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_bench: the memlab buddy allocator against the kernel's own page
 * allocator (alloc_pages/__free_pages) and lib/genalloc's gen_pool, in one
 * boot. memlab and gen_pool manage the same carve-out in turn: a block of
 * carve_mib MiB (64, the size of the Rock 5B+ pool) taken from the default
 * pool, or the largest power of two below it that is free.
 *
 * Workloads, each timed as ns per operation:
 *   order N   an allocation of 2^N pages and its free, N = 0..9
 *   mix F%    with F% of the carve-out held in random blocks of order 0-3,
 *             free a random held block and allocate a random new one (the
 *             random choices are drawn before the timed loop)
 *   mixesS    both mixes again, memlab against gen_pool, over the first
 *             1/16 and 1/4 of the carve-out (at least 1 MiB): how each
 *             allocator's cost grows with the pool and with the fill
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
 *
 * Above the results come what the machine makes of them: the cost of the
 * primitives the allocators trade between (atomics, locks, masking
 * interrupts), timed as the workloads are, and the function calls each
 * allocator makes per order-0 or 64-byte alloc+free, counted with ftrace.
 * Under emulation both differ from silicon, so the ratios are upper bounds.
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
#include <linux/ftrace.h>
#include <linux/log2.h>
#include <linux/vmalloc.h>

#include <memlab/alloc.h>

#include "compat.h"

static unsigned int runs = 5;
module_param(runs, uint, 0444);
MODULE_PARM_DESC(runs, "Runs per figure; the median is reported (default 5)");

static unsigned int carve_mib = 64;
module_param(carve_mib, uint, 0444);
MODULE_PARM_DESC(carve_mib,
		 "MiB of the default pool for memlab and gen_pool, a power of two from 2 to 1024; less when no such block is free (default 64)");

static unsigned int ops = 1000000;
module_param(ops, uint, 0444);
MODULE_PARM_DESC(ops, "Operations per run (default 1000000)");

#define BENCH_MAX_REQ	9		/* the smallest carve-out: an order-9 block */
#define SCALE_MIN_ORDER	(20 - PAGE_SHIFT)	/* the mixes' smallest carve-out: 1 MiB */
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

/*
 * The allocators' calls. The timed loops are built once per allocator with
 * @kind a constant (bench_pairs(), bench_mix()), so that no dispatch per
 * operation adds to anyone's figures.
 */
static __always_inline void *bench_alloc(struct bench *b, unsigned int order,
					 const enum bench_alloc kind)
{
	switch (kind) {
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

static __always_inline void bench_free(struct bench *b, void *addr, unsigned int order,
				       const enum bench_alloc kind)
{
	switch (kind) {
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
static __always_inline u64 pairs_of(struct bench *b, unsigned int order,
				    const enum bench_alloc kind)
{
	u64 t0, t1;
	unsigned int i;

	t0 = ktime_get_ns();
	for (i = 0; i < ops; i++) {
		void *p = bench_alloc(b, order, kind);

		if (!p)
			return 0;
		bench_free(b, p, order, kind);
	}
	t1 = ktime_get_ns();
	return div_u64(t1 - t0, ops);
}

static noinline u64 bench_pairs(struct bench *b, unsigned int order)
{
	switch (b->kind) {
	case B_MEMLAB:
		return pairs_of(b, order, B_MEMLAB);
	case B_PAGES:
		return pairs_of(b, order, B_PAGES);
	default:
		return pairs_of(b, order, B_GENPOOL);
	}
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
static __always_inline u64 mix_of(struct bench *b, struct held *held, unsigned int fill,
				  u32 seed, const enum bench_alloc kind)
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
		p = bench_alloc(b, order, kind);
		if (!p && order)	/* fragmentation: take a page instead */
			p = bench_alloc(b, order = 0, kind);
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

		bench_free(b, held[k].addr, held[k].order, kind);
		p = bench_alloc(b, order, kind);
		if (!p)		/* fragmentation: take a page instead */
			p = bench_alloc(b, order = 0, kind);
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
		bench_free(b, held[nheld].addr, held[nheld].order, kind);
	return ns;
}

static noinline u64 bench_mix(struct bench *b, struct held *held, unsigned int fill, u32 seed)
{
	switch (b->kind) {
	case B_MEMLAB:
		return mix_of(b, held, fill, seed, B_MEMLAB);
	case B_PAGES:
		return mix_of(b, held, fill, seed, B_PAGES);
	default:
		return mix_of(b, held, fill, seed, B_GENPOOL);
	}
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
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%llu.%02llux", div64_u64(other, mine),
			 div64_u64(other * 100, mine) % 100);
}

/* --- calibration: what the primitives cost on this machine ---------- */

enum calib_op {
	C_LOOP, C_PREEMPT, C_CMPXCHG, C_XCHG, C_TRYLOCK, C_IRQ, C_LOCK_IRQ,
	C_CMPXCHG2, C_LOCAL_TRYLOCK, C_NR
};

static const char *const calib_names[C_NR] = {
	[C_LOOP]		= "empty_loop",
	[C_PREEMPT]		= "preempt_disable+enable",
	[C_CMPXCHG]		= "cmpxchg_relaxed",
	[C_XCHG]		= "xchg",
	[C_TRYLOCK]		= "raw_spin_trylock+unlock",
	[C_IRQ]			= "local_irq_save+restore",
	[C_LOCK_IRQ]		= "raw_spin_lock_irqsave+unlock",
	[C_CMPXCHG2]		= MEMLAB_BENCH_CMPXCHG2,
	[C_LOCAL_TRYLOCK]	= "local_trylock+unlock",
};

static DEFINE_RAW_SPINLOCK(calib_lock);
static DEFINE_PER_CPU(struct memlab_bench_pair, calib_pair);

/* One operation; a local @word for the atomics. Return 1 if it failed. */
static __always_inline unsigned int calib_op(const enum calib_op op, unsigned long *word,
					     unsigned long i)
{
	unsigned long flags;

	switch (op) {
	case C_LOOP:
		barrier();
		return 0;
	case C_PREEMPT:
		preempt_disable();
		preempt_enable();
		return 0;
	case C_CMPXCHG:
		return cmpxchg_relaxed(word, i, i + 1) != i;
	case C_XCHG:
		return xchg(word, i + 1) != i;
	case C_TRYLOCK:
		/* Measured by calib_trylock_of() instead. */
		return 1;
	case C_IRQ:
		local_irq_save(flags);
		local_irq_restore(flags);
		return 0;
	case C_LOCK_IRQ:
		raw_spin_lock_irqsave(&calib_lock, flags);
		raw_spin_unlock_irqrestore(&calib_lock, flags);
		return 0;
	case C_CMPXCHG2:
		return !memlab_bench_cmpxchg2(&calib_pair);
	default:
		return !memlab_bench_local_trylock();
	}
}

/* One run of @ops operations: hundredths of a ns per operation. */
static __always_inline u64 calib_of(const enum calib_op op)
{
	unsigned long word = 0, i;
	unsigned int fails = 0;
	u64 t0, t1;

	t0 = ktime_get_ns();
	for (i = 0; i < ops; i++)
		fails += calib_op(op, &word, i);
	t1 = ktime_get_ns();
	/* Only a migration between read and exchange fails one: not the fast path. */
	if (fails > ops / 100)
		return 0;
	return div_u64((t1 - t0) * 100, ops) ?: 1;
}

/*
 * calib_of(C_TRYLOCK), in a loop of its own: sparse cannot follow a
 * trylock through calib_op()'s switch.
 */
static u64 calib_trylock_of(void)
{
	unsigned int fails = 0;
	unsigned long i;
	u64 t0, t1;

	t0 = ktime_get_ns();
	for (i = 0; i < ops; i++) {
		if (raw_spin_trylock(&calib_lock))
			raw_spin_unlock(&calib_lock);
		else
			fails++;
	}
	t1 = ktime_get_ns();
	if (fails > ops / 100)
		return 0;
	return div_u64((t1 - t0) * 100, ops) ?: 1;
}

static u64 calib_run(void *arg, unsigned int k, unsigned int r)
{
	switch (*(enum calib_op *)arg) {
	case C_LOOP:
		return calib_of(C_LOOP);
	case C_PREEMPT:
		return calib_of(C_PREEMPT);
	case C_CMPXCHG:
		return calib_of(C_CMPXCHG);
	case C_XCHG:
		return calib_of(C_XCHG);
	case C_TRYLOCK:
		return calib_trylock_of();
	case C_IRQ:
		return calib_of(C_IRQ);
	case C_LOCK_IRQ:
		return calib_of(C_LOCK_IRQ);
	case C_CMPXCHG2:
		return calib_of(C_CMPXCHG2);
	default:
		return calib_of(C_LOCAL_TRYLOCK);
	}
}

/* Why @op cannot be measured on this kernel, or NULL. */
static const char *calib_na(enum calib_op op)
{
	if (op == C_CMPXCHG2)
		return MEMLAB_BENCH_CMPXCHG2_NA;
	if (op == C_LOCAL_TRYLOCK)
		return MEMLAB_BENCH_LOCAL_TRYLOCK_NA;
	return NULL;
}

/*
 * Measure and print what each primitive costs, timed as the workloads
 * are: ns/op includes the loop, net is ns/op less the empty loop.
 */
static void calibrate(void)
{
	u64 ns[C_NR];
	enum calib_op op;

	for (op = 0; op < C_NR; op++) {
		ns[op] = 0;
		if (!calib_na(op))
			bench_turns(1, calib_run, &op, &ns[op]);
	}
	pr_info("calibration: ns per operation, median of %u runs of %u ops; net = less the empty loop\n",
		runs, ops);
	pr_info("%-28s %9s %9s\n", "primitive", "ns/op", "net");
	for (op = 0; op < C_NR; op++) {
		u64 net = ns[op] > ns[C_LOOP] ? ns[op] - ns[C_LOOP] : 0;

		if (calib_na(op))
			pr_info("%-28s n/a (%s)\n", calib_names[op], calib_na(op));
		else if (!ns[op])
			pr_info("%-28s %9s\n", calib_names[op], "failed");
		else
			pr_info("%-28s %6llu.%02llu %6llu.%02llu\n", calib_names[op],
				div_u64(ns[op], 100), ns[op] % 100, div_u64(net, 100), net % 100);
	}
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

/*
 * As for the page allocators, the timed loops are built once per kind and
 * side, with @kind and @memlab constants.
 */
static __always_inline void *s_alloc(struct sbench *b, const enum slab_kind kind,
				     const bool memlab)
{
	if (kind == S_KMALLOC)
		return memlab ? memlab_kmalloc(b->pool, b->size, GFP_KERNEL) :
				kmalloc(b->size, GFP_KERNEL);
	return memlab ? memlab_cache_alloc(b->mc, GFP_KERNEL) :
			kmem_cache_alloc(b->kc, GFP_KERNEL);
}

static __always_inline void s_free(struct sbench *b, void *p, const enum slab_kind kind,
				   const bool memlab)
{
	if (kind == S_KMALLOC) {
		if (memlab)
			memlab_kfree(b->pool, p);
		else
			kfree(p);
		return;
	}
	if (memlab)
		memlab_cache_free(b->mc, p);
	else
		kmem_cache_free(b->kc, p);
}

/* Allocate @n objects at once: the bulk calls, or one at a time for kmalloc. */
static __always_inline bool s_alloc_batch(struct sbench *b, void **objs, unsigned int n,
					  const enum slab_kind kind, const bool memlab)
{
	unsigned int j;

	/* kmem_cache_alloc_bulk(): the count (6.1, 6.12) or true (7.2); all or nothing. */
	if (kind != S_KMALLOC)
		return memlab ? memlab_cache_alloc_bulk(b->mc, GFP_KERNEL, n, objs) == n :
				kmem_cache_alloc_bulk(b->kc, GFP_KERNEL, n, objs) != 0;
	for (j = 0; j < n; j++) {
		objs[j] = s_alloc(b, kind, memlab);
		if (!objs[j]) {
			while (j--)
				s_free(b, objs[j], kind, memlab);
			return false;
		}
	}
	return true;
}

static __always_inline void s_free_batch(struct sbench *b, void **objs, unsigned int n,
					 const enum slab_kind kind, const bool memlab)
{
	unsigned int j;

	if (kind == S_KMALLOC) {
		for (j = 0; j < n; j++)
			s_free(b, objs[j], kind, memlab);
	} else if (memlab) {
		memlab_cache_free_bulk(b->mc, n, objs);
	} else {
		kmem_cache_free_bulk(b->kc, n, objs);
	}
}

/* One run: ns per object, allocating @batch at a time; 0 on failure. */
static __always_inline u64 s_run_of(struct sbench *b, unsigned int batch,
				    const enum slab_kind kind, const bool memlab)
{
	void *objs[16];
	unsigned int i;
	u64 t0 = ktime_get_ns();

	for (i = 0; i < ops; i += batch) {
		if (batch == 1) {
			objs[0] = s_alloc(b, kind, memlab);
			if (!objs[0])
				return 0;
			s_free(b, objs[0], kind, memlab);
			continue;
		}
		if (!s_alloc_batch(b, objs, batch, kind, memlab))
			return 0;
		s_free_batch(b, objs, batch, kind, memlab);
	}
	return div_u64(ktime_get_ns() - t0, ops);
}

static noinline u64 s_run(struct sbench *b, unsigned int batch)
{
	switch (b->kind) {
	case S_KMALLOC:
		return b->memlab ? s_run_of(b, batch, S_KMALLOC, true) :
				   s_run_of(b, batch, S_KMALLOC, false);
	default:	/* S_CACHE and S_DEBUG differ in the cache's flags only */
		return b->memlab ? s_run_of(b, batch, S_CACHE, true) :
				   s_run_of(b, batch, S_CACHE, false);
	}
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
							      MEMLAB_SLAB_DEBUG : 0, NULL);
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

/* --- function calls per operation, counted with ftrace --------------- */

enum calls_op { K_MEMLAB, K_PAGES, K_MCACHE, K_SLUB, K_NR };

static const char *const calls_names[K_NR] = {
	[K_MEMLAB]	= "memlab_alloc_pages+free",
	[K_PAGES]	= "alloc_pages+__free_pages",
	[K_MCACHE]	= "memlab_cache_alloc+free",
	[K_SLUB]	= "kmem_cache_alloc+free",
};

#define CALLS_OPS	1000

#ifdef CONFIG_FUNCTION_TRACER
/* The task whose calls are counted, and their count: it alone writes. */
static struct task_struct *calls_task;
static unsigned long calls_count;

static void notrace calls_hit(unsigned long ip, unsigned long parent_ip,
			      struct ftrace_ops *op, struct ftrace_regs *fregs)
{
	if (current == READ_ONCE(calls_task) && in_task())
		calls_count++;
}

static struct ftrace_ops calls_ops = {
	.func	= calls_hit,
	.flags	= FTRACE_OPS_FL_RECURSION,
};

/* Count the calls of @task to traceable functions from now on. */
static int calls_start(void)
{
	return register_ftrace_function(&calls_ops);
}

static void calls_stop(void)
{
	unregister_ftrace_function(&calls_ops);
}

static __always_inline void calls_window(struct task_struct *task)
{
	WRITE_ONCE(calls_task, task);
}
#else
static unsigned long calls_count;

static int calls_start(void)
{
	return -EOPNOTSUPP;
}

static void calls_stop(void)
{
}

static __always_inline void calls_window(struct task_struct *task)
{
}
#endif

/* One order-0 or 64-byte allocation and its free; false on failure. */
static __always_inline bool calls_op(const enum calls_op op, struct bench *b, struct sbench *s)
{
	void *p;

	switch (op) {
	case K_MEMLAB:
		p = bench_alloc(b, 0, B_MEMLAB);
		if (p)
			bench_free(b, p, 0, B_MEMLAB);
		break;
	case K_PAGES:
		p = bench_alloc(b, 0, B_PAGES);
		if (p)
			bench_free(b, p, 0, B_PAGES);
		break;
	case K_MCACHE:
		p = s_alloc(s, S_CACHE, true);
		if (p)
			s_free(s, p, S_CACHE, true);
		break;
	default:
		p = s_alloc(s, S_CACHE, false);
		if (p)
			s_free(s, p, S_CACHE, false);
		break;
	}
	return p;
}

/*
 * Hundredths of a call per operation over CALLS_OPS operations, after as
 * many to warm the caches up; 0 on failure. Only the allocators' own calls
 * fall in the window: everything else here is inlined.
 */
static noinline u64 calls_of(const enum calls_op op, struct bench *b, struct sbench *s)
{
	unsigned int i, fails = 0;

	for (i = 0; i < CALLS_OPS; i++)
		fails += !calls_op(op, b, s);
	calls_count = 0;
	calls_window(current);
	for (i = 0; i < CALLS_OPS; i++)
		fails += !calls_op(op, b, s);
	calls_window(NULL);
	return fails ? 0 : div_u64((u64)calls_count * 100, CALLS_OPS);
}

/*
 * Count the calls each allocator's fast path makes, per order-0 or 64-byte
 * allocation and free, into @calls. Return 0, or why they cannot be counted.
 */
static int count_calls(struct memlab_pool *pool, u64 *calls)
{
	struct bench b = { .pool = pool };
	struct sbench s = { .pool = pool, .kind = S_CACHE, .size = 64 };
	int ret;

	s.mc = memlab_cache_create(pool, "bench-calls", 64, 0, 0, NULL);
	if (IS_ERR(s.mc))
		return PTR_ERR(s.mc);
	s.kc = kmem_cache_create("memlab_bench_calls", 64, 0, 0, NULL);
	if (!s.kc) {
		memlab_cache_destroy(s.mc);
		return -ENOMEM;
	}
	ret = calls_start();
	if (!ret) {
		calls[K_MEMLAB] = calls_of(K_MEMLAB, &b, &s);
		calls[K_PAGES] = calls_of(K_PAGES, &b, &s);
		calls[K_MCACHE] = calls_of(K_MCACHE, &b, &s);
		calls[K_SLUB] = calls_of(K_SLUB, &b, &s);
		calls_stop();
	}
	kmem_cache_destroy(s.kc);
	memlab_cache_destroy(s.mc);
	return ret;
}

static void print_calls(int err, const u64 *calls)
{
	enum calls_op op;

	pr_info("function calls per alloc+free (order 0, 64 bytes), counted by ftrace over %u ops\n",
		CALLS_OPS);
	pr_info("%-28s %9s\n", "operation", "calls");
	for (op = 0; op < K_NR; op++) {
		if (err == -EOPNOTSUPP)
			pr_info("%-28s n/a (no function tracer in this kernel)\n", calls_names[op]);
		else if (err)
			pr_info("%-28s n/a (%pe)\n", calls_names[op], ERR_PTR(err));
		else if (!calls[op])
			pr_info("%-28s %9s\n", calls_names[op], "failed");
		else
			pr_info("%-28s %6llu.%02llu\n", calls_names[op],
				div_u64(calls[op], 100), calls[op] % 100);
	}
}

/* The carve-out: a block of the default pool. */
struct carve {
	struct memlab_pool *from;
	void *base;
	phys_addr_t phys;
	unsigned int order;
};

/*
 * Take the largest block of the default pool of at most carve_mib MiB and
 * at least order BENCH_MAX_REQ.
 */
static int carve_take(struct carve *cv)
{
	int order = ilog2(carve_mib) + 20 - PAGE_SHIFT;

	cv->from = memlab_default_pool();
	if (!cv->from)
		return -ENODEV;
	for (; order >= BENCH_MAX_REQ; order--) {
		cv->base = memlab_alloc_pages(cv->from, order, __GFP_NOWARN);
		if (cv->base) {
			cv->order = order;
			cv->phys = memlab_block_phys(cv->from, cv->base);
			return 0;
		}
	}
	return -ENOSPC;
}

/*
 * memlab (@mb) and gen_pool (@gb) over the first 2^@order pages of the
 * carve-out. Only one of them uses the memory at a time.
 */
static int bench_pools(struct bench *mb, struct bench *gb, const struct carve *cv,
		       unsigned int order, const char *name)
{
	size_t size = PAGE_SIZE << order;
	struct memlab_pool *pool;

	mb->pages = 1U << order;
	gb->pages = 1U << order;
	pool = memlab_pool_create(name, cv->base, cv->phys, size);
	if (IS_ERR(pool))
		return PTR_ERR(pool);
	mb->pool = pool;
	gb->gp = gen_pool_create(PAGE_SHIFT, NUMA_NO_NODE);
	if (!gb->gp ||
	    gen_pool_add_virt(gb->gp, (unsigned long)cv->base, cv->phys, size, NUMA_NO_NODE))
		return -ENOMEM;
	return 0;
}

/* Undo bench_pools(): -EBUSY when memlab's pool still has blocks allocated. */
static int bench_pools_destroy(struct bench *mb, struct bench *gb)
{
	int ret = 0;

	if (gb->gp)
		gen_pool_destroy(gb->gp);
	gb->gp = NULL;
	if (mb->pool && memlab_pool_destroy(mb->pool))
		ret = -EBUSY;	/* the pool's reports show what */
	mb->pool = NULL;
	return ret;
}

/* The carve-out orders of the mixes by size: 1/16, 1/4 and all of it. */
#define NR_SCALE	3

/*
 * Both mixes, memlab and gen_pool, over the first 2^@order pages of the
 * carve-out: res[0] memlab, res[1] gen_pool; [f] the 50% and 90% fills.
 */
static int bench_scale(const struct carve *cv, unsigned int order, struct held *held,
		       u64 res[2][2])
{
	struct bench bs[2] = { { .kind = B_MEMLAB }, { .kind = B_GENPOOL } };
	unsigned int f;
	int ret, ret2;

	ret = bench_pools(&bs[0], &bs[1], cv, order, "bench-scale");
	for (f = 0; !ret && f < 2; f++) {
		u64 out[2];

		bench_row(bs, 2, held, BENCH_MAX_REQ + 1 + f, out);
		res[0][f] = out[0];
		res[1][f] = out[1];
	}
	ret2 = bench_pools_destroy(&bs[0], &bs[1]);
	return ret2 ?: ret;
}

static void print_scale(const unsigned int *order, u64 res[NR_SCALE][2][2])
{
	unsigned int i;

	pr_info("the mixes by carve-out size, ns/op; flat = mix90%%/mix50%%; ratio = gen_pool/memlab\n");
	pr_info("%-11s %8s %8s %6s %10s %10s %6s %9s %9s\n", "carve-out", "memlab50",
		"memlab90", "flat", "gen_pool50", "gen_pool90", "flat", "vs_gen50", "vs_gen90");
	for (i = 0; i < NR_SCALE; i++) {
		char name[24], fm[16], fg[16], r50[16], r90[16];

		if (!order[i])
			continue;
		snprintf(name, sizeof(name), "mixes%uMiB",
			 (unsigned int)((PAGE_SIZE << order[i]) >> 20));
		print_ratio(fm, sizeof(fm), res[i][0][1], res[i][0][0]);
		print_ratio(fg, sizeof(fg), res[i][1][1], res[i][1][0]);
		print_ratio(r50, sizeof(r50), res[i][1][0], res[i][0][0]);
		print_ratio(r90, sizeof(r90), res[i][1][1], res[i][0][1]);
		pr_info("%-11s %8llu %8llu %6s %10llu %10llu %6s %9s %9s\n", name,
			res[i][0][0], res[i][0][1], fm, res[i][1][0], res[i][1][1], fg, r50, r90);
	}
}

/* Everything one load measures, printed at the end in one piece. */
struct bench_results {
	u64 pages[B_NR][NR_WORK];		/* ns/op per allocator and workload */
	unsigned int scale_order[NR_SCALE];	/* 0: that size was not measured */
	u64 scale[NR_SCALE][2][2];
	u64 slab[2][NR_SLAB_WORK];
	u64 calls[K_NR];
	int calls_err;
};

static struct bench_results bench_results;

static bool bench_params_ok(void)
{
	if (runs < 1 || runs > RUNS_MAX || !ops || !is_power_of_2(carve_mib) ||
	    carve_mib > 1024 || ((u64)carve_mib << 20) < (PAGE_SIZE << BENCH_MAX_REQ)) {
		pr_err("runs is 1 to %u, ops at least 1, carve_mib a power of two from %lu to 1024\n",
		       RUNS_MAX, (PAGE_SIZE << BENCH_MAX_REQ) >> 20);
		return false;
	}
	return true;
}

static int bench_carve(struct carve *cv)
{
	int ret = carve_take(cv);

	if (ret) {
		pr_err("no carve-out of at least %lu KiB in the default pool: %pe\n",
		       (PAGE_SIZE << BENCH_MAX_REQ) >> 10, ERR_PTR(ret));
		return ret;
	}
	pr_info("carve-out: %lu MiB of the default pool at %pa%s\n",
		(PAGE_SIZE << cv->order) >> 20, &cv->phys,
		(PAGE_SIZE << cv->order) >> 20 < carve_mib ? " (no larger block free)" : "");
	return 0;
}

/*
 * Every workload on the three page allocators over the whole carve-out,
 * then the slab layer and the call counts on memlab's pool. A slab
 * workload that fails prints 0 and is returned; the rest goes on.
 */
static int bench_with_pools(struct bench *bs, struct held *held, struct bench_results *r)
{
	unsigned int w, k;
	int ret;

	for (w = 0; w < NR_WORK; w++) {
		u64 out[B_NR];

		bench_row(bs, B_NR, held, w, out);
		for (k = 0; k < B_NR; k++)
			r->pages[k][w] = out[k];
	}
	pr_info("page allocators measured\n");
	ret = bench_slab(bs[B_MEMLAB].pool, r->slab);
	pr_info("slab layer measured\n");
	r->calls_err = count_calls(bs[B_MEMLAB].pool, r->calls);
	return ret;
}

/*
 * The mixes over 1/16 and 1/4 of the carve-out (the whole of it was
 * measured with the pools). -EBUSY at once when a pool cannot go,
 * otherwise the first error.
 */
static int bench_scaling(const struct carve *cv, struct held *held, struct bench_results *r)
{
	unsigned int i, k;
	int ret = 0, err;

	for (i = 0; i < NR_SCALE; i++) {
		unsigned int order = cv->order - 2 * (NR_SCALE - 1 - i);

		if (order < SCALE_MIN_ORDER || order > cv->order)
			continue;
		r->scale_order[i] = order;
		if (i == NR_SCALE - 1) {
			for (k = 0; k < 2; k++) {
				r->scale[i][0][k] = r->pages[B_MEMLAB][BENCH_MAX_REQ + 1 + k];
				r->scale[i][1][k] = r->pages[B_GENPOOL][BENCH_MAX_REQ + 1 + k];
			}
			continue;
		}
		err = bench_scale(cv, order, held, r->scale[i]);
		if (err == -EBUSY)
			return err;
		ret = ret ?: err;
	}
	return ret;
}

static void print_pages(u64 res[B_NR][NR_WORK])
{
	unsigned int w;

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
}

static void print_results(struct bench_results *r)
{
	print_calls(r->calls_err, r->calls);
	print_pages(r->pages);
	print_scale(r->scale_order, r->scale);
	pr_info("slab layer: ns per object, median of %u runs of %u objects; ratio = slub/memlab\n",
		runs, ops);
	print_slab(r->slab);
	pr_info("done\n");
}

static int __init memlab_bench_init(void)
{
	struct bench bs[B_NR] = {
		[B_MEMLAB] = { .kind = B_MEMLAB },
		[B_PAGES] = { .kind = B_PAGES },
		[B_GENPOOL] = { .kind = B_GENPOOL },
	};
	struct bench_results *r = &bench_results;
	struct held *held = NULL;
	struct carve cv;
	int ret, err;

	if (!bench_params_ok())
		return -EINVAL;
	calibrate();
	ret = bench_carve(&cv);
	if (ret)
		return ret;
	memset(r, 0, sizeof(*r));
	held = kvcalloc(1U << cv.order, sizeof(*held), GFP_KERNEL);
	mix_steps = vmalloc(array_size(ops, sizeof(*mix_steps)));
	if (!held || !mix_steps) {
		ret = -ENOMEM;
		goto out;
	}
	ret = bench_pools(&bs[B_MEMLAB], &bs[B_GENPOOL], &cv, cv.order, "bench");
	if (ret)
		goto out_pools;
	bs[B_PAGES].pages = 1U << cv.order;
	ret = bench_with_pools(bs, held, r);
	err = bench_pools_destroy(&bs[B_MEMLAB], &bs[B_GENPOOL]);
	if (err)
		goto out_busy;
	err = bench_scaling(&cv, held, r);
	if (err == -EBUSY)
		goto out_busy;
	ret = ret ?: err;
	print_results(r);
	goto out;
out_pools:
	err = bench_pools_destroy(&bs[B_MEMLAB], &bs[B_GENPOOL]);
	if (!err)
		goto out;
out_busy:
	/* Something is still allocated: the carve-out cannot go back. */
	pr_err("a pool over the carve-out still has blocks allocated\n");
	cv.base = NULL;
	ret = err;
out:
	if (cv.base)
		memlab_free_pages(cv.from, cv.base, cv.order);
	kvfree(held);
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
