// SPDX-License-Identifier: GPL-2.0-only
/*
 * The text of memlab's debugfs reports as JSON documents (report_json.c),
 * for memlabctl's report commands (report.c) and top (top.c).
 *
 * The document is {"report": <name>, "source": <file read>, ...}, then the
 * text's fields under their own names (lower case, other characters than
 * [a-z0-9_] as '_'), decimal numbers as JSON numbers with the digits
 * printed, anything printed in hex as a string exactly as printed, tables
 * as arrays of objects keyed by their column names. docs/reports.rst gives
 * every key. A field this file does not know (a newer module's) is carried
 * through: a column by its header's name, a "key value" line by its key.
 * A line that does not parse is an error: a message naming the file and
 * line, and no document.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memlabctl.h"

#define MAX_TOKENS	96
#define KEY_MAX		64

/* How a value is typed: by the lexical rule, or as the field must be. */
enum vt {
	V_AUTO,		/* decimal: a number; anything else: a string */
	V_NUM,		/* decimal, or the line is malformed */
	V_HEX,		/* hex digits, optionally 0x: a string */
	V_STR,		/* a string, whatever it looks like */
};

struct tok {
	const char *p;
	size_t n;
};

/* One report being parsed. */
struct rctx {
	const char *source;	/* the file, for messages */
	unsigned int line;
	struct jv *root;
	/* unknown keys seen on more than one line: their value is a list */
	char repeated[16][KEY_MAX];
	unsigned int nr_repeated;
};

static int bad(struct rctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct rctx *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "memlabctl: %s: line %u: ", c->source, c->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* The words of @line into @t; their number, or -1 past MAX_TOKENS. */
static int split(const char *line, struct tok *t)
{
	const char *p = line;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == MAX_TOKENS)
			return -1;
		t[n].p = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		t[n].n = p - t[n].p;
		n++;
	}
}

static int tok_is(struct tok t, const char *s)
{
	return t.n == strlen(s) && !memcmp(t.p, s, t.n);
}

/* JSON's number grammar, as far as the kernel prints: -?(0|[1-9]d*)(.d+)? */
static int is_decimal(struct tok t)
{
	size_t i = 0;

	if (i < t.n && t.p[i] == '-')
		i++;
	if (i == t.n || !isdigit((unsigned char)t.p[i]))
		return 0;
	if (t.p[i] == '0' && i + 1 < t.n && isdigit((unsigned char)t.p[i + 1]))
		return 0;
	while (i < t.n && isdigit((unsigned char)t.p[i]))
		i++;
	if (i < t.n && t.p[i] == '.') {
		if (++i == t.n)
			return 0;
		while (i < t.n && isdigit((unsigned char)t.p[i]))
			i++;
	}
	return i == t.n;
}

static int is_hex(struct tok t)
{
	size_t i = 0;

	if (t.n > 2 && t.p[0] == '0' && t.p[1] == 'x')
		i = 2;
	if (i == t.n)
		return 0;
	for (; i < t.n; i++)
		if (!isxdigit((unsigned char)t.p[i]))
			return 0;
	return 1;
}

/* @t as a value of type @vt; NULL (after a message) when it is not one. */
static struct jv *value(struct rctx *c, const char *key, struct tok t, enum vt vt)
{
	switch (vt) {
	case V_NUM:
		if (!is_decimal(t)) {
			bad(c, "%s: '%.*s' is not a decimal number", key, (int)t.n, t.p);
			return NULL;
		}
		return jv_number(t.p, t.n);
	case V_HEX:
		if (!is_hex(t)) {
			bad(c, "%s: '%.*s' is not a hexadecimal number", key, (int)t.n, t.p);
			return NULL;
		}
		return jv_stringn(t.p, t.n);
	case V_AUTO:
		if (is_decimal(t))
			return jv_number(t.p, t.n);
		break;
	case V_STR:
		break;
	}
	return jv_stringn(t.p, t.n);
}

