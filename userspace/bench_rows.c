// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl bench, the rows of issue 15: first touch, random reads and
 * O_DIRECT reads through each kind of /dev/memlab mapping against anonymous
 * memory with THP off and on, each row with the entry size memlab_pt's walk
 * reports for the mapping, the goal, and whether it is met.
 * docs/benchmarks.rst describes every row.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <memlab.h>

#include "bench.h"
#include "memlabctl.h"

/*
 * Every mapping is placed by the benchmark (bench_place()), and the entry
 * size it got is read back from memlab_pt's walk.
 */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define SZ_2M		(2UL << 20)
#define WALK		DBG "/pt/walk"
#define THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"
#define LOOP_FILE	"/tmp/memlabctl-bench.loop"
#define LCG_SEED	1
#define ODIRECT_CHUNK	(1UL << 20)	/* bytes a read() */

/* Anonymous memory's two sides: THP off and on for the range. */
enum { ANON_NOHUGE, ANON_HUGE, NR_ANON };

static const struct {
	const char *name;
	int advice;
} anon_kind[NR_ANON] = {
	{ "NOHUGEPAGE", MADV_NOHUGEPAGE },
	{ "HUGEPAGE", MADV_HUGEPAGE },
};

/* First touch: every mapping kind, at a 2 MiB-aligned address. */
static const struct {
	const char *name;
	uint32_t flags;
} touch_kind[] = {
	{ "pfn-cached", MEMLAB_CACHE_CACHED },
	{ "pfn-wc", MEMLAB_CACHE_WC },
	{ "pfn-uncached", MEMLAB_CACHE_UNCACHED },
	{ "pages", MEMLAB_ALLOC_PAGES },
};

#define NR_TOUCH	ARRAY_SIZE(touch_kind)

/*
 * Random reads: a PFN mapping whose address lets 4 KiB pages only, 64 KiB
 * contiguous ranges, or 2 MiB blocks line up with the block's physical
 * address (which is aligned to its size), and a page-backed one.
 */
static const struct {
	const char *name;
	uint32_t flags;
	size_t skew;	/* past a 2 MiB boundary */
} rand_kind[] = {
	{ "pfn-va4K", MEMLAB_CACHE_CACHED, 4096 },
	{ "pfn-va64K", MEMLAB_CACHE_CACHED, 64 << 10 },
	{ "pfn-va2M", MEMLAB_CACHE_CACHED, 0 },
	{ "pages-va2M", MEMLAB_ALLOC_PAGES, 0 },
};

#define NR_RAND		ARRAY_SIZE(rand_kind)

/* One side of a row: a time a run, the entry size it had, or why none. */
struct bench_fig {
	uint64_t ns[BENCH_RUNS_MAX];
	char page[16];		/* "4K", "64K", "2M", "?" */
	char na[96];		/* not measured, and why; "" when measured */
};

struct bench_rows {
	struct bench_fig touch[NR_TOUCH], touch_anon[NR_ANON];
	/* each memlab row's anonymous figures are measured beside it, run by run */
	struct bench_fig rand[NR_RAND], rand_anon[NR_RAND][NR_ANON], lcg;
	struct bench_fig odirect, odirect_anon[NR_ANON];
	char odirect_pfn[96];	/* what the same read into a PFN mapping gives */
	char loop[32];		/* the loop device read, "/dev/loopN" */
	char walk_err[64];	/* why page sizes are "?" */
	uint64_t sum;
};

static void fig_na(struct bench_fig *f, const char *what, int err)
{
	if (!f->na[0])
		snprintf(f->na, sizeof(f->na), "%s: %s", what, strerrorname_np(err) ?: "?");
}

/*
 * An address at which @size bytes fit @skew bytes past a 2 MiB boundary,
 * with nothing mapped there, for MAP_FIXED_NOREPLACE; NULL if none.
 */
static void *bench_place(size_t size, size_t skew)
{
	size_t span = size + SZ_2M + skew;
	void *r = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (r == MAP_FAILED)
		return NULL;
	munmap(r, span);
	a = ((uintptr_t)r + SZ_2M - 1) & ~(SZ_2M - 1);
	return (void *)(a + skew);
}

