// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl map [POOL] [--svg FILE | --json]: a pool's blocks, from
 * memlab/alloc/<pool>/blocks, which lists every block with its order and
 * state without draining the per-CPU caches (docs/alloc.rst). As text, a
 * count per order and state; as SVG, the pool to scale, a row per span of
 * pages; as JSON, the report itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memlabctl.h"

enum { ST_FREE, ST_ALLOCATED, ST_CACHED, ST_NR };

static const char *const state_name[ST_NR] = { "free", "allocated", "cached" };
/* The class an SVG block of each state carries (docs/dev.rst). */
static const char *const state_class[ST_NR] = { "free", "allocated", "pcp-cached" };

#define MAP_MAX_ORDER	20

struct map_block {
	unsigned long long page;	/* first page, from the offset */
	unsigned int order;
	int state;
};

struct pool_map {
	char path[300];
	char pool[64];
	unsigned long long page_size, span_pages, total_pages;
	unsigned int max_order;
	struct map_block *b;
	size_t n, cap;
};

static const char map_help[] =
	"usage: memlabctl map [POOL] [--svg FILE | --json]\n"
	"Every block of POOL (default: default), from memlab/alloc/POOL/blocks\n"
	"(root: debugfs): free, allocated, or held in a CPU's cache (cached),\n"
	"which the other reports count as free.\n"
	"  (no option)  blocks and bytes per order and state\n"
	"  --svg FILE   the pool drawn to scale as SVG (FILE - : standard output)\n"
	"  --json       the report as one JSON object\n";

static char *slurp_path(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	mem = open_memstream(&buf, &len);
	if (!mem) {
		fclose(f);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	if (ferror(f)) {
		int err = errno;

		fclose(f);
		fclose(mem);
		free(buf);
		errno = err;
		return NULL;
	}
	fclose(f);
	fclose(mem);
	return buf;
}

static int map_add(struct pool_map *m, char **w)
{
	unsigned long long off;
	struct map_block *nb;
	char *end;
	int s;

	for (s = 0; s < ST_NR && strcmp(w[2], state_name[s]); s++)
		;
	off = strtoull(w[0], &end, 16);
	if (s == ST_NR || strncmp(w[0], "0x", 2) || *end || !m->page_size)
		return -1;
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		nb = realloc(m->b, m->cap * sizeof(*m->b));
		if (!nb)
			return -1;
		m->b = nb;
	}
	m->b[m->n].page = off / m->page_size;
	m->b[m->n].order = strtoul(w[1], NULL, 10);
	m->b[m->n].state = s;
	if (m->b[m->n].order > MAP_MAX_ORDER)
		return -1;
	m->n++;
	return 0;
}

/* The report's text into @m; 0, or the exit status after a message. */
static int map_parse(const char *text, struct pool_map *m)
{
	char *copy = strdup(text), *line, *save, *w[8];
	int n, table = 0, ret = 0;

	if (!copy)
		return fail("parse", ENOMEM);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		n = split_words(line, w, 8);
		if (!n)
			continue;
		if (table) {
			if (n == 3 && !map_add(m, w))
				continue;
		} else if (n == 3 && !strcmp(w[0], "offset")) {
			table = 1;
			continue;
		} else if (n == 2) {
			if (!strcmp(w[0], "pool"))
				snprintf(m->pool, sizeof(m->pool), "%s", w[1]);
			else if (!strcmp(w[0], "page_size"))
				m->page_size = strtoull(w[1], NULL, 10);
			else if (!strcmp(w[0], "span_pages"))
				m->span_pages = strtoull(w[1], NULL, 10);
			else if (!strcmp(w[0], "total_pages"))
				m->total_pages = strtoull(w[1], NULL, 10);
			else if (!strcmp(w[0], "max_order"))
				m->max_order = strtoul(w[1], NULL, 10);
			continue;
		}
		fprintf(stderr, "memlabctl: %s: unexpected line '%s'\n", m->path, w[0]);
		ret = 1;
		break;
	}
	free(copy);
	if (!ret && (!table || !m->page_size || !m->span_pages)) {
		fprintf(stderr, "memlabctl: %s: not a blocks report\n", m->path);
		ret = 1;
	}
	return ret;
}

/* The text as JSON: key-value lines as members, the table as "blocks". */
static int map_json(const char *text, const struct pool_map *m)
{
	char *copy = strdup(text), *line, *save, *w[8], *cols[8];
	int n, ncols = 0, i;
	struct jw j;

	if (!copy)
		return fail("JSON", ENOMEM);
	jw_begin(&j, stdout, "map", m->path);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		n = split_words(line, w, 8);
		if (!n)
			continue;
		if (ncols) {
			jw_object(&j, NULL, 1);
			for (i = 0; i < n && i < ncols; i++)
				jw_word(&j, cols[i], w[i]);
			jw_object_end(&j);
		} else if (n == 3 && !strcmp(w[0], "offset")) {
			for (ncols = 0; ncols < n; ncols++)
				cols[ncols] = w[ncols];
			jw_array(&j, "blocks", 0);
		} else {
			jw_pairs(&j, w, n);
		}
	}
	if (ncols)
		jw_array_end(&j);
	free(copy);
	return jw_end(&j);
}

