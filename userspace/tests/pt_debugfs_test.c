// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exercises memlab_pt's debugfs files with real queries and parses every
 * report exactly as docs/pt.rst documents it: pages of this process
 * (anonymous, read-only, file-backed, /dev/memlab) against
 * /proc/self/pagemap and the AT check, a clean page dirtied by the
 * hardware (DBM) or by a fault, an unmapped address, the linear-map
 * alias of one of them as a kernel address, malformed queries, unknown and
 * kernel-thread pids, per-open queries, vmas, mmu and layout. Prints TAP.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include <memlab.h>

#include "memlab_test.h"

#define DIR	"/sys/kernel/debug/memlab/pt"
#define OUTSZ	65536

static char out[OUTSZ];

/* Write @q to a fresh open of @file, then read the answer into out. */
static int ask_fd(int fd, const char *q)
{
	ssize_t n, len = 0;

	if (q && write(fd, q, strlen(q)) < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	while ((n = read(fd, out + len, OUTSZ - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	return n < 0 ? -errno : 0;
}

static int ask(const char *file, const char *q)
{
	int fd = open(file, O_RDWR), ret;

	if (fd < 0)
		return -errno;
	ret = ask_fd(fd, q);
	close(fd);
	return ret;
}

/* Read all of @file into out. */
static int read_out(const char *file)
{
	int fd = open(file, O_RDONLY), ret;

	if (fd < 0)
		return -errno;
	ret = ask_fd(fd, NULL);
	close(fd);
	return ret;
}

static const char *find_line(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, prefix, n))
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

struct walk {
	int mapped, invalid, outside, levels_ok, folded, nlevels;
	unsigned long long phys, pfn, desc;
	char size[16], level[8], attrs[160], type[32];
	int has_page, hw_agree, hw_done, hw_skipped;
	char kind[16];
};

static int is_hex16(const char *s)
{
	int i;

	if (strncmp(s, "0x", 2))
		return 0;
	for (i = 2; i < 18; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return !s[18];
}

/* Parse a walk answer; returns 0 when every line is in the documented form. */
static int parse_walk(const char *text, struct walk *w)
{
	char *copy = strdup(text), *line, *save;
	int bad = 0, saw_query = 0, saw_space = 0, saw_showpte = 0, saw_result = 0;

	memset(w, 0, sizeof(*w));
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char a[32], b[32], c[32], d[32], e[32], f[32];
		int off = 0;

		if (line[0] == '#')
			continue;
		if (!strncmp(line, "query ", 6)) {
			saw_query = 1;
		} else if (!strncmp(line, "space ", 6)) {
			unsigned int vb, lv;

			saw_space = sscanf(line, "space %31s pid %31s root %31s va_bits %u levels %u granule 4K",
					   a, b, c, &vb, &lv) == 5 && is_hex16(c);
			bad += !saw_space;
		} else if (!strncmp(line, "show_pte [", 10)) {
			saw_showpte = 1;
		} else if (!strncmp(line, "result ", 7)) {
			saw_result = 1;
			if (sscanf(line, "result mapped phys %31s size %15s cont %31s level %7s",
				   a, w->size, b, w->level) == 4 && is_hex16(a)) {
				w->mapped = 1;
				w->phys = strtoull(a, NULL, 16);
			} else if (sscanf(line, "result invalid level %7s", w->level) == 1) {
				w->invalid = 1;
			} else if (!strcmp(line, "result outside-vma")) {
				w->outside = 1;
			} else if (strncmp(line, "result unreadable level ", 24)) {
				bad++;
			}
		} else if (!strncmp(line, "page ", 5)) {
			int ref, map;

			w->has_page = 1;
			if (sscanf(line, "page pfn %31s refcount %d mapcount %d kind %15s lru %*d dirty %*d order %*u",
				   a, &ref, &map, w->kind) == 4) {
				w->pfn = strtoull(a, NULL, 16);
				bad += ref < 0 || map < 0;
			} else if (!strstr(line, "no-struct-page") && !strstr(line, "changing"))
				bad++;
		} else if (!strncmp(line, "hw ", 3)) {
			if (!strncmp(line, "hw skipped ", 11)) {
				w->hw_skipped = 1;
			} else {
				w->hw_done = 1;
				w->hw_agree = !!strstr(line, " agree yes");
				bad += !strstr(line, " agree ");
			}
		} else if (sscanf(line, "%31s %31s %n", a, b, &off) == 2 && strstr("pgd p4d pud pmd pte", a)) {
			if (!strcmp(b, "-")) {
				bad += strcmp(line + off, "folded") != 0;
				w->folded++;
				continue;
			}
			if (sscanf(line + off, "%31s %31s %31s %15s %n", c, d, e, f, &off) < 4 ||
			    !is_hex16(c)) {
				bad++;
				continue;
			}
			w->nlevels++;
			w->desc = strtoull(e, NULL, 16);
			snprintf(w->type, sizeof(w->type), "%s", f);
			snprintf(w->attrs, sizeof(w->attrs), "%s", strstr(line, f) + strlen(f) + 1);
			if (strcmp(f, "table") && strcmp(f, "block") && strcmp(f, "page") &&
			    strcmp(f, "invalid") && strcmp(f, "unreadable"))
				bad++;
		} else {
			tap_diag("unexpected walk line: %s", line);
			bad++;
		}
	}
	free(copy);
	w->levels_ok = w->nlevels > 0;
	/* an address outside any VMA is not walked: no levels, no show_pte */
	if (w->outside)
		return bad || !saw_query || !saw_space || w->nlevels || saw_showpte || w->has_page;
	return bad || !saw_query || !saw_space || !saw_showpte || !saw_result;
}

/* The last answer, as TAP comments, so that a log shows what was seen. */
static void print_answer(void)
{
	char *copy = strdup(out), *line, *save;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		tap_diag("  %s", line);
	free(copy);
}

/* The PFN pagemap gives, zero when not root; *present: its present bit. */
static unsigned long long pagemap_pfn(void *addr, int *present)
{
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t n;

	*present = 0;
	if (fd < 0)
		return 0;
	n = pread(fd, &e, sizeof(e), (uintptr_t)addr / 4096 * sizeof(e));
	close(fd);
	if (n != sizeof(e) || !(e & (1ULL << 63)))
		return 0;
	*present = 1;
	return e & ((1ULL << 55) - 1);
}

static int has_word(const char *attrs, const char *word)
{
	size_t n = strlen(word);
	const char *p = attrs;

	while ((p = strstr(p, word))) {
		if ((p == attrs || p[-1] == ' ') && (!p[n] || p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

/*
 * Walk one of our own pages and check it against pagemap and the AT check.
 * pagemap does not walk VM_PFNMAP mappings (@pfnmap): it shows them absent.
 */
static void check_own_page(const char *what, void *addr, int ro, int pfnmap, struct walk *w)
{
	int present;
	unsigned long long pfn = pagemap_pfn(addr, &present);
	char q[64];
	int ret;

	snprintf(q, sizeof(q), "self %p\n", addr);
	ret = ask(DIR "/walk", q);
	tap_ok(ret == 0, "%s: walk query accepted (%d)", what, ret);
	tap_ok(!parse_walk(out, w), "%s: walk answer parses", what);
	if (!tap_ok(w->mapped && (!strcmp(w->type, "page") || !strcmp(w->type, "block")),
		    "%s: mapped by a page or block", what))
		tap_diag("%s", out);
	tap_ok(has_word(w->attrs, "USR") && has_word(w->attrs, "AF") &&
	       has_word(w->attrs, ro ? "ro" : "RW"), "%s: USR %s AF (%s)", what,
	       ro ? "ro" : "RW", w->attrs);
	tap_ok(w->hw_done && w->hw_agree, "%s: AT S1E0R agrees", what);
	if (pfnmap)
		tap_ok(!present, "%s: absent from pagemap, as VM_PFNMAP pages are", what);
	else if (!present)
		tap_ok(0, "%s: present in pagemap", what);
	else if (pfn)
		tap_ok(w->phys >> 12 == pfn && w->pfn == pfn,
		       "%s: phys 0x%llx matches pagemap pfn 0x%llx", what, w->phys, pfn);
	else
		tap_skip("pagemap PFNs need CAP_SYS_ADMIN", "%s: phys matches pagemap", what);
}

/* A value from the mmu summary ("hw_dirty 1"), or -1. */
static int mmu_value(const char *name)
{
	char prefix[48];
	const char *l;

	snprintf(prefix, sizeof(prefix), "%s ", name);
	if (read_out(DIR "/mmu"))
		return -1;
	l = find_line(out, prefix);
	return l ? atoi(l + strlen(prefix)) : -1;
}

/* Page faults this process has taken so far. */
static long faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_minflt + ru.ru_majflt;
}

#define PTE_RDONLY	(1ULL << 7)	/* AP[2] */
#define PTE_AF		(1ULL << 10)
#define PTE_DBM		(1ULL << 51)	/* Linux's PTE_WRITE */
#define PTE_SW_DIRTY	(1ULL << 55)	/* Linux's software PTE_DIRTY */

/*
 * Hardware dirty-bit management. MADV_FREE leaves an anonymous page mapped
 * writable but clean and old: DBM set, AP[2] read-only, no AF, no software
 * dirty bit. (A shared tmpfs page will not do: its folio is dirty, and
 * 7.2's read fault maps a dirty folio dirty when writable.) With hardware
 * management (mmu's hw_dirty 1) a write sets AF and clears AP[2] without a
 * fault, and the entry is dirty through DBM alone; without it the write
 * faults and the kernel sets the software dirty bit.
 */
static void test_hw_dirty(void)
{
	int hw = mmu_value("hw_dirty"), ret;
	unsigned long long phys;
	volatile char *p;
	struct walk w;
	long before, after;
	char q[64];

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		tap_ok(0, "mmap an anonymous page: %s", strerror(errno));
		return;
	}
	p[0] = 1;
	if (madvise((void *)p, 4096, MADV_FREE)) {
		tap_ok(0, "MADV_FREE: %s", strerror(errno));
		munmap((void *)p, 4096);
		return;
	}
	snprintf(q, sizeof(q), "self %p", (void *)p);
	ret = ask(DIR "/walk", q);
	tap_ok(ret == 0 && !parse_walk(out, &w), "clean page: walk answer parses (%d)", ret);
	print_answer();
	if (!w.mapped) {
		tap_skip("the MADV_FREE page was reclaimed before it was written",
			 "hardware-dirty page");
		munmap((void *)p, 4096);
		return;
	}
	tap_ok(!strcmp(w.type, "page") && has_word(w.attrs, "ro") && has_word(w.attrs, "DBM") &&
	       has_word(w.attrs, "clean") && !has_word(w.attrs, "AF") &&
	       (w.desc & (PTE_RDONLY | PTE_AF | PTE_DBM | PTE_SW_DIRTY)) == (PTE_RDONLY | PTE_DBM),
	       "clean page: writable but clean and old, ro DBM clean, no AF (%s)", w.attrs);
	tap_ok(w.hw_done && w.hw_agree, "clean page: AT S1E0R agrees");
	phys = w.phys;

	before = faults();
	p[0] = 2;
	after = faults();
	ret = ask(DIR "/walk", q);
	tap_ok(ret == 0 && !parse_walk(out, &w), "written page: walk answer parses (%d)", ret);
	tap_ok(w.mapped && w.phys == phys, "written page: same phys 0x%llx (0x%llx)", phys,
	       w.phys);
	tap_ok(w.hw_done && w.hw_agree, "written page: AT S1E0R agrees");
	if (hw == 1) {
		tap_ok(after == before, "hw_dirty 1: the write took no fault (%ld)", after - before);
		tap_ok(has_word(w.attrs, "RW") && has_word(w.attrs, "AF") &&
		       has_word(w.attrs, "DBM") && has_word(w.attrs, "dirty") &&
		       (w.desc & (PTE_RDONLY | PTE_AF | PTE_DBM | PTE_SW_DIRTY)) ==
		       (PTE_AF | PTE_DBM),
		       "hw_dirty 1: RW AF DBM dirty through DBM, no software bit (%s)", w.attrs);
	} else {
		tap_ok(hw == 0, "mmu reports hw_dirty (%d)", hw);
		tap_ok(after > before, "hw_dirty 0: the write faulted (%ld)", after - before);
		tap_ok(has_word(w.attrs, "RW") && has_word(w.attrs, "dirty") &&
		       (w.desc & (PTE_RDONLY | PTE_SW_DIRTY)) == PTE_SW_DIRTY,
		       "hw_dirty 0: RW dirty through the software bit (%s)", w.attrs);
	}
	print_answer();
	munmap((void *)p, 4096);
}

/*
 * /dev/memlab buffers in each cache mode: the walk must show the memory
 * type the mode asks for (write-combine and non-cached are both Normal
 * non-cacheable, never Device) and the physical address the driver
 * reports.
 */
static void test_dev_memlab(void)
{
	static const struct {
		unsigned int flags;
		const char *name, *type;
	} modes[] = {
		{ MEMLAB_CACHE_CACHED, "cached", "MEM/NORMAL" },
		{ MEMLAB_CACHE_WC, "write-combine", "MEM/NORMAL-NC" },
		{ MEMLAB_CACHE_UNCACHED, "non-cached", "MEM/NORMAL-NC" },
	};
	struct walk w;
	unsigned int i;
	int fd = open("/dev/memlab", O_RDWR);

	if (fd < 0) {
		tap_skip("memlab_dev is not loaded", "/dev/memlab buffers");
		return;
	}
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct memlab_allocation_data a = { .size = sizeof(a), .flags = modes[i].flags,
					  .length = 4096 };
		char what[64];
		char *buf;

		snprintf(what, sizeof(what), "/dev/memlab %s buffer", modes[i].name);
		if (ioctl(fd, MEMLAB_IOC_ALLOC, &a)) {
			if (errno == EOPNOTSUPP)
				tap_skip("the pool cannot do this cache mode", "%s", what);
			else
				tap_ok(0, "%s: MEMLAB_IOC_ALLOC: %s", what, strerror(errno));
			continue;
		}
		buf = mmap(NULL, a.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.mmap_offset);
		if (buf == MAP_FAILED) {
			tap_ok(0, "%s: mmap: %s", what, strerror(errno));
			continue;
		}
		*(volatile char *)buf = 1;
		check_own_page(what, buf, 0, 1, &w);
		tap_ok(has_word(w.attrs, modes[i].type), "%s: %s (%s)", what, modes[i].type,
		       w.attrs);
		if (a.phys)
			tap_ok(w.phys == a.phys, "%s: phys 0x%llx is the driver's 0x%llx", what,
			       w.phys, (unsigned long long)a.phys);
		munmap(buf, a.bytes);
	}
	close(fd);
}

/* kB of AnonHugePages in the smaps entry of the VMA starting at @start. */
static long smaps_thp_kb(void *start)
{
	char line[256], want[32];
	long kb = -1;
	int in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)start);
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		char perm[8];

		if (sscanf(line, "%lx-%lx %7s", &a, &b, perm) == 3)
			in = !strncmp(line, want, strlen(want));
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* A transparent huge page, where the kernel has THP: a 2M block at the pmd. */
static void test_thp(void)
{
	const size_t huge = 2UL << 20;
	char *raw, *p, q[64];
	struct walk w;
	int present, ret;
	unsigned long long pfn;

	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK)) {
		tap_skip("this kernel has no transparent huge pages", "huge page");
		return;
	}
	raw = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		tap_ok(0, "mmap for a huge page");
		return;
	}
	p = (char *)(((unsigned long)raw + huge - 1) & ~(huge - 1));
	madvise(p, huge, MADV_HUGEPAGE);
	memset(p, 1, huge);
	if (smaps_thp_kb(p) < 2048) {	/* madvise() split the VMA at p */
		tap_skip("THP disabled or memory fragmented", "huge page");
		munmap(raw, 2 * huge);
		return;
	}
	snprintf(q, sizeof(q), "self %p", (void *)(p + 0x12345));
	ret = ask(DIR "/walk", q);
	tap_ok(ret == 0 && !parse_walk(out, &w), "huge page: walk answer parses (%d)", ret);
	if (!tap_ok(w.mapped && !strcmp(w.type, "block") && !strcmp(w.size, "2M") &&
		    !strcmp(w.level, "pmd") && has_word(w.attrs, "BLK") && has_word(w.attrs, "USR"),
		    "huge page: a 2M block at the pmd, USR BLK (%s)", w.attrs))
		print_answer();
	tap_ok(w.hw_done && w.hw_agree, "huge page: AT S1E0R agrees");
	pfn = pagemap_pfn(p + 0x12345, &present);
	if (pfn)
		tap_ok(w.phys >> 12 == pfn, "huge page: phys 0x%llx matches pagemap pfn 0x%llx",
		       w.phys, pfn);
	else
		tap_skip("pagemap PFNs need CAP_SYS_ADMIN", "huge page: phys matches pagemap");
	munmap(raw, 2 * huge);
}

