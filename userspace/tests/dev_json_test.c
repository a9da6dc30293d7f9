// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl's --json against the debugfs text it comes from: for every
 * report (stats, buddyinfo, slabinfo, buffers, vmas, mmu, layout, regs)
 * the test reads the text itself, has memlabctl convert it (the same text,
 * through --input, and the live file), parses the JSON with a parser of
 * its own (RFC 8259, strict), and checks that every field of the text is
 * there under the name docs/reports.rst gives it, with its value as
 * printed and its type (a decimal number a JSON number, anything else a
 * string), and nothing else is. Then: unknown fields carried through,
 * malformed lines refused with status 1 and no output, corrupted reports
 * never crash it, bad operands (status 2), a process that is not there
 * and a module that is not loaded (status 1, named). A report whose module
 * is not loaded is skipped with the reason. Prints TAP.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <libgen.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "dev_common.h"

static char ctl[512], tmpdir[] = "/tmp/dev_json_test.XXXXXX";

/* --- a JSON parser ------------------------------------------------------- */

enum jt { J_OBJ, J_ARR, J_STR, J_NUM };

struct jn {
	enum jt t;
	char *s;		/* a string's bytes, decoded; a number's text */
	char **key;
	struct jn **kid;
	size_t n;
};

struct jp {
	const char *p;
	int depth;
};

static void jn_free(struct jn *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->n; i++) {
		jn_free(j->kid[i]);
		if (j->key)
			free(j->key[i]);
	}
	free(j->kid);
	free(j->key);
	free(j->s);
	free(j);
}

static void ws(struct jp *p)
{
	while (*p->p == ' ' || *p->p == '\t' || *p->p == '\n' || *p->p == '\r')
		p->p++;
}

static int hexval(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

/* A string at p->p (its quote), decoded; \u up to 0xff, as memlabctl writes it. */
static char *jstring(struct jp *p)
{
	size_t len = 0;
	char *out = malloc(strlen(p->p) + 1);

	if (!out || *p->p++ != '"')
		goto bad;
	for (;;) {
		unsigned char c = *p->p++;

		if (c == '"')
			break;
		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			out[len++] = c;
			continue;
		}
		c = *p->p++;
		switch (c) {
		case '"': case '\\': case '/':
			out[len++] = c;
			break;
		case 'b': out[len++] = '\b'; break;
		case 'f': out[len++] = '\f'; break;
		case 'n': out[len++] = '\n'; break;
		case 'r': out[len++] = '\r'; break;
		case 't': out[len++] = '\t'; break;
		case 'u': {
			int i, v = 0;

			for (i = 0; i < 4; i++) {
				if (!isxdigit((unsigned char)p->p[i]))
					goto bad;
				v = v * 16 + hexval(p->p[i]);
			}
			if (v > 0xff || !v)
				goto bad;
			out[len++] = v;
			p->p += 4;
			break;
		}
		default:
			goto bad;
		}
	}
	out[len] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static struct jn *jvalue(struct jp *p);

static int jadd(struct jn *j, char *key, struct jn *kid)
{
	j->kid = realloc(j->kid, (j->n + 1) * sizeof(*j->kid));
	if (j->t == J_OBJ)
		j->key = realloc(j->key, (j->n + 1) * sizeof(*j->key));
	if (!j->kid || (j->t == J_OBJ && !j->key))
		return -1;
	j->kid[j->n] = kid;
	if (j->t == J_OBJ)
		j->key[j->n] = key;
	j->n++;
	return 0;
}

static struct jn *jcontainer(struct jp *p, enum jt t)
{
	struct jn *j = calloc(1, sizeof(*j)), *kid;
	char close = t == J_OBJ ? '}' : ']', *key = NULL;

	if (!j || ++p->depth > 32)
		goto bad;
	j->t = t;
	p->p++;
	ws(p);
	if (*p->p == close) {
		p->p++;
		p->depth--;
		return j;
	}
	for (;;) {
		ws(p);
		if (t == J_OBJ) {
			key = jstring(p);
			ws(p);
			if (!key || *p->p++ != ':')
				goto bad;
		}
		kid = jvalue(p);
		if (!kid || jadd(j, key, kid)) {
			jn_free(kid);
			goto bad;
		}
		key = NULL;
		ws(p);
		if (*p->p == ',') {
			p->p++;
			continue;
		}
		if (*p->p++ != close)
			goto bad;
		p->depth--;
		return j;
	}
bad:
	free(key);
	jn_free(j);
	return NULL;
}

static struct jn *jvalue(struct jp *p)
{
	struct jn *j;
	const char *s;

	ws(p);
	if (*p->p == '{')
		return jcontainer(p, J_OBJ);
	if (*p->p == '[')
		return jcontainer(p, J_ARR);
	j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	if (*p->p == '"') {
		j->t = J_STR;
		j->s = jstring(p);
		if (!j->s)
			goto bad;
		return j;
	}
	/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? */
	s = p->p;
	if (*p->p == '-')
		p->p++;
	if (*p->p == '0')
		p->p++;
	else if (*p->p >= '1' && *p->p <= '9')
		while (isdigit((unsigned char)*p->p))
			p->p++;
	else
		goto bad;
	if (*p->p == '.') {
		p->p++;
		if (!isdigit((unsigned char)*p->p))
			goto bad;
		while (isdigit((unsigned char)*p->p))
			p->p++;
	}
	if (*p->p == 'e' || *p->p == 'E') {
		p->p++;
		if (*p->p == '+' || *p->p == '-')
			p->p++;
		if (!isdigit((unsigned char)*p->p))
			goto bad;
		while (isdigit((unsigned char)*p->p))
			p->p++;
	}
	j->t = J_NUM;
	j->s = strndup(s, p->p - s);
	return j;
bad:
	jn_free(j);
	return NULL;
}

/* One JSON value filling @text; NULL when it is not one. */
static struct jn *json_parse(const char *text)
{
	struct jp p = { text, 0 };
	struct jn *j = jvalue(&p);

	if (!j)
		return NULL;
	ws(&p);
	if (*p.p) {
		jn_free(j);
		return NULL;
	}
	return j;
}

static struct jn *jget(const struct jn *j, const char *key)
{
	size_t i;

	if (!j || j->t != J_OBJ)
		return NULL;
	for (i = 0; i < j->n; i++)
		if (!strcmp(j->key[i], key))
			return j->kid[i];
	return NULL;
}

static struct jn *jat(const struct jn *j, size_t i)
{
	return j && j->t == J_ARR && i < j->n ? j->kid[i] : NULL;
}

/* --- what the text says, checked in the JSON ------------------------------ */

struct check {
	const char *report;
	int fields, errors;
	/* the top-level keys the text gives, to find any the JSON adds */
	char keys[256][64];
	int nkeys;
};

static void mismatch(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mismatch(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->errors++ >= 8)
		return;
	printf("# %s: ", c->report);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* The key docs/reports.rst names a text field by. */
static void keyname(char *out, const char *w, size_t n, int top)
{
	size_t i;

	if (n > 60)
		n = 60;
	for (i = 0; i < n; i++) {
		char ch = tolower((unsigned char)w[i]);

		out[i] = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ? ch : '_';
	}
	out[n] = '\0';
	if (top && (!strcmp(out, "report") || !strcmp(out, "source")))
		strcat(out, "_");
}

static void seen_key(struct check *c, const char *key)
{
	int i;

	for (i = 0; i < c->nkeys; i++)
		if (!strcmp(c->keys[i], key))
			return;
	if (c->nkeys < 256)
		snprintf(c->keys[c->nkeys++], sizeof(c->keys[0]), "%s", key);
}

/* A decimal number as the kernel prints one: what becomes a JSON number. */
static int decimal(const char *w)
{
	const char *p = w;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p) || (p[0] == '0' && isdigit((unsigned char)p[1])))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return !*p;
}

