// SPDX-License-Identifier: GPL-2.0-only
/*
 * dev_pmd_test: 2 MiB PMD mappings of /dev/memlab's PFN buffers.
 *
 * Where the kernel has huge PFN maps (6.12 and later with transparent huge
 * pages: docs/dev.rst), a mapping of 2 MiB or more made without an address
 * lands where its virtual address agrees with the block's physical one
 * modulo 2 MiB, and memlab_pt's walk finds each 2 MiB of it in one block
 * entry at the pmd, with the block's physical address and the cache mode's
 * memory type. Elsewhere (6.1) the same mappings are made of PTEs, and the
 * test checks that instead. Then:
 * - in every cache mode, at 2 and 4 MiB: what is written through one
 *   mapping reads back through a second one; munmap() of the middle page
 *   of a block splits it, and the rest still reads right;
 * - the shared buffer, 2 MiB in the QEMU guest: written through a mapping,
 *   read back with pread();
 * - fork(): the child sees the parent's data through its own PMDs and
 *   writes what the parent reads;
 * - mprotect() of a whole block keeps it a block, read-only, then writable
 *   again; of one page inside it, splits it;
 * - get_user_pages() refuses the block as it refuses a special PTE: an
 *   O_DIRECT read of a loop device and process_vm_readv() from it fail
 *   with EFAULT;
 * - the pool gets every page back.
 * Physical addresses and the walk need CAP_SYS_ADMIN: the guest runs it as
 * root.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "dev_common.h"

#define SZ_2M		(2UL << 20)
#define WALK		DBG "/pt/walk"
#define VMAS		DBG "/pt/vmas"
#define LOOP_FILE	"/tmp/dev_pmd_test.loop"

static int huge;	/* this kernel maps with PMDs */

struct walk {
	int mapped;
	unsigned long long phys;
	char size[16], level[8], type[16], attrs[192];
};

static const char *const modes[] = { "cached", "wc", "uncached" };

/* The memory type memlab_pt prints for each cache mode. */
static const char *memtype(uint32_t cache)
{
	return cache == MEMLAB_CACHE_CACHED ? "MEM/NORMAL" : "MEM/NORMAL-NC";
}

