/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_bench's differences between kernels: the per-CPU primitives of
 * SLUB's fast paths, for the calibration table.
 *
 * Up to 6.x SLUB allocates and frees with one per-CPU double-word
 * compare-and-exchange on (freelist, transaction id): this_cpu_cmpxchg128()
 * where the kernel has system_has_cmpxchg128() (6.6 on), and
 * this_cpu_cmpxchg_double() before. Its per-CPU sheaves take a
 * local_trylock_t instead, the only fast path once they replaced the CPU
 * slabs. Each helper returns whether its operation succeeded.
 */
#ifndef MEMLAB_BENCH_COMPAT_H
#define MEMLAB_BENCH_COMPAT_H

#include <linux/local_lock.h>
#include <linux/percpu.h>
#include <linux/types.h>

#if defined(CONFIG_64BIT) && defined(system_has_cmpxchg128)

#define MEMLAB_BENCH_CMPXCHG2	"this_cpu_cmpxchg128"
#define MEMLAB_BENCH_CMPXCHG2_NA \
	(system_has_cmpxchg128() ? NULL : "the CPU has no 128-bit cmpxchg")

struct memlab_bench_pair {
	u128 full;
};

static __always_inline bool memlab_bench_cmpxchg2(struct memlab_bench_pair __percpu *p)
{
	u128 old = raw_cpu_ptr(p)->full;

	return this_cpu_cmpxchg128(p->full, old, old + 1) == old;
}

#elif defined(system_has_cmpxchg_double) && !defined(CONFIG_X86)
/* x86's this_cpu_cmpxchg_double() falls back on a helper modules cannot call. */

#define MEMLAB_BENCH_CMPXCHG2	"this_cpu_cmpxchg_double"
#define MEMLAB_BENCH_CMPXCHG2_NA \
	(system_has_cmpxchg_double() ? NULL : "the CPU has no double-word cmpxchg")

struct memlab_bench_pair {
	unsigned long lo;
	unsigned long hi;
} __aligned(2 * sizeof(unsigned long));

static __always_inline bool memlab_bench_cmpxchg2(struct memlab_bench_pair __percpu *p)
{
	struct memlab_bench_pair *r = raw_cpu_ptr(p);
	unsigned long lo = READ_ONCE(r->lo), hi = READ_ONCE(r->hi);

	return this_cpu_cmpxchg_double(p->lo, p->hi, lo, hi, lo + 1, hi);
}

#else

#define MEMLAB_BENCH_CMPXCHG2	"this_cpu_cmpxchg128"
#define MEMLAB_BENCH_CMPXCHG2_NA "no per-CPU double-word cmpxchg a module can use here"

struct memlab_bench_pair {
	unsigned long lo;
};

static __always_inline bool memlab_bench_cmpxchg2(struct memlab_bench_pair __percpu *p)
{
	return false;
}

#endif

#ifdef INIT_LOCAL_TRYLOCK

#define MEMLAB_BENCH_LOCAL_TRYLOCK_NA	NULL

static DEFINE_PER_CPU(local_trylock_t, memlab_bench_tl) = INIT_LOCAL_TRYLOCK(memlab_bench_tl);

static __always_inline bool memlab_bench_local_trylock(void)
{
	if (!local_trylock(&memlab_bench_tl))
		return false;
	local_unlock(&memlab_bench_tl);
	return true;
}

#else

#define MEMLAB_BENCH_LOCAL_TRYLOCK_NA	"this kernel has no local_trylock_t"

static __always_inline bool memlab_bench_local_trylock(void)
{
	return false;
}

#endif

#endif