static void test_walks(void)
{
	char path[] = "/tmp/pt_testXXXXXX", q[96];
	volatile char *anon, *file;
	struct walk w, k;
	unsigned long long page_offset = 0, phys_offset = 0;
	const char *l;
	int fd, ret;

	anon = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED) {
		tap_ok(0, "mmap anonymous memory");
		return;
	}
	anon[0] = 1;
	anon[4096] = 2;
	check_own_page("anonymous page", (void *)anon, 0, 0, &w);
	print_answer();
	tap_ok(!strcmp(w.kind, "anon"), "anonymous page: kind anon (%s)", w.kind);
	tap_ok(w.nlevels + w.folded == 5, "five names shown, folded or not (%d + %d)",
	       w.nlevels, w.folded);

	/* its linear-map alias, as a kernel address */
	if (read_out(DIR "/layout") == 0) {
		l = find_line(out, "page_offset ");
		if (l)
			page_offset = strtoull(l + 12, NULL, 16);
		l = find_line(out, "phys_offset ");
		if (l)
			phys_offset = strtoull(l + 12, NULL, 16);
	}
	snprintf(q, sizeof(q), "kernel 0x%llx", page_offset + (w.phys - phys_offset));
	ret = ask(DIR "/walk", q);
	tap_ok(ret == 0 && !parse_walk(out, &k), "kernel alias: walk answer parses (%d)", ret);
	tap_ok(k.mapped && k.phys == w.phys, "kernel alias maps the same phys 0x%llx (0x%llx)",
	       w.phys, k.phys);
	tap_ok(!has_word(k.attrs, "USR") && has_word(k.attrs, "NX") && has_word(k.attrs, "RW"),
	       "kernel alias: RW NX, no USR (%s)", k.attrs);
	tap_ok(k.hw_done && k.hw_agree, "kernel alias: AT S1E1R agrees");
	print_answer();

	mprotect((void *)(anon + 4096), 4096, PROT_READ);
	check_own_page("read-only page", (void *)(anon + 4096), 1, 0, &w);

	/* a page never touched: the walk stops at an invalid entry */
	snprintf(q, sizeof(q), "self %p", (void *)(anon + 8192));
	ret = ask(DIR "/walk", q);
	tap_ok(ret == 0 && !parse_walk(out, &w), "untouched page: walk answer parses (%d)", ret);
	tap_ok(w.invalid && !w.mapped && !w.has_page, "untouched page: result invalid level %s",
	       w.level);
	tap_ok(w.hw_done && w.hw_agree, "untouched page: AT S1E0R faults too");
	munmap((void *)anon, 3 * 4096);
	ret = ask(DIR "/walk", q);
	if (!tap_ok(ret == 0 && !parse_walk(out, &w) && w.outside,
		    "unmapped address: result outside-vma, nothing walked"))
		print_answer();

	fd = mkstemp(path);
	if (fd >= 0 && write(fd, "memlab pt\n", 10) == 10) {
		file = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (file != MAP_FAILED) {
			(void)file[0];
			check_own_page("file page", (void *)file, 1, 0, &w);
			tap_ok(!strcmp(w.kind, "file"), "file page: kind file (%s)", w.kind);
			munmap((void *)file, 4096);
		} else {
			tap_ok(0, "mmap a file");
		}
	} else {
		tap_ok(0, "create a file in /tmp");
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}

	test_hw_dirty();
	test_dev_memlab();
	test_thp();
}