/* Whether @word is one of the space-separated words of @s. */
static int has_word(const char *s, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = strstr(s, word); p; p = strstr(p + 1, word))
		if ((p == s || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

/* Ask memlab_pt's @file about @query; the answer (to free) or NULL. */
static char *ask(const char *file, const char *query)
{
	int fd = open(file, O_RDWR | O_CLOEXEC);
	char *text = NULL;

	if (fd < 0)
		return NULL;
	if (write(fd, query, strlen(query)) == (ssize_t)strlen(query) &&
	    !lseek(fd, 0, SEEK_SET))
		text = slurp_fd(fd);
	close(fd);
	return text;
}

/* Walk @addr of this process; 0 when the answer has a leaf and a result. */
static int walk(const void *addr, struct walk *w)
{
	char q[64], *text, *line, *save;

	memset(w, 0, sizeof(*w));
	snprintf(q, sizeof(q), "self %p\n", addr);
	text = ask(WALK, q);
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char lvl[8], hw[8], tbl[32], idx[16], desc[32], type[16], a[32];
		int off = 0;

		if (sscanf(line, "result mapped phys %31s size %15s cont %*s level %7s", a,
			   w->size, w->level) == 3) {
			w->mapped = 1;
			w->phys = strtoull(a, NULL, 16);
		} else if (sscanf(line, "%7s %7s %31s %15s %31s %15s %n", lvl, hw, tbl, idx, desc,
				  type, &off) == 6 && off && strstr("pgd p4d pud pmd pte", lvl) &&
			   (!strcmp(type, "block") || !strcmp(type, "page"))) {
			snprintf(w->type, sizeof(w->type), "%s", type);
			snprintf(w->attrs, sizeof(w->attrs), "%s", line + off);
		}
	}
	free(text);
	return w->mapped && w->type[0] ? 0 : -1;
}

/*
 * Whether @addr is mapped as this kernel maps memory at @phys: a 2M block
 * at the pmd, or a 4K page; with @mtype, writable (@rw "RW": RW, or ro
 * with DBM while still clean) or not (@rw "ro": ro without DBM).
 */
static int walk_is(const void *addr, unsigned long long phys, const char *mtype,
		   const char *rw, int block, struct walk *w)
{
	if (walk(addr, w))
		return 0;
	if (block && (strcmp(w->level, "pmd") || strcmp(w->type, "block") ||
		      strcmp(w->size, "2M") || !has_word(w->attrs, "BLK")))
		return 0;
	if (!block && (strcmp(w->level, "pte") || strcmp(w->type, "page") ||
		       strcmp(w->size, "4K")))
		return 0;
	if (!strcmp(rw, "RW") ? !has_word(w->attrs, "RW") && !has_word(w->attrs, "DBM") :
				has_word(w->attrs, "RW") || has_word(w->attrs, "DBM"))
		return 0;
	return w->phys >> 12 == phys >> 12 && has_word(w->attrs, mtype) &&
	       has_word(w->attrs, "USR");
}

/* What the last walk found, after a failed point. */
static void walk_diag(const struct walk *w)
{
	tap_diag("walk: level %s type %s size %s phys 0x%llx attrs %s", w->level, w->type,
		 w->size, w->phys, w->attrs);
}

/* memlab_pt's vmas line for the VMA at @start: its 4K and 2M counts. */
static int vmas_counts(const void *start, long *k4, long *m2)
{
	char *text = ask(VMAS, "self\n"), *line, *save;
	unsigned long long s;
	int found = 0;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%llx %*x %*s %*x %*d %ld %*d %ld", &s, k4, m2) == 3 &&
		    s == (unsigned long)start) {
			found = 1;
			break;
		}
	free(text);
	return found ? 0 : -1;
}

/* Fill @n bytes at @p with a pattern of @seed, word by word. */
static void fill(void *p, size_t n, uint64_t seed)
{
	uint64_t *w = p;
	size_t i;

	for (i = 0; i < n / 8; i++)
		w[i] = (i << 16) ^ seed;
}

/* Whether @n bytes at @p, from byte @from of the buffer, hold fill()'s pattern. */
static int filled(const void *p, size_t from, size_t n, uint64_t seed)
{
	const uint64_t *w = p;
	size_t i;

	for (i = 0; i < n / 8; i++)
		if (w[i] != (((from / 8 + i) << 16) ^ seed))
			return 0;
	return 1;
}

/* A mapping of all of @a; MAP_FAILED on failure. */
static void *map_buf(int fd, const struct memlab_allocation_data *a, int prot)
{
	return mmap(NULL, a->bytes, prot, MAP_SHARED, fd, a->mmap_offset);
}

