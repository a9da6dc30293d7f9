// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl's report commands: a debugfs report as the kernel prints it,
 * or as one JSON object (--json), parsed from the same text.
 *
 *   memlabctl stats [POOL]        memlab/alloc/<pool>/stats
 *   memlabctl buddyinfo [POOL]    memlab/alloc/<pool>/buddyinfo
 *   memlabctl slabinfo [POOL]     memlab/alloc/<pool>/slabinfo
 *   memlabctl buffers --json      memlab/dev/buffers
 *   memlabctl vmas PID|self       memlab/pt/vmas, asked about PID
 *   memlabctl mmu                 memlab/pt/mmu
 *   memlabctl layout              memlab/pt/layout
 *   memlabctl regs [DEVICE]       memlab/gpio/<device>/regs
 *
 * The JSON is {"report": <command>, "source": <file read>, ...}, then the
 * text's fields under their own names (lower case, other characters than
 * [a-z0-9_] as '_'), decimal numbers as JSON numbers with the digits
 * printed, anything printed in hex as a string exactly as printed, tables
 * as arrays of objects keyed by their column names. docs/reports.rst gives
 * every key. A field this file does not know (a newer module's) is carried
 * through: a column by its header's name, a "key value" line by its key.
 * A line that does not parse is an error: a message naming the file and
 * line, exit status 1, and no JSON.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	{ "count", V_NUM }, { }
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

/* --- the commands ---------------------------------------------------------------- */

struct report {
	const char *name;
	const char *module;
	int (*parse)(struct rctx *c, char *text);
};

static const struct report reports[] = {
	{ "stats", "memlab_alloc", parse_stats },
	{ "buddyinfo", "memlab_alloc", parse_buddyinfo },
	{ "slabinfo", "memlab_alloc", parse_slabinfo },
	{ "buffers", "memlab_dev", parse_buffers },
	{ "vmas", "memlab_pt", parse_vmas },
	{ "mmu", "memlab_pt", parse_mmu },
	{ "layout", "memlab_pt", parse_layout },
	{ "regs", "memlab_gpio", parse_regs },
};

static const struct report *find_report(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(reports) / sizeof(reports[0]); i++)
		if (!strcmp(reports[i].name, name))
			return &reports[i];
	return NULL;
}

int report_parse(const char *report, const char *source, char *text, struct jv **rootp)
{
	const struct report *r = find_report(report);
	struct rctx c = { .source = source };

	if (!r) {
		fprintf(stderr, "memlabctl: no report '%s'\n", report);
		return -1;
	}
	c.root = jv_object();
	jv_set(c.root, "report", jv_string(report));
	jv_set(c.root, "source", jv_string(source));
	if (r->parse(&c, text)) {
		jv_free(c.root);
		return -1;
	}
	*rootp = c.root;
	return 0;
}

static int report_fail(const char *what, int err, const char *why)
{
	fprintf(stderr, "memlabctl: %s: %s (%s)%s%s\n", what, strerrorname_np(err) ?: "?",
		strerror(err), why ? ": " : "", why ? why : "");
	return 1;
}

/*
 * Why @path cannot be opened (errno @err), in a user's words: the
 * module's debugfs directory @dir missing, or debugfs closed to this user.
 */
static int open_fail(const char *path, int err, const char *dir, const char *module)
{
	char why[160] = "";

	if (err == EACCES || err == EPERM)
		snprintf(why, sizeof(why), "debugfs is root's");
	else if (err == ENOENT && access(DBG, F_OK))
		snprintf(why, sizeof(why), "debugfs is not mounted, or memlab is not loaded");
	else if (err == ENOENT && access(dir, F_OK))
		snprintf(why, sizeof(why), "%s is not loaded", module);
	return report_fail(path, err, why[0] ? why : NULL);
}

/* The whole of @fd, NUL-terminated; NULL with errno set. */
static char *read_all(int fd)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap), *nbuf;
	ssize_t n;

	if (!buf)
		return NULL;
	for (;;) {
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		if (len + 1 == cap) {
			nbuf = realloc(buf, cap *= 2);
			if (!nbuf) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nbuf;
		}
	}
	if (n < 0) {
		int err = errno;

		free(buf);
		errno = err;
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* What one invocation asked for. */
struct request {
	const struct report *r;
	const char *input;	/* --input FILE, or NULL for debugfs */
	int json;
	const char *arg;	/* POOL, PID or DEVICE */
	char path[512];		/* the debugfs file */
	char dir[256];		/* the module's debugfs directory */
	char query[32];		/* vmas: what to write first */
};

/* The text of the report, or NULL after a message (status 1). */
static char *request_text(struct request *q)
{
	char *text, why[128] = "";
	int fd, err;

	if (q->input) {
		fd = strcmp(q->input, "-") ? open(q->input, O_RDONLY) : dup(0);
		if (fd < 0) {
			report_fail(q->input, errno, NULL);
			return NULL;
		}
	} else {
		fd = open(q->path, q->query[0] ? O_RDWR : O_RDONLY);
		if (fd < 0) {
			open_fail(q->path, errno, q->dir, q->r->module);
			return NULL;
		}
		if (q->query[0] && write(fd, q->query, strlen(q->query)) < 0) {
			err = errno;
			/* the next read gives "error <ERRNO> <reason>" */
			text = read_all(fd);
			if (text && !strncmp(text, "error ", 6)) {
				char *reason = strchr(text + 6, ' ');

				snprintf(why, sizeof(why), "%s", reason ? reason + 1 : "");
				why[strcspn(why, "\n")] = '\0';
			}
			free(text);
			close(fd);
			report_fail(q->path, err, why[0] ? why : NULL);
			return NULL;
		}
	}
	text = read_all(fd);
	err = errno;
	close(fd);
	if (!text)
		report_fail(q->input ? q->input : q->path, err, NULL);
	return text;
}

static int run_request(struct request *q)
{
	char *text = request_text(q);
	struct jv *root;
	int ret = 0;

	if (!text)
		return 1;
	if (!q->json) {
		fputs(text, stdout);
	} else if (report_parse(q->r->name, q->input ? q->input : q->path, text, &root)) {
		ret = 1;
	} else {
		jv_print(stdout, root, 1);
		jv_free(root);
	}
	free(text);
	return ret;
}

static int report_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int report_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("memlabctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try --help)\n", stderr);
	return 2;
}

