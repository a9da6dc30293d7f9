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
 */
#include <errno.h>
#include <fcntl.h>
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
				if (u && setuid(65534))
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
		tap_plan(1 + 2 * ARRAY_SIZE(modes) + 3 + 1);
		test_refused();
	} else {
		/* Each mode as root and as uid 65534. */
		tap_plan(2 * ARRAY_SIZE(modes));
		test_memory_type();
	}
	return tap_done();
}
