// SPDX-License-Identifier: GPL-2.0-only
/*
 * Races on /dev/memlab between threads that share one open file, for the
 * debug kernels' KASAN, lockdep and UBSAN to watch:
 *
 * - threads allocate private buffers while others spin freeing the handle
 *   the next allocation will get (handles are the lowest free number) and
 *   mapping it, and one thread allocates into read-only memory, so its
 *   allocations are undone; every reply must describe the buffer asked for;
 * - a thread writes the shared buffer from memory that is only partly
 *   readable, or not at all, while another reads it: the reader must never
 *   see a byte the writer did not write.
 *
 * Afterwards nothing may be left allocated and the pool must check ok.
 * Prints TAP.
 *
 * Usage: dev_race_test [ROUNDS]  (allocations per thread, default 3000)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <time.h>

#include "dev_common.h"

#define ALLOCATORS	2
#define FREERS		2
#define SECONDS_MAX	60

static long page;
static int fd;
static unsigned int rounds = 3000;
static atomic_uint hint;		/* the last handle an allocation returned */
static atomic_int stop;
static time_t deadline;

struct counts {
	unsigned long ok, freed, bad, mapped;
	char why[160];
};

static struct counts alloc_counts[ALLOCATORS], efault_counts, free_counts[FREERS],
	map_counts;

/* The reply of a successful MEMLAB_IOC_ALLOC of one page in mode @mode. */
static int reply_ok(const struct memlab_allocation_data *a, uint32_t mode, char *why, size_t len)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (a->reserved[i])
			break;
	if (a->size == sizeof(*a) && a->flags == mode && a->length == (uint64_t)page &&
	    a->bytes == (uint64_t)page && a->order == 0 && a->handle &&
	    a->handle <= 0x7fffffff && a->mmap_offset == (uint64_t)a->handle << 32 && i == 4)
		return 1;
	snprintf(why, len, "reply: size %u flags %u length %llu bytes %llu order %u handle %u "
		 "offset 0x%llx", a->size, a->flags, (unsigned long long)a->length,
		 (unsigned long long)a->bytes, a->order, a->handle,
		 (unsigned long long)a->mmap_offset);
	return 0;
}

static int done(void)
{
	return atomic_load(&stop) || time(NULL) > deadline;
}

static void *allocator(void *arg)
{
	struct counts *c = arg;
	unsigned int i;

	for (i = 0; i < rounds && !done(); i++) {
		uint32_t mode = i % 2 ? MEMLAB_CACHE_CACHED : MEMLAB_CACHE_WC;
		struct memlab_allocation_data a;
		int ret = dev_alloc(fd, page, mode, &a);

		if (ret == -EDQUOT || ret == -ENOSPC || ret == -ENOMEM || ret == -EOPNOTSUPP)
			continue;
		if (ret || !reply_ok(&a, mode, c->why, sizeof(c->why))) {
			if (ret)
				snprintf(c->why, sizeof(c->why), "ALLOC: %s", strerror(-ret));
			c->bad++;
			atomic_store(&stop, 1);
			break;
		}
		c->ok++;
		atomic_store(&hint, a.handle);
		/* A freer may have dropped it first: ENOENT is fine. */
		ret = dev_free(fd, a.handle);
		if (ret && ret != -ENOENT) {
			snprintf(c->why, sizeof(c->why), "FREE %u: %s", a.handle, strerror(-ret));
			c->bad++;
			break;
		}
	}
	return NULL;
}

