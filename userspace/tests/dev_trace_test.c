// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_dev's tracepoints through tracefs, in the guest: the five events
 * of docs/dev.rst exist with their documented formats; with them disabled
 * a workload records nothing; with them enabled, a known workload must
 * show as exactly its lines, each with the fields it was done with:
 *
 * - buffers of every cache mode, page-backed and below 4 GiB, each mapped
 *   whole (memlab_dev_create, memlab_dev_mmap: handle, bytes, order, cache
 *   mode, flags, the pfn the ALLOC reply gave root, pid, uid);
 * - a mapping of the shared buffer (handle 0) and a partial one of a
 *   private buffer (its mmap offset and first pfn);
 * - two pages of a page-backed mapping faulted back in after
 *   MADV_DONTNEED (memlab_dev_fault: address, offset, pfn, NOPAGE);
 * - a dma-buf exported and mapped (memlab_dev_export: descriptor, mode,
 *   O_CLOEXEC, inode);
 * - a buffer allocated and freed by a child as uid 65534 (its pid, uid);
 * - a page-backed buffer with a page spliced into a pipe: no
 *   memlab_dev_free line while the pipe holds it, one with pinned=1 once
 *   it is drained;
 * - every buffer freed (memlab_dev_free), each after its create and its
 *   mappings.
 *
 * Then, where trace-cmd is installed (the guest's Debian package), it runs
 * `trace-cmd record -e memlab:...` over a workload of its own (this
 * program with "workload FILE", which writes what it did to FILE) and
 * checks the lines of `trace-cmd report` against it. Prints TAP.
 *
 * Usage: dev_trace_test    (memlab_dev loaded, as root)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dev_common.h"
#include "tracefs.h"

#define NEVENTS		5
#define MAX_BUFS	16
#define MAX_MAPS	16
#define NFAULTS		2
#define WORKLOAD_BUFS	3
#define WORKLOAD_PAUSE	300000	/* us */
#define NOBODY		65534
#define PINNED_WAIT	5.0	/* s; the delayed free looks again at least every second */
#define TC_DAT		"/tmp/dev_trace_test.dat"
#define TC_OUT		"/tmp/dev_trace_test.out"

static const struct {
	const char *name;
	const char *fmt;
} events[NEVENTS] = {
	{ "memlab_dev_create",
	  "handle=%u bytes=%llu order=%u cache=%s flags=%s pfn=0x%lx pid=%d uid=%u" },
	{ "memlab_dev_free", "handle=%u bytes=%llu order=%u pfn=0x%lx pinned=%u" },
	{ "memlab_dev_mmap", "handle=%u offset=0x%llx len=%lu cache=%s map=%s pfn=0x%lx" },
	{ "memlab_dev_export", "handle=%u bytes=%llu fd=%d mode=%s cloexec=%u ino=%llu" },
	{ "memlab_dev_fault", "handle=%u addr=0x%lx offset=0x%lx pfn=0x%lx result=%s" },
};

static long page;

/* A private buffer of the workload: what was asked, what the reply said */
struct wbuf {
	uint32_t flags;		/* requested */
	struct memlab_allocation_data a;
	pid_t pid;
	unsigned int uid;
	int pfn_known;		/* a.phys is set: allocated as root */
	int pinned;		/* its free is the delayed one */
	int create, free;	/* indices of its matched lines, -1 */
};

/* A mapping (or a fault) the workload made, as its line must show it */
struct wmap {
	uint32_t handle;
	unsigned long long offset, len, pfn, addr;
	uint32_t cache;
	int pages;
	int buf;		/* index in bufs[], -1 for the shared buffer */
};

static struct wbuf bufs[MAX_BUFS];
static int nbufs;
static struct wmap maps[MAX_MAPS], faults[NFAULTS];
static int nmaps, nfaults;

/* The export the workload made: fd < 0 when there was none */
static struct {
	uint32_t handle;
	unsigned long long bytes;
	int fd;
	unsigned long long ino;
	int buf;
} exp_ = { .fd = -1 };

static const char *cache_name(uint32_t cache)
{
	static const char *const names[] = { "cached", "wc", "uncached" };

	return cache < 3 ? names[cache] : "?";
}

static const char *flags_name(uint32_t flags)
{
	flags &= MEMLAB_ALLOC_PAGES | MEMLAB_ALLOC_DMA32;
	if (flags == (MEMLAB_ALLOC_PAGES | MEMLAB_ALLOC_DMA32))
		return "pages|dma32";
	if (flags == MEMLAB_ALLOC_PAGES)
		return "pages";
	return flags ? "dma32" : "none";
}

static unsigned long long pfn_of(const struct wbuf *b)
{
	return b->a.phys / page;
}

static int field_is(const struct trace_rec *r, const char *key, const char *want)
{
	const char *v = trace_field(r, key);

	return v && !strcmp(v, want);
}

static int u64_is(const struct trace_rec *r, const char *key, unsigned long long want)
{
	unsigned long long v;

	return !trace_u64(r, key, &v) && v == want;
}

/* @r as "event: k=v ...", for a diagnostic (the parser split its line) */
static const char *rec_str(const struct trace_rec *r)
{
	static char buf[600];
	size_t o;
	int i;

	o = snprintf(buf, sizeof(buf), "%s:", r->event);
	for (i = 0; i < r->nfields && o < sizeof(buf); i++)
		o += snprintf(buf + o, sizeof(buf) - o, " %s=%s", r->key[i], r->line + r->val[i]);
	return buf;
}

/* The memlab_dev_free lines of @handle in the buffer now, or -1 */
static int frees_of(uint32_t handle)
{
	struct trace_rec *recs;
	int n = 0, bad = 0, i, c = 0;

	recs = tracefs_read(&n, &bad);
	if (!recs)
		return -1;
	for (i = 0; i < n; i++)
		c += !strcmp(recs[i].event, "memlab_dev_free") && u64_is(&recs[i], "handle", handle);
	free(recs);
	return c;
}

/* Enable or disable all five; 0 when each reads back so */
static int enable_all(int on)
{
	int i, ret = 0;

	for (i = 0; i < NEVENTS; i++)
		ret |= tracefs_enable(events[i].name, on);
	return ret;
}

/* How many lines of @recs are memlab_dev events */
static int dev_lines(const struct trace_rec *recs, int n)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += !strncmp(recs[i].event, "memlab_dev_", 11);
	return c;
}

