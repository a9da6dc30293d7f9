// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_alloc's blocks report and memlabctl map on a known state of the
 * default pool: blocks of four orders allocated through /dev/memlab and
 * held, one freed into a per-CPU cache. The report is parsed as
 * docs/alloc.rst documents it; memlabctl map's SVG is parsed as XML and
 * its blocks counted against the report; its JSON is parsed and checked
 * against every field of the report, value and type; bad input gets the
 * documented message and exit status. Prints TAP.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <sys/stat.h>

#include "dev_common.h"
#include "xml_json.h"

#define BLOCKS		DBG "/alloc/default/blocks"
#define SVG_FILE	"/tmp/alloc_map_test.svg"
#define MAX_ROWS	65536

static char ctl[512];

static const char *const state_class[] = { "free", "allocated", "pcp-cached" };
static const char *const state_name[] = { "free", "allocated", "cached" };

struct row {
	char offset[24];
	unsigned long long off;
	unsigned int order;
	int state;
};

struct report {
	char *text;
	char pool[64];
	unsigned long long page_size, span_pages, total_pages, max_order;
	int nkv;
	char *kv_key[16], *kv_val[16];
	struct row *row;
	int n;
	int per_state[3], per_order[21];
};

/* The blocks report as docs/alloc.rst documents it; NULL (and why) if it is not. */
static struct report *read_blocks(void)
{
	struct report *r = calloc(1, sizeof(*r));
	char *text = slurp(BLOCKS), *copy, *line, *save, *w[8];
	int n, table = 0, bad = 0;

	if (!r || !text) {
		tap_diag("%s: %s", BLOCKS, strerror(errno));
		free(r);
		free(text);
		return NULL;
	}
	r->text = text;
	r->row = calloc(MAX_ROWS, sizeof(*r->row));
	copy = strdup(text);
	for (line = strtok_r(copy, "\n", &save); line && !bad; line = strtok_r(NULL, "\n", &save)) {
		char *l = strdup(line), *s2, *t;

		for (n = 0, t = strtok_r(l, " ", &s2); t && n < 8; t = strtok_r(NULL, " ", &s2))
			w[n++] = t;
		if (!table && n == 3 && !strcmp(w[0], "offset") && !strcmp(w[1], "order") &&
		    !strcmp(w[2], "state")) {
			table = 1;
		} else if (!table && n == 2 && r->nkv < 16) {
			r->kv_key[r->nkv] = strdup(w[0]);
			r->kv_val[r->nkv++] = strdup(w[1]);
			if (!strcmp(w[0], "pool"))
				snprintf(r->pool, sizeof(r->pool), "%s", w[1]);
			else if (!strcmp(w[0], "page_size"))
				r->page_size = strtoull(w[1], NULL, 10);
			else if (!strcmp(w[0], "span_pages"))
				r->span_pages = strtoull(w[1], NULL, 10);
			else if (!strcmp(w[0], "total_pages"))
				r->total_pages = strtoull(w[1], NULL, 10);
			else if (!strcmp(w[0], "max_order"))
				r->max_order = strtoull(w[1], NULL, 10);
			else
				bad = 1;
		} else if (table && n == 3 && r->n < MAX_ROWS && !strncmp(w[0], "0x", 2) &&
			   strlen(w[0]) >= 10 && w[0][2 + strspn(w[0] + 2, "0123456789abcdef")] == '\0') {
			struct row *rw = &r->row[r->n];

			snprintf(rw->offset, sizeof(rw->offset), "%s", w[0]);
			rw->off = strtoull(w[0], NULL, 16);
			rw->order = strtoul(w[1], NULL, 10);
			for (rw->state = 0; rw->state < 3 && strcmp(w[2], state_name[rw->state]);
			     rw->state++)
				;
			bad = rw->state == 3 || rw->order > 20;
			if (!bad) {
				r->per_state[rw->state]++;
				r->per_order[rw->order]++;
				r->n++;
			}
		} else {
			bad = 1;
		}
		if (bad)
			tap_diag("%s: unexpected line '%s'", BLOCKS, line);
		free(l);
	}
	free(copy);
	if (bad || !table || r->nkv != 5 || !r->page_size) {
		tap_diag("%s: not in the documented format", BLOCKS);
		return NULL;
	}
	return r;
}

