// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/memlab from user space, as include/uapi/memlab.h and docs/dev.rst
 * describe it: the shared buffer through read/write/lseek and mmap, private
 * buffers and their lifetime across fork, close and partial munmap, cache
 * modes, every refused input with its errno, quotas, capabilities, and the
 * debugfs buffers report. The pool must end where it started. Prints TAP.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "dev_common.h"

static long page;
static struct memlab_info info;

static int is_zero(const volatile uint64_t *p, size_t bytes)
{
	size_t i;

	for (i = 0; i < bytes / 8; i++)
		if (p[i])
			return 0;
	return 1;
}

static void fill(volatile uint64_t *p, size_t bytes, uint64_t seed)
{
	size_t i;

	for (i = 0; i < bytes / 8; i++)
		p[i] = seed ^ (i * 0x9e3779b97f4a7c15ULL);
}

/* Words [from, to) of @p hold what fill() with @seed put there. */
static int filled_at(const volatile uint64_t *p, size_t from, size_t to, uint64_t seed)
{
	size_t i;

	for (i = from; i < to; i++)
		if (p[i] != (seed ^ (i * 0x9e3779b97f4a7c15ULL)))
			return 0;
	return 1;
}

static int filled(const volatile uint64_t *p, size_t bytes, uint64_t seed)
{
	return filled_at(p, 0, bytes / 8, seed);
}

static void *map(int fd, size_t len, off_t off)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
}

/* mmap() that must fail: its errno, or 0 if it succeeded. */
static int map_err(int fd, size_t len, int flags, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, off);

	if (p != MAP_FAILED) {
		munmap(p, len);
		return 0;
	}
	return errno;
}

static void test_info(int fd)
{
	char *dt, *param;
	int ret;

	ret = dev_info(fd, &info);
	tap_ok(!ret, "MEMLAB_IOC_INFO (%s)", strerror(-ret));
	tap_ok(info.size == sizeof(info) && info.abi_version == MEMLAB_ABI_VERSION,
	       "info: size %u, abi_version %u", info.size, info.abi_version);
	tap_ok(info.page_size == page, "info: page_size %u", info.page_size);
	tap_ok(info.pool_bytes == (uint64_t)pool_stat("total_pages") * page &&
	       info.pool_free_bytes == (uint64_t)pool_free_pages() * page &&
	       info.max_order == (uint32_t)pool_stat("max_order"),
	       "info: pool %llu bytes, %llu free, max_order %u, as in alloc/default/stats",
	       (unsigned long long)info.pool_bytes, (unsigned long long)info.pool_free_bytes,
	       info.max_order);
	tap_ok(info.shared_bytes && info.shared_bytes % page == 0,
	       "info: shared buffer %llu bytes", (unsigned long long)info.shared_bytes);
	param = slurp(PARAMS "/shared_size");
	dt = slurp("/proc/device-tree/memlab/memlab,shared-buffer-size");
	if (param && strtoull(param, NULL, 0)) {
		tap_ok(info.shared_bytes == strtoull(param, NULL, 0),
		       "shared size comes from the shared_size parameter");
	} else if (dt) {
		const unsigned char *b = (const unsigned char *)dt;
		uint32_t want = (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];

		tap_ok(info.shared_bytes == want, "shared size %u comes from the device tree",
		       want);
	} else {
		tap_ok(info.shared_bytes == 1 << 20, "shared size is the 1 MiB default");
	}
	free(param);
	free(dt);
	tap_ok(info.used_open_bytes == 0 && info.nr_buffers == 0 && info.used_global_bytes == 0,
	       "info: nothing allocated yet");
}

