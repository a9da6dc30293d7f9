// SPDX-License-Identifier: GPL-2.0-only
/*
 * dev_pages_test [refused]: page-backed buffers (MEMLAB_ALLOC_PAGES).
 *
 * Without an argument:
 * - the flag's errno table, the reply and the buffers report's map column;
 * - a page-backed mapping behaves as a PFN one (zeroed, shared, partial,
 *   fork, the mmap checks), survives MADV_DONTNEED, and shows in memlab_pt's
 *   walk as a normal page: counted and in the rmap;
 * - get_user_pages() works on it and fails on a PFN mapping: vmsplice(),
 *   process_vm_readv(), /proc/self/mem, an O_DIRECT read of a loop device
 *   (where the kernel has loop.ko, which init loads) and io_uring fixed
 *   buffers (where the kernel's io_uring takes them);
 * - a buffer whose pages a pipe or io_uring still holds after munmap() and
 *   FREE stays out of the pool, and memlab_dev loaded, until they are let go;
 * - uid 65534 uses it all the same.
 *
 * With "refused" (a no-map pool: no struct pages to map): the flag is
 * refused with EOPNOTSUPP at every size, nothing is left allocated, and
 * PFN buffers still work.
 *
 * memlab_dev.ko is looked for in ../modules next to this program, to load it
 * again should an unload that must fail succeed.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "dev_common.h"

#define PAGES		MEMLAB_ALLOC_PAGES
#define NPAGES		16		/* a buffer: as much as a pipe holds */
#define WALK		DBG "/pt/walk"
#define DATA_FILE	"/tmp/dev_pages_test.data"
#define LOOP_FILE	"/tmp/dev_pages_test.loop"

static long page;
static size_t len;		/* NPAGES pages */
static unsigned char *want;	/* what the files hold: expect(), seed 7 */
static char moddir[512];

static const char *err_name(int ret)
{
	return ret ? strerror(-ret) : "success";
}

/* Fill @p with bytes of @seed, each different from its neighbours. */
static void expect(unsigned char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 31 + seed + (i >> 12));
}

/* A private buffer of @npages, mapped. */
struct buf {
	struct memlab_allocation_data a;
	unsigned char *m;
};

/* 0, or -errno of ALLOC or mmap (then nothing is left allocated). */
static int buf_new(int fd, size_t npages, uint32_t flags, struct buf *b)
{
	int ret = dev_alloc(fd, npages * page, flags, &b->a);

	b->m = MAP_FAILED;
	if (ret)
		return ret;
	b->m = mmap(NULL, b->a.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, b->a.mmap_offset);
	if (b->m == MAP_FAILED) {
		ret = -errno;
		dev_free(fd, b->a.handle);
	}
	return ret;
}

static void buf_del(int fd, struct buf *b)
{
	if (b->m != MAP_FAILED)
		munmap(b->m, b->a.bytes);
	b->m = MAP_FAILED;
	dev_free(fd, b->a.handle);
}

/* A file of @n bytes of want[]; 0 or -errno. */
static int make_file(const char *path, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, want, n) != (ssize_t)n)
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

/* vmsplice() @n bytes at @p into a new pipe @pfd: bytes spliced or -errno. */
static ssize_t splice_in(void *p, size_t n, int pfd[2])
{
	struct iovec iov = { .iov_base = p, .iov_len = n };
	ssize_t ret;

	if (pipe(pfd))
		return -errno;
	ret = vmsplice(pfd[1], &iov, 1, 0);
	return ret < 0 ? -errno : ret;
}

/* Read @n bytes from the pipe and close it: 1 if they are @expected's. */
static int drain(int pfd[2], size_t n, const unsigned char *expected)
{
	unsigned char *back = malloc(n);
	size_t got = 0;
	ssize_t r;
	int ok;

	while (back && got < n && (r = read(pfd[0], back + got, n - got)) > 0)
		got += r;
	ok = back && got == n && !memcmp(back, expected, n);
	free(back);
	close(pfd[0]);
	close(pfd[1]);
	return ok;
}

/* process_vm_readv() of @n bytes at @p, from this process: bytes or -errno. */
static ssize_t vm_read(void *p, size_t n, void *to)
{
	struct iovec local = { .iov_base = to, .iov_len = n };
	struct iovec remote = { .iov_base = p, .iov_len = n };
	ssize_t ret = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	return ret < 0 ? -errno : ret;
}