static void test_bad_queries(void)
{
	static const char *const malformed[] = {
		"self", "self 0xzz", "bogus 0x1000", "0 0x1000", "self 0x1 0x2",
		"kernel 0x1000", "self 0xffff000000000000",
		"self 0x1000 plus a line that is much too long to be any query at all",
	};
	char q[64], line[128];
	unsigned int i;
	int pid, ret, fd;
	FILE *f;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		ret = ask(DIR "/walk", malformed[i]);
		tap_ok(ret == -EINVAL, "malformed \"%s\": EINVAL (%d)", malformed[i], ret);
	}
	/* the reason is there to read on the same open file */
	fd = open(DIR "/walk", O_RDWR);
	ret = fd < 0 ? -errno : ask_fd(fd, "self junk");
	tap_ok(ret == -EINVAL, "malformed query on an open file: EINVAL");
	ret = fd < 0 ? -errno : ask_fd(fd, NULL);
	tap_ok(ret == 0 && !strncmp(out, "error EINVAL ", 13), "then read gives the reason: %s",
	       out);
	if (fd >= 0)
		close(fd);

	for (pid = 4000000; pid > 1000 && kill(pid, 0) == 0; pid--)
		;
	snprintf(q, sizeof(q), "%d 0x1000", pid);
	ret = ask(DIR "/walk", q);
	tap_ok(ret == -ESRCH, "unknown pid %d: ESRCH (%d)", pid, ret);
	snprintf(q, sizeof(q), "%d", pid);
	ret = ask(DIR "/vmas", q);
	tap_ok(ret == -ESRCH, "vmas of unknown pid: ESRCH (%d)", ret);

	f = fopen("/proc/2/comm", "r");
	if (f && fgets(line, sizeof(line), f) && !strncmp(line, "kthreadd", 8)) {
		fd = open(DIR "/walk", O_RDWR);
		ret = fd < 0 ? -errno : ask_fd(fd, "2 0x1000");
		tap_ok(ret == -EINVAL, "kernel thread pid 2: EINVAL (%d)", ret);
		ret = fd < 0 ? -errno : ask_fd(fd, NULL);
		tap_ok(ret == 0 && strstr(out, "kernel thread") && strstr(out, "no user address space"),
		       "kernel thread: says it has no user address space: %s", out);
		if (fd >= 0)
			close(fd);
	} else {
		tap_skip("pid 2 is not kthreadd", "kernel thread: no user address space");
	}
	if (f)
		fclose(f);
}