/* One cache mode, one size: placement, walk, data, a split by munmap(). */
static void test_buffer(int fd, uint32_t cache, size_t bytes)
{
	const char *m = modes[cache];
	struct memlab_allocation_data a;
	uint64_t seed = 0x5a5a0000 + cache * 16 + bytes / SZ_2M;
	struct walk w;
	struct buf_row r;
	char *p, *q;
	size_t off;
	long k4 = -1, m2 = -1;
	int ret, ok;

	ret = dev_alloc(fd, bytes, cache, &a);
	if (!tap_ok(!ret && a.bytes == bytes, "%s %zuM: allocated (%s)", m, bytes >> 20,
		    ret ? strerror(-ret) : "ok"))
		return;
	p = map_buf(fd, &a, PROT_READ | PROT_WRITE);
	q = map_buf(fd, &a, PROT_READ | PROT_WRITE);
	if (!tap_ok(p != MAP_FAILED && q != MAP_FAILED, "%s %zuM: mapped twice", m, bytes >> 20)) {
		dev_free(fd, a.handle);
		return;
	}
	if (huge)
		tap_ok(!(((unsigned long)p - a.phys) & (SZ_2M - 1)) &&
		       !(((unsigned long)q - a.phys) & (SZ_2M - 1)),
		       "%s %zuM: placed congruent to phys 0x%llx mod 2M (%p, %p)", m, bytes >> 20,
		       (unsigned long long)a.phys, p, q);
	else
		tap_skip("6.1 maps PTEs: no placement", "%s %zuM: placed congruent", m,
			 bytes >> 20);

	fill(p, bytes, seed);
	ok = 1;
	for (off = 0; off < bytes; off += SZ_2M) {
		ok &= walk_is(p + off + 0x12345, a.phys + off + 0x12345, memtype(cache), "RW",
			      huge, &w);
		if (!ok) {
			tap_diag("at +0x%zx:", off);
			walk_diag(&w);
			break;
		}
	}
	tap_ok(ok, "%s %zuM: walk finds %s, the block's phys, %s", m, bytes >> 20,
	       huge ? "a 2M block at the pmd" : "4K pages (no huge PFN maps)", memtype(cache));
	ret = vmas_counts(p, &k4, &m2);
	tap_ok(!ret && (huge ? m2 == (long)(bytes >> 12) && !k4 : k4 == (long)(bytes >> 12)),
	       "%s %zuM: vmas counts %ld pages in 2M blocks, %ld in 4K pages", m, bytes >> 20,
	       m2, k4);
	tap_ok(filled(q, 0, bytes, seed), "%s %zuM: a second mapping reads what the first wrote",
	       m, bytes >> 20);

	/* The middle page of the first block goes: the block is split. */
	ret = munmap(p + SZ_2M / 2, 4096);
	ok = !ret && filled(p, 0, SZ_2M / 2, seed) &&
	     filled(p + SZ_2M / 2 + 4096, SZ_2M / 2 + 4096, bytes - SZ_2M / 2 - 4096, seed);
	fill(q, bytes, ~seed);
	ok = ok && filled(p, 0, SZ_2M / 2, ~seed) &&
	     filled(p + SZ_2M / 2 + 4096, SZ_2M / 2 + 4096, bytes - SZ_2M / 2 - 4096, ~seed);
	tap_ok(ok, "%s %zuM: after munmap() of the middle page the rest reads right", m,
	       bytes >> 20);
	ok = walk_is(p + 0x1000, a.phys + 0x1000, memtype(cache), "RW", 0, &w);
	if (bytes > SZ_2M)
		ok &= walk_is(p + SZ_2M, a.phys + SZ_2M, memtype(cache), "RW", huge, &w);
	if (!tap_ok(ok, "%s %zuM: the cut block is 4K pages now%s", m, bytes >> 20,
		    bytes > SZ_2M && huge ? ", the other still a block" : ""))
		walk_diag(&w);
	tap_ok(buffers_find(a.handle, &r) == 1 && r.vmas == 3,
	       "%s %zuM: buffers counts 3 mappings (%d)", m, bytes >> 20, r.vmas);
	munmap(p, SZ_2M / 2);
	munmap(p + SZ_2M / 2 + 4096, bytes - SZ_2M / 2 - 4096);
	munmap(q, bytes);
	dev_free(fd, a.handle);
}

/* The shared buffer: PMD-mapped when it is 2 MiB, and read() reaches it. */
static void test_shared(int fd)
{
	struct memlab_info info;
	struct buf_row r;
	struct walk w;
	char *p, *back;
	size_t n;

	if (dev_info(fd, &info) || info.shared_bytes < SZ_2M || buffers_find(0, &r) != 1 ||
	    r.phys & (SZ_2M - 1)) {
		tap_skip("the shared buffer is not a 2M-aligned 2M", "shared buffer: block");
		tap_skip("the shared buffer is not a 2M-aligned 2M", "shared buffer: pread()");
		return;
	}
	n = SZ_2M;
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, MEMLAB_SHARED_OFFSET);
	back = malloc(n);
	if (p == MAP_FAILED || !back) {
		tap_ok(0, "shared buffer: mapped");
		tap_skip("not mapped", "shared buffer: pread()");
		free(back);
		return;
	}
	fill(p, n, 0x77);
	tap_ok(walk_is(p + 0x2345, r.phys + 0x2345, "MEM/NORMAL", "RW", huge, &w),
	       "shared buffer: %s at phys 0x%llx", huge ? "a 2M block at the pmd" : "4K pages",
	       r.phys);
	tap_ok(pread(fd, back, n, 0) == (ssize_t)n && filled(back, 0, n, 0x77),
	       "shared buffer: pread() returns what the mapping wrote");
	memset(p, 0, n);
	munmap(p, n);
	free(back);
}