/* /proc/self/mem at @p: bytes read or -errno. */
static ssize_t mem_read(void *p, size_t n, void *to)
{
	int fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	ssize_t ret;

	if (fd < 0)
		return -errno;
	ret = pread(fd, to, n, (off_t)(uintptr_t)p);
	ret = ret < 0 ? -errno : ret;
	close(fd);
	return ret;
}

/* Wait up to 10 s for the pool's free pages to reach @target; 1 if they do. */
static int wait_free(long target)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (pool_free_pages() == target)
			return 1;
		usleep(50000);
	}
	return 0;
}

/* The buffers row of @handle: its map column, "" when the buffer is gone. */
static const char *map_of(unsigned int handle, struct buf_row *r)
{
	return buffers_find(handle, r) == 1 ? r->map : "";
}

/*
 * memlab_pt's page line for @addr: refcount and mapcount, or -1 each; the
 * line, or why there is none, in @why.
 */
static void walk_counts(int walkfd, void *addr, int *ref, int *map, char *why, size_t n)
{
	char q[64], ans[4096], *line, *save;
	ssize_t r, got = 0;

	*ref = *map = -1;
	snprintf(why, n, "no page line");
	snprintf(q, sizeof(q), "self %p\n", addr);
	if (write(walkfd, q, strlen(q)) < 0 || lseek(walkfd, 0, SEEK_SET) < 0)
		return;
	while ((r = read(walkfd, ans + got, sizeof(ans) - 1 - got)) > 0)
		got += r;
	ans[got] = '\0';
	for (line = strtok_r(ans, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "page ", 5))
			continue;
		snprintf(why, n, "%s", line);
		if (sscanf(line, "page pfn %*s refcount %d mapcount %d", ref, map) != 2)
			*ref = *map = -1;
	}
}

static void skip_n(int n, const char *why, const char *what)
{
	while (n-- > 0)
		tap_skip(why, "%s", what);
}

#define FLAG_CASES	11

/* MEMLAB_ALLOC_PAGES: the errno table, the reply, the buffers report. */
static void test_flag(int fd)
{
	struct memlab_info info;
	struct buf_row r;
	struct buf b;
	int ret;

	dev_info(fd, &info);
	ret = buf_new(fd, NPAGES, PAGES, &b);
	tap_ok(!ret, "ALLOC PAGES (cached), %d pages, and map it (%s)", NPAGES, err_name(ret));
	tap_ok(!ret && b.a.flags == PAGES && b.a.bytes == len && b.a.phys,
	       "the reply: flags %#x (PAGES), %llu bytes, phys for root", b.a.flags,
	       (unsigned long long)b.a.bytes);
	tap_ok(!ret && !strcmp(map_of(b.a.handle, &r), "pages") && !strcmp(r.cache, "cached") &&
	       r.phys == b.a.phys && r.fds == 1 && r.vmas == 1,
	       "buffers: map pages, cache cached, fds 1, vmas 1, the same phys");
	if (!ret)
		buf_del(fd, &b);
	ret = dev_alloc(fd, page, PAGES | MEMLAB_CACHE_WC, &b.a);
	tap_ok(ret == -EINVAL, "PAGES | WC: EINVAL (%s)", err_name(ret));
	ret = dev_alloc(fd, page, PAGES | MEMLAB_CACHE_UNCACHED, &b.a);
	tap_ok(ret == -EINVAL, "PAGES | UNCACHED: EINVAL (%s)", err_name(ret));
	ret = dev_alloc(fd, page, PAGES | MEMLAB_CACHE_MASK, &b.a);
	tap_ok(ret == -EINVAL, "PAGES with cache mode 3: EINVAL (%s)", err_name(ret));
	ret = dev_alloc(fd, page, PAGES | 0x10, &b.a);
	tap_ok(ret == -EINVAL, "PAGES with the unknown flag 0x10: EINVAL (%s)", err_name(ret));
	ret = dev_alloc(fd, 0, PAGES, &b.a);
	tap_ok(ret == -EINVAL, "PAGES, length 0: EINVAL (%s)", err_name(ret));
	ret = dev_alloc(fd, ((uint64_t)page << info.max_order) + 1, PAGES, &b.a);
	tap_ok(ret == -E2BIG, "PAGES, more than the largest block: E2BIG (%s)", err_name(ret));
	tap_ok(!strcmp(map_of(0, &r), "pfn"), "buffers: the shared buffer is mapped by PFN");
	ret = buf_new(fd, 1, 0, &b);
	tap_ok(!ret && !strcmp(map_of(b.a.handle, &r), "pfn") && !b.a.flags,
	       "without the flag: map pfn, reply flags 0 (%s)", err_name(ret));
	if (!ret)
		buf_del(fd, &b);
}