static int dev_export(int fd, uint32_t handle, uint32_t flags, struct memlab_export *e)
{
	memset(e, 0, sizeof(*e));
	e->size = sizeof(*e);
	e->handle = handle;
	e->flags = flags;
	return ioctl(fd, MEMLAB_IOC_EXPORT, e) ? -errno : 0;
}

static void test_formats(void)
{
	char fmt[256];
	int i;

	for (i = 0; i < NEVENTS; i++) {
		int ok = tracefs_event_exists(events[i].name) &&
			 !tracefs_print_fmt(events[i].name, fmt, sizeof(fmt)) &&
			 !strcmp(fmt, events[i].fmt);

		tap_ok(ok, "events/memlab/%s exists, print fmt as documented", events[i].name);
		if (!ok && tracefs_event_exists(events[i].name))
			tap_diag("print fmt: \"%s\"", fmt);
	}
}

/*
 * Every kind of event's cause, with the events disabled: a page-backed
 * buffer (a cached one where there is none) mapped, faulted, exported
 * and freed
 */
static void test_disabled(void)
{
	struct memlab_allocation_data a;
	struct memlab_export e;
	struct trace_rec *recs;
	int fd, n = 0, bad = 0, ok;
	volatile char *m;

	ok = enable_all(0) == 0 && tracefs_clear() == 0;
	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	ok &= fd >= 0;
	if (ok && dev_alloc(fd, 2 * page, MEMLAB_CACHE_CACHED | MEMLAB_ALLOC_PAGES, &a))
		ok = dev_alloc(fd, 2 * page, MEMLAB_CACHE_CACHED, &a) == 0;
	if (ok) {
		m = mmap(NULL, a.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.mmap_offset);
		ok = m != MAP_FAILED;
		if (ok && (a.flags & MEMLAB_ALLOC_PAGES))
			ok = !madvise((void *)m, a.bytes, MADV_DONTNEED) && !m[page];
		if (!dev_export(fd, a.handle, O_RDWR, &e))
			close(e.fd);
		if (m != MAP_FAILED)
			munmap((void *)m, a.bytes);
		ok &= dev_free(fd, a.handle) == 0;
	}
	if (fd >= 0)
		close(fd);
	recs = ok ? tracefs_read(&n, &bad) : NULL;
	tap_ok(recs && !dev_lines(recs, n),
	       "with the events disabled, alloc, mmap, fault, export and free record no line (%d)",
	       recs ? dev_lines(recs, n) : -1);
	free(recs);
}