static void free_report(struct report *r)
{
	int i;

	if (!r)
		return;
	for (i = 0; i < r->nkv; i++) {
		free(r->kv_key[i]);
		free(r->kv_val[i]);
	}
	free(r->row);
	free(r->text);
	free(r);
}

/* Run "memlabctl ARGS"; stdout (caller frees) and, with @err, 2>&1. */
static char *run(int *status, int err, const char *fmt, ...)
{
	char args[512], cmd[1200], *out;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s %s", ctl, args, err ? "2>&1" : "2>/dev/null");
	out = run_cmd(cmd, status);
	return out ? out : strdup("");
}

/* The report's own invariants: order, no overlap, every page accounted for. */
static void check_report(const struct report *r)
{
	unsigned long long end = 0, pages = 0;
	int i, ok = 1;

	for (i = 0; i < r->n && ok; i++) {
		const struct row *rw = &r->row[i];
		unsigned long long first = rw->off / r->page_size;

		ok = rw->off % r->page_size == 0 && first >= end && rw->order <= r->max_order &&
		     first % (1ULL << rw->order) == 0;
		end = first + (1ULL << rw->order);
		pages += 1ULL << rw->order;
		if (!ok)
			tap_diag("row %d: %s %u", i, rw->offset, rw->order);
	}
	tap_ok(ok && end <= r->span_pages,
	       "blocks: offsets grow, blocks aligned to their order, none overlaps, within span_pages");
	tap_ok(pages == r->total_pages, "blocks: the blocks hold every managed page (%llu of %llu)",
	       pages, r->total_pages);
}

/* The row at byte offset @off, or NULL. */
static const struct row *row_at(const struct report *r, unsigned long long off)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->row[i].off == off)
			return &r->row[i];
	return NULL;
}

static void check_svg(const struct report *r)
{
	char *svg = slurp(SVG_FILE), want[160];
	struct xml_doc d;
	const char *why;
	int i, k, s, ok, order_ok, nblocks = 0;

	if (!tap_ok(svg != NULL, "map --svg: wrote %s", SVG_FILE))
		return;
	ok = xml_parse(svg, &d) == 0;
	if (!tap_ok(ok, "map --svg: well-formed XML, every tag closed where it was opened"))
		tap_diag("%s", d.err);
	if (!ok) {
		free(svg);
		return;
	}
	why = svg_self_contained(&d);
	if (!tap_ok(!why, "map --svg: SVG 1.1, a title, every element classed, nothing external"))
		tap_diag("%s", why);
	snprintf(want, sizeof(want), "memlab pool %s: blocks by order & state", r->pool);
	tap_ok(d.el[1].text && !strcmp(d.el[1].text, want) && strstr(svg, "order &amp; state"),
	       "map --svg: the title, its '&' escaped as &amp;");

	tap_ok(xml_count(&d, "block") == r->n, "map --svg: one block element per line of blocks (%d, %d)",
	       xml_count(&d, "block"), r->n);
	ok = 1;
	for (s = 0; s < 3; s++) {
		snprintf(want, sizeof(want), "block %s", state_class[s]);
		if (xml_count(&d, want) != r->per_state[s]) {
			tap_diag("%s: %d elements, %d lines", want, xml_count(&d, want), r->per_state[s]);
			ok = 0;
		}
	}
	tap_ok(ok, "map --svg: blocks free, allocated and pcp-cached as many as the report's");
	order_ok = 1;
	for (k = 0; k <= 20; k++) {
		snprintf(want, sizeof(want), "block order-%d", k);
		order_ok &= xml_count(&d, want) == r->per_order[k];
	}
	tap_ok(order_ok, "map --svg: blocks of each order as many as the report's");

	/* The i-th block element is the i-th line: its tooltip names it. */
	ok = 1;
	for (i = 0; i < d.n; i++) {
		const struct row *rw;

		if (!xml_has_class(&d.el[i], "block"))
			continue;
		rw = nblocks < r->n ? &r->row[nblocks] : NULL;
		nblocks++;
		if (!rw || !xml_has_class(&d.el[i], state_class[rw->state]) ||
		    i + 1 >= d.n || d.el[i + 1].parent != i || !d.el[i + 1].text ||
		    strncmp(d.el[i + 1].text, "offset ", 7) ||
		    strncmp(d.el[i + 1].text + 7, rw->offset, strlen(rw->offset))) {
			ok = 0;
			tap_diag("block element %d does not match line %d", i, nblocks - 1);
			break;
		}
		snprintf(want, sizeof(want), "order-%u", rw->order);
		ok &= xml_has_class(&d.el[i], want);
	}
	tap_ok(ok, "map --svg: block elements in the report's order, each with its offset, order and state");
	tap_ok(xml_count(&d, "legend") == 1 && xml_count(&d, "legend-item") >= 4,
	       "map --svg: a legend: free, cached, hole and each allocated order");
	ok = 1;
	for (i = 0; i < d.n; i++)
		if (xml_has_class(&d.el[i], "swatch") && !xml_within(&d, i, "legend"))
			ok = 0;
	tap_ok(ok && xml_count(&d, "row") > 0, "map --svg: rows of the pool drawn, swatches only in the legend");
	xml_free(&d);
	free(svg);
}