/* @j is the word @w: a number with its digits, or (@str, or not decimal) a string. */
static void want(struct check *c, const struct jn *j, const char *what, const char *w, int str)
{
	enum jt t = !str && decimal(w) ? J_NUM : J_STR;

	c->fields++;
	if (!j)
		mismatch(c, "%s: missing (text '%s')", what, w);
	else if (j->t != t)
		mismatch(c, "%s: a %s, the text '%s' is a %s", what,
			 j->t == J_NUM ? "number" : j->t == J_STR ? "string" : "container", w,
			 t == J_NUM ? "number" : "string");
	else if (strcmp(j->s, w))
		mismatch(c, "%s: '%s', the text '%s'", what, j->s, w);
}

#define MAXW	128

/* The words of @line into @w (pointers into @buf); their number. */
static int words(const char *line, char *buf, size_t len, char **w)
{
	char *save, *p;
	int n = 0;

	snprintf(buf, len, "%s", line);
	for (p = strtok_r(buf, " \t", &save); p && n < MAXW; p = strtok_r(NULL, " \t", &save))
		w[n++] = p;
	return n;
}

static int is_string_key(const char *key, const char *const *strings)
{
	for (; strings && *strings; strings++)
		if (!strcmp(*strings, key))
			return 1;
	return 0;
}

/* "key v..." at the top level: a scalar, or a list of the values. */
static void want_kv(struct check *c, const struct jn *root, char **w, int n,
		    const char *const *strings)
{
	char key[64], what[96];
	const struct jn *j;
	int i;

	keyname(key, w[0], strlen(w[0]), 1);
	seen_key(c, key);
	j = jget(root, key);
	if (n == 2) {
		want(c, j, key, w[1], is_string_key(key, strings));
		return;
	}
	if (!j || j->t != J_ARR || j->n != (size_t)n - 1) {
		mismatch(c, "%s: not a list of %d", key, n - 1);
		return;
	}
	for (i = 1; i < n; i++) {
		snprintf(what, sizeof(what), "%s[%d]", key, i - 1);
		want(c, jat(j, i - 1), what, w[i], 0);
	}
}

/* Row @row of table @table (top-level key) against words @w by @cols. */
static void want_row(struct check *c, const struct jn *root, const char *table, size_t row,
		     char cols[][64], int ncols, char **w, int n, const char *rest,
		     const char *const *strings)
{
	const struct jn *r = jat(jget(root, table), row);
	char what[160];
	int i;

	seen_key(c, table);
	if (!r || r->t != J_OBJ || r->n != (size_t)ncols) {
		mismatch(c, "%s[%zu]: not an object of %d columns", table, row, ncols);
		return;
	}
	if (rest ? n < ncols : n != ncols) {
		mismatch(c, "%s[%zu]: the text has %d words for %d columns", table, row, n, ncols);
		return;
	}
	for (i = 0; i < ncols; i++) {
		snprintf(what, sizeof(what), "%s[%zu].%s", table, row, cols[i]);
		want(c, jget(r, cols[i]), what, rest && i == ncols - 1 ? rest : w[i],
		     is_string_key(cols[i], strings));
	}
}