/* read/write/lseek reach the shared buffer, so dd and hexdump work. */
static void test_shared_rw(int fd)
{
	size_t sz = info.shared_bytes, i;
	char *buf = malloc(sz), *back = malloc(sz), blk[512];
	ssize_t n;
	off_t off;
	int ok;

	for (i = 0; i < sz; i++)
		buf[i] = (char)(i * 7 + 3);
	tap_ok(pwrite(fd, buf, sz, 0) == (ssize_t)sz, "pwrite the whole shared buffer");
	tap_ok(pread(fd, back, sz, 0) == (ssize_t)sz && !memcmp(buf, back, sz),
	       "pread reads it back");
	/* dd bs=512: sequential reads through the file position */
	off = lseek(fd, 0, SEEK_SET);
	for (ok = off == 0, i = 0; ok && i < sz; i += n) {
		n = read(fd, blk, sizeof(blk));
		ok = n == (ssize_t)sizeof(blk) && !memcmp(blk, buf + i, n);
	}
	tap_ok(ok && read(fd, blk, sizeof(blk)) == 0, "512-byte reads walk the buffer to EOF");
	tap_ok(lseek(fd, 0, SEEK_CUR) == (off_t)sz && lseek(fd, 0, SEEK_END) == (off_t)sz,
	       "SEEK_CUR and SEEK_END at the end");
	errno = 0;
	tap_ok(write(fd, "x", 1) == -1 && errno == ENOSPC, "write at the end: ENOSPC (%s)",
	       strerror(errno));
	tap_ok(pwrite(fd, "abcdefgh", 8, sz - 3) == 3 && pread(fd, blk, 8, sz - 3) == 3 &&
	       !memcmp(blk, "abc", 3), "a write across the end is short");
	errno = 0;
	tap_ok(lseek(fd, sz + 1, SEEK_SET) == -1 && errno == EINVAL,
	       "lseek past the end: EINVAL");
	errno = 0;
	tap_ok(lseek(fd, -1, SEEK_SET) == -1 && errno == EINVAL, "lseek before 0: EINVAL");
	tap_ok(lseek(fd, 100, SEEK_SET) == 100 && lseek(fd, 10, SEEK_CUR) == 110 &&
	       lseek(fd, -10, SEEK_END) == (off_t)sz - 10, "SEEK_SET, SEEK_CUR, SEEK_END");
	errno = 0;
	/* Raw system calls: the C library's prototypes reject bad pointers. */
	tap_ok(syscall(SYS_pread64, fd, NULL, 16, 0) == -1 && errno == EFAULT,
	       "read into NULL: EFAULT");
	errno = 0;
	tap_ok(syscall(SYS_pwrite64, fd, 8, 16, 0) == -1 && errno == EFAULT,
	       "write from a bad pointer: EFAULT");
	free(buf);
	free(back);
}

/* SEEK_DATA and SEEK_HOLE: a regular file with no holes. */
static void test_shared_seek_data(int fd)
{
	off_t sz = info.shared_bytes;
	off_t data, hole;

	data = lseek(fd, 100, SEEK_DATA);
	tap_ok(data == 100, "SEEK_DATA inside the buffer: the offset itself (%lld, %s)",
	       (long long)data, data < 0 ? strerror(errno) : "ok");
	tap_ok(lseek(fd, 0, SEEK_CUR) == 100, "SEEK_DATA moves the file position");
	tap_ok(lseek(fd, 0, SEEK_DATA) == 0 && lseek(fd, sz - 1, SEEK_DATA) == sz - 1,
	       "SEEK_DATA at the first and the last byte");
	hole = lseek(fd, 100, SEEK_HOLE);
	tap_ok(hole == sz, "SEEK_HOLE inside the buffer: the end (%lld, %s)",
	       (long long)hole, hole < 0 ? strerror(errno) : "ok");
	tap_ok(lseek(fd, 0, SEEK_CUR) == sz, "SEEK_HOLE moves the file position to the end");
	tap_ok(lseek(fd, 0, SEEK_HOLE) == sz && lseek(fd, sz - 1, SEEK_HOLE) == sz,
	       "SEEK_HOLE from the first and the last byte");
	errno = 0;
	tap_ok(lseek(fd, sz, SEEK_DATA) == -1 && errno == ENXIO,
	       "SEEK_DATA at the end: ENXIO (%s)", strerror(errno));
	errno = 0;
	tap_ok(lseek(fd, sz, SEEK_HOLE) == -1 && errno == ENXIO,
	       "SEEK_HOLE at the end: ENXIO (%s)", strerror(errno));
	errno = 0;
	tap_ok(lseek(fd, sz + 4096, SEEK_DATA) == -1 && errno == ENXIO &&
	       lseek(fd, -1, SEEK_DATA) == -1 && errno == ENXIO &&
	       lseek(fd, -1, SEEK_HOLE) == -1 && errno == ENXIO,
	       "SEEK_DATA and SEEK_HOLE past the end or before 0: ENXIO");
	tap_ok(lseek(fd, 0, SEEK_CUR) == sz, "a refused seek leaves the position alone");
}

/*
 * A write changes exactly the bytes it reports written: from memory of
 * which only the first 8 bytes are readable (a page followed by a
 * PROT_NONE page) it is short, and from memory that cannot be read at all
 * it fails with EFAULT and changes nothing.
 */