/* Every field of the report in the JSON, value and type (docs/dev.rst). */
static void check_json(const struct report *r, const char *out)
{
	struct json *j, *v, *rows, *o;
	char err[160];
	int i, ok;

	j = json_parse(out, err);
	if (!tap_ok(j && j->type == JSON_OBJECT, "map --json: one JSON object")) {
		tap_diag("%s", j ? "not an object" : err);
		return;
	}
	tap_ok(json_is_word(json_get(j, "report"), "map") &&
	       json_is_word(json_get(j, "source"), BLOCKS),
	       "map --json: report \"map\", source " BLOCKS);
	ok = 1;
	for (i = 0; i < r->nkv; i++)
		if (!json_is_word(json_get(j, r->kv_key[i]), r->kv_val[i])) {
			tap_diag("key %s: not %s", r->kv_key[i], r->kv_val[i]);
			ok = 0;
		}
	tap_ok(ok && json_get(j, "page_size")->type == JSON_NUMBER &&
	       json_get(j, "pool")->type == JSON_STRING,
	       "map --json: every key-value line, numbers as numbers, names as strings");
	rows = json_get(j, "blocks");
	ok = rows && rows->type == JSON_ARRAY && rows->n == r->n;
	for (i = 0; ok && i < r->n; i++) {
		char order[16];

		o = rows->val[i];
		snprintf(order, sizeof(order), "%u", r->row[i].order);
		v = json_get(o, "offset");
		ok = o->type == JSON_OBJECT && o->n == 3 && v && v->type == JSON_STRING &&
		     !strcmp(v->str, r->row[i].offset) &&
		     json_is_word(json_get(o, "order"), order) &&
		     json_is_word(json_get(o, "state"), state_name[r->row[i].state]);
		if (!ok)
			tap_diag("blocks[%d] differs from line %s", i, r->row[i].offset);
	}
	tap_ok(ok, "map --json: blocks[] is the table, row for row: offset a hex string, order a number, state");
}