static int header(char cols[][64], char **w, int n)
{
	int i;

	for (i = 0; i < n && i < 64; i++)
		keyname(cols[i], w[i], strlen(w[i]), 0);
	return i;
}

/* The array at @key has exactly @n items (the text's rows). */
static void want_len(struct check *c, const struct jn *root, const char *key, size_t n)
{
	const struct jn *a = jget(root, key);

	if (!a || a->t != J_ARR || a->n != n)
		mismatch(c, "%s: %zu items, the text has %zu", key, a ? a->n : 0, n);
}

/* Each line of @text (a copy), with its words. */
#define FOR_LINES(text, copy, line, save, buf, w, n) \
	for (line = strtok_r(copy = strdup(text), "\n", &save); line; \
	     line = strtok_r(NULL, "\n", &save)) \
		if ((n = words(line, buf, sizeof(buf), w)) > 0)

/* From the @k-th word of @line to its end, trailing blanks dropped. */
static char *rest_from(const char *line, int k, char *out, size_t len)
{
	const char *p = line;
	size_t n;
	int i;

	for (i = 0; i <= k; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (i == k)
			break;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	snprintf(out, len, "%s", p);
	n = strlen(out);
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
	return out;
}

static const char *const no_strings[] = { NULL };

static void check_stats(struct check *c, const char *text, const struct jn *root)
{
	static const char *const strings[] = { "pool", "source_", NULL };
	char *copy, *line, *save, buf[1024], *w[MAXW], cols[64][64], what[64];
	int n, ncols = 0, i;
	size_t rows = 0, chunks = 0;

	FOR_LINES(text, copy, line, save, buf, w, n) {
		if (ncols) {
			want_row(c, root, "orders", rows++, cols, ncols, w, n, NULL, no_strings);
		} else if (!strcmp(w[0], "order")) {
			ncols = header(cols, w, n);
		} else if (!strcmp(w[0], "chunk") && n == 4) {
			const struct jn *o = jat(jget(root, "chunk"), chunks++);
			static const char *const m[] = { "chunk", "phys", "bytes" };

			seen_key(c, "chunk");
			for (i = 0; i < 3; i++) {
				snprintf(what, sizeof(what), "chunk[%zu].%s", chunks - 1, m[i]);
				want(c, jget(o, m[i]), what, w[1 + i], 0);
			}
		} else {
			want_kv(c, root, w, n, strings);
		}
	}
	free(copy);
	want_len(c, root, "orders", rows);
	want_len(c, root, "chunk", chunks);
}

static void check_buddyinfo(struct check *c, const char *text, const struct jn *root)
{
	char *copy, *line, *save, buf[1024], *w[MAXW], what[64], pool[64];
	size_t zones = 0;
	int n, i;

	seen_key(c, "zones");
	FOR_LINES(text, copy, line, save, buf, w, n) {
		const struct jn *z = jat(jget(root, "zones"), zones), *f;

		snprintf(pool, sizeof(pool), "%.*s", (int)strlen(w[1]) - 1, w[1]);
		snprintf(what, sizeof(what), "zones[%zu].pool", zones);
		want(c, jget(z, "pool"), what, pool, 1);
		snprintf(what, sizeof(what), "zones[%zu].zone", zones);
		want(c, jget(z, "zone"), what, w[3], 1);
		f = jget(z, "free");
		if (!f || f->t != J_ARR || f->n != (size_t)n - 4)
			mismatch(c, "zones[%zu].free: not a list of %d", zones, n - 4);
		for (i = 4; i < n; i++) {
			snprintf(what, sizeof(what), "zones[%zu].free[%d]", zones, i - 4);
			want(c, jat(f, i - 4), what, w[i], 0);
		}
		zones++;
	}
	free(copy);
	want_len(c, root, "zones", zones);
}

/* slabinfo 2.1's words without ':' and the label after it, '#' and <>. */
static int slab_words(char **w, int n)
{
	int i, k = 0;

	for (i = 0; i < n; i++) {
		if (!strcmp(w[i], ":")) {
			i++;
			continue;
		}
		if (!strcmp(w[i], "#"))
			continue;
		if (w[i][0] == '<') {
			w[i]++;
			w[i][strlen(w[i]) - 1] = '\0';
		}
		w[k++] = w[i];
	}
	return k;
}

static void check_slabinfo(struct check *c, const char *text, const struct jn *root)
{
	static const char *const strings[] = { "name", "flags", NULL };
	char *copy, *line, *save, buf[1024], *w[MAXW], cols[2][64][64];
	int n, ncols[2] = { 0, 0 }, in = -1;
	size_t rows[2] = { 0, 0 };
	static const char *const table[] = { "caches", "detail" };

	FOR_LINES(text, copy, line, save, buf, w, n) {
		if (!strcmp(w[0], "slabinfo")) {
			seen_key(c, "version");
			want(c, jget(root, "version"), "version", w[3], 1);
		} else if (!strcmp(w[0], "#") && n > 1 && !strcmp(w[1], "name")) {
			n = slab_words(w, n);
			ncols[in = 0] = header(cols[0], w, n);
		} else if (!strcmp(w[0], "#") && n > 1 && !strcmp(w[1], "detail:")) {
			ncols[in = 1] = header(cols[1], w + 2, n - 2);
		} else if (in >= 0) {
			if (!in)
				n = slab_words(w, n);
			want_row(c, root, table[in], rows[in]++, cols[in], ncols[in], w, n, NULL,
				 strings);
		}
	}
	free(copy);
	seen_key(c, "caches");
	seen_key(c, "detail");
	want_len(c, root, "caches", rows[0]);
	want_len(c, root, "detail", rows[1]);
}

static void check_buffers(struct check *c, const char *text, const struct jn *root)
{
	static const char *const strings[] = { "cache", "comm", "map", NULL };
	char *copy, *line, *save, buf[1024], *w[MAXW], cols[64][64];
	int n, ncols = 0;
	size_t rows = 0;

	FOR_LINES(text, copy, line, save, buf, w, n) {
		if (!ncols)
			ncols = header(cols, w, n);
		else
			want_row(c, root, "buffers", rows++, cols, ncols, w, n, NULL, strings);
	}
	free(copy);
	seen_key(c, "buffers");
	want_len(c, root, "buffers", rows);
}

static void check_vmas(struct check *c, const char *text, const struct jn *root)
{
	static const char *const strings[] = { "perm", "name", NULL };
	char *copy, *line, *save, buf[1024], *w[MAXW], cols[64][64], rest[512], what[64];
	int n, ncols = 0, i, first = 0, root_at = 0;
	size_t rows = 0;

	FOR_LINES(text, copy, line, save, buf, w, n) {
		if (!strcmp(w[0], "pid")) {
			char *kv[2];

			for (i = n - 2; i > 3; i--)
				if (!strcmp(w[i], "root")) {
					root_at = i;
					break;
				}
			want_kv(c, root, w, 2, no_strings);
			/* comm runs from word 3 to "root" */
			rest_from(line, 3, rest, sizeof(rest));
			if (strstr(rest, " root 0x"))
				*strstr(rest, " root 0x") = '\0';
			seen_key(c, "comm");
			want(c, jget(root, "comm"), "comm", rest, 1);
			for (i = root_at; i + 1 < n; i += 2) {
				kv[0] = w[i];
				kv[1] = w[i + 1];
				want_kv(c, root, kv, 2, no_strings);
			}
		} else if (!strcmp(w[0], "#")) {
			ncols = header(cols, w + 1, n - 1);
			for (i = 0; i < ncols; i++)
				if (!strcmp(cols[i], "present"))
					first = i;
		} else if (!strcmp(w[0], "total")) {
			const struct jn *t = jget(root, "total");
			int k = ncols - 1 - first;

			seen_key(c, "total");
			for (i = 0; i < k; i++) {
				snprintf(what, sizeof(what), "total.%s", cols[first + i]);
				want(c, jget(t, cols[first + i]), what, w[1 + i], 0);
			}
			if (!t || t->n != (size_t)k)
				mismatch(c, "total: not an object of %d", k);
			want_kv(c, root, w + 1 + k, n - 1 - k, no_strings);
		} else {
			want_row(c, root, "vmas", rows++, cols, ncols, w, n,
				 rest_from(line, ncols - 1, rest, sizeof(rest)), strings);
		}
	}
	free(copy);
	want_len(c, root, "vmas", rows);
}

static void check_mmu(struct check *c, const char *text, const struct jn *root)
{
	char *copy, *line, *save, buf[1024], *w[MAXW], key[64], what[96], rest[256];
	int n;

	FOR_LINES(text, copy, line, save, buf, w, n) {
		const struct jn *f;

		if (!strchr(w[0], '.')) {
			want_kv(c, root, w, n, no_strings);
			continue;
		}
		keyname(key, w[0], strlen(w[0]), 1);
		seen_key(c, key);
		f = jget(root, key);
		snprintf(what, sizeof(what), "%s.value", key);
		want(c, jget(f, "value"), what, w[1], 0);
		if (n > 2) {
			snprintf(what, sizeof(what), "%s.meaning", key);
			want(c, jget(f, "meaning"), what, rest_from(line, 2, rest, sizeof(rest)), 1);
		}
		if (!f || f->n != (n > 2 ? 2u : 1u))
			mismatch(c, "%s: not {value%s}", key, n > 2 ? ", meaning" : "");
	}
	free(copy);
}

static void check_layout(struct check *c, const char *text, const struct jn *root)
{
	static const char *const strings[] = { "name", "size", NULL };
	char *copy, *line, *save, buf[1024], *w[MAXW], cols[64][64];
	int n, ncols = 0;
	size_t rows = 0;

	FOR_LINES(text, copy, line, save, buf, w, n) {
		if (!strcmp(w[0], "#")) {
			ncols = header(cols, w + 2, n - 2);
		} else if (!strcmp(w[0], "region")) {
			want_row(c, root, "regions", rows++, cols, ncols, w + 1, n - 1, NULL, strings);
		} else if (!strcmp(w[0], "swapper_pg_dir")) {
			const struct jn *s = jget(root, "swapper_pg_dir");

			seen_key(c, "swapper_pg_dir");
			want(c, jget(s, "virt"), "swapper_pg_dir.virt", w[1], 1);
			want(c, jget(s, "phys"), "swapper_pg_dir.phys", w[2], 1);
		} else {
			want_kv(c, root, w, n, no_strings);
		}
	}
	free(copy);
	want_len(c, root, "regions", rows);
}

static void check_regs(struct check *c, const char *text, const struct jn *root)
{
	static const char *const strings[] = { "device", "controller", "mode", "irq", "register",
						"dir", "trigger", NULL };
	char *copy, *line, *save, buf[1024], *w[MAXW], cols[64][64];
	int n, ncols = 0;
	const char *table = NULL;
	size_t rows = 0, nregs = 0;

	FOR_LINES(text, copy, line, save, buf, w, n) {
		if (!table && !strcmp(w[0], "register")) {
			table = "registers";
			ncols = header(cols, w, n);
		} else if (table && !strcmp(w[0], "line")) {
			nregs = rows;
			rows = 0;
			table = "line_state";
			ncols = header(cols, w, n);
		} else if (table) {
			want_row(c, root, table, rows++, cols, ncols, w, n, NULL, strings);
		} else {
			want_kv(c, root, w, n, strings);
		}
	}
	free(copy);
	want_len(c, root, "registers", nregs);
	want_len(c, root, "line_state", rows);
}

/* --- the reports ------------------------------------------------------------ */

struct report {
	const char *name, *module, *args;
	char path[256];
	void (*check)(struct check *c, const char *text, const struct jn *root);
	int queried;		/* vmas: the text is the answer to a query */
	int per_reader;		/* mmu: the text depends on who reads it */
};

static pid_t sleeper;

/* The report's text as the test reads it; NULL with errno. */
static char *report_text(const struct report *r)
{
	char q[32], *text;
	int fd;

	if (!r->queried)
		return slurp(r->path);
	fd = open(r->path, O_RDWR);
	if (fd < 0)
		return NULL;
	snprintf(q, sizeof(q), "%d\n", (int)sleeper);
	if (write(fd, q, strlen(q)) < 0) {
		close(fd);
		return NULL;
	}
	text = slurp_fd(fd);
	close(fd);
	return text;
}

/* Run "memlabctl ARGS", its standard error to @err (when given). */
static char *ctl_run(int *status, const char *errfile, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static char *ctl_run(int *status, const char *errfile, const char *fmt, ...)
{
	char args[768], cmd[1536], *out;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s 2>%s", ctl, args, errfile ? errfile : "/dev/null");
	out = run_cmd(cmd, status);
	return out ? out : strdup("");
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Check JSON @out against @text; 1 when every field round-trips. */
static int roundtrip(const struct report *r, const char *text, const char *out,
		     const char *source, int *fields)
{
	struct check *c = calloc(1, sizeof(*c));
	struct jn *root = json_parse(out);
	size_t i;
	int ok;

	c->report = r->name;
	if (!root || root->t != J_OBJ) {
		mismatch(c, "not one JSON object: %.200s", out);
	} else {
		want(c, jget(root, "report"), "report", r->name, 1);
		want(c, jget(root, "source"), "source", source, 1);
		if (root->n < 2 || strcmp(root->key[0], "report") || strcmp(root->key[1], "source"))
			mismatch(c, "report and source do not come first");
		r->check(c, text, root);
		for (i = 2; i < root->n; i++) {
			int k, known = 0;

			for (k = 0; k < c->nkeys; k++)
				known |= !strcmp(c->keys[k], root->key[i]);
			if (!known)
				mismatch(c, "key '%s' is not in the text", root->key[i]);
		}
		if (root->n != (size_t)c->nkeys + 2)
			mismatch(c, "%zu keys, the text has %d fields", root->n, c->nkeys + 2);
	}
	ok = !c->errors && c->fields > 0;
	*fields = c->fields;
	jn_free(root);
	free(c);
	return ok;
}

/* The report through --input (exact), then live (the same keys; values when stable). */
static void test_report(const struct report *r)
{
	char in[300], *text, *text2 = NULL, *out, *live;
	int status, fields = 0, ok, tries;

	if (!module_loaded(r->module)) {
		tap_skip(r->module, "%s --input --json: every field round-trips", r->name);
		tap_skip(r->module, "%s --json (live): every field round-trips", r->name);
		tap_skip(r->module, "%s: the text as debugfs gives it", r->name);
		return;
	}
	text = report_text(r);
	if (!text) {
		tap_ok(0, "%s: read %s: %s", r->name, r->path, strerror(errno));
		tap_skip("no text", "%s --json (live)", r->name);
		tap_skip("no text", "%s: the text", r->name);
		return;
	}
	snprintf(in, sizeof(in), "%s/%s.txt", tmpdir, r->name);
	write_text(in, text);
	out = ctl_run(&status, NULL, "%s --json --input %s", r->name, in);
	ok = status == 0 && roundtrip(r, text, out, in, &fields);
	tap_ok(ok, "%s --input --json: every field round-trips (%d fields)", r->name, fields);
	if (!ok)
		tap_diag("status %d, text:\n%s", status, text);
	free(out);

	/* live: retry while the report changes under the two reads */
	for (tries = 0; tries < 5; tries++) {
		free(text);
		free(text2);
		text = report_text(r);
		live = ctl_run(&status, NULL, "%s %s --json", r->name, r->args);
		text2 = report_text(r);
		if (r->per_reader || (text && text2 && !strcmp(text, text2)))
			break;
		free(live);
		live = NULL;
	}
	if (r->per_reader) {
		/* another process on another CPU: the same fields, other values */
		struct jn *a = json_parse(live ? live : ""), *b;
		char *ref = ctl_run(&status, NULL, "%s --json --input %s", r->name, in);
		size_t i;

		b = json_parse(ref);
		ok = a && b && a->n == b->n && jget(a, "source") &&
		     !strcmp(jget(a, "source")->s, r->path);
		for (i = 0; ok && i < a->n; i++)
			ok = !strcmp(a->key[i], b->key[i]) && a->kid[i]->t == b->kid[i]->t;
		tap_ok(ok, "%s --json (live): the same keys and types as the test's text", r->name);
		jn_free(a);
		jn_free(b);
		free(ref);
	} else if (live) {
		ok = status == 0 && roundtrip(r, text, live, r->path, &fields);
		tap_ok(ok, "%s --json (live): every field round-trips (%d fields)", r->name, fields);
	} else {
		tap_ok(0, "%s --json (live): the report changed under every try", r->name);
	}
	free(live);

	/* without --json: the text itself */
	if (r->per_reader || !strcmp(r->name, "buffers")) {
		tap_skip(!strcmp(r->name, "buffers") ? "buffers prints its own view" :
			 "the text depends on the reader", "%s: the text as debugfs gives it",
			 r->name);
	} else {
		for (tries = 0; tries < 5; tries++) {
			free(text);
			text = report_text(r);
			out = ctl_run(&status, NULL, "%s %s", r->name, r->args);
			if (text && !strcmp(out, text))
				break;
			free(out);
			out = NULL;
		}
		tap_ok(out != NULL, "%s: the text as debugfs gives it", r->name);
		free(out);
	}
	free(text);
	free(text2);
}

/* --- carried through, refused, never a crash ------------------------------------ */

/* memlabctl REPORT --json --input on @text: status, stdout, stderr. */
static char *convert(const char *report, const char *text, int *status, char **err)
{
	char in[300], errf[300], *out;

	snprintf(in, sizeof(in), "%s/in.txt", tmpdir);
	snprintf(errf, sizeof(errf), "%s/err.txt", tmpdir);
	write_text(in, text);
	out = ctl_run(status, errf, "%s --json --input %s", report, in);
	if (err) {
		*err = slurp(errf);
		if (!*err)
			*err = strdup("");
	}
	return out;
}

static const char stats_text[] =
	"pool t\nsource caller\nchunks 1\nchunk 0 0x0000000040000000 65536\npage_size 4096\n"
	"max_order 1\ntotal_pages 16\nfree_pages 16\nfree_bytes 65536\nlargest_free_order 1\n"
	"largest_free_bytes 8192\nmetadata_bytes 100\nmisuse_double_free 0\n"
	"misuse_bad_address 0\nmisuse_wrong_order 0\nmisuse_outside_pool 0\n"
	"percpu_high 0 0 0 0\npercpu_batch 0 0 0 0\n"
	"order       allocs        frees       splits       merges        fails     free  unusable fragindex\n"
	"0                0            0            0            0            0        0     0.000    -1.000\n"
	"1                0            0            0            0            0        8     0.000    -1.000\n";

static const char buffers_text[] =
	"handle            bytes order cache     fds vmas     pid comm             phys               map\n"
	"0               2097152     9 cached      1    0       0 -                0x000000007f000000 pfn\n"
	"7                  4096     0 wc          1    1      42 %s 0x000000007f200000 pages\n";

static void test_carried(void)
{
	char *text, *out, buf[512];
	struct jn *j, *row;
	int status;

	/* a newer module's key-value lines and a repeated one, before the table */
	if (asprintf(&text, "%.*snew_counter 42\nnew_list 1 2 x\nnew_rep 1\nnew_rep 0x2\n%s",
		     (int)(strstr(stats_text, "\norder ") + 1 - stats_text), stats_text,
		     strstr(stats_text, "\norder ") + 1) < 0)
		tap_bail("out of memory");
	out = convert("stats", text, &status, NULL);
	j = json_parse(out);
	row = jget(j, "new_list");
	tap_ok(status == 0 && jget(j, "new_counter") && jget(j, "new_counter")->t == J_NUM &&
	       !strcmp(jget(j, "new_counter")->s, "42") && row && row->n == 3 &&
	       jat(row, 2)->t == J_STR && jget(j, "new_rep") && jget(j, "new_rep")->n == 2 &&
	       jat(jget(j, "new_rep"), 1)->t == J_STR,
	       "stats: unknown key-value lines carried through (number, list, repeated)");
	jn_free(j);
	free(out);
	free(text);

	/* a newer module's column, and a comm that needs escaping */
	snprintf(buf, sizeof(buf), buffers_text, "a\"b\\c\001d");
	text = strdup(buf);
	text[strchr(text, '\n') - text] = '\0';
	if (asprintf(&out, "%s extra\n%s", text, strchr(buf, '\n') + 1) < 0)
		tap_bail("out of memory");
	free(text);
	text = out;
	/* every row gets the extra word */
	{
		char *p, *q = malloc(strlen(text) + 64);
		int line = 0;

		*q = '\0';
		for (p = strtok(text, "\n"); p; p = strtok(NULL, "\n"))
			sprintf(q + strlen(q), "%s%s\n", p, line++ ? " 0xff" : "");
		free(text);
		text = q;
	}
	out = convert("buffers", text, &status, NULL);
	j = json_parse(out);
	row = jat(jget(j, "buffers"), 1);
	tap_ok(status == 0 && row && jget(row, "extra") && !strcmp(jget(row, "extra")->s, "0xff") &&
	       jget(row, "comm") && !strcmp(jget(row, "comm")->s, "a\"b\\c\001d"),
	       "buffers: an unknown column carried through; a comm with \", \\ and a control "
	       "character escaped and decoded back");
	if (status || !row)
		tap_diag("status %d, output:\n%s", status, out);
	jn_free(j);
	free(out);
	free(text);
}

static void expect_refused(const char *report, const char *text, const char *want_err,
			   const char *what)
{
	char *out, *err;
	int status;

	out = convert(report, text, &status, &err);
	if (!tap_ok(status == 1 && !*out && strstr(err, want_err), "%s: %s: status 1, no output, "
		    "'%s'", report, what, want_err))
		tap_diag("status %d, stdout '%.200s', stderr '%s'", status, out, err);
	free(out);
	free(err);
}

static void test_malformed(void)
{
	char *text, buf[512];

	/* a key with no value */
	if (asprintf(&text, "%.*spage_size\n%s", (int)(strstr(stats_text, "page_size") - stats_text),
		     stats_text, strstr(stats_text, "max_order")) < 0)
		tap_bail("out of memory");
	expect_refused("stats", text, "line 5: page_size: no value", "a key with no value");
	free(text);
	/* a row one field short */
	if (asprintf(&text, "%s2 0 0 0 0 0 0 0.000\n", stats_text) < 0)
		tap_bail("out of memory");
	expect_refused("stats", text, "line 22: 8 fields, the header has 9", "a short row");
	free(text);
	/* a counter that is not a number */
	if (asprintf(&text, "%s2 0 zero 0 0 0 0 0.000 -1.000\n", stats_text) < 0)
		tap_bail("out of memory");
	expect_refused("stats", text, "frees: 'zero' is not a decimal number", "a bad counter");
	free(text);
	/* an address that is not hex */
	snprintf(buf, sizeof(buf), buffers_text, "x");
	*strstr(buf, "0x000000007f200000") = 'z';
	expect_refused("buffers", buf, "phys: 'zx000000007f200000' is not a hexadecimal number",
		       "a bad address");
	/* no table at all */
	expect_refused("stats", "pool t\n", "no table of orders", "no table");
	expect_refused("buddyinfo", "Pool t zone x 1\n", "not \"Pool <name>, zone", "no comma");
	expect_refused("vmas", "error ESRCH no such process\n", "the kernel answered",
		       "an error answer");
	expect_refused("slabinfo", "slabinfo - version: 2.1\nkmalloc-8 1 2 3\n",
		       "a row before its header", "a row before its header");
	expect_refused("mmu", "TCR_EL1.T0SZ x va_bits=48\n", "is not a decimal number",
		       "a field that is not a number");
	expect_refused("regs", "device x\nregister offset value\nGPIODATA 0x3fc\n",
		       "2 fields, the header has 3", "a short register row");
}

/* Corrupted copies of each report's text: status 0 with JSON, or 1; never a signal. */
static void test_fuzz(struct report *reports, size_t nr)
{
	uint64_t seed = (uint64_t)time(NULL) * 2654435761u | 1, s = seed;
	int runs = 0, crashes = 0, bad_json = 0, status;
	char *text, *out;
	struct jn *j;
	size_t i, k, len;

	tap_diag("fuzz seed %llu", (unsigned long long)seed);
	for (i = 0; i < nr; i++) {
		char *orig = module_loaded(reports[i].module) ? report_text(&reports[i]) : NULL;

		if (!orig)
			continue;
		for (k = 0; k < 12; k++) {
			text = strdup(orig);
			len = strlen(text);
			if (len) {
				switch (rnd(&s) % 4) {
				case 0:	/* cut anywhere */
					text[rnd(&s) % len] = '\0';
					break;
				case 1: {	/* a few bytes changed */
					int m;

					for (m = 0; m < 4; m++)
						text[rnd(&s) % len] = " \n\t:#0x-9a\377"[rnd(&s) % 12];
					break;
				}
				case 2: {	/* a line dropped */
					char *a = strchr(text + rnd(&s) % len, '\n'), *b;

					b = a ? strchr(a + 1, '\n') : NULL;
					if (b)
						memmove(a, b, strlen(b) + 1);
					break;
				}
				default:	/* words doubled */
					out = malloc(2 * len + 1);
					snprintf(out, 2 * len + 1, "%s%s", text, text + rnd(&s) % len);
					free(text);
					text = out;
				}
			}
			out = convert(reports[i].name, text, &status, NULL);
			runs++;
			j = status == 0 ? json_parse(out) : NULL;
			if (status != 0 && status != 1)
				crashes++;
			else if (status == 0 && !j)
				bad_json++;
			if ((status != 0 && status != 1) || (status == 0 && !j))
				tap_diag("%s: status %d on:\n%s", reports[i].name, status, text);
			jn_free(j);
			free(out);
			free(text);
		}
		free(orig);
	}
	tap_ok(runs && !crashes && !bad_json,
	       "%d corrupted reports: status 0 with valid JSON or 1, never a crash "
	       "(%d crashed, %d bad JSON)", runs, crashes, bad_json);
}

static void expect(const char *args, int want_status, const char *want_err, const char *what)
{
	char errf[300], *out, *err;
	int status;

	snprintf(errf, sizeof(errf), "%s/err.txt", tmpdir);
	out = ctl_run(&status, errf, "%s", args);
	err = slurp(errf);
	if (!tap_ok(status == want_status && err && strstr(err, want_err) && !*out,
		    "memlabctl %s: %s: status %d, '%s'", args, what, want_status, want_err))
		tap_diag("status %d, stdout '%.200s', stderr '%s'", status, out, err ? err : "");
	free(out);
	free(err);
}

static void test_bad_input(const char *moddir)
{
	char args[128], path[512];
	pid_t gone;
	int ret;

	expect("frobnicate --json", 2, "unknown command 'frobnicate'", "an unknown report");
	expect("vmas --json abc", 2, "bad PID 'abc'", "a PID that is not a number");
	expect("vmas --json 01", 2, "bad PID '01'", "a PID with a leading zero");
	expect("vmas --json", 2, "vmas needs an operand", "no PID");
	expect("stats --json --bogus", 2, "bad option", "an unknown option");
	expect("stats --json a b", 2, "at most 1 operand", "two pools");
	if (module_loaded("memlab_alloc"))
		expect("stats --json nosuchpool", 1, "no pool 'nosuchpool'", "a pool that is not there");
	else
		tap_skip("memlab_alloc is not loaded", "stats nosuchpool");
	if (module_loaded("memlab_gpio"))
		expect("regs --json nosuchdevice", 1, "no device 'nosuchdevice'",
		       "a device that is not there");
	else
		tap_skip("memlab_gpio is not loaded", "regs nosuchdevice");
	expect("stats --json --input /nonexistent", 1, "/nonexistent: ENOENT", "an input not there");

	if (!module_loaded("memlab_pt")) {
		tap_skip("memlab_pt is not loaded", "vmas of a process that is gone");
		tap_skip("memlab_pt is not loaded", "mmu without memlab_pt");
		return;
	}
	gone = fork();
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	snprintf(args, sizeof(args), "vmas --json %d", (int)gone);
	expect(args, 1, "ESRCH (No such process): no such process", "a process that is gone");

	/* the module unloaded: named, status 1; then loaded again */
	ret = module_remove("memlab_pt");
	if (ret) {
		tap_skip("memlab_pt cannot be unloaded now", "mmu without memlab_pt");
		return;
	}
	expect("mmu --json", 1, "memlab_pt is not loaded", "memlab_pt not loaded");
	snprintf(path, sizeof(path), "%s/memlab_pt.ko", moddir);
	ret = module_insert(path, "");
	if (ret)
		tap_bail("memlab_pt could not be loaded again");
}

int main(int argc, char **argv)
{
	struct report reports[] = {
		{ "stats", "memlab_alloc", "", DBG "/alloc/default/stats", check_stats, 0, 0 },
		{ "buddyinfo", "memlab_alloc", "", DBG "/alloc/default/buddyinfo",
		  check_buddyinfo, 0, 0 },
		{ "slabinfo", "memlab_alloc", "", DBG "/alloc/default/slabinfo", check_slabinfo,
		  0, 0 },
		{ "buffers", "memlab_dev", "", DBG "/dev/buffers", check_buffers, 0, 0 },
		{ "vmas", "memlab_pt", NULL, DBG "/pt/vmas", check_vmas, 1, 0 },
		{ "mmu", "memlab_pt", "", DBG "/pt/mmu", check_mmu, 0, 1 },
		{ "layout", "memlab_pt", "", DBG "/pt/layout", check_layout, 0, 0 },
		{ "regs", "memlab_gpio", "", "", check_regs, 0, 0 },
	};
	char self[256], moddir[256], pidarg[32], dev[256] = "";
	struct dirent *e;
	unsigned int i;
	DIR *d;

	tap_begin();
	if (getuid())
		tap_skip_all("needs root (debugfs)");
	snprintf(self, sizeof(self), "%s", argc > 0 ? argv[0] : "");
	snprintf(ctl, sizeof(ctl), "%s/../bin/memlabctl", dirname(self));
	if (access(ctl, X_OK))
		snprintf(ctl, sizeof(ctl), "memlabctl");
	module_dir(moddir, sizeof(moddir), argc > 0 ? argv[0] : "");
	if (!mkdtemp(tmpdir))
		tap_skip_all("no temporary directory");
	/* --help and three a report, 2 carried through, 10 refused, the fuzz, 11 bad inputs */
	tap_plan(8 * 4 + 2 + 10 + 1 + 11);

	/* vmas asks about a process whose mappings hold still */
	sleeper = fork();
	if (sleeper == 0) {
		pause();
		_exit(0);
	}
	snprintf(pidarg, sizeof(pidarg), "%d", (int)sleeper);
	reports[4].args = pidarg;
	/* regs of the first memlab_gpio controller */
	d = opendir(DBG "/gpio");
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && !dev[0])
			snprintf(dev, sizeof(dev), "%s", e->d_name);
	if (d)
		closedir(d);
	snprintf(reports[7].path, sizeof(reports[7].path), DBG "/gpio/%s/regs", dev);
	reports[7].args = dev;
	if (module_loaded("memlab_gpio") && !dev[0])
		tap_diag("memlab_gpio is loaded but has no controller");

	for (i = 0; i < ARRAY_SIZE(reports); i++) {
		char want[64], *out;
		int status;

		out = ctl_run(&status, NULL, "%s --help", reports[i].name);
		snprintf(want, sizeof(want), "usage: memlabctl %s [--json] [--input FILE]",
			 reports[i].name);
		tap_ok(status == 0 && strstr(out, want) && strstr(out, "--json"),
		       "%s --help: '%s'", reports[i].name, want);
		free(out);
	}
	for (i = 0; i < ARRAY_SIZE(reports); i++)
		test_report(&reports[i]);
	test_carried();
	test_malformed();
	test_fuzz(reports, ARRAY_SIZE(reports));
	test_bad_input(moddir);

	kill(sleeper, SIGKILL);
	waitpid(sleeper, NULL, 0);
	{
		char cmd[300];
		int status;

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		free(run_cmd(cmd, &status));
	}
	return tap_done();
}