/*
 * The options every report command takes: --json, --input FILE, --help.
 * Then at most @max_args operands (at least @min_args without --input),
 * the first in q->arg. -1 to go on, else the exit status.
 */
static int report_options(int argc, char **argv, const char *help, int min_args, int max_args,
			  struct request *q)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "input", required_argument, NULL, 'i' },
		{ }
	};
	int c;

	q->r = find_report(argv[0]);
	optind = 1;
	while ((c = getopt_long(argc, argv, "hji:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return 0;
		case 'j':
			q->json = 1;
			break;
		case 'i':
			q->input = optarg;
			break;
		default:
			return report_usage("bad option");
		}
	}
	if (argc - optind > max_args)
		return report_usage("%s takes at most %d operand%s", argv[0], max_args,
				    max_args == 1 ? "" : "s");
	if (!q->input && argc - optind < min_args)
		return report_usage("%s needs an operand", argv[0]);
	q->arg = optind < argc ? argv[optind] : NULL;
	return -1;
}

#define REPORT_OPTIONS \
	"  --json        the report as one JSON object (docs/reports.rst)\n" \
	"  --input FILE  parse FILE ('-': standard input), a saved copy of the\n" \
	"                report, instead of reading debugfs\n"

/* A pool's name, as the kernel accepts it: no '/', not "." or "..". */
static int pool_path(struct request *q, const char *file)
{
	const char *pool = q->arg ? q->arg : "default";

	if (!*pool || strchr(pool, '/') || !strcmp(pool, ".") || !strcmp(pool, ".."))
		return report_usage("bad pool name '%s'", pool);
	snprintf(q->dir, sizeof(q->dir), DBG "/alloc");
	snprintf(q->path, sizeof(q->path), DBG "/alloc/%s/%s", pool, file);
	if (!q->input && access(q->path, F_OK) && !access(q->dir, F_OK)) {
		fprintf(stderr, "memlabctl: %s: ENOENT (No such file or directory): no pool '%s'\n",
			q->path, pool);
		return 1;
	}
	return -1;
}

static const char stats_help[] =
	"usage: memlabctl stats [--json] [--input FILE] [POOL]\n"
	"memlab/alloc/POOL/stats (default: the default pool): the pool's counters\n"
	"and its table of orders (root: debugfs).\n" REPORT_OPTIONS;

static const char buddyinfo_help[] =
	"usage: memlabctl buddyinfo [--json] [--input FILE] [POOL]\n"
	"memlab/alloc/POOL/buddyinfo (default: the default pool): free blocks per\n"
	"order, as /proc/buddyinfo.\n" REPORT_OPTIONS;

static const char slabinfo_help[] =
	"usage: memlabctl slabinfo [--json] [--input FILE] [POOL]\n"
	"memlab/alloc/POOL/slabinfo (default: the default pool): the pool's slab\n"
	"caches, as /proc/slabinfo 2.1, and their detail lines.\n" REPORT_OPTIONS;

static int cmd_pool_report(int argc, char **argv, const char *help)
{
	struct request q = { 0 };
	int ret = report_options(argc, argv, help, 0, 1, &q);

	if (ret >= 0)
		return ret;
	ret = pool_path(&q, argv[0]);
	return ret >= 0 ? ret : run_request(&q);
}

int cmd_stats(int argc, char **argv)
{
	return cmd_pool_report(argc, argv, stats_help);
}

int cmd_buddyinfo(int argc, char **argv)
{
	return cmd_pool_report(argc, argv, buddyinfo_help);
}

int cmd_slabinfo(int argc, char **argv)
{
	return cmd_pool_report(argc, argv, slabinfo_help);
}

