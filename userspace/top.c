// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl top: every pool and slab cache, by allocations per second,
 * refreshed every few seconds, as top does for processes.
 *
 * Each refresh reads every pool's stats and slabinfo (through report.c's
 * parsers, so it sees what --json documents) and compares them with the
 * previous refresh: a pool's rates are the change of its allocs, frees
 * and fails columns, summed over the orders; a cache's are the change of
 * allocs, frees and fails of its slabinfo detail line.
 *
 * Plain text, one line per pool or cache, so a serial console shows it;
 * the screen is cleared (one ANSI sequence) before each refresh only when
 * standard output is a terminal and --no-clear was not given. --json
 * prints each refresh as one JSON object on one line.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "memlabctl.h"

struct top_row {
	const char *kind;		/* "pool" or "cache" */
	char pool[64];
	char name[128];
	unsigned long long allocs, frees, fails, used, total;
	double allocs_s, frees_s, fails_s;
};

struct top_sample {
	struct top_row *row;
	size_t n, cap;
	unsigned int pools, caches;
	double when;
};

static double top_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long num(const struct jv *obj, const char *key)
{
	const struct jv *v = obj ? jv_get(obj, key) : NULL;

	return v && jv_type(v) == JV_NUMBER ? strtoull(jv_text(v), NULL, 10) : 0;
}

static struct top_row *top_add(struct top_sample *s, const char *kind, const char *pool,
			       const char *name)
{
	struct top_row *r;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->row = realloc(s->row, s->cap * sizeof(*s->row));
		if (!s->row) {
			fputs("memlabctl: out of memory\n", stderr);
			exit(1);
		}
	}
	r = memset(&s->row[s->n++], 0, sizeof(*r));
	r->kind = kind;
	snprintf(r->pool, sizeof(r->pool), "%s", pool);
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

/* memlab/alloc/<pool>/<file>, parsed; NULL after a message. */
static struct jv *top_read(const char *pool, const char *file)
{
	size_t len = 0, cap = 16384, n;
	char path[512], *text = malloc(cap);
	struct jv *root = NULL;
	FILE *f;

	snprintf(path, sizeof(path), DBG "/alloc/%s/%s", pool, file);
	f = fopen(path, "r");
	if (!f || !text) {
		fprintf(stderr, "memlabctl: %s: %s (%s)\n", path, strerrorname_np(errno) ?: "?",
			strerror(errno));
		if (f)
			fclose(f);
		free(text);
		return NULL;
	}
	while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *more = realloc(text, cap *= 2);

			if (!more)
				break;
			text = more;
		}
	}
	text[len] = '\0';
	if (ferror(f))
		fprintf(stderr, "memlabctl: %s: read error\n", path);
	else if (report_parse(file, path, text, &root))
		root = NULL;
	fclose(f);
	free(text);
	return root;
}

static int top_pool(struct top_sample *s, const char *pool)
{
	struct jv *stats = top_read(pool, "stats"), *slab, *orders, *detail, *caches;
	struct top_row *r;
	size_t i, k;

	if (!stats)
		return -1;
	r = top_add(s, "pool", pool, pool);
	orders = jv_get(stats, "orders");
	for (i = 0; orders && i < jv_len(orders); i++) {
		r->allocs += num(jv_item(orders, i), "allocs");
		r->frees += num(jv_item(orders, i), "frees");
		r->fails += num(jv_item(orders, i), "fails");
	}
	r->total = num(stats, "total_pages");
	r->used = r->total - num(stats, "free_pages");
	jv_free(stats);
	s->pools++;

	slab = top_read(pool, "slabinfo");
	if (!slab)
		return -1;
	detail = jv_get(slab, "detail");
	caches = jv_get(slab, "caches");
	for (i = 0; detail && i < jv_len(detail); i++) {
		const struct jv *d = jv_item(detail, i), *name = jv_get(d, "name");

		r = top_add(s, "cache", pool, name ? jv_text(name) : "?");
		r->used = num(d, "inuse");
		r->fails = num(d, "fails");
		r->allocs = num(d, "allocs");
		r->frees = num(d, "frees");
		for (k = 0; caches && k < jv_len(caches); k++) {
			const struct jv *c = jv_item(caches, k), *cn = jv_get(c, "name");

			if (cn && !strcmp(jv_text(cn), r->name))
				r->total = num(c, "num_objs");
		}
		s->caches++;
	}
	jv_free(slab);
	return 0;
}

/* Every pool's rows; 0, or the exit status after a message. */
static int top_sample(struct top_sample *s)
{
	struct dirent **names;
	int n, i, ret = 0;

	s->n = s->pools = s->caches = 0;
	n = scandir(DBG "/alloc", &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "memlabctl: " DBG "/alloc: %s (%s)%s\n",
			strerrorname_np(errno) ?: "?", strerror(errno),
			errno == ENOENT ? ": memlab_alloc is not loaded, or debugfs is not mounted" :
			"");
		return 1;
	}
	s->when = top_now();
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && !ret && top_pool(s, names[i]->d_name))
			ret = 1;
		free(names[i]);
	}
	free(names);
	return ret;
}

static double rate(unsigned long long now, unsigned long long before, double dt)
{
	return now > before ? (now - before) / dt : 0;
}

static void top_rates(struct top_sample *cur, const struct top_sample *prev)
{
	double dt = cur->when - prev->when;
	size_t i, k;

	if (dt <= 0)
		dt = 1e-9;
	for (i = 0; i < cur->n; i++) {
		struct top_row *r = &cur->row[i];

		for (k = 0; k < prev->n; k++) {
			const struct top_row *p = &prev->row[k];

			if (strcmp(p->kind, r->kind) || strcmp(p->pool, r->pool) ||
			    strcmp(p->name, r->name))
				continue;
			r->allocs_s = rate(r->allocs, p->allocs, dt);
			r->fails_s = rate(r->fails, p->fails, dt);
			r->frees_s = rate(r->frees, p->frees, dt);
			break;
		}
	}
}

