// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parses memlab_alloc's debugfs reports for one pool exactly as
 * docs/alloc.rst documents them and cross-checks them against each other.
 * Prints TAP.
 *
 * Usage: alloc_debugfs_test POOL [EXPECTED_SOURCE]
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "memlab_test.h"

#define MAX_ORDERS	21
#define DIR		"/sys/kernel/debug/memlab/alloc"

/* A file of @pool's directory, NUL-terminated; NULL (and a diagnostic) on error. */
static char *pool_file(const char *pool, const char *file)
{
	char path[256], *buf;

	snprintf(path, sizeof(path), DIR "/%s/%s", pool, file);
	buf = slurp(path);
	if (!buf)
		tap_diag("%s: %s", path, strerror(errno));
	return buf;
}

struct stats {
	char source[64];
	unsigned long page_size, total_pages, free_pages, free_bytes, metadata_bytes;
	unsigned long chunks, chunk_bytes;
	long max_order, largest_order;
	unsigned long largest_bytes;
	unsigned long misuse;
	unsigned int pcp_high[4], pcp_batch[4];
	int pcp_lines;
	unsigned long nr_free[MAX_ORDERS];
	int rows;
	int bad_index;
};

/* The permission bits of a pool's file, or -1. */
static int file_mode(const char *pool, const char *file)
{
	char path[256];
	struct stat sb;

	snprintf(path, sizeof(path), DIR "/%s/%s", pool, file);
	return stat(path, &sb) ? -1 : (int)(sb.st_mode & 07777);
}

static int is_index(const char *s)
{
	/* vmstat's "%d.%03d": optional minus, digits, dot, three digits */
	if (*s == '-')
		s++;
	if (!isdigit((unsigned char)*s))
		return 0;
	while (isdigit((unsigned char)*s))
		s++;
	return s[0] == '.' && isdigit((unsigned char)s[1]) &&
	       isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) && !s[4];
}