static void test_shared_write_fault(int fd)
{
	static const char old[17] = "0123456789abcdef", new[9] = "ABCDEFGH";
	off_t off = 2 * page + 40;
	char *m, back[16];
	ssize_t n;

	m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!tap_ok(m != MAP_FAILED && !mprotect(m + page, page, PROT_NONE),
		    "map a page followed by a PROT_NONE page"))
		return;
	memcpy(m + page - 8, new, 8);

	tap_ok(pwrite(fd, old, 16, off) == 16, "pwrite 16 known bytes");
	errno = 0;
	n = pwrite(fd, m + page, 16, off);
	tap_ok(n == -1 && errno == EFAULT, "pwrite from a PROT_NONE page: EFAULT (%zd, %s)", n,
	       strerror(errno));
	tap_ok(pread(fd, back, 16, off) == 16 && !memcmp(back, old, 16),
	       "a failed write changed nothing (%.16s)", back);

	/* The kernel may copy less than could be read, but not nothing. */
	n = pwrite(fd, m + page - 8, 16, off);
	tap_ok(n >= 1 && n <= 8, "a 16-byte pwrite with 8 readable bytes is short (%zd)", n);
	if (n < 1 || n > 8)
		n = 8;
	tap_ok(pread(fd, back, 16, off) == 16 && !memcmp(back, new, n) &&
	       !memcmp(back + n, old + n, 16 - n),
	       "it changed the %zd bytes it wrote, and only those (%.16s)", n, back);

	/* Through the file position: it moves by what was written. */
	n = -1;
	if (pwrite(fd, old, 16, off) == 16 && lseek(fd, off, SEEK_SET) == off)
		n = write(fd, m + page - 8, 16);
	tap_ok(n >= 1 && n <= 8 && lseek(fd, 0, SEEK_CUR) == off + n,
	       "a short write() moves the file position by what it wrote (%zd)", n);
	if (n < 1 || n > 8)
		n = 8;
	errno = 0;
	tap_ok(write(fd, m + page, 16) == -1 && errno == EFAULT && lseek(fd, 0, SEEK_CUR) == off + n,
	       "a failed write() leaves the file position");
	tap_ok(pread(fd, back, 16, off) == 16 && !memcmp(back, new, n) &&
	       !memcmp(back + n, old + n, 16 - n),
	       "and the buffer holds what was written, nothing else (%.16s)", back);
	munmap(m, 2 * page);
}

/* mmap of the shared buffer agrees with read() and write(), both ways. */
static void test_shared_mmap(int fd)
{
	size_t sz = info.shared_bytes;
	char *m = map(fd, sz, MEMLAB_SHARED_OFFSET), blk[64];
	struct buf_row row;
	int fd2;
	char *m2;

	if (!tap_ok(m != MAP_FAILED, "mmap the shared buffer (%s)",
		    m == MAP_FAILED ? strerror(errno) : "ok"))
		return;
	memcpy(m + page + 5, "through-the-map", 15);
	tap_ok(pread(fd, blk, 15, page + 5) == 15 && !memcmp(blk, "through-the-map", 15),
	       "written through the mapping, read back with read()");
	tap_ok(pwrite(fd, "through-write", 13, sz - 13) == 13 &&
	       !memcmp(m + sz - 13, "through-write", 13),
	       "written with write(), seen through the mapping");

	/* A second open file, as another program would: same bytes. */
	fd2 = open(DEV_PATH, O_RDWR);
	m2 = fd2 >= 0 ? map(fd2, sz, 0) : MAP_FAILED;
	tap_ok(m2 != MAP_FAILED && !memcmp(m2 + page + 5, "through-the-map", 15),
	       "another open file maps the same shared buffer");
	tap_ok(buffers_find(0, &row) == 1 && row.bytes == sz && !strcmp(row.cache, "cached") &&
	       row.vmas == 2 && row.fds >= 2 && row.pid == 0 && !strcmp(row.comm, "-"),
	       "buffers: handle 0 is the shared buffer, 2 VMAs, %d fds", row.fds);
	if (m2 != MAP_FAILED)
		munmap(m2, sz);
	if (fd2 >= 0)
		close(fd2);

	/* Two processes: a forked child writes, the parent sees it. */
	if (fork() == 0) {
		strcpy(m + 3 * page, "from-the-child");
		_exit(0);
	}
	wait(NULL);
	tap_ok(!strcmp(m + 3 * page, "from-the-child"), "a forked child's write is seen");
	munmap(m, sz);
}

