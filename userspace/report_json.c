// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small JSON document for memlabctl's --json output: objects keep their
 * keys in insertion order, numbers keep the digits the report printed (a
 * u64 counter or "-1.000" goes out exactly as read), strings are escaped
 * as RFC 8259 asks. Built in memory, then printed, so a report's parser
 * can fill a table and go back to a key it saw before. Out of memory ends
 * the program: memlabctl runs one command and exits.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memlabctl.h"

struct jv {
	enum jv_type type;
	char *text;		/* a number's digits, a string's bytes */
	char **keys;		/* an object's, in order */
	struct jv **items;	/* an object's values, an array's items */
	size_t n, cap;
};

static void *jv_alloc(size_t size)
{
	void *p = calloc(1, size);

	if (!p) {
		fputs("memlabctl: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static char *jv_strndup(const char *s, size_t len)
{
	char *p = jv_alloc(len + 1);

	memcpy(p, s, len);
	return p;
}

static struct jv *jv_new(enum jv_type type, const char *text, size_t len)
{
	struct jv *v = jv_alloc(sizeof(*v));

	v->type = type;
	if (text)
		v->text = jv_strndup(text, len);
	return v;
}

struct jv *jv_object(void)
{
	return jv_new(JV_OBJECT, NULL, 0);
}

struct jv *jv_array(void)
{
	return jv_new(JV_ARRAY, NULL, 0);
}

struct jv *jv_string(const char *s)
{
	return jv_new(JV_STRING, s, strlen(s));
}

struct jv *jv_stringn(const char *s, size_t len)
{
	return jv_new(JV_STRING, s, len);
}

struct jv *jv_number(const char *digits, size_t len)
{
	return jv_new(JV_NUMBER, digits, len);
}

struct jv *jv_numberf(const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return jv_new(JV_NUMBER, buf, strlen(buf));
}

enum jv_type jv_type(const struct jv *v)
{
	return v->type;
}

static void jv_grow(struct jv *c)
{
	if (c->n < c->cap)
		return;
	c->cap = c->cap ? 2 * c->cap : 8;
	c->items = realloc(c->items, c->cap * sizeof(*c->items));
	if (c->type == JV_OBJECT)
		c->keys = realloc(c->keys, c->cap * sizeof(*c->keys));
	if (!c->items || (c->type == JV_OBJECT && !c->keys)) {
		fputs("memlabctl: out of memory\n", stderr);
		exit(1);
	}
}

struct jv *jv_push(struct jv *arr, struct jv *v)
{
	jv_grow(arr);
	arr->items[arr->n++] = v;
	return v;
}

struct jv *jv_get(const struct jv *obj, const char *key)
{
	size_t i;

	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return obj->items[i];
	return NULL;
}

struct jv *jv_set(struct jv *obj, const char *key, struct jv *v)
{
	size_t i;

	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key)) {
			jv_free(obj->items[i]);
			obj->items[i] = v;
			return v;
		}
	jv_grow(obj);
	obj->keys[obj->n] = jv_strndup(key, strlen(key));
	obj->items[obj->n++] = v;
	return v;
}

struct jv *jv_swap(struct jv *obj, const char *key, struct jv *v)
{
	struct jv *old;
	size_t i;

	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key)) {
			old = obj->items[i];
			obj->items[i] = v;
			return old;
		}
	jv_set(obj, key, v);
	return NULL;
}

const char *jv_text(const struct jv *v)
{
	return v->text;
}

size_t jv_len(const struct jv *v)
{
	return v->n;
}

struct jv *jv_item(const struct jv *v, size_t i)
{
	return i < v->n ? v->items[i] : NULL;
}

void jv_free(struct jv *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		jv_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->text);
	free(v);
}

/* The length of the valid UTF-8 sequence at @p (2 to 4), or 0. */
static int utf8_len(const unsigned char *p)
{
	int n, i;
	unsigned int cp;

	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2, cp = *p & 0x1f;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3, cp = *p & 0x0f;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4, cp = *p & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong, surrogates, past U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * RFC 8259 section 7: quote, backslash and control characters escaped;
 * valid UTF-8 as it is; any other byte (a path is any bytes) as \u00XX,
 * the Latin-1 character the kernel's ctype takes it for.
 */
void json_string(FILE *f, const char *s)
{
	const unsigned char *p;
	int n;

	putc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80) {
			n = utf8_len(p);
			if (!n) {
				fprintf(f, "\\u%04x", *p);
				continue;
			}
			fwrite(p, 1, n, f);
			p += n - 1;
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				putc(*p, f);
		}
	}
	putc('"', f);
}

static void jv_indent(FILE *f, int pretty, int depth)
{
	if (pretty)
		fprintf(f, "\n%*s", 2 * depth, "");
}

/* Pretty-printed on one line: a container of numbers and strings only. */
static int jv_flat(const struct jv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->items[i]->type == JV_OBJECT || v->items[i]->type == JV_ARRAY)
			return 0;
	return 1;
}

static void jv_print_depth(FILE *f, const struct jv *v, int pretty, int depth)
{
	int flat;
	size_t i;

	switch (v->type) {
	case JV_NUMBER:
		fputs(v->text, f);
		return;
	case JV_STRING:
		json_string(f, v->text);
		return;
	case JV_OBJECT:
	case JV_ARRAY:
		break;
	}
	/* Pretty: a line per member of the report and per table row. */
	flat = !pretty || (depth > 0 && jv_flat(v));
	putc(v->type == JV_OBJECT ? '{' : '[', f);
	for (i = 0; i < v->n; i++) {
		if (i)
			putc(',', f);
		if (!flat)
			jv_indent(f, pretty, depth + 1);
		else if (pretty && i)
			putc(' ', f);
		if (v->type == JV_OBJECT) {
			json_string(f, v->keys[i]);
			fputs(pretty ? ": " : ":", f);
		}
		jv_print_depth(f, v->items[i], pretty, depth + 1);
	}
	if (v->n && !flat)
		jv_indent(f, pretty, depth);
	putc(v->type == JV_OBJECT ? '}' : ']', f);
}

void jv_print(FILE *f, const struct jv *v, int pretty)
{
	jv_print_depth(f, v, pretty, 0);
	putc('\n', f);
}
