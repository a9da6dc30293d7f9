// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host-side test of the per-CPU stacks (modules/alloc/pcpu_stack.h) with
 * signals standing in for interrupts: the header is compiled as it is
 * against shim/cpu.h, where the owning thread is the CPU and a signal
 * delivered to it is a hard interrupt.
 *
 * Tokens 1..N each have one place: the shared pool (a locked list that
 * masks signals, the allocator's slow path), the stack, or a holder.
 * The owner thread allocates and frees tokens through the stack's fast
 * paths while a timer signal aimed at it does net allocations and net
 * frees through the same paths, and a drainer thread empties the stack
 * from outside now and then. Every token handed out is marked; one handed
 * out twice, or freed unmarked, is counted; at the end every token must be
 * in the pool exactly once. Prints TAP.
 * Usage: pcs_test [seed] [milliseconds]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pcpu_stack.h"
#include "tap.h"

#define NR_TOKENS	256
#define KEEP		24
#define CAP		MEMLAB_PCS_SLOTS

_Thread_local int shim_in_irq;

static struct memlab_pcs stack;
static atomic_int owned[NR_TOKENS + 1];
static atomic_long dups, bad_frees, irqs, drains;
static atomic_bool stop;

/* The slow path: a locked list of free tokens, taken with signals masked. */
static raw_spinlock_t pool_lock;
static unsigned long pool[NR_TOKENS];
static unsigned int pool_n;

static unsigned long pool_take(void)
{
	unsigned long flags, v = 0;

	local_irq_save(flags);
	raw_spin_lock(&pool_lock);
	if (pool_n)
		v = pool[--pool_n];
	raw_spin_unlock(&pool_lock);
	local_irq_restore(flags);
	return v;
}

static void pool_put(const unsigned long *v, unsigned int n)
{
	unsigned long flags;

	local_irq_save(flags);
	raw_spin_lock(&pool_lock);
	while (n--) {
		if (pool_n == NR_TOKENS)
			atomic_fetch_add(&dups, 1);	/* more tokens than exist */
		else
			pool[pool_n++] = v[n];
	}
	raw_spin_unlock(&pool_lock);
	local_irq_restore(flags);
}

/* As memlab_pcp_alloc(): the stack, else the pool. */
static unsigned long token_alloc(void)
{
	unsigned long v = 0, flags;
	struct memlab_pcs *s;
	bool hit = false;

	s = memlab_pcs_get(&stack, &flags);
	if (s) {
		hit = memlab_pcs_pop1(s, &v);
		memlab_pcs_put(s, flags);
	}
	if (!hit)
		v = pool_take();
	if (v && atomic_exchange(&owned[v], 1)) {
		atomic_fetch_add(&dups, 1);
		return 0;		/* its other owner frees it */
	}
	return v;
}

/* As memlab_pcp_free(): the stack, else the pool. */
static void token_free(unsigned long v)
{
	unsigned long flags;
	struct memlab_pcs *s;
	bool pushed = false;

	if (!atomic_exchange(&owned[v], 0))
		atomic_fetch_add(&bad_frees, 1);
	s = memlab_pcs_get(&stack, &flags);
	if (s) {
		pushed = memlab_pcs_push1(s, v, CAP);
		memlab_pcs_put(s, flags);
	}
	if (!pushed)
		pool_put(&v, 1);
}

static unsigned long irq_held[KEEP];
static unsigned int irq_nr;
static unsigned int irq_seed;

static void on_timer(int sig)
{
	unsigned int r = rand_r(&irq_seed), n = 1 + (r & 3), i;
	unsigned long v;

	(void)sig;
	shim_in_irq = 1;
	atomic_fetch_add(&irqs, 1);
	if (r & 4) {
		for (i = 0; i < n && irq_nr < KEEP; i++) {
			v = token_alloc();
			if (v)
				irq_held[irq_nr++] = v;
		}
	} else {
		for (i = 0; i < n && irq_nr; i++)
			token_free(irq_held[--irq_nr]);
	}
	shim_in_irq = 0;
}

static void *drainer(void *arg)
{
	unsigned long vals[MEMLAB_PCS_SLOTS];
	unsigned int n;

	(void)arg;
	while (!atomic_load(&stop)) {
		n = memlab_pcs_take_all(&stack, vals);
		pool_put(vals, n);
		atomic_fetch_add(&drains, 1);
		usleep(200);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned int seed = argc > 1 ? strtoul(argv[1], NULL, 0) : (unsigned int)time(NULL);
	long ms = argc > 2 ? strtol(argv[2], NULL, 0) : 2000;
	unsigned long held[KEEP], vals[MEMLAB_PCS_SLOTS], ops = 0, flags;
	struct sigevent sev = { 0 };
	struct itimerspec its = { 0 };
	struct timespec t0, t;
	unsigned int nr = 0, i, n, r;
	struct sigaction sa = { 0 };
	pthread_t drain;
	timer_t timer;
	int seen[NR_TOKENS + 1] = { 0 }, bad = 0;

	tap_begin();
	tap_diag("seed %u (replay with: pcs_test %u %ld)", seed, seed, ms);
	srand(seed);
	irq_seed = seed ^ 0x9e3779b9;
	raw_spin_lock_init(&pool_lock);
	memlab_pcs_init(&stack);
	for (i = 1; i <= NR_TOKENS; i++)
		pool[pool_n++] = i;

	sa.sa_handler = on_timer;
	sigfillset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev._sigev_un._tid = syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer)) {
		perror("timer_create");
		return 1;
	}
	its.it_value.tv_nsec = 20000;
	its.it_interval.tv_nsec = 50000;
	timer_settime(timer, 0, &its, NULL);
	pthread_create(&drain, NULL, drainer, NULL);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (i = 0; i < 100; i++, ops++) {
			r = rand();
			if ((r & 1) && nr < KEEP) {
				held[nr] = token_alloc();
				nr += !!held[nr];
			} else if (nr) {
				n = (r >> 1) % nr;
				token_free(held[n]);
				held[n] = held[--nr];
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);

	its.it_value.tv_nsec = 0;
	its.it_interval.tv_nsec = 0;
	timer_settime(timer, 0, &its, NULL);
	atomic_store(&stop, true);
	pthread_join(drain, NULL);
	local_irq_save(flags);
	while (nr)
		token_free(held[--nr]);
	while (irq_nr)
		token_free(irq_held[--irq_nr]);
	n = memlab_pcs_take_all(&stack, vals);
	pool_put(vals, n);
	local_irq_restore(flags);

	tap_diag("%lu operations, %ld interrupts, %ld drains", ops, atomic_load(&irqs),
		 atomic_load(&drains));
	tap_ok(atomic_load(&irqs) > 100, "the timer interrupted the owner (%ld times)",
	       atomic_load(&irqs));
	tap_ok(atomic_load(&dups) == 0, "no token handed out twice (%ld were)",
	       atomic_load(&dups));
	tap_ok(atomic_load(&bad_frees) == 0, "no token freed while free (%ld were)",
	       atomic_load(&bad_frees));
	for (i = 0; i < pool_n; i++)
		if (pool[i] < 1 || pool[i] > NR_TOKENS || seen[pool[i]]++)
			bad++;
	tap_ok(pool_n == NR_TOKENS && !bad, "every token back in the pool once (%u of %d, %d bad)",
	       pool_n, NR_TOKENS, bad);
	return tap_done();
}