/* Allocate with @flags on @fd into bufs[]; the index, or -1 when this machine has none such */
static int wl_alloc(int fd, unsigned long long length, uint32_t flags, int *ok)
{
	struct wbuf *b = &bufs[nbufs];
	int ret;

	if (nbufs == MAX_BUFS) {
		*ok = 0;
		return -1;
	}
	ret = dev_alloc(fd, length, flags, &b->a);
	/* A pool without these (no-map, above 4 GiB) or a coherent device */
	if (ret == -EOPNOTSUPP || ret == -ERANGE) {
		tap_diag("%s %s buffer of %llu bytes: %s, left out",
			 cache_name(flags & MEMLAB_CACHE_MASK), flags_name(flags), length,
			 strerror(-ret));
		return -1;
	}
	if (ret || !b->a.phys) {
		tap_diag("ALLOC %llu bytes, flags %#x: %s", length, flags,
			 ret ? strerror(-ret) : "no phys as root");
		*ok = 0;
		return -1;
	}
	b->flags = flags;
	b->pid = getpid();
	b->uid = getuid();
	b->pfn_known = 1;
	b->create = b->free = -1;
	return nbufs++;
}

/* Map @len bytes of buffer @i (-1: the shared one) from byte @skip; the address or NULL */
static void *wl_map(int fd, int i, unsigned long long skip, unsigned long long len,
		    unsigned long long shared_pfn, int *ok)
{
	struct wmap *w = &maps[nmaps];
	unsigned long long base = i < 0 ? 0 : bufs[i].a.mmap_offset;
	void *m;

	if (nmaps == MAX_MAPS) {
		*ok = 0;
		return NULL;
	}
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, base + skip);
	if (m == MAP_FAILED) {
		tap_diag("mmap of buffer %d at %#llx: %s", i, base + skip, strerror(errno));
		*ok = 0;
		return NULL;
	}
	w->handle = i < 0 ? 0 : bufs[i].a.handle;
	w->offset = base + skip;
	w->len = len;
	w->cache = i < 0 ? MEMLAB_CACHE_CACHED : bufs[i].a.flags & MEMLAB_CACHE_MASK;
	w->pages = i < 0 ? 0 : !!(bufs[i].a.flags & MEMLAB_ALLOC_PAGES);
	w->pfn = (i < 0 ? shared_pfn : pfn_of(&bufs[i])) + skip / page;
	w->buf = i;
	nmaps++;
	return m;
}

/*
 * A child that takes uid 65534, allocates a page, sends the reply through
 * a pipe and frees it; 0 when it did
 */
static int wl_child(void)
{
	struct wbuf *b = &bufs[nbufs];
	int pfd[2], status, got, fd;
	pid_t pid;

	if (nbufs == MAX_BUFS || pipe(pfd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		struct memlab_allocation_data a;

		close(pfd[0]);
		if (become_nobody())
			_exit(2);
		fd = open(DEV_PATH, O_RDWR);
		if (fd < 0 || dev_alloc(fd, page, MEMLAB_CACHE_CACHED, &a))
			_exit(3);
		if (write(pfd[1], &a, sizeof(a)) != (ssize_t)sizeof(a))
			_exit(4);
		_exit(dev_free(fd, a.handle) ? 5 : 0);
	}
	close(pfd[1]);
	got = read(pfd[0], &b->a, sizeof(b->a)) == (ssize_t)sizeof(b->a);
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) ||
	    !got) {
		tap_diag("the uid %d child: status %#x", NOBODY, status);
		return -1;
	}
	b->flags = MEMLAB_CACHE_CACHED;
	b->pid = pid;
	b->uid = NOBODY;
	b->create = b->free = -1;
	nbufs++;
	return 0;
}

/*
 * A page-backed page of buffer @i, spliced into a pipe, then the buffer
 * unmapped and freed: -1 when there is no such buffer, else 1 when no
 * memlab_dev_free line shows meanwhile, and the line comes once the
 * pipe is drained and the buffer left debugfs' report (*@ok)
 */
