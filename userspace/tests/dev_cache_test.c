// SPDX-License-Identifier: GPL-2.0-only
/*
 * dev_cache_test [refused]: /dev/memlab's non-cacheable buffers.
 *
 * Without an argument: write-combine and non-cached buffers are Normal
 * non-cacheable memory (memlab_pt's walk of the mapping shows
 * MEM/NORMAL-NC, never DEVICE/...) for root and for uid 65534 alike, and
 * unaligned copies and atomics work on them.
 *
 * With "refused" (a boot where the kernel cannot do the cache maintenance
 * these modes need: swiotlb=force, a no-map pool): both modes are refused
 * with EOPNOTSUPP at every size, nothing is left allocated, and cached
 * buffers still work.
 *
 * Both ways, MEMLAB_IOC_SYNC: every documented errno, unaligned ranges in
 * every direction on a cached buffer (EOPNOTSUPP with "refused"), the
 * CPU's writes intact after an invalidating sync, a non-cacheable buffer
 * needing none, and uid 65534 syncing a buffer of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memlab.h>

#include "dev_common.h"

#define WALK	DBG "/pt/walk"

static const struct {
	uint32_t flags;
	const char *name;
} modes[] = {
	{ MEMLAB_CACHE_WC, "write-combine" },
	{ MEMLAB_CACHE_UNCACHED, "non-cached" },
};

static long page;

/* The leaf line of memlab_pt's answer for @addr, or "" with the reason. */
static void walk_leaf(int walkfd, void *addr, char *leaf, size_t len)
{
	char q[64], ans[4096], *line, *save;
	ssize_t n, got = 0;

	snprintf(leaf, len, "no answer");
	snprintf(q, sizeof(q), "self %p\n", addr);
	if (write(walkfd, q, strlen(q)) < 0 || lseek(walkfd, 0, SEEK_SET) < 0)
		return;
	while ((n = read(walkfd, ans + got, sizeof(ans) - 1 - got)) > 0)
		got += n;
	ans[got] = '\0';
	for (line = strtok_r(ans, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, " page ") || strstr(line, " block "))
			snprintf(leaf, len, "%s", line);
}

/*
 * Allocate, map and use a buffer of mode @i; with @walkfd >= 0 also read
 * its memory type. Returns 0, or the step that failed with @why set.
 */
static int use_buffer(unsigned int i, int walkfd, char *why, size_t len)
{
	static const char msg[] = "unaligned, across words";
	struct memlab_allocation_data a;
	char leaf[256];
	uint64_t *w;
	char *m;
	int fd;

	fd = open(DEV_PATH, O_RDWR);
	if (fd < 0 || dev_alloc(fd, 4 * page, modes[i].flags, &a)) {
		snprintf(why, len, "open or MEMLAB_IOC_ALLOC: %s", strerror(errno));
		return 1;
	}
	m = mmap(NULL, a.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.mmap_offset);
	if (m == MAP_FAILED) {
		snprintf(why, len, "mmap: %s", strerror(errno));
		return 2;
	}
	/* Device memory faults on these; memory must not. */
	memcpy(m + 3, msg, sizeof(msg));
	w = (uint64_t *)(m + page);
	__atomic_store_n(w, 41, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(w, 1, __ATOMIC_SEQ_CST);
	if (memcmp(m + 3, msg, sizeof(msg)) || __atomic_load_n(w, __ATOMIC_SEQ_CST) != 42) {
		snprintf(why, len, "unaligned copy or atomic read back wrong");
		return 3;
	}
	if (walkfd >= 0) {
		walk_leaf(walkfd, m, leaf, sizeof(leaf));
		if (!strstr(leaf, " MEM/NORMAL-NC") || strstr(leaf, "DEVICE/")) {
			snprintf(why, len, "memory type: %s", leaf);
			return 4;
		}
	}
	munmap(m, a.bytes);
	close(fd);
	return 0;
}

/* Each mode as root and as uid 65534, in a child that reports through a pipe. */
static void test_memory_type(void)
{
	static const char *const who[] = { "root", "uid 65534" };
	unsigned int i, u;
	int walkfd;

	/* Opened as root: the walk file is root's. */
	walkfd = open(WALK, O_RDWR);
	if (walkfd < 0)
		tap_diag("no %s (memlab_pt not loaded): memory types not checked", WALK);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		for (u = 0; u < 2; u++) {
			char why[300] = "";
			int pfd[2], status, step;
			ssize_t n;
			pid_t pid;

			if (pipe(pfd))
				return;
			pid = fork();
			if (pid == 0) {
				close(pfd[0]);
				if (u && become_nobody())
					_exit(9);
				step = use_buffer(i, walkfd, why, sizeof(why));
				if (write(pfd[1], why, strlen(why)) < 0)
					_exit(10);
				_exit(step);
			}
			close(pfd[1]);
			n = read(pfd[0], why, sizeof(why) - 1);
			why[n > 0 ? n : 0] = '\0';
			close(pfd[0]);
			waitpid(pid, &status, 0);
			tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			       "%s as %s: maps as memory%s, unaligned copy and atomics work%s%s",
			       modes[i].name, who[u], walkfd >= 0 ? " (MEM/NORMAL-NC)" : "",
			       WIFSIGNALED(status) ? ": killed by signal " : why[0] ? ": " : "",
			       WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : why);
		}
	}
	if (walkfd >= 0)
		close(walkfd);
}