/* Allocations whose reply cannot be copied out: each must be undone. */
static void *efault_allocator(void *arg)
{
	struct counts *c = arg;
	struct memlab_allocation_data *ro;
	unsigned int i;

	ro = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED) {
		snprintf(c->why, sizeof(c->why), "mmap: %s", strerror(errno));
		c->bad++;
		return NULL;
	}
	ro->size = sizeof(*ro);
	ro->length = page;
	mprotect(ro, page, PROT_READ);
	for (i = 0; i < rounds && !done(); i++) {
		errno = 0;
		if (ioctl(fd, MEMLAB_IOC_ALLOC, ro) != -1 ||
		    (errno != EFAULT && errno != EDQUOT && errno != ENOSPC && errno != ENOMEM)) {
			snprintf(c->why, sizeof(c->why), "ALLOC into read-only memory: %s",
				 errno ? strerror(errno) : "succeeded");
			c->bad++;
			break;
		}
		c->ok++;
	}
	munmap(ro, page);
	return NULL;
}

/* Free the last handle given and the next one, as fast as possible. */
static void *freer(void *arg)
{
	struct counts *c = arg;

	while (!done()) {
		unsigned int h = atomic_load(&hint);

		if (!dev_free(fd, h + 1) || !dev_free(fd, h) || !dev_free(fd, h + 2))
			c->freed++;
		c->ok++;
	}
	return NULL;
}

/* Map the handles the freers aim at, touch the page, unmap. */
static void *mapper(void *arg)
{
	struct counts *c = arg;

	while (!done()) {
		unsigned int h = atomic_load(&hint) + 1;
		volatile uint64_t *m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
					    (off_t)h << 32);

		if (m != MAP_FAILED) {
			if (m[0] || m[page / 8 - 1]) {
				snprintf(c->why, sizeof(c->why), "handle %u: not zeroed", h);
				c->bad++;
			}
			munmap((void *)m, page);
			c->mapped++;
		} else if (errno != ENXIO) {
			snprintf(c->why, sizeof(c->why), "mmap handle %u: %s", h, strerror(errno));
			c->bad++;
		}
		c->ok++;
	}
	return NULL;
}

static void test_alloc_free_race(void)
{
	pthread_t a[ALLOCATORS], f[FREERS], e, m;
	struct memlab_info in;
	unsigned long ok = 0, taken = 0;
	int i, bad = 0;

	atomic_store(&stop, 0);
	deadline = time(NULL) + SECONDS_MAX;
	for (i = 0; i < ALLOCATORS; i++)
		pthread_create(&a[i], NULL, allocator, &alloc_counts[i]);
	pthread_create(&e, NULL, efault_allocator, &efault_counts);
	for (i = 0; i < FREERS; i++)
		pthread_create(&f[i], NULL, freer, &free_counts[i]);
	pthread_create(&m, NULL, mapper, &map_counts);
	for (i = 0; i < ALLOCATORS; i++)
		pthread_join(a[i], NULL);
	pthread_join(e, NULL);
	atomic_store(&stop, 1);
	for (i = 0; i < FREERS; i++)
		pthread_join(f[i], NULL);
	pthread_join(m, NULL);

	for (i = 0; i < ALLOCATORS; i++) {
		ok += alloc_counts[i].ok;
		if (alloc_counts[i].bad) {
			tap_diag("allocator %d: %s", i, alloc_counts[i].why);
			bad++;
		}
	}
	for (i = 0; i < FREERS; i++)
		taken += free_counts[i].freed;
	tap_diag("%lu allocations, %lu undone, %lu taken by the freers, %lu mapped by another thread",
		 ok, efault_counts.ok, taken, map_counts.mapped);
	tap_ok(!bad && ok >= rounds / 2,
	       "%d threads allocate %u times each while %d free the next handle: every reply "
	       "is the buffer asked for", ALLOCATORS, rounds, FREERS);
	if (efault_counts.bad)
		tap_diag("%s", efault_counts.why);
	tap_ok(!efault_counts.bad, "allocations into read-only memory fail with EFAULT (%lu)",
	       efault_counts.ok);
	if (map_counts.bad)
		tap_diag("%s", map_counts.why);
	tap_ok(!map_counts.bad, "mappings of the racing handles are zeroed or ENXIO");
	tap_ok(!dev_info(fd, &in) && in.used_open_bytes == 0,
	       "the open file is charged for nothing once everything is freed (%llu)",
	       (unsigned long long)in.used_open_bytes);
}