static int wl_pinned(int fd, int i, void *m, int *ok)
{
	struct iovec iov = { .iov_base = m, .iov_len = page };
	struct buf_row row;
	int pfd[2], before, early;
	double t0;
	char *back;

	if (pipe(pfd))
		return -1;
	if (vmsplice(pfd[1], &iov, 1, 0) != page) {
		tap_diag("vmsplice: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	/* An earlier buffer may have had the handle: its lines do not count. */
	before = frees_of(bufs[i].a.handle);
	*ok &= !munmap(m, bufs[i].a.bytes) && !dev_free(fd, bufs[i].a.handle);
	/* The pipe holds the page: the buffer is pinned, not freed. */
	early = before < 0 || frees_of(bufs[i].a.handle) != before;
	*ok &= buffers_find(bufs[i].a.handle, &row) == 1 && !strcmp(row.map, "pinned");
	back = malloc(page);
	*ok &= back && read(pfd[0], back, page) == page;
	free(back);
	close(pfd[0]);
	close(pfd[1]);
	bufs[i].pinned = 1;
	for (t0 = now(); now() - t0 < PINNED_WAIT; usleep(10000))
		if (buffers_find(bufs[i].a.handle, &row) <= 0)
			break;
	return !early && buffers_find(bufs[i].a.handle, &row) == 0;
}

/* The first line from @from of @event and @handle not taken yet; -1 */
static int take(const struct trace_rec *recs, int n, int *used, const char *event,
		uint32_t handle)
{
	int i;

	for (i = 0; i < n; i++)
		if (!used[i] && !strcmp(recs[i].event, event) && u64_is(&recs[i], "handle", handle)) {
			used[i] = 1;
			return i;
		}
	return -1;
}

static int create_ok(const struct trace_rec *r, const struct wbuf *b)
{
	return u64_is(r, "bytes", b->a.bytes) && u64_is(r, "order", b->a.order) &&
	       field_is(r, "cache", cache_name(b->a.flags & MEMLAB_CACHE_MASK)) &&
	       field_is(r, "flags", flags_name(b->a.flags)) &&
	       (!b->pfn_known || u64_is(r, "pfn", pfn_of(b))) && trace_num(r, "pid") == b->pid &&
	       trace_num(r, "uid") == b->uid;
}

static int free_ok(const struct trace_rec *r, const struct wbuf *b,
		   const struct trace_rec *create)
{
	unsigned long long pfn;

	return u64_is(r, "bytes", b->a.bytes) && u64_is(r, "order", b->a.order) &&
	       !trace_u64(create, "pfn", &pfn) && u64_is(r, "pfn", pfn) &&
	       u64_is(r, "pinned", b->pinned);
}

static int map_ok(const struct trace_rec *r, const struct wmap *w)
{
	return u64_is(r, "offset", w->offset) && u64_is(r, "len", w->len) &&
	       field_is(r, "cache", cache_name(w->cache)) &&
	       field_is(r, "map", w->pages ? "pages" : "pfn") && u64_is(r, "pfn", w->pfn);
}

static int fault_ok(const struct trace_rec *r, const struct wmap *w)
{
	return u64_is(r, "addr", w->addr) && u64_is(r, "offset", w->offset) &&
	       u64_is(r, "pfn", w->pfn) && field_is(r, "result", "NOPAGE");
}

/* Whether line @at lies in buffer @i's lifetime, between its create and free lines */
static int in_life(int at, int i)
{
	return i < 0 || (bufs[i].create >= 0 && bufs[i].create < at &&
			 (bufs[i].free < 0 || at < bufs[i].free));
}

static void check_trace(struct trace_rec *recs, int n, int bad, int pinned, int off)
{
	int *used = calloc(n + 1, sizeof(*used));
	int i, k, ok, ok_nobody = 1, order_ok = 1, got, pinned_line = 0;

	if (!used)
		return;
	/* One line of each kind, as the console log's sample */
	for (i = 0; i < NEVENTS; i++)
		for (k = 0; k < n; k++)
			if (!strcmp(recs[k].event, events[i].name)) {
				tap_diag("%s", rec_str(&recs[k]));
				break;
			}
	/* Creates, of root's buffers and then of the child's */
	for (i = 0, ok = 1, got = 0; i < nbufs; i++) {
		struct wbuf *b = &bufs[i];
		int *okp = b->uid == NOBODY ? &ok_nobody : &ok;

		k = take(recs, n, used, "memlab_dev_create", b->a.handle);
		b->create = k;
		got += k >= 0;
		if (k < 0 || !create_ok(&recs[k], b)) {
			tap_diag("buffer %u: create %s", b->a.handle, k < 0 ? "missing" : rec_str(&recs[k]));
			*okp = 0;
		}
	}
	tap_ok(ok && got == nbufs && trace_count(recs, n, "memlab_dev_create") == nbufs,
	       "%d memlab_dev_create lines, one per ALLOC: handle, bytes, order, cache, flags, pfn, pid, uid",
	       nbufs);
	tap_ok(ok_nobody, "the uid %d child's: its pid and uid", NOBODY);

	for (i = 0, ok = 1; i < nmaps; i++) {
		k = take(recs, n, used, "memlab_dev_mmap", maps[i].handle);
		if (k < 0 || !map_ok(&recs[k], &maps[i])) {
			tap_diag("mapping %d (handle %u, offset %#llx): %s", i, maps[i].handle,
				 maps[i].offset, k < 0 ? "missing" : rec_str(&recs[k]));
			ok = 0;
		}
		order_ok &= k < 0 || in_life(k, maps[i].buf);
	}
	tap_ok(ok && trace_count(recs, n, "memlab_dev_mmap") == nmaps,
	       "%d memlab_dev_mmap lines: shared (handle 0), whole, partial and dma-buf mappings, offset, len, cache, map, pfn",
	       nmaps);

	if (!nfaults) {
		tap_skip("no page-backed buffer here", "memlab_dev_fault lines");
	} else {
		for (i = 0, ok = 1; i < nfaults; i++) {
			k = take(recs, n, used, "memlab_dev_fault", faults[i].handle);
			if (k < 0 || !fault_ok(&recs[k], &faults[i])) {
				tap_diag("fault %d: %s", i, k < 0 ? "missing" : rec_str(&recs[k]));
				ok = 0;
			}
			order_ok &= k < 0 || in_life(k, faults[i].buf);
		}
		tap_ok(ok && trace_count(recs, n, "memlab_dev_fault") == nfaults,
		       "%d memlab_dev_fault lines after MADV_DONTNEED: addr, offset, pfn, NOPAGE",
		       nfaults);
	}

	if (exp_.fd < 0) {
		tap_skip("no dma-buf export here", "memlab_dev_export line");
	} else {
		k = take(recs, n, used, "memlab_dev_export", exp_.handle);
		ok = k >= 0 && u64_is(&recs[k], "bytes", exp_.bytes) &&
		     trace_num(&recs[k], "fd") == exp_.fd && field_is(&recs[k], "mode", "O_RDWR") &&
		     u64_is(&recs[k], "cloexec", 1) && u64_is(&recs[k], "ino", exp_.ino) &&
		     trace_count(recs, n, "memlab_dev_export") == 1;
		if (!ok)
			tap_diag("export: %s", k < 0 ? "missing" : rec_str(&recs[k]));
		order_ok &= k < 0 || in_life(k, exp_.buf);
		tap_ok(ok, "one memlab_dev_export line: handle, bytes, fd, O_RDWR, cloexec, inode");
	}

	for (i = 0, ok = 1, got = 0; i < nbufs; i++) {
		struct wbuf *b = &bufs[i];

		k = take(recs, n, used, "memlab_dev_free", b->a.handle);
		b->free = k;
		got += k >= 0;
		if (k < 0 || b->create < 0 || !free_ok(&recs[k], b, &recs[b->create]) ||
		    (b->pinned && pinned <= 0)) {
			tap_diag("buffer %u: free %s", b->a.handle, k < 0 ? "missing" : rec_str(&recs[k]));
			ok = 0;
		}
		order_ok &= k < 0 || b->create < k;
		if (b->pinned)
			pinned_line = k >= 0 && u64_is(&recs[k], "pinned", 1);
	}
	tap_ok(ok && got == nbufs && trace_count(recs, n, "memlab_dev_free") == nbufs,
	       "%d memlab_dev_free lines: handle, bytes, order, the create's pfn, pinned", nbufs);
	if (pinned < 0)
		tap_skip("no page-backed buffer, or vmsplice() failed",
			 "the pinned buffer's delayed free");
	else
		tap_ok(pinned == 1 && pinned_line,
		       "a page in a pipe: no memlab_dev_free line until the pipe is drained, then pinned=1");
	/* Mappings and faults checked above, against the buffers' matched lines */
	tap_ok(order_ok, "each buffer's mmap, fault and export lines lie between its create and free");
	tap_ok(!bad && dev_lines(recs, n) == 2 * nbufs + nmaps + nfaults + (exp_.fd >= 0) && off,
	       "no other memlab_dev line, every line parses (%d unparsed), the events off again",
	       bad);
	free(used);
}

#define WORKLOAD_POINTS	10

static void test_workload(void)
{
	unsigned long long shared_pfn = 0;
	struct memlab_export e;
	struct trace_rec *recs;
	struct buf_row row;
	int fd, i, ok = 1, off, cached = -1, pages = -1, pinned = -1, n = 0, bad = 0;
	void *m[MAX_BUFS] = { 0 }, *part = NULL, *shared = NULL;
	static const struct {
		unsigned int pages;
		uint32_t flags;
	} specs[] = {
		{ 4, MEMLAB_CACHE_CACHED },
		{ 2, MEMLAB_CACHE_WC },
		{ 1, MEMLAB_CACHE_UNCACHED },
		{ 4, MEMLAB_CACHE_CACHED | MEMLAB_ALLOC_PAGES },
		{ 2, MEMLAB_CACHE_CACHED | MEMLAB_ALLOC_DMA32 },
	};

	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0 || buffers_find(0, &row) != 1) {
		for (i = 0; i < WORKLOAD_POINTS; i++)
			tap_ok(0, "the workload: %s", fd < 0 ? "no " DEV_PATH : "no buffers report");
		if (fd >= 0)
			close(fd);
		return;
	}
	shared_pfn = row.phys / page;
	ok = enable_all(1) == 0 && tracefs_clear() == 0;
	for (i = 0; i < (int)ARRAY_SIZE(specs); i++) {
		int b = wl_alloc(fd, specs[i].pages * page, specs[i].flags, &ok);

		if (b < 0)
			continue;
		m[b] = wl_map(fd, b, 0, bufs[b].a.bytes, 0, &ok);
		if (specs[i].flags == MEMLAB_CACHE_CACHED)
			cached = b;
		if (specs[i].flags & MEMLAB_ALLOC_PAGES)
			pages = b;
	}
	shared = wl_map(fd, -1, 0, 2 * page, shared_pfn, &ok);
	if (cached >= 0)
		part = wl_map(fd, cached, page, page, 0, &ok);

	/* Two pages of the page-backed mapping come back by fault */
	if (pages >= 0 && m[pages]) {
		volatile char *p = m[pages];

		ok &= !madvise(m[pages], bufs[pages].a.bytes, MADV_DONTNEED);
		for (i = 0; i < NFAULTS; i++) {
			unsigned long long off = (2 * i + 1) * page;

			ok &= p[off] == 0;
			faults[i] = (struct wmap){ .handle = bufs[pages].a.handle, .offset = off,
						   .addr = (unsigned long)m[pages] + off,
						   .pfn = pfn_of(&bufs[pages]) + off / page,
						   .buf = pages };
		}
		nfaults = NFAULTS;
	}

	/* A dma-buf of the cached buffer, mapped through its own descriptor */
	if (cached >= 0) {
		int ret = dev_export(fd, bufs[cached].a.handle, O_RDWR | O_CLOEXEC, &e);
		struct stat st;
		void *d;

		if (ret && ret != -EOPNOTSUPP) {
			tap_diag("EXPORT: %s", strerror(-ret));
			ok = 0;
		} else if (!ret) {
			exp_.handle = bufs[cached].a.handle;
			exp_.bytes = bufs[cached].a.bytes;
			exp_.fd = e.fd;
			exp_.ino = fstat(e.fd, &st) ? 0 : st.st_ino;
			exp_.buf = cached;
			d = mmap(NULL, exp_.bytes, PROT_READ, MAP_SHARED, e.fd, 0);
			ok &= d != MAP_FAILED && nmaps < MAX_MAPS;
			if (d != MAP_FAILED) {
				if (nmaps < MAX_MAPS)
					maps[nmaps++] = (struct wmap){ .handle = exp_.handle,
								       .len = exp_.bytes,
								       .cache = MEMLAB_CACHE_CACHED,
								       .pfn = pfn_of(&bufs[cached]),
								       .buf = cached };
				munmap(d, exp_.bytes);
			}
			close(e.fd);
		}
	}

	ok &= wl_child() == 0;

	/* A page-backed buffer pinned by a pipe */
	if (pages >= 0) {
		int b = wl_alloc(fd, page, MEMLAB_CACHE_CACHED | MEMLAB_ALLOC_PAGES, &ok);
		void *p = b < 0 ? NULL : wl_map(fd, b, 0, page, 0, &ok);

		if (p)
			pinned = wl_pinned(fd, b, p, &ok);
		/* Not pinned after all: freed below, like the others */
		if (p && pinned < 0)
			munmap(p, page);
	}

	/* The cached buffer's handle goes first; its mappings keep it until munmap() */
	if (cached >= 0)
		ok &= !dev_free(fd, bufs[cached].a.handle);
	for (i = 0; i < nbufs; i++) {
		if (m[i])
			ok &= !munmap(m[i], bufs[i].a.bytes);
		if (i != cached && bufs[i].uid != NOBODY && !bufs[i].pinned)
			ok &= !dev_free(fd, bufs[i].a.handle);
	}
	if (part)
		ok &= !munmap(part, page);
	if (shared)
		ok &= !munmap(shared, 2 * page);
	close(fd);
	tap_ok(ok, "%d buffers allocated (one by a uid %d child), %d mappings, %d faults, %s, all freed",
	       nbufs, NOBODY, nmaps, nfaults, exp_.fd >= 0 ? "an export" : "no export");
	recs = tracefs_read(&n, &bad);
	off = enable_all(0) == 0;
	if (!recs) {
		for (i = 1; i < WORKLOAD_POINTS; i++)
			tap_ok(0, "the trace buffer after the workload");
		return;
	}
	tap_diag("%d memlab lines in the trace buffer", n);
	check_trace(recs, n, bad, pinned, off);
	free(recs);
}

/*
 * "workload FILE": three buffers (cached, write-combine and page-backed,
 * each falling back to cached where this machine has no such mode) mapped,
 * unmapped and freed, one line "handle bytes order flags phys
 * mmap_offset" each in FILE; exit status 0 when all went as asked.
 *
 * It pauses before and after: trace-cmd's recorders start alongside the
 * command, and one that ends within milliseconds can have them told to
 * stop before they read anything (1 run in 7 of `memlabctl alloc 4K` on
 * 6.1 under QEMU lost every line; none with a pause).
 */
static int workload(const char *path)
{
	static const uint32_t flags[WORKLOAD_BUFS] = {
		MEMLAB_CACHE_CACHED, MEMLAB_CACHE_WC, MEMLAB_CACHE_CACHED | MEMLAB_ALLOC_PAGES,
	};
	struct memlab_allocation_data a;
	FILE *f = fopen(path, "w");
	int fd = open(DEV_PATH, O_RDWR | O_CLOEXEC), i, ret;
	void *m;

	if (!f || fd < 0)
		return 1;
	usleep(WORKLOAD_PAUSE);
	for (i = 0; i < WORKLOAD_BUFS; i++) {
		ret = dev_alloc(fd, (i + 1) * page, flags[i], &a);
		if (ret == -EOPNOTSUPP)
			ret = dev_alloc(fd, (i + 1) * page, MEMLAB_CACHE_CACHED, &a);
		if (ret)
			return 2;
		m = mmap(NULL, a.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.mmap_offset);
		if (m == MAP_FAILED || munmap(m, a.bytes) || dev_free(fd, a.handle))
			return 3;
		fprintf(f, "%u %llu %u %u %llu %llu\n", a.handle, (unsigned long long)a.bytes,
			a.order, a.flags, (unsigned long long)a.phys,
			(unsigned long long)a.mmap_offset);
	}
	close(fd);
	usleep(WORKLOAD_PAUSE);
	return fclose(f) ? 4 : 0;
}

#define TRACE_CMD_POINTS	4

/* The first line of @text, for a diagnostic */
static const char *first_line(char *text)
{
	if (!text)
		return "(no output)";
	text[strcspn(text, "\n")] = '\0';
	return text;
}

static void test_trace_cmd(void)
{
	char self[PATH_MAX], cmd[PATH_MAX + 512], *out, *text;
	struct wbuf w[WORKLOAD_BUFS];
	struct trace_rec *recs;
	int status, n = 0, bad = 0, i, k, okc = 1, okm = 1, okf = 1, *used;
	ssize_t len;
	FILE *f;

	out = run_cmd("command -v trace-cmd", &status);
	free(out);
	if (status) {
		for (i = 0; i < TRACE_CMD_POINTS; i++)
			tap_skip("no trace-cmd in PATH", "trace-cmd record and report");
		return;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0) {
		for (i = 0; i < TRACE_CMD_POINTS; i++)
			tap_ok(0, "this program's path: %s", strerror(errno));
		return;
	}
	self[len] = '\0';
	unlink(TC_DAT);
	unlink(TC_OUT);
	snprintf(cmd, sizeof(cmd),
		 "trace-cmd record -o " TC_DAT " -e memlab:memlab_dev_create -e memlab:memlab_dev_mmap -e memlab:memlab_dev_free %s workload " TC_OUT " 2>&1",
		 self);
	out = run_cmd(cmd, &status);
	tap_ok(status == 0, "trace-cmd record -e memlab:memlab_dev_{create,mmap,free} over a workload (status %d)",
	       status);
	if (status)
		tap_diag("%s: %s", cmd, first_line(out));
	free(out);

	f = fopen(TC_OUT, "r");
	for (i = 0; f && i < WORKLOAD_BUFS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		if (fscanf(f, "%u %llu %u %u %llu %llu", &w[i].a.handle,
			   (unsigned long long *)&w[i].a.bytes, &w[i].a.order, &w[i].a.flags,
			   (unsigned long long *)&w[i].a.phys,
			   (unsigned long long *)&w[i].a.mmap_offset) != 6)
			break;
		w[i].pfn_known = 1;
	}
	if (f)
		fclose(f);
	text = status || i < WORKLOAD_BUFS ? NULL :
		run_cmd("trace-cmd report -i " TC_DAT " 2>&1", &status);
	recs = text && !status ? trace_parse_text(text, &n, &bad) : NULL;
	used = recs ? calloc(n + 1, sizeof(*used)) : NULL;
	if (!used) {
		if (text)
			tap_diag("trace-cmd report: %s", first_line(text));
		for (i = 1; i < TRACE_CMD_POINTS; i++)
			tap_ok(0, "trace-cmd report's lines");
		free(text);
		free(recs);
		return;
	}
	tap_diag("trace-cmd report: %d memlab lines", n);
	/* pid and uid are the workload's: not checked here */
	for (i = 0; i < WORKLOAD_BUFS; i++) {
		struct wmap wm = { .offset = w[i].a.mmap_offset, .len = w[i].a.bytes,
				   .cache = w[i].a.flags & MEMLAB_CACHE_MASK,
				   .pages = !!(w[i].a.flags & MEMLAB_ALLOC_PAGES),
				   .pfn = pfn_of(&w[i]) };
		const struct trace_rec *c;

		k = take(recs, n, used, "memlab_dev_create", w[i].a.handle);
		c = k < 0 ? NULL : &recs[k];
		if (!c || !u64_is(c, "bytes", w[i].a.bytes) || !u64_is(c, "order", w[i].a.order) ||
		    !field_is(c, "cache", cache_name(wm.cache)) ||
		    !field_is(c, "flags", flags_name(w[i].a.flags)) || !u64_is(c, "pfn", wm.pfn) ||
		    !u64_is(c, "uid", 0)) {
			tap_diag("create %u: %s", w[i].a.handle, c ? rec_str(c) : "missing");
			okc = 0;
		}
		k = take(recs, n, used, "memlab_dev_mmap", w[i].a.handle);
		if (k < 0 || !map_ok(&recs[k], &wm)) {
			tap_diag("mmap %u: %s", w[i].a.handle, k < 0 ? "missing" : rec_str(&recs[k]));
			okm = 0;
		}
		w[i].pinned = 0;
		k = take(recs, n, used, "memlab_dev_free", w[i].a.handle);
		if (k < 0 || !c || !free_ok(&recs[k], &w[i], c)) {
			tap_diag("free %u: %s", w[i].a.handle, k < 0 ? "missing" : rec_str(&recs[k]));
			okf = 0;
		}
	}
	tap_ok(okc && trace_count(recs, n, "memlab_dev_create") == WORKLOAD_BUFS,
	       "trace-cmd report: %d memlab_dev_create lines with the workload's fields",
	       WORKLOAD_BUFS);
	tap_ok(okm && trace_count(recs, n, "memlab_dev_mmap") == WORKLOAD_BUFS,
	       "trace-cmd report: %d memlab_dev_mmap lines with the workload's fields",
	       WORKLOAD_BUFS);
	tap_ok(okf && !bad && trace_count(recs, n, "memlab_dev_free") == WORKLOAD_BUFS &&
	       dev_lines(recs, n) == 3 * WORKLOAD_BUFS,
	       "trace-cmd report: %d memlab_dev_free lines, nothing else, all parse", WORKLOAD_BUFS);
	free(used);
	free(recs);
	free(text);
	unlink(TC_DAT);
	unlink(TC_OUT);
	/* trace-cmd leaves tracing off: switch it back on, with the events disabled */
	enable_all(0);
	tracefs_clear();
}

int main(int argc, char **argv)
{
	page = sysconf(_SC_PAGESIZE);
	if (argc == 3 && !strcmp(argv[1], "workload"))
		return workload(argv[2]);
	tap_begin();
	if (getuid())
		tap_skip_all("not root: tracefs and phys are root's");
	if (access(DEV_PATH, F_OK))
		tap_skip_all("no /dev/memlab (memlab_dev not loaded)");
	if (tracefs_find())
		tap_skip_all("this kernel has no tracefs");
	if (!tracefs_has_events())
		tap_skip_all("this kernel traces no events (no CONFIG_EVENT_TRACING)");
	/* The events, the disabled run, the workload, trace-cmd */
	tap_plan(NEVENTS + 1 + WORKLOAD_POINTS + TRACE_CMD_POINTS);
	test_formats();
	test_disabled();
	test_workload();
	test_trace_cmd();
	return tap_done();
}