/* Anonymous memory at @at with @advice; NULL with errno set if not. */
static void *anon_map_at(size_t size, void *at, int advice)
{
	void *p = mmap(at, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	int err;

	if (p == MAP_FAILED)
		return NULL;
	if (p == at && !madvise(p, size, advice))
		return p;
	err = p == at ? errno : EEXIST;
	munmap(p, size);
	errno = err;
	return NULL;
}

static void touch(volatile uint64_t *p, size_t size, size_t pg)
{
	size_t off;

	for (off = 0; off < size; off += pg)
		p[off / 8] = off;
}

/*
 * The reach of the entry that maps @addr in this process, as memlab_pt's
 * walk reports it ("4K", "64K" for a contiguous range, "2M", ...), into
 * @page; "?" when the walk cannot be read (why in @err, once).
 */
static void page_size(const volatile void *addr, char *page, size_t n, char *err, size_t errn)
{
	char q[64], ans[4096], *line, *save, size[16], cont[16];
	ssize_t r, got = 0;
	int fd = open(WALK, O_RDWR | O_CLOEXEC);

	snprintf(page, n, "?");
	if (fd < 0) {
		if (!err[0])
			snprintf(err, errn, WALK ": %s", strerrorname_np(errno) ?: "?");
		return;
	}
	snprintf(q, sizeof(q), "self 0x%lx\n", (unsigned long)(uintptr_t)addr);
	if (write(fd, q, strlen(q)) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return;
	}
	while ((r = read(fd, ans + got, sizeof(ans) - 1 - got)) > 0)
		got += r;
	close(fd);
	ans[got] = '\0';
	for (line = strtok_r(ans, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "result mapped phys %*s size %15s cont %15s", size, cont) == 2)
			snprintf(page, n, "%s", cont);
		else if (!strncmp(line, "result ", 7))
			snprintf(page, n, "none");
	}
}

/* NULL when anonymous memory can have THP here, else why not. */
static const char *thp_missing(void)
{
	FILE *f = fopen(THP_ENABLED, "r");
	char line[128] = "";

	if (!f)
		return "no THP in this kernel (no " THP_ENABLED ")";
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	return strstr(line, "[never]") ? "THP is [never] here" : NULL;
}

/* One run of ALLOC + mmap + a write a page through touch_kind[@k]. */
static void touch_memlab(int fd, size_t size, size_t pg, struct bench_rows *t, int k, int i)
{
	struct bench_fig *f = &t->touch[k];
	void *at = bench_place(size, 0);
	struct bench_map m;
	uint64_t t0;
	int ret;

	if (f->na[0])
		return;
	t0 = now_ns();
	ret = bench_map_at(fd, size, touch_kind[k].flags, at, &m);
	if (ret) {
		fig_na(f, "MEMLAB_IOC_ALLOC and mmap", -ret);
		return;
	}
	touch(m.p, size, pg);
	f->ns[i] = now_ns() - t0;
	if (!i)
		page_size((char *)m.p + size / 2, f->page, sizeof(f->page), t->walk_err,
			  sizeof(t->walk_err));
	bench_unmap(fd, size, &m);
}

/* One run of anonymous mmap + madvise + a write a page. */
static void touch_anon(size_t size, size_t pg, struct bench_rows *t, int a, int i)
{
	struct bench_fig *f = &t->touch_anon[a];
	void *at = bench_place(size, 0);
	volatile uint64_t *p;
	uint64_t t0;

	if (f->na[0])
		return;
	t0 = now_ns();
	p = anon_map_at(size, at, anon_kind[a].advice);
	if (!p) {
		fig_na(f, "mmap and madvise", errno);
		return;
	}
	touch(p, size, pg);
	f->ns[i] = now_ns() - t0;
	if (!i)
		page_size((char *)p + size / 2, f->page, sizeof(f->page), t->walk_err,
			  sizeof(t->walk_err));
	munmap((void *)p, size);
}

/* @reads 4-byte reads at offsets a fixed-seed LCG draws over @size (a power of two). */
static uint64_t random_reads(const volatile uint32_t *p, size_t size, size_t reads, uint64_t *sum)
{
	uint64_t x = LCG_SEED, s = 0, mask = size / 4 - 1, t = now_ns();
	size_t i;

	for (i = 0; i < reads; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		s += p ? p[(x >> 32) & mask] : (x >> 32) & mask;
	}
	*sum += s;
	return now_ns() - t;
}