/* The shared buffer's bytes the writer and reader work on. */
#define RW_OFF		(3 * 4096 + 24)
#define RW_LEN		16

static const char rw_old[RW_LEN + 1] = "0123456789abcdef";
static char *rw_src;		/* page - 8 readable bytes, then a PROT_NONE page */
static unsigned long rw_reads, rw_writes;
static char rw_seen[RW_LEN + 1];
static int rw_bad;

/*
 * Each write puts back the bytes already there, from memory of which 8
 * bytes are readable, or none: the buffer must never change.
 */
static void *rw_writer(void *arg)
{
	const char *half = rw_src + page - 8, *none = rw_src + page;

	while (!done()) {
		ssize_t n = pwrite(fd, rw_writes % 2 ? none : half, RW_LEN, RW_OFF);

		if (rw_writes % 2 ? (n != -1 || errno != EFAULT) : (n < 1 || n > 8)) {
			snprintf(rw_seen, sizeof(rw_seen), "pwrite %zd", n);
			rw_bad++;
			atomic_store(&stop, 1);
		}
		rw_writes++;
	}
	return NULL;
}

static void *rw_reader(void *arg)
{
	unsigned long i, j;

	for (i = 0; i < rounds * 4UL && !done(); i++) {
		char back[RW_LEN];

		if (pread(fd, back, RW_LEN, RW_OFF) != RW_LEN || memcmp(back, rw_old, RW_LEN)) {
			/* Show what was read, a zero byte as '.'. */
			for (j = 0; j < RW_LEN; j++)
				rw_seen[j] = back[j] ? back[j] : '.';
			rw_bad++;
			break;
		}
		rw_reads++;
	}
	atomic_store(&stop, 1);
	return NULL;
}

static void test_write_read_race(void)
{
	pthread_t w, r;
	char back[RW_LEN];

	rw_src = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!tap_ok(rw_src != MAP_FAILED && !mprotect(rw_src + page, page, PROT_NONE),
		    "map a page followed by a PROT_NONE page"))
		return;
	memcpy(rw_src + page - 8, rw_old, 8);
	if (!tap_ok(pwrite(fd, rw_old, RW_LEN, RW_OFF) == RW_LEN, "pwrite 16 known bytes"))
		return;
	atomic_store(&stop, 0);
	deadline = time(NULL) + SECONDS_MAX;
	pthread_create(&w, NULL, rw_writer, NULL);
	pthread_create(&r, NULL, rw_reader, NULL);
	pthread_join(r, NULL);
	pthread_join(w, NULL);
	tap_diag("%lu reads against %lu faulting writes", rw_reads, rw_writes);
	tap_ok(!rw_bad, "a reader never sees bytes a failed or short write did not write (%s)",
	       rw_bad ? rw_seen : "ok");
	tap_ok(pread(fd, back, RW_LEN, RW_OFF) == RW_LEN && !memcmp(back, rw_old, RW_LEN),
	       "the 16 bytes are as they were");
	munmap(rw_src, 2 * page);
}

int main(int argc, char **argv)
{
	struct buf_row rows[4];
	long base;

	if (argc > 1)
		rounds = (unsigned int)strtoul(argv[1], NULL, 0);
	page = sysconf(_SC_PAGESIZE);
	tap_begin();
	/* Open, four of each race, three on the pool at the end. */
	tap_plan(1 + 4 + 4 + 3);
	fd = open(DEV_PATH, O_RDWR);
	if (!tap_ok(fd >= 0, "open " DEV_PATH " (%s)", strerror(errno)))
		return tap_done();
	base = pool_free_pages();
	test_alloc_free_race();
	test_write_read_race();
	close(fd);
	tap_ok(pool_free_pages() == base, "every buffer is back in the pool");
	tap_ok(buffers_parse(rows, 4) == 1, "buffers: only the shared buffer is left");
	tap_ok(check_ok(), "the pool's check is ok");
	return tap_done();
}
