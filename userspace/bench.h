/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What bench.c shares with bench_rows.c: timing, and memlab buffers mapped
 * for a benchmark.
 */
#ifndef MEMLABCTL_BENCH_H
#define MEMLABCTL_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include <memlab.h>

#define BENCH_RUNS_MAX	16

/* CLOCK_MONOTONIC in ns. */
uint64_t now_ns(void);

/* The median of @n values; sorts @v. */
uint64_t median(uint64_t *v, int n);

/* MB/s of @bytes in @ns; 0 for 0 ns. */
double mbps(size_t bytes, uint64_t ns);

/* A private buffer and its mapping. */
struct bench_map {
	struct memlab_allocation_data a;
	volatile uint64_t *p;
};

/*
 * A private buffer of @size with @flags, mapped at @at (NULL: where the
 * kernel likes). 0, or -errno (then nothing is left allocated).
 */
int bench_map_at(int fd, size_t size, uint32_t flags, void *at, struct bench_map *m);

/* Unmap and free what bench_map_at() gave. */
void bench_unmap(int fd, size_t size, struct bench_map *m);

/* Issue 15's rows (bench_rows.c) on @size bytes: 0, or the exit status. */
int bench_issue15(int fd, size_t size, size_t pg, int runs);

#endif