/* Reads a pass: TLB-bound (64 MiB: 2^20 reads over 16384 pages) yet short. */
static size_t random_nr(size_t size)
{
	return size / 64 > 4096 ? size / 64 : 4096;
}

/* Anonymous memory with each advice, written so that every page is there. */
static void anon_pair(size_t size, size_t pg, void *anon[NR_ANON], struct bench_fig *na)
{
	const char *no_thp = thp_missing();
	int a;

	for (a = 0; a < NR_ANON; a++) {
		anon[a] = NULL;
		if (a == ANON_HUGE && no_thp) {
			snprintf(na[a].na, sizeof(na[a].na), "%s", no_thp);
			continue;
		}
		anon[a] = anon_map_at(size, bench_place(size, 0), anon_kind[a].advice);
		if (!anon[a]) {
			fig_na(&na[a], "mmap and madvise", errno);
			continue;
		}
		touch(anon[a], size, pg);
	}
}

/*
 * Each memlab mapping of rand_kind[] in turn, its runs alternating with
 * runs over the two anonymous mappings, which stay mapped throughout.
 */
static void bench_random(int fd, size_t size, size_t pg, int runs, struct bench_rows *t)
{
	size_t reads = random_nr(size);
	struct bench_fig anon_na[NR_ANON] = { };
	char anon_page[NR_ANON][16];
	void *anon[NR_ANON];
	struct bench_map m;
	unsigned int k;
	int a, i, ret;

	for (i = 0; i < runs; i++)
		t->lcg.ns[i] = random_reads(NULL, size, reads, &t->sum);
	anon_pair(size, pg, anon, anon_na);
	for (a = 0; a < NR_ANON; a++)
		if (anon[a]) {
			page_size((char *)anon[a] + size / 2, anon_page[a], sizeof(anon_page[a]),
				  t->walk_err, sizeof(t->walk_err));
			random_reads(anon[a], size, reads / 4, &t->sum);
		}
	for (k = 0; k < NR_RAND; k++) {
		struct bench_fig *f = &t->rand[k], *af = t->rand_anon[k];

		for (a = 0; a < NR_ANON; a++) {
			af[a] = anon_na[a];
			memcpy(af[a].page, anon_page[a], sizeof(af[a].page));
		}
		ret = bench_map_at(fd, size, rand_kind[k].flags,
				   bench_place(size, rand_kind[k].skew), &m);
		if (ret) {
			fig_na(f, "MEMLAB_IOC_ALLOC and mmap", -ret);
			continue;
		}
		/*
		 * A warm-up pass, and a read of the page walked: a mapping that
		 * fills on fault (2M blocks) has no entry until then.
		 */
		random_reads((void *)m.p, size, reads / 4, &t->sum);
		t->sum += m.p[size / 2 / 8];
		page_size((char *)m.p + size / 2, f->page, sizeof(f->page), t->walk_err,
			  sizeof(t->walk_err));
		for (i = 0; i < runs; i++) {
			f->ns[i] = random_reads((void *)m.p, size, reads, &t->sum);
			for (a = 0; a < NR_ANON; a++)
				if (anon[a])
					af[a].ns[i] = random_reads(anon[a], size, reads, &t->sum);
		}
		bench_unmap(fd, size, &m);
	}
	for (a = 0; a < NR_ANON; a++)
		if (anon[a])
			munmap(anon[a], size);
}

/* The byte at @off of LOOP_FILE: each differs from its neighbours. */
static unsigned char loop_byte(size_t off)
{
	off %= ODIRECT_CHUNK;
	return (unsigned char)(off * 31 + (off >> 12));
}