/* mmap() of one page with @flags: its errno, 0 if it succeeded. */
static int map_err(int fd, size_t n, int flags, uint64_t off)
{
	void *p = mmap(NULL, n, PROT_READ, flags, fd, off);

	if (p != MAP_FAILED) {
		munmap(p, n);
		return 0;
	}
	return errno;
}

#define MAP_CASES	13

/* A page-backed mapping behaves as a PFN one, and its pages are normal pages. */
static void test_mapping(int fd)
{
	unsigned char *part, *m, *ones = malloc(len);
	int ret, status, walkfd, pfd[2], held = 0;
	struct buf b, pfn;
	long before;
	pid_t pid;

	ret = ones ? buf_new(fd, NPAGES, PAGES, &b) : -ENOMEM;
	if (ret) {
		skip_n(MAP_CASES, "no page-backed buffer", "mapping");
		free(ones);
		return;
	}
	m = b.m;
	tap_ok(m[0] == 0 && !memcmp(m, m + 1, len - 1), "the mapping is zeroed");
	expect(ones, len, 1);
	memcpy(m, ones, len);
	part = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    b.a.mmap_offset + 3 * page);
	ret = part != MAP_FAILED && !memcmp(part, m + 3 * page, 2 * page);
	if (ret) {
		part[5] ^= 0xff;
		ret = m[3 * page + 5] == part[5];
		m[3 * page + 5] ^= 0xff;
		ret = ret && m[3 * page + 5] == part[5];
		munmap(part, 2 * page);
	}
	tap_ok(ret, "a second mapping of pages 3 and 4 sees the same bytes, both ways");
	ret = map_err(fd, page, MAP_PRIVATE, b.a.mmap_offset);
	tap_ok(ret == EINVAL, "MAP_PRIVATE: EINVAL (%s)", strerror(ret));
	ret = map_err(fd, len + page, MAP_SHARED, b.a.mmap_offset);
	tap_ok(ret == EOVERFLOW, "a mapping past the end: EOVERFLOW (%s)", strerror(ret));

	pid = fork();
	if (pid == 0) {
		if (memcmp(m, ones, len))
			_exit(1);
		m[0] = 0x42;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && !WEXITSTATUS(status) && m[0] == 0x42,
	       "a forked child reads the buffer, and its write shows in the parent");
	m[0] = ones[0];

	/* MADV_DONTNEED drops the entries; the same pages come back. */
	ret = madvise(m, len, MADV_DONTNEED) ? -errno : 0;
	tap_ok(!ret && !memcmp(m, ones, len), "MADV_DONTNEED, then the data is still there (%s)",
	       err_name(ret));
	ret = buf_new(fd, 1, 0, &pfn);
	if (!ret) {
		ret = madvise(pfn.m, page, MADV_DONTNEED) ? -errno : 0;
		buf_del(fd, &pfn);
	}
	tap_ok(ret == -EINVAL, "MADV_DONTNEED on a PFN mapping: EINVAL (%s)", err_name(ret));

	/* In the page tables: normal pages, counted and in the rmap. */
	walkfd = open(WALK, O_RDWR | O_CLOEXEC);
	if (walkfd < 0) {
		skip_n(2, "no " WALK " (memlab_pt is not loaded)", "walk of a page");
	} else {
		char why[256];
		int ref, map;

		walk_counts(walkfd, m + page, &ref, &map, why, sizeof(why));
		tap_ok(ref == 2 && map == 1,
		       "walk: a page-backed page: refcount 2 (pool, mapping), mapcount 1 (%s)",
		       why);
		ret = buf_new(fd, 1, 0, &pfn);
		if (!ret) {
			walk_counts(walkfd, pfn.m, &ref, &map, why, sizeof(why));
			buf_del(fd, &pfn);
		}
		tap_ok(!ret && ref == 1 && map == 0,
		       "walk: a PFN-mapped page: refcount 1, mapcount 0 (%s)", why);
		close(walkfd);
	}

	before = pool_free_pages();
	buf_del(fd, &b);
	tap_ok(pool_free_pages() == before + NPAGES,
	       "munmap and FREE give the block back at once (%ld free, was %ld)",
	       pool_free_pages(), before);

	/* The last reference in a VMA's close: its entries are gone by then. */
	ret = buf_new(fd, NPAGES, PAGES, &b);
	if (!ret) {
		before = pool_free_pages();
		dev_free(fd, b.a.handle);
		munmap(b.m, len);
	}
	tap_ok(!ret && pool_free_pages() == before + NPAGES,
	       "FREE, then munmap: the block is back at once (%s)", err_name(ret));
	ret = buf_new(fd, NPAGES, PAGES, &b);
	status = -1;
	if (!ret && !pipe(pfd)) {
		char c;

		before = pool_free_pages();
		pid = fork();
		if (pid == 0) {
			close(pfd[1]);
			/* Hold the mapping until the parent has let go of everything. */
			_exit(read(pfd[0], &c, 1) == 0 && b.m[len - 1] == 0 ? 0 : 1);
		}
		close(pfd[0]);
		buf_del(fd, &b);
		held = pool_free_pages() == before;
		close(pfd[1]);
		waitpid(pid, &status, 0);
	}
	tap_ok(held && WIFEXITED(status) && !WEXITSTATUS(status) &&
	       pool_free_pages() == before + NPAGES,
	       "a child holds the last mapping: the block stays, and is back once it exits");
	free(ones);
	tap_ok(check_ok(), "the pool's check is ok");
}

