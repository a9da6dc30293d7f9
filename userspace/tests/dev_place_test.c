// SPDX-License-Identifier: GPL-2.0-only
/*
 * dev_place_test low [refused] | high: MEMLAB_ALLOC_DMA32, memory below
 * 4 GiB.
 *
 * "low" (the pool lies below 4 GiB, as QEMU's 1 GiB guest has it): every
 * order and cache mode is given with the flag, the reply echoes it, and
 * root sees each block end at or below 4 GiB; uid 65534 is given one too.
 * With "refused" (a boot where non-cacheable modes are refused, as
 * dev_cache_test's), write-combine and non-cached fail with EOPNOTSUPP
 * with the flag as without it.
 * "high" (the device tree put the pool above 4 GiB): the flag is refused
 * with ERANGE and nothing is charged, and the same request without it is
 * given.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memlab.h>

#include "dev_common.h"

#define FOUR_GIB	(1ULL << 32)

static const uint32_t modes[] = { MEMLAB_CACHE_CACHED, MEMLAB_CACHE_WC, MEMLAB_CACHE_UNCACHED };

static void test_low(int fd, long page, bool refused)
{
	struct memlab_allocation_data a;
	unsigned int i, order;
	int ret, status;
	pid_t pid;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		for (order = 0; order <= 4; order += 2) {
			ret = dev_alloc(fd, (uint64_t)page << order,
					modes[i] | MEMLAB_ALLOC_DMA32, &a);
			if (refused && modes[i] != MEMLAB_CACHE_CACHED) {
				tap_ok(ret == -EOPNOTSUPP,
				       "DMA32, mode %u, order %u: EOPNOTSUPP here (%s)", modes[i],
				       order, ret ? strerror(-ret) : "given");
				if (!ret)
					dev_free(fd, a.handle);
				continue;
			}
			tap_ok(!ret && a.flags == (modes[i] | MEMLAB_ALLOC_DMA32) && a.phys &&
			       a.phys + a.bytes <= FOUR_GIB,
			       "DMA32, mode %u, order %u: given below 4 GiB (%s, flags %#x, phys %#llx)",
			       modes[i], order, ret ? strerror(-ret) : "ok", ret ? 0 : a.flags,
			       ret ? 0ULL : (unsigned long long)a.phys);
			if (!ret)
				dev_free(fd, a.handle);
		}
	}
	pid = fork();
	if (pid == 0) {
		int cfd;

		if (become_nobody())
			_exit(9);
		cfd = open(DEV_PATH, O_RDWR);
		if (cfd < 0)
			_exit(10);
		ret = dev_alloc(cfd, page, MEMLAB_ALLOC_DMA32, &a);
		_exit(ret ? 11 : a.phys ? 12 : 0);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "uid 65534: DMA32 given, phys hidden (exit %d)",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void test_high(int fd, long page)
{
	struct memlab_allocation_data a;
	struct memlab_info in;
	uint64_t used;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		ret = dev_alloc(fd, page, modes[i] | MEMLAB_ALLOC_DMA32, &a);
		tap_ok(ret == -ERANGE, "DMA32, mode %u, pool above 4 GiB: ERANGE (%s)", modes[i],
		       ret ? strerror(-ret) : "given");
		if (!ret)
			dev_free(fd, a.handle);
	}
	used = dev_info(fd, &in) ? ~0ULL : in.used_open_bytes;
	tap_ok(used == 0, "nothing charged to the file (%llu bytes)", (unsigned long long)used);
	ret = dev_alloc(fd, page, MEMLAB_CACHE_CACHED, &a);
	tap_ok(!ret && a.phys >= FOUR_GIB, "without the flag: given, above 4 GiB (%s, phys %#llx)",
	       ret ? strerror(-ret) : "ok", ret ? 0ULL : (unsigned long long)a.phys);
	if (!ret)
		dev_free(fd, a.handle);
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	bool high = argc == 2 && !strcmp(argv[1], "high");
	bool low = argc >= 2 && !strcmp(argv[1], "low");
	bool refused = low && argc == 3 && !strcmp(argv[2], "refused");
	int fd;

	tap_begin();
	if (!high && !(low && (argc == 2 || refused))) {
		fprintf(stderr, "usage: %s low [refused] | high\n", argv[0]);
		return 2;
	}
	tap_plan(high ? ARRAY_SIZE(modes) + 2 : 3 * ARRAY_SIZE(modes) + 1);
	fd = open(DEV_PATH, O_RDWR);
	if (fd < 0)
		tap_bail("cannot open " DEV_PATH);
	if (high)
		test_high(fd, page);
	else
		test_low(fd, page, refused);
	close(fd);
	return tap_done();
}