/* A loop device over a new @size-byte LOOP_FILE: its path in @dev; 0 or -errno. */
static int loop_setup(size_t size, char *dev, size_t n)
{
	int ctl, nr, lfd = -1, bfd, ret = 0;
	char *chunk = malloc(ODIRECT_CHUNK);
	size_t off, i;

	bfd = open(LOOP_FILE, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (bfd < 0 || !chunk) {
		ret = bfd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (i = 0; i < ODIRECT_CHUNK; i++)
		chunk[i] = (char)loop_byte(i);
	for (off = 0; off < size && !ret; off += ODIRECT_CHUNK) {
		size_t len = size - off < ODIRECT_CHUNK ? size - off : ODIRECT_CHUNK;

		if (write(bfd, chunk, len) != (ssize_t)len)
			ret = errno ? -errno : -ENOSPC;
	}
	ctl = ret ? -1 : open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (!ret && ctl < 0)
		ret = -errno;
	nr = ret ? -1 : ioctl(ctl, LOOP_CTL_GET_FREE);
	if (!ret && nr < 0)
		ret = -errno;
	if (ctl >= 0)
		close(ctl);
	if (!ret) {
		snprintf(dev, n, "/dev/loop%d", nr);
		lfd = open(dev, O_RDWR | O_CLOEXEC);
		if (lfd < 0 || ioctl(lfd, LOOP_SET_FD, bfd))
			ret = -errno;
	}
out:
	if (lfd >= 0)
		close(lfd);
	if (bfd >= 0)
		close(bfd);
	free(chunk);
	if (ret)
		unlink(LOOP_FILE);
	return ret;
}

static void loop_teardown(const char *dev)
{
	int lfd = open(dev, O_RDWR | O_CLOEXEC);

	if (lfd >= 0) {
		ioctl(lfd, LOOP_CLR_FD, 0);
		close(lfd);
	}
	unlink(LOOP_FILE);
}

/* Read the whole device into @p, O_DIRECT, a chunk a pread(): ns, or 0 with errno. */
static uint64_t odirect_read(int dfd, volatile void *p, size_t size)
{
	size_t chunk = size < ODIRECT_CHUNK ? size : ODIRECT_CHUNK, off;
	uint64_t t = now_ns();

	for (off = 0; off < size; off += chunk)
		if (pread(dfd, (char *)p + off, chunk, off) != (ssize_t)chunk)
			return 0;
	return now_ns() - t ?: 1;
}

/* A read into @p to warm up, and a check of what landed: 0, or why not in @f. */
static int odirect_first(int dfd, volatile void *p, size_t size, struct bench_fig *f,
			 struct bench_rows *t)
{
	volatile unsigned char *c = p;

	page_size((char *)p + size / 2, f->page, sizeof(f->page), t->walk_err,
		  sizeof(t->walk_err));
	if (!odirect_read(dfd, p, size)) {
		fig_na(f, "O_DIRECT pread", errno);
		return -1;
	}
	if (c[size / 2 + 1] != loop_byte(size / 2 + 1) || c[size - 1] != loop_byte(size - 1)) {
		snprintf(f->na, sizeof(f->na), "the data read is not the file's");
		return -1;
	}
	return 0;
}

/* Run @i of the reads into @p, unless @f already says why not. */
static void odirect_run(int dfd, volatile void *p, size_t size, struct bench_fig *f, int i)
{
	if (!p || f->na[0])
		return;
	f->ns[i] = odirect_read(dfd, p, size);
	if (!f->ns[i])
		fig_na(f, "O_DIRECT pread", errno);
}

static void bench_odirect(int fd, size_t size, size_t pg, int runs, struct bench_rows *t)
{
	void *anon[NR_ANON];
	struct bench_map m;
	int a, i, dfd, ret;
	char why[96];

	why[0] = '\0';
	if (access("/dev/loop-control", F_OK)) {
		snprintf(why, sizeof(why), "no /dev/loop-control: no loop driver loaded");
	} else {
		ret = loop_setup(size, t->loop, sizeof(t->loop));
		if (ret)
			snprintf(why, sizeof(why), "a loop device over " LOOP_FILE ": %s",
				 strerrorname_np(-ret) ?: "?");
	}
	dfd = why[0] ? -1 : open(t->loop, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (!why[0] && dfd < 0)
		snprintf(why, sizeof(why), "open %s O_DIRECT: %s", t->loop,
			 strerrorname_np(errno) ?: "?");
	if (why[0]) {
		snprintf(t->odirect.na, sizeof(t->odirect.na), "%s", why);
		snprintf(t->odirect_pfn, sizeof(t->odirect_pfn), "%s", why);
		if (t->loop[0])
			loop_teardown(t->loop);
		return;
	}
	/* The three mappings at once, their runs alternating. */
	anon_pair(size, pg, anon, t->odirect_anon);
	for (a = 0; a < NR_ANON; a++)
		if (anon[a] && odirect_first(dfd, anon[a], size, &t->odirect_anon[a], t)) {
			munmap(anon[a], size);
			anon[a] = NULL;
		}
	ret = bench_map_at(fd, size, MEMLAB_ALLOC_PAGES, bench_place(size, 0), &m);
	if (ret)
		fig_na(&t->odirect, "MEMLAB_IOC_ALLOC and mmap", -ret);
	else
		odirect_first(dfd, m.p, size, &t->odirect, t);
	for (i = 0; i < runs; i++) {
		if (!ret)
			odirect_run(dfd, m.p, size, &t->odirect, i);
		for (a = 0; a < NR_ANON; a++)
			odirect_run(dfd, anon[a], size, &t->odirect_anon[a], i);
	}
	if (!ret)
		bench_unmap(fd, size, &m);
	for (a = 0; a < NR_ANON; a++)
		if (anon[a])
			munmap(anon[a], size);
	/* get_user_pages() cannot take a PFN mapping: the documented EFAULT. */
	ret = bench_map_at(fd, size, MEMLAB_CACHE_CACHED, bench_place(size, 0), &m);
	if (ret) {
		snprintf(t->odirect_pfn, sizeof(t->odirect_pfn), "MEMLAB_IOC_ALLOC and mmap: %s",
			 strerrorname_np(-ret) ?: "?");
	} else {
		errno = 0;
		ret = odirect_read(dfd, m.p, size) ? 0 : errno;
		snprintf(t->odirect_pfn, sizeof(t->odirect_pfn), "%s%s",
			 ret == EFAULT ? "O_DIRECT into a PFN mapping fails: " :
			 "O_DIRECT into a PFN mapping did not fail with EFAULT: ",
			 ret ? strerrorname_np(ret) ?: "?" : "it read");
		bench_unmap(fd, size, &m);
	}
	close(dfd);
	loop_teardown(t->loop);
}

/*
 * A row: the test, memlab's mapping and its entry size, memlab's figure,
 * the anonymous side and its entry size, its figure, the ratio (above 1:
 * memlab better), then the goal and whether it is met, or why not.
 */
static void bench_row(const char *test, const char *kind, const struct bench_fig *ml,
		      double mlv, int a, const struct bench_fig *an, double anv, double ratio,
		      const char *goal)
{
	char mls[24], ans[32];

	snprintf(mls, sizeof(mls), ml->na[0] ? "n/a" : "%.1f", mlv);
	snprintf(ans, sizeof(ans), an->na[0] ? "n/a" : "%.1f", anv);
	printf("%-7s %-12s %-4s %11s  %-10s %-4s %11s", test, kind, ml->na[0] ? "-" : ml->page,
	       mls, anon_kind[a].name, an->na[0] ? "-" : an->page, ans);
	if (ml->na[0] || an->na[0])
		printf("  %6s  n/a (%s)\n", "-", ml->na[0] ? ml->na : an->na);
	else
		printf("  %6.2f  %s\n", ratio, goal);
}

/* "goal >= 1.00: met" or "... not met" */
static const char *verdict(double ratio, double goal, char *buf, size_t n)
{
	snprintf(buf, n, "goal >= %.2f: %s", goal, ratio >= goal ? "met" : "not met");
	return buf;
}

static void report_touch(size_t size, int runs, struct bench_rows *t)
{
	char b[32], g[48];
	unsigned int k;
	int a;

	printf("first touch of %s (ALLOC or mmap, madvise, a write a page): us, median of %d runs; ratio anonymous/memlab\n",
	       human(size, b, sizeof(b)), runs);
	printf("%-7s %-12s %-4s %11s  %-10s %-4s %11s  %6s  %s\n", "test", "memlab", "page",
	       "memlab us", "anonymous", "page", "anon us", "ratio", "goal");
	for (k = 0; k < NR_TOUCH; k++) {
		double ml = median(t->touch[k].ns, runs) / 1e3;

		for (a = 0; a < NR_ANON; a++) {
			double an = median(t->touch_anon[a].ns, runs) / 1e3;

			bench_row("touch", touch_kind[k].name, &t->touch[k], ml, a, &t->touch_anon[a],
				  an, ml ? an / ml : 0, verdict(ml ? an / ml : 0, 1, g, sizeof(g)));
		}
	}
}

static void report_random(size_t size, int runs, struct bench_rows *t)
{
	double reads = random_nr(size), ml, an;
	char b[32], g[96];
	unsigned int k;
	int a;

	printf("random 4-byte reads over %s, %.0f a run from an LCG (seed %d): ns a read, median of %d runs; ratio anonymous/memlab\n",
	       human(size, b, sizeof(b)), reads, LCG_SEED, runs);
	printf("  the same loop without the reads: %.2f ns a read\n",
	       median(t->lcg.ns, runs) / reads);
	printf("%-7s %-12s %-4s %11s  %-10s %-4s %11s  %6s  %s\n", "test", "memlab", "page",
	       "memlab ns", "anonymous", "page", "anon ns", "ratio", "goal");
	for (k = 0; k < NR_RAND; k++) {
		ml = median(t->rand[k].ns, runs) / reads;
		for (a = 0; a < NR_ANON; a++) {
			an = median(t->rand_anon[k][a].ns, runs) / reads;
			if (a == ANON_NOHUGE)
				snprintf(g, sizeof(g), "none (the goal is against THP)");
			else if (strcmp(t->rand[k].page, "2M"))
				snprintf(g, sizeof(g), "n/a: mapped %s, the goal is for 2M mappings",
					 t->rand[k].page);
			else
				verdict(an / ml, 1, g, sizeof(g));
			bench_row("random", rand_kind[k].name, &t->rand[k], ml, a, &t->rand_anon[k][a],
				  an, ml ? an / ml : 0, g);
		}
	}
}

static void report_odirect(size_t size, int runs, struct bench_rows *t)
{
	char b[32], c[32], g[48];
	double ml, an;
	int a;

	printf("O_DIRECT read of %s from %s (over a file in /tmp), %s a pread: MB/s, median of %d runs; ratio memlab/anonymous\n",
	       human(size, b, sizeof(b)), t->loop[0] ? t->loop : "a loop device",
	       human(size < ODIRECT_CHUNK ? size : ODIRECT_CHUNK, c, sizeof(c)), runs);
	printf("%-7s %-12s %-4s %11s  %-10s %-4s %11s  %6s  %s\n", "test", "memlab", "page",
	       "memlab MB/s", "anonymous", "page", "anon MB/s", "ratio", "goal");
	ml = mbps(size, median(t->odirect.ns, runs));
	for (a = 0; a < NR_ANON; a++) {
		an = mbps(size, median(t->odirect_anon[a].ns, runs));
		bench_row("odirect", "pages", &t->odirect, ml, a, &t->odirect_anon[a], an,
			  an ? ml / an : 0, verdict(an ? ml / an : 0, 0.95, g, sizeof(g)));
	}
	printf("%-7s %-12s n/a (%s)\n", "odirect", "pfn-cached", t->odirect_pfn);
}

/* The rows of the three tables above, each run interleaving the sides. */
static void bench_rows(int fd, size_t size, size_t pg, int runs, struct bench_rows *t)
{
	const char *no_thp = thp_missing();
	unsigned int k;
	int a, i;

	if (no_thp)
		snprintf(t->touch_anon[ANON_HUGE].na, sizeof(t->touch_anon[ANON_HUGE].na), "%s",
			 no_thp);
	for (i = 0; i < runs; i++) {
		for (k = 0; k < NR_TOUCH; k++)
			touch_memlab(fd, size, pg, t, k, i);
		for (a = 0; a < NR_ANON; a++)
			touch_anon(size, pg, t, a, i);
	}
	bench_random(fd, size, pg, runs, t);
	bench_odirect(fd, size, pg, runs, t);
}

static void report_rows(size_t size, int runs, struct bench_rows *t)
{
	report_touch(size, runs, t);
	report_random(size, runs, t);
	report_odirect(size, runs, t);
	printf("page: the entry mapping the middle of each mapping, from memlab_pt's walk%s%s%s\n",
	       t->walk_err[0] ? " (? here: " : "", t->walk_err, t->walk_err[0] ? ")" : "");
	printf("(checksum %llx)\n", (unsigned long long)(t->sum & 0xffff));
}

int bench_issue15(int fd, size_t size, size_t pg, int runs)
{
	struct bench_rows *t = calloc(1, sizeof(*t));

	if (!t)
		return fail("calloc", ENOMEM);
	bench_rows(fd, size, pg, runs, t);
	report_rows(size, runs, t);
	free(t);
	return 0;
}