#define GUP_CASES	6

/* get_user_pages() users that every kernel has, on both kinds of mapping. */
static void test_gup(int fd)
{
	unsigned char *to = malloc(len);
	struct buf b, pfn;
	ssize_t n;
	int pfd[2];

	if (buf_new(fd, NPAGES, PAGES, &b) || buf_new(fd, NPAGES, 0, &pfn) || !to) {
		skip_n(GUP_CASES, "no buffers", "get_user_pages()");
		return;
	}
	memcpy(b.m, want, len);
	memcpy(pfn.m, want, len);

	n = splice_in(b.m, len, pfd);
	tap_ok(n == (ssize_t)len && drain(pfd, len, want),
	       "vmsplice() of a page-backed mapping: the pipe reads its bytes (%zd)", n);
	n = splice_in(pfn.m, len, pfd);
	close(pfd[0]);
	close(pfd[1]);
	tap_ok(n == -EFAULT, "vmsplice() of a PFN mapping: EFAULT (%s)",
	       n < 0 ? strerror(-n) : "spliced");

	memset(to, 0, len);
	n = vm_read(b.m, len, to);
	if (n == -ENOSYS) {
		skip_n(2, "no process_vm_readv() in this kernel (CONFIG_CROSS_MEMORY_ATTACH)",
		       "process_vm_readv()");
	} else {
		tap_ok(n == (ssize_t)len && !memcmp(to, want, len),
		       "process_vm_readv() from a page-backed mapping (%zd)", n);
		n = vm_read(pfn.m, len, to);
		tap_ok(n == -EFAULT, "process_vm_readv() from a PFN mapping: EFAULT (%s)",
		       n < 0 ? strerror(-n) : "read");
	}

	memset(to, 0, len);
	n = mem_read(b.m, len, to);
	tap_ok(n == (ssize_t)len && !memcmp(to, want, len),
	       "/proc/self/mem reads a page-backed mapping (%zd)", n);
	n = mem_read(pfn.m, len, to);
	tap_ok(n == -EIO, "/proc/self/mem on a PFN mapping: EIO (%s)",
	       n < 0 ? strerror(-n) : "read");
	buf_del(fd, &b);
	buf_del(fd, &pfn);
	free(to);
}

#define ODIRECT_CASES	2