static const char buffers_report_help[] =
	"usage: memlabctl buffers [--json] [--input FILE]\n"
	"List every live /dev/memlab buffer from memlab/dev/buffers (root:\n"
	"debugfs), with sizes in binary units; with --json, the report itself.\n"
	REPORT_OPTIONS;

int cmd_buffers_report(int argc, char **argv)
{
	struct request q = { 0 };
	int ret = report_options(argc, argv, buffers_report_help, 0, 0, &q);

	if (ret >= 0)
		return ret;
	if (!q.json && !q.input) {
		char *args[] = { argv[0], NULL };

		return cmd_buffers(1, args);
	}
	snprintf(q.dir, sizeof(q.dir), DBG "/dev");
	snprintf(q.path, sizeof(q.path), DBG "/dev/buffers");
	return run_request(&q);
}

static const char vmas_help[] =
	"usage: memlabctl vmas [--json] [--input FILE] PID|self\n"
	"memlab/pt/vmas asked about process PID (self: memlabctl itself): every\n"
	"VMA with its present pages by the size of entry that maps them (root:\n"
	"debugfs and CAP_SYS_ADMIN).\n" REPORT_OPTIONS;

/* A pid as memlab_pt takes it: decimal, no sign, no leading zero, 1..2^31-1. */
static int valid_pid(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n && !s[n] && s[0] != '0' && (n < 10 || (n == 10 && strcmp(s, "2147483647") <= 0));
}

int cmd_vmas(int argc, char **argv)
{
	struct request q = { 0 };
	int ret = report_options(argc, argv, vmas_help, 1, 1, &q);

	if (ret >= 0)
		return ret;
	snprintf(q.dir, sizeof(q.dir), DBG "/pt");
	snprintf(q.path, sizeof(q.path), DBG "/pt/vmas");
	if (q.arg) {
		if (strcmp(q.arg, "self") && !valid_pid(q.arg))
			return report_usage("bad PID '%s': a decimal pid or self", q.arg);
		snprintf(q.query, sizeof(q.query), "%s\n", q.arg);
	}
	return run_request(&q);
}

static const char mmu_help[] =
	"usage: memlabctl mmu [--json] [--input FILE]\n"
	"memlab/pt/mmu: the MMU registers of the CPU memlabctl runs on, field by\n"
	"field, and what they make of the address space (root: debugfs).\n" REPORT_OPTIONS;

static const char layout_help[] =
	"usage: memlabctl layout [--json] [--input FILE]\n"
	"memlab/pt/layout: the kernel's half of the address space, region by\n"
	"region (root: debugfs).\n" REPORT_OPTIONS;

static int cmd_pt_report(int argc, char **argv, const char *help)
{
	struct request q = { 0 };
	int ret = report_options(argc, argv, help, 0, 0, &q);

	if (ret >= 0)
		return ret;
	snprintf(q.dir, sizeof(q.dir), DBG "/pt");
	snprintf(q.path, sizeof(q.path), DBG "/pt/%s", argv[0]);
	return run_request(&q);
}

int cmd_mmu(int argc, char **argv)
{
	return cmd_pt_report(argc, argv, mmu_help);
}

int cmd_layout(int argc, char **argv)
{
	return cmd_pt_report(argc, argv, layout_help);
}

static const char regs_help[] =
	"usage: memlabctl regs [--json] [--input FILE] [DEVICE]\n"
	"memlab/gpio/DEVICE/regs: a memlab_gpio controller's registers and lines\n"
	"(default: the only controller; root: debugfs).\n" REPORT_OPTIONS;

/* The only directory under memlab/gpio into @name; 0, or the exit status. */
static int only_device(char *name, size_t len)
{
	DIR *d = opendir(DBG "/gpio");
	struct dirent *e;
	int n = 0;

	if (!d)
		return open_fail(DBG "/gpio", errno, DBG "/gpio", "memlab_gpio");
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && n++ == 0)
			snprintf(name, len, "%s", e->d_name);
	closedir(d);
	if (n == 1)
		return 0;
	if (!n) {
		fprintf(stderr, "memlabctl: " DBG "/gpio: no controller\n");
		return 1;
	}
	return report_usage("%d controllers under " DBG "/gpio: name one", n);
}

int cmd_regs(int argc, char **argv)
{
	struct request q = { 0 };
	char dev[256];
	int ret = report_options(argc, argv, regs_help, 0, 1, &q);

	if (ret >= 0)
		return ret;
	snprintf(q.dir, sizeof(q.dir), DBG "/gpio");
	if (!q.arg && !q.input) {
		ret = only_device(dev, sizeof(dev));
		if (ret)
			return ret;
		q.arg = dev;
	}
	if (q.arg && (!*q.arg || strchr(q.arg, '/') || q.arg[0] == '.'))
		return report_usage("bad device name '%s'", q.arg);
	snprintf(q.path, sizeof(q.path), DBG "/gpio/%s/regs", q.arg ? q.arg : "-");
	if (!q.input && access(q.path, F_OK) && !access(q.dir, F_OK)) {
		fprintf(stderr, "memlabctl: %s: ENOENT (No such file or directory): no device '%s'\n",
			q.path, q.arg);
		return 1;
	}
	return run_request(&q);
}