/*
 * Each input class of a walk query (docs/pt.rst) with its errno, written
 * to a descriptor whose previous answer was read to the end: the next
 * read, with no lseek, must start with the documented error line.
 */
static void test_query_classes(void)
{
	static const struct {
		const char *q;
		size_t len;	/* 0: strlen(q) */
		int err;
	} t[] = {
		{ "self 4096", 0, 0 },
		{ "self 0x1000\n", 0, 0 },
		{ "self 0xABCdef000", 0, 0 },
		{ "1 0x400000", 0, 0 },
		{ "self 010000", 0, -EINVAL },
		{ "self 00", 0, -EINVAL },
		{ "self 0X1000", 0, -EINVAL },
		{ "self 0x", 0, -EINVAL },
		{ "self x10", 0, -EINVAL },
		{ "self +4096", 0, -EINVAL },
		{ "self -4096", 0, -EINVAL },
		{ "self 4096x", 0, -EINVAL },
		{ "self 0x10000000000000000", 0, -EINVAL },
		{ "self 18446744073709551616", 0, -EINVAL },
		{ "self 0x1000\n\n", 0, -EINVAL },
		{ "self 0x1000\0junk", 16, -EINVAL },
		{ "+1 0x400000", 0, -EINVAL },
		{ "01 0x400000", 0, -EINVAL },
		{ "-1 0x400000", 0, -EINVAL },
		{ "2147483648 0x400000", 0, -EINVAL },
		{ "99999999999999999999 0x400000", 0, -EINVAL },
		{ "", 0, -EINVAL },
		{ "\n", 0, -EINVAL },
	};
	const char *name;
	unsigned int i;
	void *bad;
	int fd, ret;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t len = t[i].len ? t[i].len : strlen(t[i].q);
		char want[32];

		fd = open(DIR "/walk", O_RDWR);
		if (fd < 0) {
			tap_ok(0, "open walk: %s", strerror(errno));
			continue;
		}
		/* a good answer, read to the end */
		ask_fd(fd, "self 0x1000");
		ret = write(fd, t[i].q, len) < 0 ? -errno : 0;
		name = t[i].err ? strerrorname_np(-t[i].err) : "answer";
		snprintf(want, sizeof(want), "error %s ", name);
		len = 0;
		while (len < OUTSZ - 1) {
			ssize_t n = read(fd, out + len, OUTSZ - 1 - len);

			if (n <= 0)
				break;
			len += n;
		}
		out[len] = '\0';
		out[strcspn(out, "\n")] = '\0';
		tap_ok(ret == t[i].err &&
		       (t[i].err ? !strncmp(out, want, strlen(want)) : !strncmp(out, "query ", 6)),
		       "walk \"%.*s\": %s, then read: \"%s\"", (int)strcspn(t[i].q, "\n"), t[i].q,
		       name, out);
		close(fd);
	}

	/* a bad user buffer is refused and reported like any other error */
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = open(DIR "/walk", O_RDWR);
	if (fd >= 0 && bad != MAP_FAILED) {
		ask_fd(fd, "self 0x1000");
		ret = write(fd, bad, 10) < 0 ? -errno : 0;
		ret = ret == -EFAULT ? ask_fd(fd, NULL) : ret;
		out[strcspn(out, "\n")] = '\0';
		tap_ok(!ret && !strncmp(out, "error EFAULT ", 13),
		       "walk from a bad buffer: EFAULT, then read: \"%s\"", out);
	}
	if (fd >= 0)
		close(fd);
	if (bad != MAP_FAILED)
		munmap(bad, 4096);
}