/* An O_DIRECT read of a block device: the block layer pins the pages. */
static void test_odirect(int fd)
{
	struct buf b, pfn;
	char dev[32];
	int dfd, ret;
	ssize_t n;

	if (access("/dev/loop-control", F_OK)) {
		skip_n(ODIRECT_CASES,
		       "no loop device here (this kernel has no loop.ko), and tmpfs O_DIRECT copies through the page cache",
		       "O_DIRECT read");
		return;
	}
	ret = make_file(LOOP_FILE, len);
	if (!ret)
		ret = loop_attach(LOOP_FILE, dev, sizeof(dev));
	if (ret) {
		skip_n(ODIRECT_CASES, "no loop device could be set up", "O_DIRECT read");
		tap_diag("loop device over " LOOP_FILE ": %s", strerror(-ret));
		unlink(LOOP_FILE);
		return;
	}
	dfd = open(dev, O_RDONLY | O_DIRECT | O_CLOEXEC);
	ret = buf_new(fd, NPAGES, PAGES, &b);
	n = dfd >= 0 && !ret ? pread(dfd, b.m, len, 0) : -1;
	tap_ok(n == (ssize_t)len && !memcmp(b.m, want, len),
	       "O_DIRECT read of %s into a page-backed mapping: %zd bytes, the file's (%s)", dev,
	       n, n < 0 ? strerror(errno) : "read");
	if (!ret)
		buf_del(fd, &b);
	ret = buf_new(fd, NPAGES, 0, &pfn);
	errno = 0;
	n = dfd >= 0 && !ret ? pread(dfd, pfn.m, len, 0) : -2;
	tap_ok(n == -1 && errno == EFAULT, "the same read into a PFN mapping: EFAULT (%s)",
	       n == -1 ? strerror(errno) : "read");
	if (!ret)
		buf_del(fd, &pfn);
	if (dfd >= 0)
		close(dfd);
	loop_detach(dev);
	unlink(LOOP_FILE);
}

/* An io_uring with raw system calls: the rings and what they point at. */
struct ring {
	int fd;
	void *sq, *cq;
	size_t sq_len, cq_len, sqes_len;
	struct io_uring_sqe *sqes;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_cqe *cqes;
};

static int ring_setup(struct ring *r)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	memset(r, 0, sizeof(*r));
	r->fd = syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -errno;
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sq = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		     IORING_OFF_SQ_RING);
	r->cq = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		     IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       r->fd, IORING_OFF_SQES);
	if (r->sq == MAP_FAILED || r->cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -errno;
	r->sq_tail = (unsigned int *)((char *)r->sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)r->sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)r->sq + p.sq_off.array);
	r->cq_head = (unsigned int *)((char *)r->cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)r->cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)r->cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)r->cq + p.cq_off.cqes);
	return 0;
}

static void ring_close(struct ring *r)
{
	if (r->sqes && r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqes_len);
	if (r->cq && r->cq != MAP_FAILED)
		munmap(r->cq, r->cq_len);
	if (r->sq && r->sq != MAP_FAILED)
		munmap(r->sq, r->sq_len);
	if (r->fd >= 0)
		close(r->fd);
}

static int ring_register(struct ring *r, void *p, size_t n)
{
	struct iovec iov = { .iov_base = p, .iov_len = n };

	return syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_BUFFERS, &iov, 1) ?
	       -errno : 0;
}

static int ring_unregister(struct ring *r)
{
	return syscall(__NR_io_uring_register, r->fd, IORING_UNREGISTER_BUFFERS, NULL, 0) ?
	       -errno : 0;
}