static int map_text(const struct pool_map *m)
{
	unsigned long long count[MAP_MAX_ORDER + 1][ST_NR] = { 0 }, bytes[ST_NR] = { 0 };
	char b[4][32];
	unsigned int o;
	size_t i;

	for (i = 0; i < m->n; i++) {
		count[m->b[i].order][m->b[i].state]++;
		bytes[m->b[i].state] += m->page_size << m->b[i].order;
	}
	printf("pool %s: %s in %llu pages of %s, %zu blocks (%s)\n", m->pool,
	       human(m->total_pages * m->page_size, b[0], 32), m->total_pages,
	       human(m->page_size, b[1], 32), m->n, m->path);
	printf("%-6s %-10s %10s %10s %10s\n", "order", "block", "allocated", "free", "cached");
	for (o = 0; o <= MAP_MAX_ORDER; o++) {
		if (!count[o][ST_FREE] && !count[o][ST_ALLOCATED] && !count[o][ST_CACHED])
			continue;
		printf("%-6u %-10s %10llu %10llu %10llu\n", o, human(m->page_size << o, b[0], 32),
		       count[o][ST_ALLOCATED], count[o][ST_FREE], count[o][ST_CACHED]);
	}
	printf("%-17s %10s %10s %10s\n", "bytes", human(bytes[ST_ALLOCATED], b[1], 32),
	       human(bytes[ST_FREE], b[2], 32), human(bytes[ST_CACHED], b[3], 32));
	return 0;
}

/* Allocated blocks by order, cycling after 21; free, cached and holes apart. */
static const char *const order_fill[MAP_MAX_ORDER + 1] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
	"#00897b", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39",
	"#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#5d4037", "#9c9ede",
};

#define FREE_FILL	"#ffffff"
#define FREE_STROKE	"#9e9e9e"
#define CACHED_FILL	"#fff176"
#define CACHED_STROKE	"#e65100"
#define HOLE_FILL	"#d0d0d0"

#define SVG_W		1000.0
#define BAR_X		100.0
#define BAR_W		860.0
#define ROW_H		18.0
#define ROW_GAP		6.0
#define TOP		78.0
#define MAX_ROWS	32

static const char *block_fill(const struct map_block *b)
{
	if (b->state == ST_FREE)
		return FREE_FILL;
	return b->state == ST_CACHED ? CACHED_FILL : order_fill[b->order];
}

static const char *block_stroke(const struct map_block *b)
{
	if (b->state == ST_FREE)
		return FREE_STROKE;
	return b->state == ST_CACHED ? CACHED_STROKE : "#263238";
}

/* One block as one path: a rectangle per row it crosses. */
static void svg_block(FILE *f, const struct pool_map *m, const struct map_block *b,
		      unsigned long long row_pages)
{
	unsigned long long p = b->page, end = b->page + (1ULL << b->order), len, row;
	double scale = BAR_W / row_pages;
	char size[32];

	fprintf(f, "<path class=\"block order-%u %s\" fill=\"%s\" stroke=\"%s\" "
		"stroke-width=\"0.5\"%s d=\"", b->order, state_class[b->state], block_fill(b),
		block_stroke(b), b->state == ST_CACHED ? " stroke-dasharray=\"2,1\"" : "");
	while (p < end) {
		row = p / row_pages;
		len = (row + 1) * row_pages < end ? (row + 1) * row_pages - p : end - p;
		fprintf(f, "M%.2f %.2fh%.2fv%.1fh%.2fz", BAR_X + (p % row_pages) * scale,
			TOP + row * (ROW_H + ROW_GAP), len * scale, ROW_H, -(len * scale));
		p += len;
	}
	fprintf(f, "\"><title class=\"tip\">offset 0x%08llx, order %u (%s), %s</title></path>\n",
		b->page * m->page_size, b->order, human(m->page_size << b->order, size, 32),
		state_name[b->state]);
}

static void svg_swatch(FILE *f, double x, double y, const char *fill, const char *stroke,
		       const char *label)
{
	fputs("<g class=\"legend-item\">\n", f);
	svg_rect(f, "swatch", x, y - 10, 14, 12, fill, stroke);
	svg_text(f, x + 20, y, "label", NULL, "%s", label);
	fputs("</g>\n", f);
}

