// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl bench: /dev/memlab's mappings against anonymous memory, in one
 * process: the first-touch and bandwidth table, then issue 15's rows
 * (bench_rows.c). docs/benchmarks.rst describes every row.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <memlab.h>

#include "bench.h"
#include "memlabctl.h"

static const char bench_help[] =
	"usage: memlabctl bench [-s SIZE] [-r RUNS]\n"
	"Compare /dev/memlab with anonymous memory, median of RUNS (default 5), on\n"
	"SIZE bytes (default 64M, at most the largest block and the quotas allow):\n"
	"- mmap plus first touch against anonymous mmap with and without\n"
	"  MAP_POPULATE, and sequential 64-bit read and write bandwidth through a\n"
	"  cached mapping against anonymous memory, with write-combine and\n"
	"  non-cached beside it;\n"
	"- first touch through each mapping kind, random 4-byte reads through\n"
	"  mappings that can have 4K, 64K and 2M entries, and O_DIRECT reads of a\n"
	"  loop device into a page-backed mapping, each against anonymous memory\n"
	"  with THP off and on, beside the goal and whether it is met. The page\n"
	"  sizes are memlab_pt's walk's (root, memlab_pt loaded).\n"
	"Ratios above 1 favour memlab.\n";

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t median(uint64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* Volatile 64-bit accesses: the same code for every mode, fine on Device memory. */
static uint64_t seq_write(volatile uint64_t *p, size_t bytes)
{
	uint64_t t = now_ns();
	size_t i;

	for (i = 0; i < bytes / 8; i++)
		p[i] = i;
	return now_ns() - t;
}

static uint64_t seq_read(volatile uint64_t *p, size_t bytes, uint64_t *sum)
{
	uint64_t t = now_ns(), s = 0;
	size_t i;

	for (i = 0; i < bytes / 8; i++)
		s += p[i];
	*sum += s;
	return now_ns() - t;
}

/*
 * A private buffer of @size with @flags, mapped at @at (NULL: where the
 * kernel likes). 0, or -errno (then nothing is left allocated).
 */
int bench_map_at(int fd, size_t size, uint32_t flags, void *at, struct bench_map *m)
{
	struct memlab_free f = { .size = sizeof(f) };
	int ret;

	memset(&m->a, 0, sizeof(m->a));
	m->a.size = sizeof(m->a);
	m->a.length = size;
	m->a.flags = flags;
	if (ioctl(fd, MEMLAB_IOC_ALLOC, &m->a))
		return -errno;
	m->p = mmap(at, size, PROT_READ | PROT_WRITE, MAP_SHARED | (at ? MAP_FIXED_NOREPLACE : 0),
		    fd, m->a.mmap_offset);
	if (m->p != MAP_FAILED && (!at || (void *)m->p == at))
		return 0;
	ret = m->p == MAP_FAILED ? -errno : -EEXIST;
	if (m->p != MAP_FAILED)
		munmap((void *)m->p, size);
	f.handle = m->a.handle;
	ioctl(fd, MEMLAB_IOC_FREE, &f);
	return ret;
}

static int bench_map(int fd, size_t size, uint32_t mode, struct bench_map *m)
{
	return bench_map_at(fd, size, mode, NULL, m);
}

void bench_unmap(int fd, size_t size, struct bench_map *m)
{
	struct memlab_free f = { .size = sizeof(f), .handle = m->a.handle };

	munmap((void *)m->p, size);
	ioctl(fd, MEMLAB_IOC_FREE, &f);
}

double mbps(size_t bytes, uint64_t ns)
{
	return ns ? bytes * 1e3 / ns : 0;
}

#define BENCH_MODES	4	/* anonymous, then memlab's three cache modes */

/* What bench measures, in ns, a run an entry: each printed as the median. */
struct bench_times {
	uint64_t memlab[BENCH_RUNS_MAX];	/* ALLOC + mmap + first touch */
	uint64_t ioctl[BENCH_RUNS_MAX];		/* MEMLAB_IOC_ALLOC (zeroing) */
	uint64_t mmap[BENCH_RUNS_MAX];
	uint64_t anon[BENCH_RUNS_MAX];		/* anonymous mmap + first touch */
	uint64_t populate[BENCH_RUNS_MAX];	/* the same, MAP_POPULATE */
	uint64_t write[BENCH_MODES][BENCH_RUNS_MAX];
	uint64_t read[BENCH_MODES][BENCH_RUNS_MAX];
	uint64_t sum;				/* of what was read, so it is read */
};

/* -1 to go on, otherwise the exit status. */
static int bench_options(int argc, char **argv, long long *want, int *runs)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "size", required_argument, NULL, 's' },
		{ "runs", required_argument, NULL, 'r' },
		{ }
	};
	int c;

	while ((c = getopt_long(argc, argv, "hs:r:", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(bench_help, stdout);
			return 0;
		} else if (c == 's') {
			*want = parse_size(optarg);
			if (*want <= 0)
				return usage_error("bad size '%s'", optarg);
		} else if (c == 'r') {
			*runs = atoi(optarg);
			if (*runs < 1 || *runs > BENCH_RUNS_MAX)
				return usage_error("runs must be 1..16");
		} else {
			return usage_error("bad option");
		}
	}
	if (optind != argc)
		return usage_error("bench takes no operands");
	return -1;
}