/* IORING_OP_READ_FIXED of @n bytes of @file into fixed buffer 0 at @p: its result. */
static int ring_read_fixed(struct ring *r, int file, void *p, unsigned int n)
{
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	int res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_READ_FIXED;
	sqe->fd = file;
	sqe->addr = (uintptr_t)p;
	sqe->len = n;
	sqe->buf_index = 0;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

#define URING_CASES	4

/* io_uring fixed buffers: pin_user_pages(FOLL_LONGTERM) for as long as registered. */
static void test_io_uring(int fd)
{
	struct buf b, pfn;
	struct buf_row row;
	struct ring r;
	int ret, file;
	long before;

	ret = ring_setup(&r);
	if (ret == -ENOSYS || ret == -EPERM) {
		skip_n(URING_CASES, ret == -ENOSYS ? "io_uring_setup: ENOSYS" :
			"io_uring_setup: EPERM (io_uring_disabled)", "io_uring fixed buffers");
		ring_close(&r);
		return;
	}
	file = open(DATA_FILE, O_RDONLY | O_CLOEXEC);
	if (ret || file < 0 || buf_new(fd, NPAGES, 0, &pfn)) {
		skip_n(URING_CASES, "no ring, data file or buffer", "io_uring fixed buffers");
		tap_diag("io_uring_setup: %s", err_name(ret));
		goto out_ring;
	}
	ret = ring_register(&r, pfn.m, len);
	tap_ok(ret == -EFAULT, "IORING_REGISTER_BUFFERS of a PFN mapping: EFAULT (%s)",
	       err_name(ret));
	if (!ret)
		ring_unregister(&r);
	buf_del(fd, &pfn);

	before = pool_free_pages();
	if (buf_new(fd, NPAGES, PAGES, &b)) {
		skip_n(URING_CASES - 1, "no page-backed buffer", "io_uring fixed buffers");
		goto out_file;
	}
	ret = ring_register(&r, b.m, len);
	if (ret == -EOPNOTSUPP) {
		/* 6.1's io_uring: anonymous, shmem and hugetlbfs memory only. */
		skip_n(URING_CASES - 1,
		       "this kernel's io_uring refuses fixed buffers in file mappings (EOPNOTSUPP)",
		       "io_uring fixed buffers");
		buf_del(fd, &b);
		goto out_file;
	}
	ret = ret ? ret : ring_read_fixed(&r, file, b.m, len);
	tap_ok(ret == (int)len && !memcmp(b.m, want, len),
	       "IORING_REGISTER_BUFFERS of a page-backed mapping, READ_FIXED into it (%s)",
	       ret < 0 ? strerror(-ret) : "read");

	/* Registered buffers stay pinned after munmap() and FREE. */
	buf_del(fd, &b);
	tap_ok(pool_free_pages() == before - NPAGES && !strcmp(map_of(b.a.handle, &row), "pinned"),
	       "registered, unmapped and freed: the block stays out of the pool, map pinned");
	ret = ring_unregister(&r);
	tap_ok(!ret && wait_free(before) && !*map_of(b.a.handle, &row),
	       "IORING_UNREGISTER_BUFFERS: the block goes back to the pool (%s)", err_name(ret));
out_file:
	close(file);
out_ring:
	ring_close(&r);
}

#define PINNED_CASES	7

/* A pipe's page reference keeps the block out of the pool, and memlab_dev loaded. */
static void test_pinned(void)
{
	struct memlab_info info;
	struct buf_row row;
	struct buf b, other;
	long before;
	int fd, pfd[2], ret;
	ssize_t n;

	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	before = pool_free_pages();
	if (fd < 0 || buf_new(fd, NPAGES, PAGES, &b)) {
		skip_n(PINNED_CASES, "no page-backed buffer", "pinned buffer");
		return;
	}
	memcpy(b.m, want, len);
	n = splice_in(b.m + page, page, pfd);
	if (n != page) {
		skip_n(PINNED_CASES, "vmsplice() failed", "pinned buffer");
		tap_diag("vmsplice: %s", n < 0 ? strerror(-n) : "short");
		buf_del(fd, &b);
		close(fd);
		return;
	}
	buf_del(fd, &b);
	tap_ok(pool_free_pages() == before - NPAGES &&
	       !strcmp(map_of(b.a.handle, &row), "pinned") && row.fds == 0 && row.vmas == 0,
	       "a page in a pipe after munmap and FREE: the block stays out, map pinned, fds 0, vmas 0");
	dev_info(fd, &info);
	tap_ok(info.nr_buffers == 1 && info.used_global_bytes == len && info.used_open_bytes == 0,
	       "it still counts globally (%u buffers, %llu bytes), not for the file (%llu)",
	       info.nr_buffers, (unsigned long long)info.used_global_bytes,
	       (unsigned long long)info.used_open_bytes);
	ret = buf_new(fd, NPAGES, 0, &other);
	tap_ok(!ret && other.a.phys != b.a.phys,
	       "a new buffer of that size gets another block (%#llx, pinned %#llx)",
	       (unsigned long long)other.a.phys, (unsigned long long)b.a.phys);
	if (!ret)
		buf_del(fd, &other);
	close(fd);
	ret = module_remove("memlab_dev");
	tap_ok(ret == -EWOULDBLOCK,
	       "with nothing open or mapped, unloading memlab_dev is refused (%s)", err_name(ret));
	if (!ret) {
		char path[640];

		snprintf(path, sizeof(path), "%s/memlab_dev.ko", moddir);
		module_insert(path, "");
	}
	tap_ok(drain(pfd, page, want + page), "the pipe reads what the page held");
	tap_ok(wait_free(before) && !*map_of(b.a.handle, &row),
	       "the pipe drained, the block goes back to the pool (%ld free, want %ld)",
	       pool_free_pages(), before);
	fd = open(DEV_PATH, O_RDONLY | O_CLOEXEC);
	tap_ok(fd >= 0 && !dev_info(fd, &info) && info.nr_buffers == 0 && check_ok(),
	       "nothing is left allocated, and the pool's check is ok");
	if (fd >= 0)
		close(fd);
}

/* What uid 65534's child got wrong, by exit status. */
static const char *const unpriv_steps[] = {
	"", "setuid", "open", "ALLOC PAGES and mmap", "phys shown", "vmsplice", "process_vm_readv",
};

/* Anyone may ask for pages: uid 65534 allocates, maps and splices. */
static void test_unprivileged(void)
{
	int status, step;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		unsigned char *to = malloc(len);
		struct buf b;
		int fd, pfd[2];

		if (become_nobody())
			_exit(1);
		fd = open(DEV_PATH, O_RDWR);
		if (fd < 0)
			_exit(2);
		if (buf_new(fd, NPAGES, PAGES, &b))
			_exit(3);
		if (b.a.phys)
			_exit(4);
		memcpy(b.m, want, len);
		if (splice_in(b.m, len, pfd) != (ssize_t)len || !drain(pfd, len, want))
			_exit(5);
		if (!to || (vm_read(b.m, len, to) != -ENOSYS &&
			    (vm_read(b.m, len, to) != (ssize_t)len || memcmp(to, want, len))))
			_exit(6);
		buf_del(fd, &b);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	step = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	tap_ok(step == 0,
	       "uid 65534: ALLOC PAGES, map, no phys, vmsplice, process_vm_readv (if any)%s%s",
	       step ? ": failed at " : "",
	       step < 0 ? "a signal" : step < (int)ARRAY_SIZE(unpriv_steps) ?
	       unpriv_steps[step] : "?");
}

#define REFUSED_CASES	5

/* A no-map pool: no struct pages, so no page-backed buffers. */
static void test_refused(void)
{
	static const uint64_t sizes[] = { 1, 256 };
	long before = pool_free_pages();
	struct buf b;
	unsigned int i;
	int fd, ret;

	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (!tap_ok(fd >= 0, "open " DEV_PATH " (%s)", strerror(errno)))
		return;
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ret = dev_alloc(fd, sizes[i] * page, PAGES, &b.a);
		tap_ok(ret == -EOPNOTSUPP, "PAGES, %llu pages: EOPNOTSUPP (%s)",
		       (unsigned long long)sizes[i], err_name(ret));
		if (!ret)
			dev_free(fd, b.a.handle);
	}
	ret = buf_new(fd, NPAGES, 0, &b);
	tap_ok(!ret && b.m[0] == 0 && !memcmp(b.m, b.m + 1, len - 1),
	       "a PFN buffer is still given, mapped and zeroed (%s)", err_name(ret));
	if (!ret)
		buf_del(fd, &b);
	close(fd);
	tap_ok(pool_free_pages() == before, "the pool's free pages end as they began (%ld, %ld)",
	       before, pool_free_pages());
}