/* fork(): the child maps through its own PMDs and writes what the parent reads. */
static void test_fork(int fd)
{
	struct memlab_allocation_data a;
	struct walk w;
	int status = -1, ret;
	uint64_t *mark;
	pid_t pid;
	char *p;

	ret = dev_alloc(fd, SZ_2M, MEMLAB_CACHE_CACHED, &a);
	p = ret ? MAP_FAILED : map_buf(fd, &a, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED) {
		tap_ok(0, "fork: a 2M buffer mapped (%s)", strerror(-ret));
		tap_skip("no buffer", "fork: the parent sees the child's write");
		return;
	}
	fill(p, SZ_2M, 0x1234);
	mark = (uint64_t *)(p + 0x3450);
	pid = fork();
	if (!pid) {
		int code = 0;

		if (!filled(p, 0, SZ_2M, 0x1234))
			code |= 1;
		/* First the write: fork() leaves the child's entries clean. */
		*mark = 0xc0ffee;
		if (!walk_is(p + 0x3456, a.phys + 0x3456, "MEM/NORMAL", "RW", huge, &w))
			code |= 2;
		_exit(code);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && !WEXITSTATUS(status),
	       "fork: the child reads the data through %s (status 0x%x)",
	       huge ? "a 2M block" : "4K pages", status);
	tap_ok(*mark == 0xc0ffee, "fork: the parent sees the child's write");
	munmap(p, SZ_2M);
	dev_free(fd, a.handle);
}

/* mprotect() of a whole block keeps it one; of a page in it, splits it. */
static void test_mprotect(int fd)
{
	struct memlab_allocation_data a;
	struct walk w;
	int ret, ok;
	char *p;

	ret = dev_alloc(fd, 2 * SZ_2M, MEMLAB_CACHE_WC, &a);
	p = ret ? MAP_FAILED : map_buf(fd, &a, PROT_READ | PROT_WRITE);
	if (p == MAP_FAILED) {
		tap_ok(0, "mprotect: a 4M buffer mapped (%s)", strerror(-ret));
		tap_skip("no buffer", "mprotect: writable again");
		tap_skip("no buffer", "mprotect: a page of a block");
		return;
	}
	fill(p, 2 * SZ_2M, 0x99);
	ret = mprotect(p, SZ_2M, PROT_READ);
	ok = !ret && walk_is(p + 0x5000, a.phys + 0x5000, "MEM/NORMAL-NC", "ro", huge, &w) &&
	     filled(p, 0, 2 * SZ_2M, 0x99);
	tap_ok(ok, "mprotect: a read-only block reads right (%s %s)", w.level, w.attrs);
	ret = mprotect(p, SZ_2M, PROT_READ | PROT_WRITE);
	if (!ret)
		fill(p, SZ_2M, 0x98);
	tap_ok(!ret && walk_is(p + 0x5000, a.phys + 0x5000, "MEM/NORMAL-NC", "RW", huge, &w) &&
	       filled(p, 0, SZ_2M, 0x98), "mprotect: writable again, and written");
	/* Read first: the split leaves the pages to fault back in. */
	ret = mprotect(p + SZ_2M + 0x10000, 4096, PROT_READ);
	ok = !ret && filled(p + SZ_2M, SZ_2M, SZ_2M, 0x99) &&
	     walk_is(p + SZ_2M, a.phys + SZ_2M, "MEM/NORMAL-NC", "RW", 0, &w) &&
	     walk_is(p + SZ_2M + 0x10000, a.phys + SZ_2M + 0x10000, "MEM/NORMAL-NC", "ro", 0,
		     &w);
	if (!tap_ok(ok, "mprotect: a page of a block: 4K pages around it, data intact"))
		walk_diag(&w);
	munmap(p, 2 * SZ_2M);
	dev_free(fd, a.handle);
}