/* Most allocations per second first; then pools before caches, by name. */
static int top_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	int ret;

	if (x->allocs_s != y->allocs_s)
		return x->allocs_s < y->allocs_s ? 1 : -1;
	ret = strcmp(x->kind, y->kind);
	if (ret)
		return -ret;	/* "pool" before "cache" */
	ret = strcmp(x->pool, y->pool);
	return ret ? ret : strcmp(x->name, y->name);
}

static void top_text(const struct top_sample *s, unsigned int sample, double interval, int clear)
{
	char name[200];
	size_t i;

	if (clear)
		fputs("\033[H\033[2J", stdout);
	printf("memlab top: refresh %u, every %.1f s; %u pool%s, %u cache%s\n", sample, interval,
	       s->pools, s->pools == 1 ? "" : "s", s->caches, s->caches == 1 ? "" : "s");
	printf("%-5s %-24s %10s %10s %7s %9s %9s\n", "kind", "name", "allocs/s", "frees/s",
	       "fails/s", "used", "total");
	for (i = 0; i < s->n; i++) {
		const struct top_row *r = &s->row[i];

		if (!strcmp(r->kind, "pool"))
			snprintf(name, sizeof(name), "%s", r->name);
		else
			snprintf(name, sizeof(name), "%s/%s", r->pool, r->name);
		printf("%-5s %-24s %10.1f %10.1f %7.1f %9llu %9llu\n", r->kind, name,
		       r->allocs_s, r->frees_s, r->fails_s, r->used, r->total);
	}
	printf("used/total: pages of a pool, objects of a cache\n");
}

static void top_json(const struct top_sample *s, unsigned int sample, double interval)
{
	struct jv *root = jv_object(), *rows, *o;
	size_t i;

	jv_set(root, "report", jv_string("top"));
	jv_set(root, "source", jv_string(DBG "/alloc"));
	jv_set(root, "refresh", jv_numberf("%u", sample));
	jv_set(root, "interval", jv_numberf("%.3f", interval));
	jv_set(root, "pools", jv_numberf("%u", s->pools));
	jv_set(root, "caches", jv_numberf("%u", s->caches));
	rows = jv_set(root, "rows", jv_array());
	for (i = 0; i < s->n; i++) {
		const struct top_row *r = &s->row[i];

		o = jv_push(rows, jv_object());
		jv_set(o, "kind", jv_string(r->kind));
		jv_set(o, "pool", jv_string(r->pool));
		jv_set(o, "name", jv_string(r->name));
		jv_set(o, "allocs_per_s", jv_numberf("%.1f", r->allocs_s));
		jv_set(o, "frees_per_s", jv_numberf("%.1f", r->frees_s));
		jv_set(o, "fails_per_s", jv_numberf("%.1f", r->fails_s));
		jv_set(o, "used", jv_numberf("%llu", r->used));
		jv_set(o, "total", jv_numberf("%llu", r->total));
	}
	jv_print(stdout, root, 0);
	jv_free(root);
}

static int top_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int top_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("memlabctl: top: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try --help)\n", stderr);
	return 2;
}

static const char top_help[] =
	"usage: memlabctl top [-d SECONDS] [-n COUNT] [--no-clear] [--json]\n"
	"Every pool and slab cache of memlab_alloc, most allocations per second\n"
	"first, from successive reads of their stats and slabinfo (root: debugfs).\n"
	"  -d, --delay SECONDS  between refreshes (default 1; 0.1 to 3600)\n"
	"  -n, --count COUNT    stop after COUNT refreshes (default: never)\n"
	"  --no-clear           never clear the screen (it is cleared, with one ANSI\n"
	"                       sequence, only when standard output is a terminal)\n"
	"  --json               each refresh as one JSON object on one line\n";

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "delay", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "no-clear", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ }
	};
	struct top_sample s[2] = { 0 };
	int c, json = 0, clear = isatty(1), ret;
	unsigned long count = 0, i;
	double interval = 1;
	struct timespec ts;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hd:n:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(top_help, stdout);
			return 0;
		case 'd':
			errno = 0;
			interval = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(interval >= 0.1 && interval <= 3600))
				return top_usage("delay '%s': 0.1 to 3600 seconds", optarg);
			break;
		case 'n':
			errno = 0;
			count = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || !count || optarg[0] == '-')
				return top_usage("count '%s': 1 or more", optarg);
			break;
		case 'C':
			clear = 0;
			break;
		case 'j':
			json = 1;
			clear = 0;
			break;
		default:
			return top_usage("bad option");
		}
	}
	if (optind != argc)
		return top_usage("top takes no operands");

	ret = top_sample(&s[0]);
	for (i = 1; !ret && (!count || i <= count); i++) {
		struct top_sample *cur = &s[i % 2], *prev = &s[(i - 1) % 2];

		ts.tv_sec = (time_t)interval;
		ts.tv_nsec = (long)((interval - ts.tv_sec) * 1e9);
		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		ret = top_sample(cur);
		if (ret)
			break;
		top_rates(cur, prev);
		qsort(cur->row, cur->n, sizeof(*cur->row), top_cmp);
		if (json)
			top_json(cur, i, interval);
		else
			top_text(cur, i, interval, clear);
		fflush(stdout);
	}
	free(s[0].row);
	free(s[1].row);
	return ret;
}