static void test_per_open(void)
{
	int a = open(DIR "/walk", O_RDWR), b = open(DIR "/walk", O_RDWR);
	char qa[64], qb[64];
	static int x = 1, y = 2;

	snprintf(qa, sizeof(qa), "self %p", (void *)&x);
	snprintf(qb, sizeof(qb), "self %p", (void *)&y);
	if (a < 0 || b < 0 || write(a, qa, strlen(qa)) < 0 || write(b, qb, strlen(qb)) < 0) {
		tap_ok(0, "two opens of walk with their own queries");
	} else {
		char want[64];

		ask_fd(a, NULL);
		snprintf(want, sizeof(want), "query self 0x%016lx\n", (unsigned long)&x);
		tap_ok(!strncmp(out, want, strlen(want)), "first open answers its own query");
		ask_fd(b, NULL);
		snprintf(want, sizeof(want), "query self 0x%016lx\n", (unsigned long)&y);
		tap_ok(!strncmp(out, want, strlen(want)), "second open answers its own query");
	}
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
}

static void test_vmas(void)
{
	char *p = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *copy, *line, *save;
	int rows = 0, bad = 0, found = 0, ret, i;
	unsigned long long sum[6] = {0}, tot[6] = {0};

	if (p == MAP_FAILED) {
		tap_ok(0, "mmap for vmas");
		return;
	}
	for (i = 0; i < 64; i += 4)
		p[i * 4096] = 1;
	ret = ask(DIR "/vmas", "self");
	tap_ok(ret == 0, "vmas self accepted (%d)", ret);
	tap_ok(!strncmp(out, "pid ", 4), "vmas starts with the pid line");
	copy = strdup(out);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long start, end, flags, c[6];
		char perm[8];
		int n = 0;

		if (line[0] == '#' || !strncmp(line, "pid ", 4))
			continue;
		if (!strncmp(line, "total ", 6)) {
			bad += sscanf(line, "total %llu %llu %llu %llu %llu %llu unreadable %*u",
				      &tot[0], &tot[1], &tot[2], &tot[3], &tot[4], &tot[5]) != 6;
			continue;
		}
		if (sscanf(line, "%llx %llx %4s %llx %llu %llu %llu %llu %llu %llu %n", &start, &end,
			   perm, &flags, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &n) != 10 || !n ||
		    start >= end || c[0] != c[1] + c[2] + c[3] + c[4] + c[5] ||
		    c[0] > (end - start) / 4096) {
			tap_diag("bad vmas line: %s", line);
			bad++;
			continue;
		}
		rows++;
		for (i = 0; i < 6; i++)
			sum[i] += c[i];
		if (start == (unsigned long)p && end == (unsigned long)p + 64 * 4096) {
			found = 1;
			if (!tap_ok(c[0] == 16 && perm[0] == 'r' && perm[1] == 'w',
				    "our 64-page mapping has its 16 touched pages present (%llu)", c[0]))
				tap_diag("%s", line);
		}
	}
	free(copy);
	tap_ok(!bad && rows > 3, "every vmas line parses (%d rows, %d bad)", rows, bad);
	tap_ok(found, "our mapping is listed");
	tap_ok(!memcmp(sum, tot, sizeof(sum)), "total line sums the rows");
	munmap(p, 64 * 4096);
}