/* get_user_pages() refuses a special PMD: O_DIRECT and process_vm_readv(). */
static void test_gup(int fd)
{
	struct memlab_allocation_data a;
	struct iovec local, remote;
	int ret, dfd = -1, bfd;
	char dev[32], *p, *to;
	ssize_t n;

	ret = dev_alloc(fd, SZ_2M, MEMLAB_CACHE_CACHED, &a);
	p = ret ? MAP_FAILED : map_buf(fd, &a, PROT_READ | PROT_WRITE);
	to = malloc(SZ_2M);
	if (p == MAP_FAILED || !to) {
		tap_ok(0, "gup: a 2M buffer mapped (%s)", strerror(-ret));
		tap_skip("no buffer", "gup: process_vm_readv()");
		free(to);
		return;
	}
	memset(p, 0x3c, SZ_2M);
	memset(to, 0, SZ_2M);
	bfd = open(LOOP_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ret = bfd < 0 || write(bfd, to, SZ_2M) != (ssize_t)SZ_2M ? -EIO : 0;
	if (bfd >= 0)
		close(bfd);
	if (!ret && !access("/dev/loop-control", F_OK))
		ret = loop_attach(LOOP_FILE, dev, sizeof(dev));
	else
		ret = -ENODEV;
	if (!ret)
		dfd = open(dev, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (dfd >= 0) {
		errno = 0;
		n = pread(dfd, p, SZ_2M, 0);
		tap_ok(n == -1 && errno == EFAULT && p[0] == 0x3c,
		       "gup: O_DIRECT read of %s into the mapping: EFAULT (%s)", dev,
		       n == -1 ? strerror(errno) : "read");
		close(dfd);
	} else {
		tap_skip("no loop device here", "gup: O_DIRECT read into the mapping");
	}
	if (!ret)
		loop_detach(dev);
	unlink(LOOP_FILE);
	local.iov_base = to;
	local.iov_len = SZ_2M;
	remote.iov_base = p;
	remote.iov_len = SZ_2M;
	errno = 0;
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (n == -1 && errno == ENOSYS)
		tap_skip("no process_vm_readv() in this kernel",
			 "gup: process_vm_readv() from the mapping");
	else
		tap_ok(n == -1 && errno == EFAULT,
		       "gup: process_vm_readv() from the mapping: EFAULT (%s)",
		       n == -1 ? strerror(errno) : "read");
	free(to);
	munmap(p, SZ_2M);
	dev_free(fd, a.handle);
}

int main(void)
{
	long free_before, free_after;
	uint32_t cache;
	size_t bytes;
	int fd;

	tap_begin();
	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		tap_skip_all("no " DEV_PATH);
	if (access(WALK, R_OK))
		tap_skip_all("no memlab_pt walk (memlab_pt not loaded, or not root)");
	huge = kernel_maps_huge();
	tap_diag("this kernel maps 2M blocks of PFN buffers with %s", huge ? "PMDs" : "PTEs");
	free_before = pool_free_pages();
	for (cache = 0; cache < ARRAY_SIZE(modes); cache++)
		for (bytes = SZ_2M; bytes <= 2 * SZ_2M; bytes += SZ_2M)
			test_buffer(fd, cache, bytes);
	test_shared(fd);
	test_fork(fd);
	test_mprotect(fd);
	test_gup(fd);
	close(fd);
	free_after = pool_free_pages();
	tap_ok(free_before > 0 && free_after == free_before,
	       "the pool has every page back (%ld free, %ld before)", free_after, free_before);
	return tap_done();
}
