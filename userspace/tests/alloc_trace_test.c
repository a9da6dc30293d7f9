// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_alloc's tracepoints through tracefs, in the guest: every event of
 * docs/alloc.rst exists with its documented format; then, with the block
 * events enabled, /dev/memlab allocations and frees must show as exactly
 * that many memlab_block_alloc and memlab_block_free lines, with the
 * page frame numbers the ALLOC replies gave, their order, gfp flags and
 * memlab_dev as the caller, and the split and merge lines must add up,
 * order by order, to what the pool's stats counted meanwhile. The slab
 * events are checked by KUnit (memlab_slab_test_trace): no user action
 * allocates a slab object. Prints TAP.
 *
 * Usage: alloc_trace_test    (memlab_alloc loaded, memlab_dev for the workload)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev_common.h"
#include "tracefs.h"

#define NALLOC		6
#define ORDER		2	/* a per-CPU cached order: refills split, drains merge */
#define MAX_ORDERS	21

static const struct {
	const char *name;
	const char *fmt;
} events[] = {
	{ "memlab_block_alloc", "pool=%s pfn=0x%lx order=%u gfp_flags=%s caller=%pS" },
	{ "memlab_block_free", "pool=%s pfn=0x%lx order=%u caller=%pS" },
	{ "memlab_block_split", "pool=%s pfn=0x%lx from_order=%u to_order=%u" },
	{ "memlab_block_merge", "pool=%s pfn=0x%lx from_order=%u to_order=%u" },
	{ "memlab_misuse", "pool=%s kind=%s addr=%p caller=%pS" },
	{ "memlab_slab_alloc", "pool=%s cache=%s obj=%p size=%u gfp_flags=%s caller=%pS" },
	{ "memlab_slab_free", "pool=%s cache=%s obj=%p caller=%pS" },
	{ "memlab_slab_grow", "pool=%s cache=%s pfn=0x%lx order=%u objects=%u" },
	{ "memlab_slab_shrink", "pool=%s cache=%s pfn=0x%lx order=%u objects=%u" },
};

/* The first five: what the workload enables */
#define NBLOCK_EVENTS	5

/* Splits and merges of each order, from the default pool's stats table */
struct counts {
	unsigned long long splits[MAX_ORDERS], merges[MAX_ORDERS];
	int rows;
};

static int read_counts(struct counts *c)
{
	char *text = slurp(DBG "/alloc/default/stats"), *line, *save;
	int table = 0;

	memset(c, 0, sizeof(*c));
	if (!text)
		return -errno;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long a, f, s, m;
		unsigned int o;

		if (!strncmp(line, "order ", 6)) {
			table = 1;
			continue;
		}
		if (table && sscanf(line, "%u %llu %llu %llu %llu", &o, &a, &f, &s, &m) == 5 &&
		    o < MAX_ORDERS) {
			c->splits[o] = s;
			c->merges[o] = m;
			c->rows++;
		}
	}
	free(text);
	return c->rows ? 0 : -EINVAL;
}

static void test_formats(void)
{
	char fmt[256];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(events); i++) {
		int ok = tracefs_event_exists(events[i].name) &&
			 !tracefs_print_fmt(events[i].name, fmt, sizeof(fmt)) &&
			 !strcmp(fmt, events[i].fmt);

		tap_ok(ok, "events/memlab/%s exists, print fmt as documented", events[i].name);
		if (!ok && tracefs_event_exists(events[i].name))
			tap_diag("print fmt: \"%s\"", fmt);
	}
}

/* Whether "a|b|c" has the flag @flag */
static int has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);
	const char *p;

	for (p = flags; p && (p = strstr(p, flag)); p += n)
		if ((p == flags || p[-1] == '|') && (!p[n] || p[n] == '|'))
			return 1;
	return 0;
}

/* Whether @caller, a %pS, is a function of module @mod */
static int in_module(const char *caller, const char *mod)
{
	char want[64];
	size_t n, m;

	snprintf(want, sizeof(want), " [%s]", mod);
	n = caller ? strlen(caller) : 0;
	m = strlen(want);
	return n > m && !strcmp(caller + n - m, want);
}

/* The index of @pfn in @pfns, or -1 */
static int find_pfn(const unsigned long long *pfns, int n, long long pfn)
{
	int i;

	for (i = 0; i < n; i++)
		if ((long long)pfns[i] == pfn)
			return i;
	return -1;
}

/*
 * A block event line of the default pool for one of the NALLOC blocks,
 * each seen once (@seen): 1 when it is, with order ORDER and a caller in
 * memlab_dev
 */
static int block_line_ok(const struct trace_rec *r, const unsigned long long *pfns, int *seen)
{
	int k = find_pfn(pfns, NALLOC, trace_num(r, "pfn"));

	if (k < 0 || seen[k]++ || trace_num(r, "order") != ORDER ||
	    !in_module(trace_field(r, "caller"), "memlab_dev")) {
		tap_diag("%s", r->line);
		return 0;
	}
	return 1;
}