/*
 * A sparse 1 GiB mapping, one page touched in every 2 MiB: vmas and
 * /proc/self/pagemap must count the same present pages. The times of both
 * are printed (the figures in docs/benchmarks.rst come from here).
 */
static void test_sparse_count(void)
{
	const size_t len = 1UL << 30, step = 2UL << 20;
	unsigned long long vmas_present = 0, pm_present = 0, start, end;
	uint64_t *pm = malloc(len / 4096 * sizeof(*pm));
	double t0, t1, t2;
	char *p, *line, *save;
	size_t off;
	int fd;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED || !pm) {
		tap_ok(0, "sparse 1 GiB mapping");
		return;
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	for (off = 0; off < len; off += step)
		p[off + 4096 * ((off / step) % 512)] = 1;

	t0 = now();
	if (ask(DIR "/vmas", "self") == 0) {
		for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			if (sscanf(line, "%llx %llx %*s %*s %llu", &start, &end, &vmas_present) == 3 &&
			    start == (unsigned long)p && end == (unsigned long)p + len)
				break;
	}
	t1 = now();
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd >= 0 && pread(fd, pm, len / 4096 * sizeof(*pm),
			     (uintptr_t)p / 4096 * sizeof(*pm)) == (ssize_t)(len / 4096 * sizeof(*pm)))
		for (off = 0; off < len / 4096; off++)
			pm_present += pm[off] >> 63;
	t2 = now();
	if (fd >= 0)
		close(fd);
	tap_ok(vmas_present == len / step && pm_present == vmas_present,
	       "sparse 1 GiB: vmas counts %llu present pages, pagemap %llu", vmas_present,
	       pm_present);
	tap_diag("sparse 1 GiB, %zu present pages: vmas (whole process) %.3f ms, pagemap (that range) %.3f ms",
		 len / step, (t1 - t0) * 1e3, (t2 - t1) * 1e3);
	munmap(p, len);
	free(pm);
}