int main(int argc, char **argv)
{
	char self[256], *src;
	int fd;

	page = sysconf(_SC_PAGESIZE);
	len = NPAGES * page;
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(moddir, sizeof(moddir), "%s/../modules", dirname(self));
	tap_begin();
	if (argc > 1 && !strcmp(argv[1], "refused")) {
		tap_plan(REFUSED_CASES);
		test_refused();
		return tap_done();
	}
	want = malloc(len);
	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (!want || fd < 0)
		tap_skip_all("no " DEV_PATH);
	src = slurp(DBG "/alloc/default/stats");
	if (src && strstr(src, "source "))
		tap_diag("pool %.*s", (int)strcspn(strstr(src, "source "), "\n"),
			 strstr(src, "source "));
	free(src);
	expect(want, len, 7);
	if (make_file(DATA_FILE, len))
		tap_diag(DATA_FILE ": %s", strerror(errno));

	tap_plan(FLAG_CASES + MAP_CASES + GUP_CASES + ODIRECT_CASES + URING_CASES +
		 PINNED_CASES + 1);
	test_flag(fd);
	test_mapping(fd);
	test_gup(fd);
	test_odirect(fd);
	test_io_uring(fd);
	close(fd);
	test_pinned();
	test_unprivileged();
	unlink(DATA_FILE);
	return tap_done();
}
