/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace shim of one CPU for pcpu_stack.h: a thread is the CPU, a
 * signal delivered to it is an interrupt, and masking interrupts blocks
 * the signals. Raw spinlocks are C11 atomics; drains from other threads
 * are remote CPUs.
 */
#ifndef MEMLAB_SHIM_CPU_H
#define MEMLAB_SHIM_CPU_H
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define __percpu
#define __acquire(x) ((void)0)
#define __release(x) ((void)0)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define IS_ENABLED(opt) 1
#define cpu_relax() __asm__ __volatile__("" ::: "memory")

/* Set by the test's signal handler while it runs: not task context. */
extern _Thread_local int shim_in_irq;
#define in_task() (!shim_in_irq)
#define smp_processor_id() 0
#define preempt_disable() do { } while (0)
#define preempt_enable() do { } while (0)
/* One CPU's copy: each test thread owns the stack it is handed. */
#define this_cpu_ptr(p) (p)

static inline unsigned long shim_irq_save(void)
{
	sigset_t all, old;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	return sigismember(&old, SIGALRM) ? 1 : 0;
}

static inline void shim_irq_restore(unsigned long flags)
{
	sigset_t set;

	if (flags)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

#define local_irq_save(flags) ((flags) = shim_irq_save())
#define local_irq_restore(flags) shim_irq_restore(flags)

typedef struct {
	atomic_int v;
} raw_spinlock_t;

static inline void raw_spin_lock_init(raw_spinlock_t *l)
{
	atomic_init(&l->v, 0);
}

static inline bool raw_spin_trylock(raw_spinlock_t *l)
{
	int zero = 0;

	return atomic_compare_exchange_strong_explicit(&l->v, &zero, 1, memory_order_acquire,
						       memory_order_relaxed);
}

static inline void raw_spin_lock(raw_spinlock_t *l)
{
	while (!raw_spin_trylock(l))
		cpu_relax();
}

static inline void raw_spin_unlock(raw_spinlock_t *l)
{
	atomic_store_explicit(&l->v, 0, memory_order_release);
}
#endif