static void test_mmu(void)
{
	char *copy, *line, *save;
	int regs = 0, fields = 0, bad = 0, page_size = 0, kva = 0, klevels = 0;
	int ret = read_out(DIR "/mmu");

	tap_ok(ret == 0, "mmu readable (%d)", ret);
	copy = strdup(out);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[48], val[32];
		unsigned long long v;

		if (sscanf(line, "%47s %31s", name, val) != 2) {
			bad++;
			continue;
		}
		if (strchr(name, '.')) {
			fields += sscanf(val, "%llu", &v) == 1;
		} else if (!strncmp(name, "TCR_EL1", 8) || strstr(name, "_EL1")) {
			regs += is_hex16(val);
			bad += !is_hex16(val);
		} else if (!strcmp(name, "page_size")) {
			page_size = atoi(val);
		} else if (!strcmp(name, "kernel_va_bits")) {
			kva = atoi(val);
		} else if (!strcmp(name, "kernel_levels")) {
			klevels = atoi(val);
		} else if (strcmp(name, "cpu") && strcmp(name, "user_va_bits") &&
			   strcmp(name, "user_levels") && strcmp(name, "pa_bits") &&
			   strcmp(name, "hw_access_flag") && strcmp(name, "hw_dirty")) {
			tap_diag("unexpected mmu line: %s", line);
			bad++;
		}
	}
	free(copy);
	tap_ok(regs == 8 && fields > 60 && !bad, "mmu: 8 registers, %d fields, %d bad lines",
	       fields, bad);
	tap_ok(page_size == getpagesize(), "mmu: page_size %d", page_size);
	tap_ok((kva == 39 && klevels == 3) || (kva == 48 && klevels == 4) ||
	       (kva == 52 && klevels == 5), "mmu: %d-bit kernel VA with %d levels", kva, klevels);
	tap_ok(find_line(out, "MAIR_EL1.Attr0 255 MEM/NORMAL") != NULL,
	       "mmu: MAIR Attr0 is Linux's MT_NORMAL");
	/* what the CPU manages in hardware, for the log */
	copy = strdup(out);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "ID_AA64MMFR1_EL1 ", 17) || strstr(line, ".HAFDBS ") ||
		    !strncmp(line, "TCR_EL1.HA ", 11) || !strncmp(line, "TCR_EL1.HD ", 11) ||
		    !strncmp(line, "hw_", 3) || strstr(line, "_levels "))
			tap_diag("mmu: %s", line);
	free(copy);
}