static int dev_sync(int fd, uint32_t handle, uint64_t offset, uint64_t length, uint32_t flags)
{
	struct memlab_sync s = { .size = sizeof(s), .handle = handle, .offset = offset,
				 .length = length, .flags = flags };

	return ioctl(fd, MEMLAB_IOC_SYNC, &s) ? -errno : 0;
}

static const char *err_name(int ret)
{
	return ret ? strerror(-ret) : "success";
}

#define SYNC_CASES	19

/* MEMLAB_IOC_SYNC: SYNC_CASES points, or the reason none can run. */
static void test_sync(bool refused)
{
	static const uint32_t dirs[] = { MEMLAB_SYNC_TO_DEVICE, MEMLAB_SYNC_FROM_DEVICE,
					 MEMLAB_SYNC_TO_DEVICE | MEMLAB_SYNC_FROM_DEVICE };
	struct memlab_allocation_data a, other, wc;
	long before = pool_free_pages();
	int fd, fd2, ret, want, status;
	struct memlab_sync s;
	unsigned int i;
	char *m;
	pid_t pid;

	fd = open(DEV_PATH, O_RDWR);
	fd2 = open(DEV_PATH, O_RDWR);
	if (fd < 0 || fd2 < 0 || dev_alloc(fd, 2 * page, MEMLAB_CACHE_CACHED, &a) ||
	    dev_alloc(fd2, page, MEMLAB_CACHE_CACHED, &other)) {
		for (i = 0; i < SYNC_CASES; i++)
			tap_skip("no cached buffer", "MEMLAB_IOC_SYNC case %u", i);
		return;
	}
	s = (struct memlab_sync){ .size = sizeof(s) - 1, .handle = a.handle, .length = 1,
				  .flags = MEMLAB_SYNC_TO_DEVICE };
	ret = ioctl(fd, MEMLAB_IOC_SYNC, &s) ? -errno : 0;
	tap_ok(ret == -EINVAL, "sync, wrong size: EINVAL (%s)", err_name(ret));
	s.size = sizeof(s);
	s.__pad = 1;
	ret = ioctl(fd, MEMLAB_IOC_SYNC, &s) ? -errno : 0;
	tap_ok(ret == -EINVAL, "sync, __pad set: EINVAL (%s)", err_name(ret));
	s.__pad = 0;
	s.reserved[1] = 1;
	ret = ioctl(fd, MEMLAB_IOC_SYNC, &s) ? -errno : 0;
	tap_ok(ret == -EINVAL, "sync, a reserved word set: EINVAL (%s)", err_name(ret));
	ret = dev_sync(fd, a.handle, 0, 1, 0);
	tap_ok(ret == -EINVAL, "sync, no direction: EINVAL (%s)", err_name(ret));
	ret = dev_sync(fd, a.handle, 0, 1, 4);
	tap_ok(ret == -EINVAL, "sync, an unknown flag: EINVAL (%s)", err_name(ret));
	ret = dev_sync(fd, a.handle, 0, 0, MEMLAB_SYNC_TO_DEVICE);
	tap_ok(ret == -EINVAL, "sync, length 0: EINVAL (%s)", err_name(ret));
	ret = dev_sync(fd, 0, 0, 1, MEMLAB_SYNC_TO_DEVICE);
	tap_ok(ret == -ENOENT, "sync, handle 0 (the shared buffer): ENOENT (%s)", err_name(ret));
	ret = dev_sync(fd, other.handle, 0, 1, MEMLAB_SYNC_TO_DEVICE);
	tap_ok(ret == -ENOENT, "sync, another open file's handle: ENOENT (%s)", err_name(ret));
	ret = dev_sync(fd, a.handle, a.bytes, 1, MEMLAB_SYNC_TO_DEVICE);
	tap_ok(ret == -EOVERFLOW, "sync, offset at the end: EOVERFLOW (%s)", err_name(ret));
	ret = dev_sync(fd, a.handle, 1, a.bytes, MEMLAB_SYNC_TO_DEVICE);
	tap_ok(ret == -EOVERFLOW, "sync, one byte past the end: EOVERFLOW (%s)", err_name(ret));
	ret = dev_sync(fd, a.handle, 8, UINT64_MAX - 4, MEMLAB_SYNC_TO_DEVICE);
	tap_ok(ret == -EOVERFLOW, "sync, offset + length wraps: EOVERFLOW (%s)", err_name(ret));

	/* Unaligned ranges, every direction; the CPU's bytes survive. */
	want = refused ? -EOPNOTSUPP : 0;
	m = mmap(NULL, a.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.mmap_offset);
	if (m != MAP_FAILED)
		memset(m, 0x5a, a.bytes);
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		ret = dev_sync(fd, a.handle, 3 + i, a.bytes - 7, dirs[i]);
		tap_ok(ret == want, "sync a cached buffer, unaligned, flags %u: %s (%s)", dirs[i],
		       err_name(want), err_name(ret));
	}
	tap_ok(m != MAP_FAILED && m[0] == 0x5a && m[a.bytes - 1] == 0x5a &&
	       !memcmp(m, m + 1, a.bytes - 1),
	       "the CPU's writes read back after the syncs");
	if (m != MAP_FAILED)
		munmap(m, a.bytes);

	if (refused) {
		tap_skip("non-cacheable buffers are refused here", "sync a write-combine buffer");
	} else {
		ret = dev_alloc(fd, page, MEMLAB_CACHE_WC, &wc);
		if (!ret) {
			ret = dev_sync(fd, wc.handle, 0, page, MEMLAB_SYNC_FROM_DEVICE);
			dev_free(fd, wc.handle);
		}
		tap_ok(!ret, "sync a write-combine buffer: nothing to do, success (%s)",
		       err_name(ret));
	}

	/* Any user: uid 65534 syncs a buffer of its own. */
	pid = fork();
	if (pid == 0) {
		struct memlab_allocation_data b;
		int cfd;

		if (become_nobody())
			_exit(9);
		cfd = open(DEV_PATH, O_RDWR);
		if (cfd < 0 || dev_alloc(cfd, page, MEMLAB_CACHE_CACHED, &b))
			_exit(10);
		_exit(dev_sync(cfd, b.handle, 0, page, MEMLAB_SYNC_TO_DEVICE) == want ? 0 : 11);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "uid 65534 syncs its own buffer: %s (exit %d)", err_name(want),
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);

	dev_free(fd, a.handle);
	ret = dev_sync(fd, a.handle, 0, 1, MEMLAB_SYNC_TO_DEVICE);
	tap_ok(ret == -ENOENT, "sync after FREE: ENOENT (%s)", err_name(ret));
	close(fd);
	close(fd2);
	tap_ok(pool_free_pages() == before, "the pool's free pages end as they began (%ld, %ld)",
	       before, pool_free_pages());
}

