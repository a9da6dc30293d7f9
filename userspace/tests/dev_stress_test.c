// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stress /dev/memlab: several processes allocate, map, partially unmap,
 * fork, free and close at random for a bounded time, checking every byte
 * they wrote; then stress-ng's dev stressor works the device. Afterwards
 * nothing may be left allocated and the pool must check ok. Prints TAP.
 *
 * Usage: dev_stress_test [SECONDS [SEED]]  (default 3 s per phase, random seed)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "dev_common.h"

#define WORKERS		4
#define SLOTS		8

struct slot {
	struct memlab_allocation_data a;
	uint64_t *map;
	size_t mapped;		/* bytes mapped from the start */
	uint64_t seed;
	int held;		/* handle still held */
};

/* Every cache mode, and cached buffers mapped with struct pages. */
static const uint32_t modes[] = {
	MEMLAB_CACHE_CACHED, MEMLAB_CACHE_WC, MEMLAB_CACHE_UNCACHED, MEMLAB_ALLOC_PAGES,
};

static long page;
static unsigned long *ops_done;	/* per worker, shared with the parent */

static void fill(uint64_t *p, size_t bytes, uint64_t seed)
{
	size_t i;

	for (i = 0; i < bytes / 8; i++)
		p[i] = seed + i;
}

static int filled(const uint64_t *p, size_t bytes, uint64_t seed)
{
	size_t i;

	for (i = 0; i < bytes / 8; i++)
		if (p[i] != seed + i)
			return 0;
	return 1;
}

/* One worker: returns 0, or the number of the check that failed. */
static int worker(int id, unsigned int seconds, uint64_t seed)
{
	struct slot s[SLOTS] = { 0 };
	time_t end = time(NULL) + seconds;
	struct memlab_info info;
	uint64_t *shared, r = seed;
	size_t slice;
	int fd, i;
	unsigned long ops = 0;

	fd = open(DEV_PATH, O_RDWR);
	if (fd < 0 || dev_info(fd, &info))
		return 1;
	slice = info.shared_bytes / WORKERS / 8 * 8;
	shared = mmap(NULL, info.shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (shared == MAP_FAILED)
		return 2;
	while (time(NULL) < end) {
		struct slot *sl = &s[rnd(&r) % SLOTS];
		int op = rnd(&r) % 8, ret;

		ops++;
		switch (op) {
		case 0:	/* allocate into a free slot */
		case 1:
			if (sl->held || sl->map)
				break;
			ret = dev_alloc(fd, 1 + rnd(&r) % (16 * 1024),
					modes[rnd(&r) % ARRAY_SIZE(modes)], &sl->a);
			if (ret == -EDQUOT || ret == -ENOSPC || ret == -ENOMEM)
				break;
			if (ret)
				return 3;
			sl->held = 1;
			sl->map = mmap(NULL, sl->a.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
				       sl->a.mmap_offset);
			if (sl->map == MAP_FAILED)
				return 4;
			sl->mapped = sl->a.bytes;
			if (sl->map[0] || sl->map[sl->a.bytes / 8 - 1])
				return 5;	/* not zeroed */
			sl->seed = rnd(&r);
			fill(sl->map, sl->mapped, sl->seed);
			break;
		case 2:	/* verify */
			if (sl->map && !filled(sl->map, sl->mapped, sl->seed))
				return 6;
			break;
		case 3:	/* drop the handle, keep the mapping */
			if (sl->held && dev_free(fd, sl->a.handle))
				return 7;
			sl->held = 0;
			break;
		case 4:	/* unmap the second half */
			if (sl->map && sl->mapped > (size_t)page) {
				size_t keep = sl->mapped / 2 / page * page;

				if (munmap((char *)sl->map + keep, sl->mapped - keep))
					return 8;
				sl->mapped = keep;
			}
			break;
		case 5:	/* unmap all */
			if (sl->map) {
				if (!filled(sl->map, sl->mapped, sl->seed))
					return 9;
				munmap(sl->map, sl->mapped);
				sl->map = NULL;
			}
			if (!sl->map && sl->held && !dev_free(fd, sl->a.handle))
				sl->held = 0;
			break;
		case 6: {	/* a child checks and rewrites through the inherited mapping */
			pid_t pid;
			int st;

			if (!sl->map)
				break;
			pid = fork();
			if (pid == 0)
				_exit(filled(sl->map, sl->mapped, sl->seed) ? (fill(sl->map,
					sl->mapped, sl->seed + 1), 0) : 1);
			if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
			    WEXITSTATUS(st))
				return 10;
			sl->seed++;
			break;
		}
		case 7:	/* our slice of the shared buffer */
			fill(shared + id * slice / 8, slice, seed + ops);
			if (!filled(shared + id * slice / 8, slice, seed + ops))
				return 11;
			break;
		}
	}
	for (i = 0; i < SLOTS; i++)
		if (s[i].map && !filled(s[i].map, s[i].mapped, s[i].seed))
			return 12;
	ops_done[id] = ops;
	/* Exit with everything still held: the kernel must clean up. */
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int seconds = argc > 1 ? (unsigned int)atoi(argv[1]) : 3;
	unsigned long long seed = argc > 2 ? strtoull(argv[2], NULL, 0) :
				  (unsigned long long)time(NULL) * 2654435761ULL;
	long base;
	struct buf_row rows[4];
	pid_t pids[WORKERS];
	int i, st, bad = 0, ret;
	char cmd[256];

	page = sysconf(_SC_PAGESIZE);
	tap_begin();
	/* Workers, pool, buffers, stress-ng and what it left, the check. */
	tap_plan(6);
	tap_diag("seed %llu (replay: dev_stress_test %u %llu)", seed, seconds, seed);
	base = pool_free_pages();
	ops_done = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ops_done == MAP_FAILED)
		tap_bail("cannot map the workers' counters");
	for (i = 0; i < WORKERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(worker(i, seconds, seed + i * 0x9e3779b97f4a7c15ULL));
	}
	for (i = 0; i < WORKERS; i++) {
		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st)) {
			tap_diag("worker %d: status 0x%x", i, st);
			bad++;
		}
		tap_diag("worker %d: %lu operations", i, ops_done[i]);
	}
	tap_ok(!bad, "%d workers allocate, map, split, fork, free for %u s: every byte checks",
	       WORKERS, seconds);
	tap_ok(pool_free_pages() == base, "every buffer is freed when the workers exit");
	tap_ok(buffers_parse(rows, 4) == 1, "buffers: only the shared buffer is left");

	if (access("/usr/bin/stress-ng", X_OK)) {
		tap_skip("no stress-ng in this system", "stress-ng --dev --dev-file " DEV_PATH);
		tap_skip("no stress-ng in this system", "nothing left allocated after stress-ng");
	} else {
		char line[256];
		FILE *f;

		snprintf(cmd, sizeof(cmd),
			 "stress-ng --dev 2 --dev-file " DEV_PATH " --timeout %u --temp-path /tmp"
			 " --metrics-brief 2>&1", seconds);
		f = popen(cmd, "r");
		while (f && fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			tap_diag("%s", line);
		}
		ret = f ? pclose(f) : -1;
		tap_ok(WIFEXITED(ret) && WEXITSTATUS(ret) == 0,
		       "stress-ng --dev --dev-file " DEV_PATH " (status %d)",
		       WIFEXITED(ret) ? WEXITSTATUS(ret) : -1);
		tap_ok(pool_free_pages() == base, "nothing left allocated after stress-ng");
	}
	tap_ok(check_ok(), "the pool's check is ok");
	return tap_done();
}