static void test_layout(void)
{
	char *copy, *line, *save;
	int regions = 0, bad = 0, ret = read_out(DIR "/layout");
	unsigned long long prev_end = 0, page_offset = 0;

	tap_ok(ret == 0, "layout readable (%d)", ret);
	copy = strdup(out);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[32], size[32];
		unsigned long long s, e;

		if (line[0] == '#')
			continue;
		if (!strncmp(line, "region ", 7)) {
			if (sscanf(line, "region %31s %llx %llx %31s", name, &s, &e, size) != 4 ||
			    s >= e || s < prev_end || s < page_offset) {
				tap_diag("bad region line: %s", line);
				bad++;
			}
			prev_end = e;
			regions++;
		} else if (!strncmp(line, "page_offset ", 12)) {
			page_offset = strtoull(line + 12, NULL, 16);
		} else if (sscanf(line, "%31s %31s", name, size) != 2) {
			bad++;
		}
	}
	free(copy);
	tap_ok(regions >= 6 && !bad, "layout: %d regions in order, none overlapping", regions);
	tap_ok(find_line(out, "region linear-map ") && find_line(out, "region vmalloc ") &&
	       find_line(out, "region modules ") && find_line(out, "region vmemmap ") &&
	       find_line(out, "region fixmap ") && find_line(out, "region pci-io "),
	       "layout names every region");
}

/* Run @fn in a child; its exit status, or -1. */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* 0 when both walk and vmas refuse to open with EPERM */
static int open_without_cap(void)
{
	int a, b;

	if (drop_cap_sys_admin())
		return 10;
	a = open(DIR "/walk", O_RDWR);
	if (a >= 0)
		return 1;
	if (errno != EPERM)
		return 2;
	b = open(DIR "/vmas", O_RDWR);
	if (b >= 0)
		return 3;
	return errno == EPERM ? 0 : 4;
}

/* 0 when a descriptor root opened still walks after this process drops root */
static int opened_by_root(void)
{
	static volatile int x = 1;
	struct walk w;
	char q[64];
	int fd = open(DIR "/walk", O_RDWR);

	if (fd < 0)
		return 10;
	if (setgid(65534) || setuid(65534))
		return 11;
	/* and a new open is refused: only the opener's credentials count */
	if (open(DIR "/walk", O_RDWR) >= 0)
		return 1;
	snprintf(q, sizeof(q), "self %p", (void *)&x);
	if (ask_fd(fd, q) || parse_walk(out, &w))
		return 2;
	return w.mapped ? 0 : 3;
}

/*
 * walk and vmas show physical addresses of any process: CAP_SYS_ADMIN of
 * the opener, checked at open as /proc/<pid>/pagemap does.
 */
static void test_privileges(void)
{
	int rc;

	rc = in_child(open_without_cap);
	tap_ok(rc == 0, "uid 0 without CAP_SYS_ADMIN: walk and vmas refuse to open, EPERM (%d)", rc);
	rc = in_child(opened_by_root);
	tap_ok(rc == 0, "a walk descriptor root opened still answers after setuid(65534) (%d)", rc);
}

/*
 * Run last, as its own guest step: lockdown=confidentiality cannot be
 * undone. mmu and layout show kernel addresses and refuse to open; walk
 * and vmas are refused by debugfs itself (writable files).
 */
static int test_lockdown(void)
{
	static const char *const files[] = { "mmu", "layout", "walk", "vmas" };
	char mode[128] = "";
	unsigned int i;
	int fd, n;

	tap_begin();
	fd = open("/sys/kernel/security/lockdown", O_RDWR);
	n = fd < 0 ? -1 : read(fd, mode, sizeof(mode) - 1);
	if (n > 0)
		mode[n] = '\0';
	if (n <= 0 || !strstr(mode, "confidentiality")) {
		tap_skip_all("this kernel has no lockdown LSM with confidentiality");
	}
	tap_ok(read_out(DIR "/layout") == 0 && read_out(DIR "/mmu") == 0,
	       "before lockdown: layout and mmu readable");
	tap_ok(pwrite(fd, "confidentiality", 15, 0) == 15, "lock down: confidentiality (%s)",
	       strerror(errno));
	close(fd);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[128];
		int f;

		snprintf(path, sizeof(path), DIR "/%s", files[i]);
		f = open(path, O_RDONLY);
		tap_ok(f < 0 && errno == EPERM, "locked down: %s refuses to open, EPERM (%s)",
		       files[i], f < 0 ? strerror(errno) : "opened");
		if (f >= 0)
			close(f);
	}
	return tap_done();
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "lockdown"))
		return test_lockdown();
	tap_begin();
	if (access(DIR "/walk", F_OK)) {
		tap_ok(0, DIR " is there (memlab_pt loaded)");
		return tap_done();
	}
	test_walks();
	test_bad_queries();
	test_query_classes();
	test_per_open();
	test_vmas();
	test_sparse_count();
	test_mmu();
	test_layout();
	test_privileges();
	return tap_done();
}