static void check_text(const struct report *r, const char *out, int status)
{
	char want[128];
	int k, ok = status == 0;

	snprintf(want, sizeof(want), "pool %s: ", r->pool);
	ok &= strstr(out, want) != NULL && strstr(out, "allocated") != NULL;
	for (k = 0; k <= 20 && ok; k++) {
		const char *line;
		unsigned int o;
		unsigned long long a, f, c;
		int na = 0, nf = 0, nc = 0, i;

		for (i = 0; i < r->n; i++) {
			if (r->row[i].order != (unsigned int)k)
				continue;
			na += r->row[i].state == 1;
			nf += r->row[i].state == 0;
			nc += r->row[i].state == 2;
		}
		if (!na && !nf && !nc)
			continue;
		ok = 0;
		for (line = out; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
			if (sscanf(line, "%u %*s %*s %llu %llu %llu", &o, &a, &f, &c) == 4 &&
			    o == (unsigned int)k)
				ok = a == (unsigned long long)na && f == (unsigned long long)nf &&
				     c == (unsigned long long)nc;
	}
	if (!tap_ok(ok, "map: per order, allocated, free and cached blocks as the report counts them"))
		tap_diag("%s", out);
}

static void expect_error(const char *args, int want_status, const char *want)
{
	int status;
	char *out = run(&status, 1, "map %s", args);

	if (!tap_ok(status == want_status && strstr(out, want),
		    "map %s: status %d, says '%s'", args, want_status, want))
		tap_diag("status %d: %s", status, out);
	free(out);
}

int main(int argc, char **argv)
{
	static const unsigned long sizes[] = { 4096, 16384, 65536, 1 << 20 };
	static const unsigned int orders[] = { 0, 2, 4, 8 };
	struct memlab_allocation_data a[4], spare;
	unsigned long long base = 0;
	struct report *r, *r2;
	char self[256], *out;
	int fd, i, status, ok;
	long pcp0;

	tap_begin();
	if (access(BLOCKS, R_OK))
		tap_skip_all("no " BLOCKS " (memlab_alloc not loaded, or not root)");
	fd = open(DEV_PATH, O_RDWR);
	if (fd < 0)
		tap_skip_all("no /dev/memlab to allocate through (memlab_dev not loaded)");
	snprintf(self, sizeof(self), "%s", argc > 0 ? argv[0] : "");
	snprintf(ctl, sizeof(ctl), "%s/../bin/memlabctl", dirname(self));
	if (access(ctl, X_OK))
		snprintf(ctl, sizeof(ctl), "memlabctl");

	/* stats drains the caches: read it before the known state is made */
	pcp0 = -1;
	{
		char *st = slurp(DBG "/alloc/default/stats"), *p;

		if (st && (p = strstr(st, "\npercpu_high ")))
			pcp0 = strtol(p + 13, NULL, 10);
		if (st && (p = strstr(st, "\nchunks 1\nchunk 0 ")))
			base = strtoull(p + 18, NULL, 16);
		free(st);
	}
	for (i = 0; i < 4; i++)
		if (dev_alloc(fd, sizes[i], MEMLAB_CACHE_CACHED, &a[i]))
			tap_bail("MEMLAB_IOC_ALLOC failed: the pool is too full for the test");
	if (!dev_alloc(fd, 4096, MEMLAB_CACHE_CACHED, &spare))
		dev_free(fd, spare.handle);

	r = read_blocks();
	if (!tap_ok(r != NULL, "blocks: the documented format (key-value lines, then offset order state)"))
		tap_bail("cannot go on without the report");
	check_report(r);
	ok = 1;
	for (i = 0; i < 4; i++) {
		const struct row *rw = base && a[i].phys ? row_at(r, a[i].phys - base) : NULL;

		if (base && a[i].phys)
			ok &= rw && rw->order == orders[i] && rw->state == 1;
	}
	if (base)
		tap_ok(ok, "blocks: each buffer allocated is a line: its offset, its order, allocated");
	else
		tap_skip("a pool of one chunk, and CAP_SYS_ADMIN for physical addresses",
			 "blocks: each buffer allocated is a line");
	if (pcp0 > 0)
		tap_ok(r->per_state[2] > 0, "blocks: an order-0 allocation and free leave cached blocks (%d)",
		       r->per_state[2]);
	else
		tap_skip("this pool has no per-CPU caches", "blocks: cached blocks shown");

	out = run(&status, 0, "map");
	check_text(r, out, status);
	free(out);

	out = run(&status, 1, "map --svg " SVG_FILE);
	if (!tap_ok(status == 0 && !*out, "map --svg FILE: status 0, nothing printed"))
		tap_diag("status %d: %s", status, out);
	free(out);
	r2 = read_blocks();
	tap_ok(r2 && !strcmp(r2->text, r->text), "blocks: unchanged by reading it and by memlabctl map");
	check_svg(r);

	out = run(&status, 0, "map --json");
	tap_ok(status == 0, "map --json: status 0");
	check_json(r, out);
	free(out);

	out = run(&status, 0, "map default --svg -");
	tap_ok(status == 0 && !strncmp(out, "<?xml", 5) && strstr(out, "</svg>"),
	       "map default --svg -: the SVG on standard output");
	free(out);

	expect_error("--help", 0, "usage: memlabctl map [POOL] [--svg FILE | --json]");
	expect_error("no-such-pool", 1, DBG "/alloc/no-such-pool/blocks: ENOENT (No such file or "
		     "directory): no pool 'no-such-pool'");
	expect_error("../default", 2, "bad pool name '../default'");
	expect_error("--svg /nonexistent/map.svg", 1, "open /nonexistent/map.svg: ENOENT");
	expect_error("--svg " SVG_FILE " --json", 2, "--svg and --json exclude each other");
	expect_error("default extra", 2, "map takes at most one POOL");
	expect_error("--bogus", 2, "bad option");

	for (i = 0; i < 4; i++)
		dev_free(fd, a[i].handle);
	close(fd);
	unlink(SVG_FILE);
	free_report(r);
	free_report(r2);
	return tap_done();
}