/*
 * @t as a key: lower case, characters other than [a-z0-9_] as '_'. At the
 * top level (@top), "report" and "source" belong to the envelope: a field
 * of that name gets a '_' after it.
 */
static void key_of(char *key, struct tok t, int top)
{
	size_t i, n = t.n < KEY_MAX - 2 ? t.n : KEY_MAX - 2;

	for (i = 0; i < n; i++) {
		char ch = tolower((unsigned char)t.p[i]);

		key[i] = (islower((unsigned char)ch) || isdigit((unsigned char)ch) ||
			  ch == '_') ? ch : '_';
	}
	key[n] = '\0';
	if (top && (!strcmp(key, "report") || !strcmp(key, "source")))
		strcat(key, "_");
}

/* From word @t to the end of @line, trailing blanks left out. */
static struct tok rest_of(const char *line, struct tok t)
{
	const char *end = line + strlen(line);

	while (end > t.p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return (struct tok){ t.p, end - t.p };
}

/* --- "key value..." lines ------------------------------------------------ */

struct member {
	const char *name;
	enum vt vt;
};

/*
 * A known key: one value (@nvals 1), a list of any length (@nvals 0), or a
 * tuple of @nvals values named by @members, an object (a list of them when
 * the key can @repeat).
 */
struct field {
	const char *key;
	enum vt vt;
	unsigned int nvals;
	const struct member *members;
	int repeat;
};

static const struct field *find_field(const struct field *f, const char *key)
{
	for (; f && f->key; f++)
		if (!strcmp(f->key, key))
			return f;
	return NULL;
}

static struct jv *list_of(struct rctx *c, const char *key, struct tok *t, int n, enum vt vt)
{
	struct jv *arr = jv_array(), *v;
	int i;