/* Private buffers: zeroed, mapped, reported, freed when the last user goes. */
static void test_private(int fd)
{
	long base = pool_free_pages();
	struct memlab_allocation_data a, b;
	struct buf_row row;
	size_t sz = 16 * page;
	uint64_t *m, *m2;
	int ret;

	ret = dev_alloc(fd, sz, MEMLAB_CACHE_CACHED, &a);
	if (!tap_ok(!ret, "allocate 16 pages (%s)", strerror(-ret)))
		return;
	tap_ok(a.handle > 0 && a.order == 4 && a.bytes == sz && a.length == sz &&
	       a.mmap_offset == (uint64_t)a.handle << 32 && a.flags == MEMLAB_CACHE_CACHED,
	       "handle %u, order %u, %llu bytes, offset 0x%llx", a.handle, a.order,
	       (unsigned long long)a.bytes, (unsigned long long)a.mmap_offset);
	tap_ok(a.phys && a.phys % sz == 0, "root sees the physical address 0x%llx, aligned",
	       (unsigned long long)a.phys);
	tap_ok(pool_free_pages() == base - 16, "the pool lost 16 pages");
	tap_ok(buffers_find(a.handle, &row) == 1 && row.bytes == sz && row.order == 4 &&
	       row.fds == 1 && row.vmas == 0 && row.pid == getpid() &&
	       !strcmp(row.comm, "dev_mmap_test") && row.phys == a.phys &&
	       !strcmp(row.cache, "cached"),
	       "buffers: handle %u, fds 1, vmas 0, our pid and comm, its phys", a.handle);

	m = map(fd, sz, a.mmap_offset);
	if (!tap_ok(m != MAP_FAILED, "mmap it (%s)", m == MAP_FAILED ? strerror(errno) : "ok"))
		return;
	tap_ok(is_zero(m, sz), "freshly allocated memory is all zero");
	fill(m, sz, 1);
	m2 = map(fd, 4 * page, a.mmap_offset + 12 * page);
	tap_ok(m2 != MAP_FAILED && !memcmp(m2, m + 12 * page / 8, 4 * page),
	       "a second mapping of its last 4 pages sees the data");
	tap_ok(buffers_find(a.handle, &row) == 1 && row.vmas == 2, "buffers: 2 VMAs (%d)",
	       row.vmas);

	/* Partial munmap: the middle goes, both ends stay. */
	tap_ok(!munmap((char *)m + 4 * page, 4 * page), "munmap pages 4-7");
	tap_ok(buffers_find(a.handle, &row) == 1 && row.vmas == 3,
	       "buffers: the split makes 3 VMAs (%d)", row.vmas);
	tap_ok(filled_at(m, 0, 4 * page / 8, 1) && filled_at(m, 8 * page / 8, 16 * page / 8, 1),
	       "pages 0-3 and 8-15 still hold their data");

	/* Dropping the handle keeps the memory while mappings remain. */
	ret = dev_free(fd, a.handle);
	tap_ok(!ret, "MEMLAB_IOC_FREE (%s)", strerror(-ret));
	tap_ok(dev_free(fd, a.handle) == -ENOENT, "a second free: ENOENT");
	tap_ok(buffers_find(a.handle, &row) == 1 && row.fds == 0 && row.vmas == 3,
	       "buffers: fds 0, still 3 VMAs");
	tap_ok(pool_free_pages() == base - 16, "the pool still lends the 16 pages");
	errno = 0;
	tap_ok(map_err(fd, page, MAP_SHARED, a.mmap_offset) == ENXIO,
	       "a freed handle's offset cannot be mapped again: ENXIO");
	fill(m, 4 * page, 2);
	tap_ok(filled(m, 4 * page, 2), "the mapping still works");
	munmap(m, 4 * page);
	munmap(m2, 4 * page);
	tap_ok(buffers_find(a.handle, &row) == 1 && row.vmas == 1, "buffers: 1 VMA left");
	tap_ok(pool_free_pages() == base - 16, "the pool lends the pages until the last munmap");
	munmap((char *)m + 8 * page, 8 * page);
	tap_ok(buffers_find(a.handle, &row) == 0, "buffers: gone after the last munmap");
	tap_ok(pool_free_pages() == base, "the pool has its 16 pages back");

	/* close() with a mapping left: freed at the munmap. */
	{
		int fd2 = open(DEV_PATH, O_RDWR);

		ret = fd2 < 0 ? -errno : dev_alloc(fd2, page, 0, &b);
		m = ret ? MAP_FAILED : map(fd2, page, b.mmap_offset);
		if (fd2 >= 0)
			close(fd2);
		tap_ok(m != MAP_FAILED && buffers_find(b.handle, &row) == 1 && row.vmas == 1 &&
		       pool_free_pages() == base - 1,
		       "a buffer outlives the close() of its file while mapped");
		if (m != MAP_FAILED)
			munmap(m, page);
		tap_ok(buffers_find(b.handle, &row) == 0 && pool_free_pages() == base,
		       "and goes back to the pool at the munmap");
	}
}