static void test_workload(void)
{
	unsigned long long pfns[NALLOC], want_split[MAX_ORDERS] = { 0 };
	unsigned long long want_merge[MAX_ORDERS] = { 0 };
	struct memlab_allocation_data a[NALLOC];
	int seen_alloc[NALLOC] = { 0 }, seen_free[NALLOC] = { 0 };
	int fd, i, n = 0, bad = 0, ok, allocs, frees, splits, merges, got = 0;
	struct counts before, after;
	struct trace_rec *recs;
	unsigned int e, o;
	const char *s;

	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		for (i = 0; i < 9; i++)
			tap_skip("no /dev/memlab (memlab_dev not loaded)", "block events workload");
		return;
	}
	for (e = 0, ok = 1; e < NBLOCK_EVENTS; e++)
		ok &= tracefs_enable(events[e].name, 1) == 0;
	tap_ok(ok, "the five block events enabled");

	/* Reading stats drains the per-CPU caches: what follows starts from there. */
	ok = read_counts(&before) == 0 && tracefs_clear() == 0;
	for (i = 0; i < NALLOC && ok; i++, got++) {
		ok = dev_alloc(fd, 4096 << ORDER, MEMLAB_CACHE_CACHED, &a[i]) == 0 &&
		     a[i].order == ORDER && a[i].phys;
		pfns[i] = a[i].phys >> 12;
	}
	for (i = 0; i < got; i++)
		ok &= dev_free(fd, a[i].handle) == 0;
	/* The drain gives the cached blocks back: those merges are traced too. */
	ok &= read_counts(&after) == 0;
	tap_ok(ok, "%d order-%d buffers allocated (phys as root) and freed, stats read around",
	       got, ORDER);
	recs = tracefs_read(&n, &bad);
	for (e = 0; e < NBLOCK_EVENTS; e++)
		tracefs_enable(events[e].name, 0);
	close(fd);
	if (!ok || !recs) {
		for (i = 0; i < 7; i++)
			tap_ok(0, "the trace buffer after the workload");
		free(recs);
		return;
	}
	tap_diag("%d memlab lines in the trace buffer", n);

	allocs = trace_count(recs, n, "memlab_block_alloc");
	frees = trace_count(recs, n, "memlab_block_free");
	splits = trace_count(recs, n, "memlab_block_split");
	merges = trace_count(recs, n, "memlab_block_merge");
	tap_ok(allocs == NALLOC && frees == NALLOC,
	       "%d memlab_block_alloc and %d memlab_block_free lines (%d, %d)", NALLOC, NALLOC,
	       allocs, frees);

	for (i = 0, ok = 1; i < n; i++) {
		const struct trace_rec *r = &recs[i];

		if (strcmp(trace_field(r, "pool") ?: "", "default")) {
			tap_diag("not the default pool: %s", r->line);
			ok = 0;
		}
	}
	tap_ok(ok, "every line is the default pool's");

	for (i = 0, ok = 1; i < n; i++) {
		if (strcmp(recs[i].event, "memlab_block_alloc"))
			continue;
		s = trace_field(&recs[i], "gfp_flags");
		ok &= block_line_ok(&recs[i], pfns, seen_alloc) && has_flag(s, "__GFP_ZERO") &&
		      has_flag(s, "__GFP_NOWARN");
	}
	tap_ok(ok && allocs == NALLOC,
	       "memlab_block_alloc: each ALLOC's pfn once, order %d, __GFP_ZERO|__GFP_NOWARN, caller in memlab_dev",
	       ORDER);
	for (i = 0, ok = 1; i < n; i++)
		if (!strcmp(recs[i].event, "memlab_block_free"))
			ok &= block_line_ok(&recs[i], pfns, seen_free);
	tap_ok(ok && frees == NALLOC,
	       "memlab_block_free: each ALLOC's pfn once, order %d, caller in memlab_dev", ORDER);

	/* A split from order f to t splits once at each order t+1..f; a merge, t..f-1 */
	for (i = 0, ok = 1; i < n; i++) {
		long long f = trace_num(&recs[i], "from_order");
		long long t = trace_num(&recs[i], "to_order");
		int split = !strcmp(recs[i].event, "memlab_block_split");

		if (!split && strcmp(recs[i].event, "memlab_block_merge"))
			continue;
		if (f < 0 || t < 0 || f >= MAX_ORDERS || t >= MAX_ORDERS ||
		    (split ? f <= t : f >= t)) {
			tap_diag("%s", recs[i].line);
			ok = 0;
			continue;
		}
		for (o = split ? t + 1 : f; o <= (split ? f : t - 1); o++)
			(split ? want_split : want_merge)[o]++;
	}
	for (o = 0; o < MAX_ORDERS; o++) {
		if (want_split[o] != after.splits[o] - before.splits[o] ||
		    want_merge[o] != after.merges[o] - before.merges[o]) {
			tap_diag("order %u: traced %llu splits, %llu merges; stats %llu, %llu", o,
				 want_split[o], want_merge[o], after.splits[o] - before.splits[o],
				 after.merges[o] - before.merges[o]);
			ok = 0;
		}
	}
	tap_ok(ok && splits && merges,
	       "%d split and %d merge lines add up to the stats' splits and merges, order by order",
	       splits, merges);
	tap_ok(trace_count(recs, n, "memlab_misuse") == 0 && !bad &&
	       allocs + frees + splits + merges == n,
	       "no misuse, no other line, every line parses (%d unparsed)", bad);
	for (e = 0, ok = 1; e < NBLOCK_EVENTS; e++) {
		char path[160], *v;

		tracefs_event_path(path, sizeof(path), events[e].name, "enable");
		v = slurp(path);
		ok &= v && v[0] == '0';
		free(v);
	}
	tap_ok(ok, "the block events are disabled again");
	free(recs);
}

int main(void)
{
	tap_begin();
	if (tracefs_find())
		tap_skip_all("this kernel has no tracefs");
	if (!tracefs_has_events())
		tap_skip_all("this kernel traces no events (no CONFIG_EVENT_TRACING)");
	/* The events, then the workload's nine checks */
	tap_plan(ARRAY_SIZE(events) + 9);
	test_formats();
	test_workload();
	return tap_done();
}