static double svg_legend(FILE *f, const struct pool_map *m, double y)
{
	int used[MAP_MAX_ORDER + 1] = { 0 };
	double x = BAR_X;
	char label[64], size[32];
	unsigned int o;
	size_t i;

	for (i = 0; i < m->n; i++)
		used[m->b[i].order] |= m->b[i].state == ST_ALLOCATED;
	fputs("<g class=\"legend\">\n", f);
	svg_text(f, 10, y, "legend-heading", NULL, "legend");
	svg_swatch(f, x, y, FREE_FILL, FREE_STROKE, "free");
	svg_swatch(f, x + 110, y, CACHED_FILL, CACHED_STROKE, "cached by a CPU (free to users)");
	svg_swatch(f, x + 400, y, HOLE_FILL, HOLE_FILL, "not in the pool");
	y += 22;
	svg_text(f, 10, y, "legend-heading", NULL, "allocated");
	for (o = 0; o <= MAP_MAX_ORDER; o++) {
		if (!used[o])
			continue;
		if (x > BAR_X + 4 * 170) {
			x = BAR_X;
			y += 20;
		}
		snprintf(label, sizeof(label), "order %u (%s)", o,
			 human(m->page_size << o, size, sizeof(size)));
		svg_swatch(f, x, y, order_fill[o], "#263238", label);
		x += 170;
	}
	fputs("</g>\n", f);
	return y;
}

static int map_svg(const struct pool_map *m, const char *path)
{
	unsigned long long row_pages = 16, rows, cnt[ST_NR] = { 0 }, r, pages;
	char *buf = NULL, title[160], b[3][32];
	int orders[MAP_MAX_ORDER + 1] = { 0 }, nord = 0, ret;
	size_t len = 0, i;
	double height, y;
	FILE *f;

	while ((m->span_pages + row_pages - 1) / row_pages > MAX_ROWS)
		row_pages *= 2;
	rows = (m->span_pages + row_pages - 1) / row_pages;
	for (i = 0; i < m->n; i++) {
		cnt[m->b[i].state]++;
		if (m->b[i].state == ST_ALLOCATED && !orders[m->b[i].order]++)
			nord++;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return fail("SVG", errno);
	/* the rows, then the legend: a line, and the allocated orders 5 a line */
	height = TOP + rows * (ROW_H + ROW_GAP) + 24 + 22 + 20 * ((nord + 4) / 5) + 12;
	snprintf(title, sizeof(title), "memlab pool %s: blocks by order & state", m->pool);
	svg_begin(f, "memlab-map", SVG_W, height, title);
	svg_text(f, 10, 22, "heading", "font-size=\"16\" font-weight=\"bold\"", "%s", title);
	svg_text(f, 10, 42, "summary", NULL,
		 "%s in %llu pages of %s; one row = %llu pages (%s); %zu blocks:",
		 human(m->total_pages * m->page_size, b[0], 32), m->total_pages,
		 human(m->page_size, b[1], 32), row_pages,
		 human(row_pages * m->page_size, b[2], 32), m->n);
	svg_text(f, 10, 60, "summary", NULL, "%llu allocated, %llu free, %llu cached by a CPU",
		 cnt[ST_ALLOCATED], cnt[ST_FREE], cnt[ST_CACHED]);
	fputs("<g class=\"rows\">\n", f);
	for (r = 0; r < rows; r++) {
		y = TOP + r * (ROW_H + ROW_GAP);
		pages = m->span_pages - r * row_pages < row_pages ?
			m->span_pages - r * row_pages : row_pages;
		svg_text(f, 10, y + 13, "offset", NULL, "0x%08llx", r * row_pages * m->page_size);
		svg_rect(f, "row", BAR_X, y, BAR_W * pages / row_pages, ROW_H, HOLE_FILL, HOLE_FILL);
	}
	fputs("</g>\n<g class=\"blocks\">\n", f);
	for (i = 0; i < m->n; i++)
		svg_block(f, m, &m->b[i], row_pages);
	fputs("</g>\n", f);
	svg_legend(f, m, TOP + rows * (ROW_H + ROW_GAP) + 24);
	ret = svg_end(f);
	fclose(f);
	if (!ret)
		ret = output_write(path, buf, len);
	else
		ret = fail("SVG", -ret);
	free(buf);
	return ret;
}

int cmd_map(int argc, char **argv)
{
	struct pool_map m = { 0 };
	const char *svg, *pool = "default";
	char *text;
	int json, ret;

	ret = output_options(argc, argv, map_help, &svg, &json);
	if (ret >= 0)
		return ret;
	if (optind < argc - 1)
		return usage_error("map takes at most one POOL");
	if (optind == argc - 1)
		pool = argv[optind];
	if (!*pool || strchr(pool, '/') || pool[0] == '.' || strlen(pool) >= sizeof(m.pool))
		return usage_error("bad pool name '%s'", pool);
	snprintf(m.path, sizeof(m.path), DBG "/alloc/%s/blocks", pool);
	text = slurp_path(m.path);
	if (!text) {
		int err = errno;

		fprintf(stderr, "memlabctl: %s: %s (%s)", m.path, strerrorname_np(err) ?: "?",
			strerror(err));
		if (err == ENOENT)
			fprintf(stderr, ": no pool '%s'", pool);
		fputc('\n', stderr);
		return 1;
	}
	ret = map_parse(text, &m);
	if (!ret) {
		if (json)
			ret = map_json(text, &m);
		else if (svg)
			ret = map_svg(&m, svg);
		else
			ret = map_text(&m);
	}
	free(m.b);
	free(text);
	return ret;
}