/* A grandchild keeps its mapping after its parent closes and exits. */
static void test_fork_lifetime(void)
{
	long base = pool_free_pages();
	int up[2], down[2], status;
	struct buf_row row;
	pid_t p, g = 0;
	struct {
		uint32_t handle;
		int ok;
		pid_t g;
	} msg = { 0 };

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (pipe(up) || pipe(down))
		return;
	p = fork();
	if (p == 0) {
		struct memlab_allocation_data a;
		int fd = open(DEV_PATH, O_RDWR);
		uint64_t *m;

		if (fd < 0 || dev_alloc(fd, 8 * page, 0, &a))
			_exit(1);
		m = map(fd, 8 * page, a.mmap_offset);
		if (m == MAP_FAILED)
			_exit(1);
		fill(m, 8 * page, 3);
		msg.handle = a.handle;
		g = fork();
		if (g == 0) {
			char c;

			/* Only the mapping is left to keep the buffer. */
			close(fd);
			close(down[1]);
			/* Wait for the parent to be gone, then check the data. */
			while (getppid() == p)
				usleep(1000);
			msg.ok = filled(m, 8 * page, 3);
			fill(m, 8 * page, 4);
			msg.ok &= filled(m, 8 * page, 4);
			msg.g = getpid();
			if (write(up[1], &msg, sizeof(msg)) != sizeof(msg))
				_exit(1);
			/* Hold the mapping until told to go. */
			if (read(down[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		close(fd);
		_exit(g > 0 ? 0 : 1);
	}
	waitpid(p, &status, 0);
	tap_ok(WIFEXITED(status) && !WEXITSTATUS(status),
	       "a child allocates, maps, forks, closes and exits");
	if (read(up[0], &msg, sizeof(msg)) != sizeof(msg))
		msg.ok = 0;
	tap_ok(msg.ok, "its child still reads and writes the buffer after it exited");
	tap_ok(buffers_find(msg.handle, &row) == 1 && row.vmas == 1,
	       "buffers: handle %u lives on with 1 VMA (%d)", msg.handle, row.vmas);
	tap_ok(pool_free_pages() == base - 8, "the pool still lends the 8 pages");
	close(down[1]);
	if (msg.g > 0)
		waitpid(msg.g, &status, 0);
	tap_ok(buffers_find(msg.handle, &row) == 0 && pool_free_pages() == base,
	       "freed when the last process exits");
	close(up[0]);
	close(up[1]);
	close(down[0]);
}

/* Write-combine and non-cached: zero, and what is written reads back. */
static void test_cache_modes(int fd)
{
	static const struct { uint32_t flags; const char *name; } modes[] = {
		{ MEMLAB_CACHE_WC, "wc" },
		{ MEMLAB_CACHE_UNCACHED, "uncached" },
	};
	struct memlab_allocation_data a;
	struct buf_row row;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		volatile uint64_t *m;
		int ret = dev_alloc(fd, 4 * page, modes[i].flags, &a);

		if (!tap_ok(!ret && a.flags == modes[i].flags, "allocate a %s buffer (%s)",
			    modes[i].name, strerror(-ret)))
			continue;
		tap_ok(buffers_find(a.handle, &row) == 1 && !strcmp(row.cache, modes[i].name),
		       "buffers: cache %s", row.cache);
		m = map(fd, 4 * page, a.mmap_offset);
		if (tap_ok(m != MAP_FAILED, "mmap the %s buffer", modes[i].name)) {
			/* Aligned 64-bit accesses only: Device memory faults on others. */
			tap_ok(is_zero(m, 4 * page), "%s: zero through the mapping", modes[i].name);
			fill(m, 4 * page, 5 + i);
			tap_ok(filled(m, 4 * page, 5 + i), "%s: written data reads back",
			       modes[i].name);
			munmap((void *)m, 4 * page);
		}
		dev_free(fd, a.handle);
	}
}

/*
 * A read-only open maps read-only: the shared buffer and its own private
 * buffers, MAP_SHARED and PROT_READ; never for writing, never private.
 */
static void test_mmap_readonly(void)
{
	int ro = open(DEV_PATH, O_RDONLY), rw = open(DEV_PATH, O_RDWR), ret;
	volatile uint64_t *p;
	struct memlab_allocation_data a;
	char *m, blk[16];
	void *q;

	if (!tap_ok(ro >= 0 && rw >= 0, "open read-only and read-write"))
		goto out;
	m = mmap(NULL, info.shared_bytes, PROT_READ, MAP_SHARED, ro, 0);
	if (tap_ok(m != MAP_FAILED, "PROT_READ, MAP_SHARED on a read-only open (%s)",
		   m == MAP_FAILED ? strerror(errno) : "ok")) {
		tap_ok(pwrite(rw, "read-only-map", 13, page + 7) == 13 &&
		       !memcmp(m + page + 7, "read-only-map", 13),
		       "it sees what another open file writes");
		errno = 0;
		tap_ok(mprotect(m, page, PROT_READ | PROT_WRITE) == -1 && errno == EACCES,
		       "mprotect(PROT_WRITE) on it: EACCES (%s)", strerror(errno));
		munmap(m, info.shared_bytes);
	}
	errno = 0;
	q = mmap(NULL, page, PROT_READ, MAP_PRIVATE, ro, 0);
	tap_ok(q == MAP_FAILED && errno == EINVAL,
	       "PROT_READ, MAP_PRIVATE on a read-only open: EINVAL (%s)", strerror(errno));
	if (q != MAP_FAILED)
		munmap(q, page);
	errno = 0;
	tap_ok(write(ro, blk, sizeof(blk)) == -1 && errno == EBADF,
	       "write() on a read-only open: EBADF");

	ret = dev_alloc(ro, 2 * page, MEMLAB_CACHE_CACHED, &a);
	if (!tap_ok(!ret, "a read-only open allocates a private buffer (%s)", strerror(-ret)))
		goto out;
	p = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, ro, a.mmap_offset);
	tap_ok(p != MAP_FAILED && is_zero(p, 2 * page),
	       "and maps it read-only: all zero (%s)", p == MAP_FAILED ? strerror(errno) : "ok");
	if (p != MAP_FAILED)
		munmap((void *)p, 2 * page);
	tap_ok(map_err(ro, page, MAP_SHARED, a.mmap_offset) == EACCES,
	       "but not for writing: EACCES");
	dev_free(ro, a.handle);
out:
	if (ro >= 0)
		close(ro);
	if (rw >= 0)
		close(rw);
}

/* Every refused mmap() with its errno. */
static void test_mmap_errors(int fd)
{
	struct memlab_allocation_data a;
	int ro, other;
	void *m;

	tap_ok(map_err(fd, page, MAP_PRIVATE, 0) == EINVAL, "MAP_PRIVATE: EINVAL");
	tap_ok(map_err(fd, page, MAP_SHARED, 100) == EINVAL, "unaligned offset: EINVAL");
	tap_ok(map_err(fd, page, MAP_SHARED, (off_t)12345 << 32) == ENXIO,
	       "offset of no buffer: ENXIO");
	tap_ok(map_err(fd, page, MAP_SHARED, (off_t)1 << 62) == ENXIO,
	       "offset beyond every handle: ENXIO");
	tap_ok(map_err(fd, info.shared_bytes + page, MAP_SHARED, 0) == EOVERFLOW,
	       "longer than the shared buffer: EOVERFLOW");
	tap_ok(map_err(fd, page, MAP_SHARED, info.shared_bytes) == EOVERFLOW,
	       "offset at the end of the shared buffer: EOVERFLOW");
	if (dev_alloc(fd, 2 * page, 0, &a))
		return;
	tap_ok(map_err(fd, 3 * page, MAP_SHARED, a.mmap_offset) == EOVERFLOW,
	       "longer than a private buffer: EOVERFLOW");
	tap_ok(map_err(fd, 2 * page, MAP_SHARED, a.mmap_offset + page) == EOVERFLOW,
	       "a private buffer's tail plus one page: EOVERFLOW");
	other = open(DEV_PATH, O_RDWR);
	tap_ok(other >= 0 && map_err(other, page, MAP_SHARED, a.mmap_offset) == ENXIO,
	       "another open file cannot map this file's buffer: ENXIO");
	if (other >= 0)
		close(other);
	ro = open(DEV_PATH, O_RDONLY);
	tap_ok(ro >= 0 && map_err(ro, page, MAP_SHARED, 0) == EACCES,
	       "PROT_WRITE on a read-only open: EACCES");
	if (ro >= 0)
		close(ro);
	test_mmap_readonly();

	/* mremap: shrinking and moving work, growing is refused. */
	m = map(fd, 2 * page, a.mmap_offset);
	if (tap_ok(m != MAP_FAILED, "map the 2-page buffer")) {
		errno = 0;
		tap_ok(mremap(m, 2 * page, 4 * page, MREMAP_MAYMOVE) == MAP_FAILED &&
		       errno == EFAULT, "mremap growth: EFAULT (%s)", strerror(errno));
		m = mremap(m, 2 * page, page, 0);
		tap_ok(m != MAP_FAILED, "mremap shrink works");
		if (m != MAP_FAILED)
			munmap(m, page);
	}
	dev_free(fd, a.handle);
}

/* Every refused ioctl with its errno, and nothing allocated by any of them. */
static void test_ioctl_errors(int fd)
{
	long base = pool_free_pages();
	struct memlab_allocation_data a;
	struct memlab_info in;
	struct memlab_free f;
	struct buf_row rows[8];
	unsigned int i;
	void *ro;

	errno = 0;
	tap_ok(ioctl(fd, _IO(MEMLAB_IOC_MAGIC, 0x7f)) == -1 && errno == ENOTTY,
	       "unknown ioctl number: ENOTTY");
	errno = 0;
	tap_ok(ioctl(fd, _IOWR('x', 0, struct memlab_info), &in) == -1 && errno == ENOTTY,
	       "foreign ioctl type: ENOTTY");
	errno = 0;
	tap_ok(ioctl(fd, _IOWR(MEMLAB_IOC_MAGIC, 0, struct memlab_free), &f) == -1 &&
	       errno == ENOTTY, "INFO's number with another size: ENOTTY");
	errno = 0;
	tap_ok(ioctl(fd, MEMLAB_IOC_INFO, NULL) == -1 && errno == EFAULT, "INFO to NULL: EFAULT");
	errno = 0;
	tap_ok(ioctl(fd, MEMLAB_IOC_ALLOC, (void *)16) == -1 && errno == EFAULT,
	       "ALLOC from a bad pointer: EFAULT");
	errno = 0;
	tap_ok(ioctl(fd, MEMLAB_IOC_FREE, (void *)16) == -1 && errno == EFAULT,
	       "FREE from a bad pointer: EFAULT");

	memset(&in, 0, sizeof(in));
	in.size = sizeof(in) - 8;
	tap_ok(ioctl(fd, MEMLAB_IOC_INFO, &in) == -1 && errno == EINVAL, "INFO size wrong: EINVAL");
	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.__pad = 1;
	tap_ok(ioctl(fd, MEMLAB_IOC_INFO, &in) == -1 && errno == EINVAL,
	       "INFO padding non-zero: EINVAL");
	for (i = 0; i < 8; i++) {
		memset(&in, 0, sizeof(in));
		in.size = sizeof(in);
		in.reserved[i] = 1ULL << (i * 8);
		if (ioctl(fd, MEMLAB_IOC_INFO, &in) != -1 || errno != EINVAL)
			break;
	}
	tap_ok(i == 8, "INFO with any reserved word non-zero: EINVAL");

	memset(&a, 0, sizeof(a));
	a.length = page;
	tap_ok(ioctl(fd, MEMLAB_IOC_ALLOC, &a) == -1 && errno == EINVAL, "ALLOC size 0: EINVAL");
	a.size = sizeof(a) + 8;
	tap_ok(ioctl(fd, MEMLAB_IOC_ALLOC, &a) == -1 && errno == EINVAL,
	       "ALLOC size too large: EINVAL");
	for (i = 0; i < 4; i++) {
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.length = page;
		a.reserved[i] = 1;
		if (ioctl(fd, MEMLAB_IOC_ALLOC, &a) != -1 || errno != EINVAL)
			break;
	}
	tap_ok(i == 4, "ALLOC with any reserved word non-zero: EINVAL");
	tap_ok(dev_alloc(fd, page, 0x10, &a) == -EINVAL, "ALLOC unknown flag 0x10: EINVAL");
	tap_ok(dev_alloc(fd, page, 0x80000000u, &a) == -EINVAL,
	       "ALLOC unknown flag 0x80000000: EINVAL");
	tap_ok(dev_alloc(fd, page, 0x3, &a) == -EINVAL, "ALLOC cache mode 3: EINVAL");
	tap_ok(dev_alloc(fd, 0, 0, &a) == -EINVAL, "ALLOC length 0: EINVAL");
	tap_ok(dev_alloc(fd, ((uint64_t)page << info.max_order) + 1, 0, &a) == -E2BIG,
	       "ALLOC one byte more than the largest block: E2BIG");
	tap_ok(dev_alloc(fd, ~0ULL, 0, &a) == -E2BIG, "ALLOC 2^64-1 bytes: E2BIG");

	memset(&f, 0, sizeof(f));
	f.handle = 1;
	tap_ok(ioctl(fd, MEMLAB_IOC_FREE, &f) == -1 && errno == EINVAL, "FREE size 0: EINVAL");
	f.size = sizeof(f);
	f.reserved[1] = 1;
	tap_ok(ioctl(fd, MEMLAB_IOC_FREE, &f) == -1 && errno == EINVAL,
	       "FREE reserved non-zero: EINVAL");
	tap_ok(dev_free(fd, 0) == -ENOENT, "FREE handle 0: ENOENT");
	tap_ok(dev_free(fd, 0x7fffffff) == -ENOENT, "FREE a handle never given: ENOENT");

	/* The result cannot be copied out: the buffer must not leak. */
	ro = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro != MAP_FAILED) {
		struct memlab_allocation_data *ra = ro;

		ra->size = sizeof(*ra);
		ra->length = page;
		mprotect(ro, page, PROT_READ);
		errno = 0;
		tap_ok(ioctl(fd, MEMLAB_IOC_ALLOC, ro) == -1 && errno == EFAULT,
		       "ALLOC into read-only memory: EFAULT");
		munmap(ro, page);
	}
	tap_ok(pool_free_pages() == base && buffers_parse(rows, 8) == 1,
	       "no refused ioctl left anything allocated");
}

/* Quotas: EDQUOT per open file, ENOSPC globally, ENOMEM from the pool. */
static void test_quotas(void)
{
	char *old_open = slurp(PARAMS "/quota_open"), *old_global = slurp(PARAMS "/quota_global");
	long base = pool_free_pages();
	struct memlab_allocation_data a;
	uint32_t handles[32];
	int fd1, fd2, fd3, n, ret;
	struct memlab_info in;

	if (!old_open || !old_global) {
		tap_skip("no memlab_dev parameters in sysfs", "quotas");
		return;
	}
	tap_ok(param_write("quota_open", "12345") == -EINVAL &&
	       param_write("quota_open", "junk") == -EINVAL &&
	       param_write("quota_global", "2G") == -EINVAL,
	       "bad quota values are refused with EINVAL");
	tap_ok(!param_write("quota_open", "64K") && !param_write("quota_global", "96K"),
	       "set quota_open=64K quota_global=96K");
	fd1 = open(DEV_PATH, O_RDWR);
	fd2 = open(DEV_PATH, O_RDWR);
	fd3 = open(DEV_PATH, O_RDWR);
	tap_ok(!dev_info(fd1, &in) && in.quota_open_bytes == 65536 &&
	       in.quota_global_bytes == 98304, "info reports the quotas");
	for (n = 0; n < 32 && !(ret = dev_alloc(fd1, page, 0, &a)); n++)
		handles[n] = a.handle;
	tap_ok(ret == -EDQUOT && n * page == 65536, "the open file's quota: %d pages, then EDQUOT",
	       n);
	tap_ok(!dev_info(fd1, &in) && in.used_open_bytes == 65536 &&
	       in.used_global_bytes == 65536 && in.nr_buffers == (uint32_t)n,
	       "info: used_open_bytes and used_global_bytes 64K, %u buffers", in.nr_buffers);
	ret = dev_alloc(fd2, 32768, 0, &a);
	tap_ok(!ret, "another open file gets the 32K the global quota has left");
	tap_ok(dev_alloc(fd3, page, 0, &a) == -ENOSPC, "a third hits the global quota: ENOSPC");
	tap_ok(!dev_free(fd1, handles[0]) && !dev_alloc(fd3, page, 0, &a),
	       "freeing one page lets it through again");
	close(fd1);
	close(fd2);
	close(fd3);
	tap_ok(pool_free_pages() == base, "closing the files frees everything");

	/* The pool itself: largest blocks until ENOMEM. */
	param_write("quota_open", "1G");
	param_write("quota_global", "1G");
	fd1 = open(DEV_PATH, O_RDWR);
	for (n = 0; n < (1 << 20) && !(ret = dev_alloc(fd1, page, 0, &a)); n++)
		;
	tap_ok(ret == -ENOMEM && n == base, "the pool runs out after %d pages: ENOMEM", n);
	close(fd1);
	tap_ok(pool_free_pages() == base && check_ok(), "and recovers all of them, check ok");
	param_write("quota_open", old_open);
	param_write("quota_global", old_global);
	free(old_open);
	free(old_global);
}

/* The physical address is for CAP_SYS_ADMIN only; allocation is for anyone. */
static void test_caps(void)
{
	static const char *const how[] = { "without CAP_SYS_ADMIN", "as uid 65534" };
	int i, status;

	for (i = 0; i < 2; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			struct memlab_allocation_data a;
			int fd;

			if (i == 0 ? drop_cap_sys_admin() : become_nobody())
				_exit(2);
			fd = open(DEV_PATH, O_RDWR);
			if (fd < 0 || dev_alloc(fd, page, 0, &a))
				_exit(3);
			_exit(a.phys == 0 && a.handle ? 0 : 4);
		}
		waitpid(pid, &status, 0);
		tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "%s: allocation works, physical address 0 (status %d)", how[i],
		       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
}

int main(void)
{
	char *bi_before, *bi_after;
	long base;
	int fd;

	page = sysconf(_SC_PAGESIZE);
	tap_begin();
	fd = open(DEV_PATH, O_RDWR);
	if (!tap_ok(fd >= 0, "open " DEV_PATH " (%s)", strerror(errno)))
		return tap_done();
	bi_before = slurp(DBG "/alloc/default/buddyinfo");
	base = pool_free_pages();
	test_info(fd);
	test_shared_rw(fd);
	test_shared_seek_data(fd);
	test_shared_write_fault(fd);
	test_shared_mmap(fd);
	test_private(fd);
	test_fork_lifetime();
	test_cache_modes(fd);
	test_mmap_errors(fd);
	test_ioctl_errors(fd);
	test_quotas();
	test_caps();
	close(fd);

	bi_after = slurp(DBG "/alloc/default/buddyinfo");
	tap_ok(pool_free_pages() == base, "the pool has every page back (%ld)", base);
	tap_ok(bi_before && bi_after && !strcmp(bi_before, bi_after),
	       "buddyinfo is as it was before the tests");
	tap_ok(check_ok(), "the pool's check is ok");
	free(bi_before);
	free(bi_after);
	return tap_done();
}