/* No cache maintenance is possible: refused, and nothing leaks. */
static void test_refused(void)
{
	static const uint64_t sizes[] = { 4096, 1 << 20 };
	struct memlab_allocation_data a;
	unsigned int i, s;
	long before = pool_free_pages();
	char *m;
	int fd, ret;

	fd = open(DEV_PATH, O_RDWR);
	if (!tap_ok(fd >= 0, "open " DEV_PATH " (%s)", strerror(errno)))
		return;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		for (s = 0; s < 2; s++) {
			ret = dev_alloc(fd, sizes[s], modes[i].flags, &a);
			tap_ok(ret == -EOPNOTSUPP, "%s, %llu bytes: EOPNOTSUPP (%s)", modes[i].name,
			       (unsigned long long)sizes[s], ret ? strerror(-ret) : "allocated");
			if (!ret)
				dev_free(fd, a.handle);
		}
	ret = dev_alloc(fd, 4 * page, MEMLAB_CACHE_CACHED, &a);
	if (tap_ok(!ret, "a cached buffer is still given (%s)", strerror(-ret))) {
		m = mmap(NULL, a.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.mmap_offset);
		if (tap_ok(m != MAP_FAILED, "and maps")) {
			tap_ok(m[0] == 0 && !memcmp(m, m + 1, a.bytes - 1), "zeroed");
			munmap(m, a.bytes);
		}
		dev_free(fd, a.handle);
	}
	close(fd);
	tap_ok(pool_free_pages() == before, "the pool's free pages end as they began (%ld, %ld)",
	       before, pool_free_pages());
}

int main(int argc, char **argv)
{
	page = sysconf(_SC_PAGESIZE);
	tap_begin();
	if (argc > 1 && !strcmp(argv[1], "refused")) {
		/* Open, two sizes a mode, then a cached buffer (3) and the pool. */
		tap_plan(1 + 2 * ARRAY_SIZE(modes) + 3 + 1 + SYNC_CASES);
		test_refused();
		test_sync(true);
	} else {
		/* Each mode as root and as uid 65534. */
		tap_plan(2 * ARRAY_SIZE(modes) + SYNC_CASES);
		test_memory_type();
		test_sync(false);
	}
	return tap_done();
}