/*
 * The size to measure: @want, within the largest block and the quotas,
 * rounded down to a power of two pages (one block, no rounding), halved
 * until a block of it is free. 0, or the exit status.
 */
static int bench_size(int fd, const struct memlab_info *in, long long want, size_t *sizep)
{
	size_t pg = in->page_size, size = want, off;
	int ret;

	if (size > pg << in->max_order)
		size = pg << in->max_order;
	if (size > in->quota_open_bytes)
		size = in->quota_open_bytes;
	if (size > in->quota_global_bytes - in->used_global_bytes)
		size = in->quota_global_bytes - in->used_global_bytes;
	for (off = pg; off * 2 <= size; off *= 2)
		;
	size = off;
	for (;;) {
		struct bench_map m;

		ret = bench_map(fd, size, MEMLAB_CACHE_CACHED, &m);
		if (!ret) {
			bench_unmap(fd, size, &m);
			break;
		}
		if (ret != -ENOMEM || size == pg)
			return fail("MEMLAB_IOC_ALLOC and mmap", -ret);
		size /= 2;
	}
	*sizep = size;
	return 0;
}

/* One run of mmap + first touch: memlab, anonymous, anonymous populated. */
static int bench_first_touch(int fd, size_t size, size_t pg, struct bench_times *t, int i)
{
	struct bench_map m;
	volatile uint64_t *p;
	uint64_t t0;
	size_t off;

	t0 = now_ns();
	memset(&m.a, 0, sizeof(m.a));
	m.a.size = sizeof(m.a);
	m.a.length = size;
	if (ioctl(fd, MEMLAB_IOC_ALLOC, &m.a))
		return fail("MEMLAB_IOC_ALLOC", errno);
	t->ioctl[i] = now_ns() - t0;
	m.p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.a.mmap_offset);
	if (m.p == MAP_FAILED)
		return fail("mmap", errno);
	t->mmap[i] = now_ns() - t0 - t->ioctl[i];
	for (off = 0; off < size; off += pg)
		m.p[off / 8] = off;
	t->memlab[i] = now_ns() - t0;
	bench_unmap(fd, size, &m);

	t0 = now_ns();
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return fail("mmap anonymous", errno);
	for (off = 0; off < size; off += pg)
		p[off / 8] = off;
	t->anon[i] = now_ns() - t0;
	munmap((void *)p, size);

	t0 = now_ns();
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return fail("mmap anonymous", errno);
	for (off = 0; off < size; off += pg)
		p[off / 8] = off;
	t->populate[i] = now_ns() - t0;
	munmap((void *)p, size);
	return 0;
}