	for (i = 0; i < n; i++) {
		v = value(c, key, t[i], vt);
		if (!v) {
			jv_free(arr);
			return NULL;
		}
		jv_push(arr, v);
	}
	return arr;
}

/* A key this file does not know, on a second line: the values as a list. */
static int kv_unknown(struct rctx *c, struct jv *obj, const char *key, struct jv *v)
{
	struct jv *old = jv_get(obj, key), *list;
	unsigned int i;

	if (!old) {
		jv_set(obj, key, v);
		return 0;
	}
	for (i = 0; i < c->nr_repeated; i++)
		if (!strcmp(c->repeated[i], key)) {
			jv_push(old, v);
			return 0;
		}
	if (c->nr_repeated == sizeof(c->repeated) / sizeof(c->repeated[0])) {
		jv_free(v);
		return bad(c, "%s: too many repeated keys", key);
	}
	strcpy(c->repeated[c->nr_repeated++], key);
	list = jv_array();
	jv_push(list, jv_swap(obj, key, list));
	jv_push(list, v);
	return 0;
}

/* A "key value..." line of @n words @t into @obj, as @spec says. */
static int kv_line(struct rctx *c, struct jv *obj, struct tok *t, int n,
		   const struct field *spec, int top)
{
	const struct field *f;
	char key[KEY_MAX], text_key[KEY_MAX];
	struct jv *v, *list;
	unsigned int i;

	key_of(key, t[0], top);
	key_of(text_key, t[0], 0);
	if (n < 2)
		return bad(c, "%s: no value", text_key);
	f = find_field(spec, text_key);
	if (!f) {
		v = n == 2 ? value(c, key, t[1], V_AUTO) : list_of(c, key, t + 1, n - 1, V_AUTO);
		return v ? kv_unknown(c, obj, key, v) : -1;
	}
	if (f->nvals == 0) {
		v = list_of(c, key, t + 1, n - 1, f->vt);
	} else if (n - 1 != (int)f->nvals) {
		return bad(c, "%s: %d values, not %u", key, n - 1, f->nvals);
	} else if (!f->members) {
		v = value(c, key, t[1], f->vt);
	} else {
		v = jv_object();
		for (i = 0; i < f->nvals; i++) {
			struct jv *m = value(c, f->members[i].name, t[1 + i], f->members[i].vt);

			if (!m) {
				jv_free(v);
				return -1;
			}
			jv_set(v, f->members[i].name, m);
		}
	}
	if (!v)
		return -1;
	if (!f->repeat) {
		if (jv_get(obj, key)) {
			jv_free(v);
			return bad(c, "%s: a second time", key);
		}
		jv_set(obj, key, v);
		return 0;
	}
	list = jv_get(obj, key);
	if (!list)
		list = jv_set(obj, key, jv_array());
	jv_push(list, v);
	return 0;
}

/* --- tables ---------------------------------------------------------------- */

struct column {
	const char *name;
	enum vt vt;
};

struct table {
	char name[MAX_TOKENS][KEY_MAX];
	enum vt vt[MAX_TOKENS];
	int ncols;
	int rest;		/* the last column runs to the end of the line */
	struct jv *rows;
};

/* Columns named by the header words @t; types from @spec, else V_AUTO. */
static int table_start(struct rctx *c, struct table *tb, const char *key, struct tok *t, int n,
		       const struct column *spec, int rest)
{
	const struct column *col;
	int i;

	tb->ncols = n;
	tb->rest = rest;
	for (i = 0; i < n; i++) {
		key_of(tb->name[i], t[i], 0);
		tb->vt[i] = V_AUTO;
		for (col = spec; col && col->name; col++)
			if (!strcmp(col->name, tb->name[i]))
				tb->vt[i] = col->vt;
	}
	tb->rows = jv_get(c->root, key);
	if (!tb->rows)
		tb->rows = jv_set(c->root, key, jv_array());
	if (jv_type(tb->rows) != JV_ARRAY) {
		tb->ncols = 0;
		return bad(c, "a table where %s is a value", key);
	}
	return 0;
}

static int table_row(struct rctx *c, struct table *tb, const char *line, struct tok *t, int n)
{
	struct jv *row, *v;
	int i;

	if (!tb->ncols)
		return bad(c, "a row before its header");
	if (tb->rest ? n < tb->ncols : n != tb->ncols)
		return bad(c, "%d fields, the header has %d", n, tb->ncols);
	row = jv_object();
	for (i = 0; i < tb->ncols; i++) {
		struct tok w = tb->rest && i == tb->ncols - 1 ? rest_of(line, t[i]) : t[i];

		v = value(c, tb->name[i], w, tb->vt[i]);
		if (!v) {
			jv_free(row);
			return -1;
		}
		jv_set(row, tb->name[i], v);
	}
	jv_push(tb->rows, row);
	return 0;
}

/*
 * Each line of @text in turn, split into words, to @fn; blank lines are
 * passed over. The first error ends the walk.
 */
static int each_line(struct rctx *c, char *text, void *priv,
		     int (*fn)(struct rctx *c, void *priv, const char *line, struct tok *t, int n))
{
	char *line = text, *next;
	struct tok t[MAX_TOKENS];
	int n;

	c->line = 0;
	for (; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		c->line++;
		n = split(line, t);
		if (n < 0)
			return bad(c, "more than %d fields", MAX_TOKENS);
		if (n && fn(c, priv, line, t, n))
			return -1;
	}
	return 0;
}

/* --- stats ------------------------------------------------------------------ */

static const struct member chunk_members[] = {
	{ "chunk", V_NUM }, { "phys", V_HEX }, { "bytes", V_NUM },
};

static const struct field stats_fields[] = {
	{ "pool", V_STR, 1, NULL, 0 },
	{ "source", V_STR, 1, NULL, 0 },
	{ "chunks", V_NUM, 1, NULL, 0 },
	{ "chunk", V_AUTO, 3, chunk_members, 1 },
	{ "page_size", V_NUM, 1, NULL, 0 },
	{ "max_order", V_NUM, 1, NULL, 0 },
	{ "total_pages", V_NUM, 1, NULL, 0 },
	{ "free_pages", V_NUM, 1, NULL, 0 },
	{ "free_bytes", V_NUM, 1, NULL, 0 },
	{ "largest_free_order", V_NUM, 1, NULL, 0 },
	{ "largest_free_bytes", V_NUM, 1, NULL, 0 },
	{ "metadata_bytes", V_NUM, 1, NULL, 0 },
	{ "misuse_double_free", V_NUM, 1, NULL, 0 },
	{ "misuse_bad_address", V_NUM, 1, NULL, 0 },
	{ "misuse_wrong_order", V_NUM, 1, NULL, 0 },
	{ "misuse_outside_pool", V_NUM, 1, NULL, 0 },
	{ "percpu_high", V_NUM, 0, NULL, 0 },
	{ "percpu_batch", V_NUM, 0, NULL, 0 },
	{ }
};

static const struct column stats_columns[] = {
	{ "order", V_NUM }, { "allocs", V_NUM }, { "frees", V_NUM }, { "splits", V_NUM },
	{ "merges", V_NUM }, { "fails", V_NUM }, { "free", V_NUM }, { "unusable", V_NUM },
	{ "fragindex", V_NUM }, { }
};

static int stats_line(struct rctx *c, void *priv, const char *line, struct tok *t, int n)
{
	struct table *tb = priv;

	if (tb->ncols)
		return table_row(c, tb, line, t, n);
	if (tok_is(t[0], "order")) {
		return table_start(c, tb, "orders", t, n, stats_columns, 0);
	}
	return kv_line(c, c->root, t, n, stats_fields, 1);
}

static int parse_stats(struct rctx *c, char *text)
{
	static struct table tb;

	memset(&tb, 0, sizeof(tb));
	if (each_line(c, text, &tb, stats_line))
		return -1;
	if (!tb.ncols)
		return bad(c, "no table of orders");
	return 0;
}

/* --- buddyinfo -------------------------------------------------------------- */

static int buddyinfo_line(struct rctx *c, void *priv, const char *line, struct tok *t, int n)
{
	struct jv *zones = priv, *zone, *free;

	/* Pool <name>, zone <zone> <free blocks of order 0> ... */
	if (n < 5 || !tok_is(t[0], "Pool") || t[1].p[t[1].n - 1] != ',' || t[1].n < 2 ||
	    !tok_is(t[2], "zone"))
		return bad(c, "not \"Pool <name>, zone <zone> <counts>\"");
	free = list_of(c, "free", t + 4, n - 4, V_NUM);
	if (!free)
		return -1;
	zone = jv_push(zones, jv_object());
	jv_set(zone, "pool", jv_stringn(t[1].p, t[1].n - 1));
	jv_set(zone, "zone", jv_stringn(t[3].p, t[3].n));
	jv_set(zone, "free", free);
	return 0;
}

static int parse_buddyinfo(struct rctx *c, char *text)
{
	return each_line(c, text, jv_set(c->root, "zones", jv_array()), buddyinfo_line);
}

/* --- slabinfo ---------------------------------------------------------------- */

struct slabinfo_state {
	struct table caches, detail, *in;
};

static const struct column slabinfo_columns[] = {
	{ "name", V_STR }, { "active_objs", V_NUM }, { "num_objs", V_NUM },
	{ "objsize", V_NUM }, { "objperslab", V_NUM }, { "pagesperslab", V_NUM },
	{ "limit", V_NUM }, { "batchcount", V_NUM }, { "sharedfactor", V_NUM },
	{ "active_slabs", V_NUM }, { "num_slabs", V_NUM }, { "sharedavail", V_NUM },
	{ }
};

static const struct column detail_columns[] = {
	{ "name", V_STR }, { "inuse", V_NUM }, { "cpu_cached", V_NUM }, { "full", V_NUM },
	{ "partial", V_NUM }, { "empty", V_NUM }, { "object_size", V_NUM }, { "align", V_NUM },
	{ "order", V_NUM }, { "waste_per_slab", V_NUM }, { "flags", V_STR }, { "fails", V_NUM },
	{ "errors", V_NUM }, { "redzone", V_NUM }, { "poison", V_NUM },
	{ "double_free", V_NUM }, { "freelist", V_NUM }, { "bad_object", V_NUM },
	{ "count", V_NUM }, { "allocs", V_NUM }, { "frees", V_NUM }, { }
};

/*
 * /proc/slabinfo 2.1's words without its separators: each ':' and the
 * label after it ("tunables", "slabdata"), and a header's '#' and <>.
 */
static int slabinfo_words(struct tok *t, int n)
{
	int i, k = 0;

	for (i = 0; i < n; i++) {
		if (tok_is(t[i], ":")) {
			i++;
			continue;
		}
		if (tok_is(t[i], "#"))
			continue;
		if (t[i].n > 2 && t[i].p[0] == '<' && t[i].p[t[i].n - 1] == '>')
			t[i] = (struct tok){ t[i].p + 1, t[i].n - 2 };
		t[k++] = t[i];
	}
	return k;
}

static int slabinfo_line(struct rctx *c, void *priv, const char *line, struct tok *t, int n)
{
	struct slabinfo_state *s = priv;

	if (c->line == 1) {
		if (n != 4 || !tok_is(t[0], "slabinfo") || !tok_is(t[2], "version:"))
			return bad(c, "not \"slabinfo - version: <version>\"");
		jv_set(c->root, "version", jv_stringn(t[3].p, t[3].n));
		return 0;
	}
	if (tok_is(t[0], "#") && n > 1 && tok_is(t[1], "name")) {
		n = slabinfo_words(t, n);
		s->in = &s->caches;
		return table_start(c, &s->caches, "caches", t, n, slabinfo_columns, 0);
	}
	if (tok_is(t[0], "#") && n > 1 && tok_is(t[1], "detail:")) {
		s->in = &s->detail;
		return table_start(c, &s->detail, "detail", t + 2, n - 2, detail_columns, 0);
	}
	if (t[0].p[0] == '#')
		return 0;
	if (!s->in)
		return bad(c, "a row before its header");
	if (s->in == &s->caches)
		n = slabinfo_words(t, n);
	return table_row(c, s->in, line, t, n);
}

static int parse_slabinfo(struct rctx *c, char *text)
{
	static struct slabinfo_state s;

	memset(&s, 0, sizeof(s));
	if (each_line(c, text, &s, slabinfo_line))
		return -1;
	if (!s.caches.ncols || !s.detail.ncols)
		return bad(c, "no %s header", s.caches.ncols ? "detail" : "slabinfo");
	return 0;
}

/* --- buffers ------------------------------------------------------------------ */

static const struct column buffers_columns[] = {
	{ "handle", V_NUM }, { "bytes", V_NUM }, { "order", V_NUM }, { "cache", V_STR },
	{ "fds", V_NUM }, { "vmas", V_NUM }, { "pid", V_NUM }, { "comm", V_STR },
	{ "phys", V_HEX }, { "map", V_STR }, { }
};

static int buffers_line(struct rctx *c, void *priv, const char *line, struct tok *t, int n)
{
	struct table *tb = priv;

	if (!tb->ncols) {
		if (!tok_is(t[0], "handle"))
			return bad(c, "not the header \"handle bytes ...\"");
		return table_start(c, tb, "buffers", t, n, buffers_columns, 0);
	}
	return table_row(c, tb, line, t, n);
}

static int parse_buffers(struct rctx *c, char *text)
{
	static struct table tb;

	memset(&tb, 0, sizeof(tb));
	if (each_line(c, text, &tb, buffers_line))
		return -1;
	return tb.ncols ? 0 : bad(c, "no header");
}

/* --- vmas --------------------------------------------------------------------- */

static const struct field vmas_fields[] = {
	{ "pid", V_NUM, 1, NULL, 0 },
	{ "root", V_HEX, 1, NULL, 0 },
	{ "va_bits", V_NUM, 1, NULL, 0 },
	{ "levels", V_NUM, 1, NULL, 0 },
	{ "unreadable", V_NUM, 1, NULL, 0 },
	{ }
};

static const struct column vmas_columns[] = {
	{ "start", V_HEX }, { "end", V_HEX }, { "perm", V_STR }, { "flags", V_HEX },
	{ "present", V_NUM }, { "4k", V_NUM }, { "64k", V_NUM }, { "2m", V_NUM },
	{ "32m", V_NUM }, { "1g", V_NUM }, { "name", V_STR }, { }
};

/* "key value" pairs from @t on, into @obj. */
static int kv_pairs(struct rctx *c, struct jv *obj, struct tok *t, int n,
		    const struct field *spec)
{
	int i;

	if (n % 2)
		return bad(c, "'%.*s' has no value", (int)t[n - 1].n, t[n - 1].p);
	for (i = 0; i < n; i += 2)
		if (kv_line(c, obj, t + i, 2, spec, 1))
			return -1;
	return 0;
}

/* pid <pid> comm <comm, perhaps with spaces> root 0x... va_bits <n> levels <n> */
static int vmas_first(struct rctx *c, const char *line, struct tok *t, int n)
{
	int i, root = -1;

	if (n < 4 || !tok_is(t[0], "pid") || !tok_is(t[2], "comm"))
		return bad(c, "not \"pid <pid> comm <comm> root ...\"");
	for (i = n - 2; i > 3; i--)
		if (tok_is(t[i], "root")) {
			root = i;
			break;
		}
	if (root < 0)
		return bad(c, "no root");
	if (kv_line(c, c->root, t, 2, vmas_fields, 1))
		return -1;
	jv_set(c->root, "comm", jv_stringn(t[3].p, t[root - 1].p + t[root - 1].n - t[3].p));
	return kv_pairs(c, c->root, t + root, n - root, vmas_fields);
}

/* total <present> <4k> ... <1g> unreadable <n>: the counting columns. */
static int vmas_total(struct rctx *c, struct table *tb, struct tok *t, int n)
{
	struct jv *total, *v;
	int i, first = -1, k;

	for (i = 0; i < tb->ncols; i++)
		if (!strcmp(tb->name[i], "present"))
			first = i;
	if (first < 0)
		return bad(c, "a total without a present column");
	k = tb->ncols - 1 - first;
	if (n - 1 < k)
		return bad(c, "total: %d values, the header has %d", n - 1, k);
	if (jv_get(c->root, "total"))
		return bad(c, "total: a second time");
	total = jv_set(c->root, "total", jv_object());
	for (i = 0; i < k; i++) {
		v = value(c, tb->name[first + i], t[1 + i], V_NUM);
		if (!v)
			return -1;
		jv_set(total, tb->name[first + i], v);
	}
	return kv_pairs(c, c->root, t + 1 + k, n - 1 - k, vmas_fields);
}

static int vmas_line(struct rctx *c, void *priv, const char *line, struct tok *t, int n)
{
	struct table *tb = priv;

	if (c->line == 1) {
		if (tok_is(t[0], "error"))
			return bad(c, "the kernel answered: %s", line);
		return vmas_first(c, line, t, n);
	}
	if (tok_is(t[0], "#")) {
		if (tb->ncols)
			return 0;
		return table_start(c, tb, "vmas", t + 1, n - 1, vmas_columns, 1);
	}
	if (tok_is(t[0], "total"))
		return vmas_total(c, tb, t, n);
	return table_row(c, tb, line, t, n);
}

static int parse_vmas(struct rctx *c, char *text)
{
	static struct table tb;

	memset(&tb, 0, sizeof(tb));
	if (each_line(c, text, &tb, vmas_line))
		return -1;
	if (!tb.ncols || !jv_get(c->root, "total"))
		return bad(c, "no %s", tb.ncols ? "total line" : "header");
	return 0;
}

/* --- mmu ---------------------------------------------------------------------- */

static const struct field mmu_fields[] = {
	{ "cpu", V_NUM, 1, NULL, 0 },
	{ "page_size", V_NUM, 1, NULL, 0 },
	{ "kernel_va_bits", V_NUM, 1, NULL, 0 },
	{ "kernel_levels", V_NUM, 1, NULL, 0 },
	{ "user_va_bits", V_NUM, 1, NULL, 0 },
	{ "user_levels", V_NUM, 1, NULL, 0 },
	{ "pa_bits", V_NUM, 1, NULL, 0 },
	{ "hw_access_flag", V_NUM, 1, NULL, 0 },
	{ "hw_dirty", V_NUM, 1, NULL, 0 },
	{ }
};

/* A system register's name: upper case, ending in _EL<n>. */
static int is_register(struct tok t)
{
	size_t i;

	if (t.n < 5 || t.p[t.n - 4] != '_' || t.p[t.n - 3] != 'E' || t.p[t.n - 2] != 'L' ||
	    !isdigit((unsigned char)t.p[t.n - 1]))
		return 0;
	for (i = 0; i < t.n; i++)
		if (islower((unsigned char)t.p[i]) || t.p[i] == '.')
			return 0;
	return 1;
}

static int mmu_line(struct rctx *c, void *priv, const char *line, struct tok *t, int n)
{
	char key[KEY_MAX];
	struct jv *f, *v;

	/* REG.FIELD <value> [meaning]: {"value": n, "meaning": "..."} */
	if (memchr(t[0].p, '.', t[0].n)) {
		key_of(key, t[0], 1);
		if (n < 2)
			return bad(c, "%s: no value", key);
		if (jv_get(c->root, key))
			return bad(c, "%s: a second time", key);
		v = value(c, key, t[1], V_NUM);
		if (!v)
			return -1;
		f = jv_set(c->root, key, jv_object());
		jv_set(f, "value", v);
		if (n > 2)
			jv_set(f, "meaning", value(c, key, rest_of(line, t[2]), V_STR));
		return 0;
	}
	if (is_register(t[0])) {
		struct field spec[2] = { { key, V_HEX, 1, NULL, 0 }, { } };

		key_of(key, t[0], 0);
		return kv_line(c, c->root, t, n, spec, 1);
	}
	return kv_line(c, c->root, t, n, mmu_fields, 1);
}

static int parse_mmu(struct rctx *c, char *text)
{
	return each_line(c, text, NULL, mmu_line);
}

/* --- layout ------------------------------------------------------------------- */

static const struct member swapper_members[] = { { "virt", V_HEX }, { "phys", V_HEX } };

static const struct field layout_fields[] = {
	{ "va_bits", V_NUM, 1, NULL, 0 },
	{ "va_bits_config", V_NUM, 1, NULL, 0 },
	{ "page_size", V_NUM, 1, NULL, 0 },
	{ "page_offset", V_HEX, 1, NULL, 0 },
	{ "phys_offset", V_HEX, 1, NULL, 0 },
	{ "kimage_vaddr", V_HEX, 1, NULL, 0 },
	{ "kimage_voffset", V_HEX, 1, NULL, 0 },
	{ "swapper_pg_dir", V_AUTO, 2, swapper_members, 0 },
	{ "user_end", V_HEX, 1, NULL, 0 },
	{ }
};

static const struct column region_columns[] = {
	{ "name", V_STR }, { "start", V_HEX }, { "end", V_HEX }, { "size", V_STR }, { }
};

static int layout_line(struct rctx *c, void *priv, const char *line, struct tok *t, int n)
{
	struct table *tb = priv;

	if (tok_is(t[0], "#")) {
		if (n > 2 && tok_is(t[1], "region"))
			return table_start(c, tb, "regions", t + 2, n - 2, region_columns, 0);
		return 0;
	}
	if (tok_is(t[0], "region"))
		return table_row(c, tb, line, t + 1, n - 1);
	return kv_line(c, c->root, t, n, layout_fields, 1);
}

static int parse_layout(struct rctx *c, char *text)
{
	static struct table tb;

	memset(&tb, 0, sizeof(tb));
	if (each_line(c, text, &tb, layout_line))
		return -1;
	return tb.ncols ? 0 : bad(c, "no region header");
}

/* --- regs ---------------------------------------------------------------------- */

static const struct field regs_fields[] = {
	{ "device", V_STR, 1, NULL, 0 },
	{ "controller", V_STR, 1, NULL, 0 },
	{ "mode", V_STR, 1, NULL, 0 },
	{ "phys", V_HEX, 1, NULL, 0 },
	{ "size", V_HEX, 1, NULL, 0 },
	{ "id", V_HEX, 1, NULL, 0 },
	{ "lines", V_NUM, 1, NULL, 0 },
	{ "irq", V_STR, 1, NULL, 0 },
	{ "shared", V_HEX, 1, NULL, 0 },
	{ }
};

static const struct column register_columns[] = {
	{ "register", V_STR }, { "offset", V_HEX }, { "value", V_HEX }, { }
};

static const struct column line_columns[] = {
	{ "line", V_NUM }, { "dir", V_STR }, { "level", V_NUM }, { "trigger", V_STR },
	{ "irq", V_STR }, { }
};

struct regs_state {
	struct table registers, lines, *in;
};

static int regs_line(struct rctx *c, void *priv, const char *line, struct tok *t, int n)
{
	struct regs_state *s = priv;

	if (!s->in && tok_is(t[0], "register")) {
		s->in = &s->registers;
		return table_start(c, &s->registers, "registers", t, n, register_columns, 0);
	}
	if (s->in == &s->registers && tok_is(t[0], "line")) {
		s->in = &s->lines;
		return table_start(c, &s->lines, "line_state", t, n, line_columns, 0);
	}
	if (s->in)
		return table_row(c, s->in, line, t, n);
	return kv_line(c, c->root, t, n, regs_fields, 1);
}

static int parse_regs(struct rctx *c, char *text)
{
	static struct regs_state s;

	memset(&s, 0, sizeof(s));
	if (each_line(c, text, &s, regs_line))
		return -1;
	return s.lines.ncols ? 0 : bad(c, "no %s table", s.in ? "line" : "register");
}

/* --- every report ---------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*parse)(struct rctx *c, char *text);
} reports[] = {
	{ "stats", parse_stats },
	{ "buddyinfo", parse_buddyinfo },
	{ "slabinfo", parse_slabinfo },
	{ "buffers", parse_buffers },
	{ "vmas", parse_vmas },
	{ "mmu", parse_mmu },
	{ "layout", parse_layout },
	{ "regs", parse_regs },
};

int report_parse(const char *report, const char *source, char *text, struct jv **rootp)
{
	struct rctx c = { .source = source };
	unsigned int i;

	for (i = 0; i < sizeof(reports) / sizeof(reports[0]); i++)
		if (!strcmp(reports[i].name, report))
			break;
	if (i == sizeof(reports) / sizeof(reports[0])) {
		fprintf(stderr, "memlabctl: no report '%s'\n", report);
		return -1;
	}
	c.root = jv_object();
	jv_set(c.root, "report", jv_string(report));
	jv_set(c.root, "source", jv_string(source));
	if (reports[i].parse(&c, text)) {
		jv_free(c.root);
		return -1;
	}
	*rootp = c.root;
	return 0;
}