static int parse_stats(char *text, struct stats *st)
{
	int in_table = 0;
	char *line, *save;

	memset(st, 0, sizeof(*st));
	st->max_order = -2;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char key[64], v1[64], v2[64];
		unsigned long long a, f, s, m, fl, nf;
		unsigned int o;

		if (!strncmp(line, "order ", 6)) {
			in_table = 1;
			continue;
		}
		if (in_table) {
			if (sscanf(line, "%u %llu %llu %llu %llu %llu %llu %63s %63s", &o, &a, &f,
				   &s, &m, &fl, &nf, v1, v2) != 9 || o >= MAX_ORDERS) {
				tap_diag("stats: bad row '%s'", line);
				return -1;
			}
			st->nr_free[o] = nf;
			st->rows++;
			if (!is_index(v1) || !is_index(v2))
				st->bad_index++;
			continue;
		}
		if (sscanf(line, "%63s %63s", key, v1) != 2) {
			tap_diag("stats: bad line '%s'", line);
			return -1;
		}
		if (!strcmp(key, "source"))
			snprintf(st->source, sizeof(st->source), "%s", v1);
		else if (!strcmp(key, "page_size"))
			st->page_size = strtoul(v1, NULL, 0);
		else if (!strcmp(key, "total_pages"))
			st->total_pages = strtoul(v1, NULL, 0);
		else if (!strcmp(key, "free_pages"))
			st->free_pages = strtoul(v1, NULL, 0);
		else if (!strcmp(key, "free_bytes"))
			st->free_bytes = strtoul(v1, NULL, 0);
		else if (!strcmp(key, "metadata_bytes"))
			st->metadata_bytes = strtoul(v1, NULL, 0);
		else if (!strcmp(key, "max_order"))
			st->max_order = strtol(v1, NULL, 0);
		else if (!strcmp(key, "largest_free_order"))
			st->largest_order = strtol(v1, NULL, 0);
		else if (!strcmp(key, "largest_free_bytes"))
			st->largest_bytes = strtoul(v1, NULL, 0);
		else if (!strcmp(key, "chunks"))
			st->chunks = strtoul(v1, NULL, 0);
		else if (!strcmp(key, "chunk")) {
			/* chunk <n> <phys> <bytes> */
			if (sscanf(line, "chunk %*u %63s %63s", v1, v2) != 2 || strncmp(v1, "0x", 2))
				return -1;
			st->chunk_bytes += strtoul(v2, NULL, 0);
		} else if (!strncmp(key, "misuse_", 7)) {
			st->misuse += strtoul(v1, NULL, 0);
		} else if (!strcmp(key, "percpu_high") || !strcmp(key, "percpu_batch")) {
			unsigned int *v = strcmp(key, "percpu_high") ? st->pcp_batch : st->pcp_high;

			if (sscanf(line, "%*s %u %u %u %u", &v[0], &v[1], &v[2], &v[3]) != 4) {
				tap_diag("stats: bad line '%s'", line);
				return -1;
			}
			st->pcp_lines++;
		} else if (strcmp(key, "pool")) {
			tap_diag("stats: unknown key '%s'", key);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *pool = argc > 1 ? argv[1] : "default";
	const char *want_source = argc > 2 ? argv[2] : NULL;
	char *bi, *stx, *map, *chk, name[64], zone[32];
	unsigned long bi_free[MAX_ORDERS], sum = 0;
	int nbi = 0, off, n, ok, lines = 0, bad_lines = 0, o;
	unsigned long cells = 0, span = 0, pages = 0;
	struct stats st;
	char *p, *line, *save;

	tap_begin();
	/* 20 checks, and the pool's source when the caller names it. */
	tap_plan(20 + !!want_source);
	bi = pool_file(pool, "buddyinfo");
	stx = pool_file(pool, "stats");
	map = pool_file(pool, "map");
	chk = pool_file(pool, "check");
	if (!tap_ok(bi && stx && map && chk, "pool %s has buddyinfo, stats, map, check", pool))
		return tap_done();

	/* buddyinfo: "Pool <name>, zone   memlab  n0 n1 ..." */
	ok = sscanf(bi, "Pool %63s zone %31s%n", name, zone, &off) == 2 &&
	     !strcmp(zone, "memlab") && name[strlen(name) - 1] == ',';
	for (p = bi + (ok ? off : 0); ok && nbi < MAX_ORDERS &&
	     sscanf(p, "%lu%n", &bi_free[nbi], &n) == 1; p += n)
		sum += bi_free[nbi] << nbi, nbi++;
	tap_ok(ok && nbi > 0 && !strcmp(p, " \n"), "buddyinfo has /proc/buddyinfo's shape");

	ok = parse_stats(stx, &st) == 0;
	tap_ok(ok, "stats parses");
	tap_ok(st.page_size == 4096, "page_size 4096 (%lu)", st.page_size);
	tap_ok(st.max_order >= 10 && st.rows == st.max_order + 1 && nbi == st.rows,
	       "one row per order 0..max_order (%ld) in stats and buddyinfo", st.max_order);
	if (want_source)
		tap_ok(!strcmp(st.source, want_source), "source is %s (%s)", want_source,
		       st.source);
	tap_ok(st.chunks >= 1 && st.chunk_bytes == st.total_pages * st.page_size,
	       "chunks add up to total_pages");
	tap_ok(st.free_pages == sum, "free_pages %lu = sum of buddyinfo blocks %lu",
	       st.free_pages, sum);
	tap_ok(st.free_bytes == st.free_pages * st.page_size, "free_bytes = free_pages * page_size");
	for (o = 0, ok = 1; o < nbi; o++)
		ok &= st.nr_free[o] == bi_free[o];
	tap_ok(ok, "stats' free column matches buddyinfo");
	for (o = nbi - 1; o >= 0 && !bi_free[o]; o--)
		;
	tap_ok(st.largest_order == o &&
	       st.largest_bytes == (o < 0 ? 0 : st.page_size << o),
	       "largest_free_order %ld is the highest order with free blocks", st.largest_order);
	tap_ok(st.metadata_bytes * 50 <= st.total_pages * st.page_size,
	       "metadata %lu bytes is at most 2%% of the pool", st.metadata_bytes);
	tap_ok(!st.bad_index, "extfrag indices print as vmstat's %%d.%%03d");
	tap_ok(st.misuse == 0, "no misuse counted");
	ok = st.pcp_lines == 2;
	for (o = 0; o < 4 && ok; o++)
		ok = st.pcp_high[o] <= 32 && st.pcp_batch[o] * 2 == st.pcp_high[o] &&
		     (!o || st.pcp_high[o] <= st.pcp_high[o - 1]);
	tap_ok(ok, "percpu_high and percpu_batch: 4 orders, high <= 32, batch = high / 2");

	/* map: '#' header lines, then "<offset> <cells>" lines of <= 80 columns */
	if (sscanf(map, "# pool %*s %lu pages, one character = %lu", &pages, &span) != 2)
		span = 0;
	for (line = strtok_r(map, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c;

		if (strlen(line) > 80)
			bad_lines++;
		if (line[0] == '#')
			continue;
		lines++;
		c = strchr(line, ' ');
		if (!c || c - line != 8 || strspn(line, "0123456789abcdef") != 8) {
			bad_lines++;
			continue;
		}
		for (c++; *c; c++, cells++)
			if (!strchr(".0123456789ABCDEFGHIJK* ", *c))
				bad_lines++;
	}
	tap_ok(span && lines && !bad_lines, "map: %d lines, each <= 80 columns, known symbols",
	       lines);
	tap_ok(span && cells == (pages + span - 1) / span, "map covers the pool (%lu cells)",
	       cells);

	tap_ok(strstr(chk, "\nbuddy: ok\n") && strstr(chk, "\nresult: ok\n"),
	       "check reports ok");

	/*
	 * stats shows physical addresses and check walks the pool with
	 * interrupts off: both are root's only; the other reports are for all.
	 */
	tap_ok(file_mode(pool, "stats") == 0400, "stats is mode 0400 (%o)", file_mode(pool, "stats"));
	tap_ok(file_mode(pool, "check") == 0400, "check is mode 0400 (%o)", file_mode(pool, "check"));
	tap_ok(file_mode(pool, "buddyinfo") == 0444 && file_mode(pool, "map") == 0444 &&
	       file_mode(pool, "slabinfo") == 0444, "buddyinfo, map and slabinfo are mode 0444");
	free(bi);
	free(stx);
	free(map);
	free(chk);
	return tap_done();
}