/* Sequential write and read, @runs times, through mapping mode @k. */
static int bench_bandwidth(int fd, size_t size, int runs, struct bench_times *t, int k)
{
	struct bench_map m;
	int i, ret;

	if (k == 0) {
		m.p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (m.p == MAP_FAILED)
			return fail("mmap anonymous", errno);
	} else {
		ret = bench_map(fd, size, k - 1, &m);
		if (ret)
			return fail("MEMLAB_IOC_ALLOC and mmap", -ret);
	}
	seq_write(m.p, size);	/* warm up: every page present */
	for (i = 0; i < runs; i++) {
		t->write[k][i] = seq_write(m.p, size);
		t->read[k][i] = seq_read(m.p, size, &t->sum);
	}
	if (k == 0)
		munmap((void *)m.p, size);
	else
		bench_unmap(fd, size, &m);
	return 0;
}

static void bench_print_thp(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char thp[128];

	if (f && fgets(thp, sizeof(thp), f))
		printf("anonymous memory: transparent huge pages %s", thp);
	if (f)
		fclose(f);
}

static void bench_report(size_t size, int runs, struct bench_times *t)
{
	static const char *const mode_name[BENCH_MODES] = {
		"anonymous", "memlab cached", "memlab wc", "memlab uncached"
	};
	uint64_t ml = median(t->memlab, runs), anon = median(t->anon, runs);
	uint64_t pop = median(t->populate, runs);
	uint64_t ioc = median(t->ioctl, runs), map = median(t->mmap, runs);
	double wa = mbps(size, median(t->write[0], runs));
	double ra = mbps(size, median(t->read[0], runs));
	char b[32];
	int k;

	printf("memlabctl bench: %s, median of %d runs (checksum %llx)\n",
	       human(size, b, sizeof(b)), runs, (unsigned long long)(t->sum & 0xffff));
	bench_print_thp();
	printf("%-34s %12s %12s %8s\n", "mmap + first touch", "us", "memlab us", "ratio");
	printf("%-34s %12.1f %12.1f %8.2f\n", "anonymous", anon / 1e3, ml / 1e3,
	       (double)anon / ml);
	printf("%-34s %12.1f %12.1f %8.2f\n", "anonymous, MAP_POPULATE", pop / 1e3, ml / 1e3,
	       (double)pop / ml);
	printf("  memlab: MEMLAB_IOC_ALLOC (zeroing) %.1f us, mmap %.1f us, touch %.1f us\n",
	       ioc / 1e3, map / 1e3, (ml - ioc - map) / 1e3);
	printf("%-34s %12s %12s %8s\n", "sequential bandwidth", "write MB/s", "read MB/s",
	       "vs anon");
	for (k = 0; k < BENCH_MODES; k++) {
		double wm = mbps(size, median(t->write[k], runs));
		double rm = mbps(size, median(t->read[k], runs));

		printf("%-34s %12.0f %12.0f %4.2f/%4.2f\n", mode_name[k], wm, rm, wm / wa, rm / ra);
	}
}

int cmd_bench(int argc, char **argv)
{
	struct memlab_info in = { .size = sizeof(in) };
	struct bench_times t = { 0 };
	long long want = 64LL << 20;
	int fd, runs = 5, i, k, ret;
	size_t size = 0;
	char b[32];

	ret = bench_options(argc, argv, &want, &runs);
	if (ret >= 0)
		return ret;
	fd = open_dev(O_RDWR);
	if (fd < 0)
		return 1;
	if (ioctl(fd, MEMLAB_IOC_INFO, &in))
		return fail("MEMLAB_IOC_INFO", errno);
	ret = bench_size(fd, &in, want, &size);
	if (ret)
		return ret;
	if (size != (size_t)want)
		printf("size %s (asked %lld: limited by the pool's free blocks or the quotas)\n",
		       human(size, b, sizeof(b)), want);
	for (i = 0; i < runs; i++) {
		ret = bench_first_touch(fd, size, in.page_size, &t, i);
		if (ret)
			return ret;
	}
	for (k = 0; k < BENCH_MODES; k++) {
		ret = bench_bandwidth(fd, size, runs, &t, k);
		if (ret)
			return ret;
	}
	bench_report(size, runs, &t);
	ret = bench_issue15(fd, size, in.page_size, runs);
	close(fd);
	return ret;
}
