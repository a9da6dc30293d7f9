/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small, strict readers of XML and JSON for the tests of memlabctl's
 * pictures and reports: enough of XML 1.0 for SVG (prolog, comments,
 * elements, attributes, text, the five named entities and character
 * references; no DOCTYPE, no CDATA) and all of RFC 8259 JSON. Each refuses
 * what is not well-formed and says where.
 */
#ifndef MEMLAB_XML_JSON_H
#define MEMLAB_XML_JSON_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- XML ---------------------------------------------------------------- */

#define XML_ATTRS	16

struct xml_el {
	char name[32];
	int parent;			/* index in the document, -1 for the root */
	int nattr;
	char *attr_name[XML_ATTRS];
	char *attr_value[XML_ATTRS];	/* entities decoded */
	char *text;			/* the element's own text, decoded */
};

struct xml_doc {
	struct xml_el *el;
	int n, cap;
	char err[160];
};

static inline int xml_fail(struct xml_doc *d, const char *s, const char *at, const char *why)
{
	int line = 1;

	for (; s < at; s++)
		line += *s == '\n';
	snprintf(d->err, sizeof(d->err), "line %d: %s", line, why);
	return -1;
}

static inline int xml_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == ':' || c == '.';
}

/* Append @len bytes of @p to *@out, entities decoded; -1 on a bad reference. */
static inline int xml_decode(const char *p, size_t len, char **out)
{
	size_t have = *out ? strlen(*out) : 0, i, o;
	char *buf = realloc(*out, have + len + 1);

	if (!buf)
		return -1;
	*out = buf;
	for (i = 0, o = have; i < len; i++) {
		static const struct {
			const char *name;
			char c;
		} ent[] = { { "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' },
			    { "quot;", '"' }, { "apos;", '\'' } };
		unsigned long v;
		unsigned int k;
		char *end;

		if (p[i] != '&') {
			buf[o++] = p[i];
			continue;
		}
		for (k = 0; k < sizeof(ent) / sizeof(ent[0]); k++)
			if (len - i - 1 >= strlen(ent[k].name) &&
			    !strncmp(p + i + 1, ent[k].name, strlen(ent[k].name)))
				break;
		if (k < sizeof(ent) / sizeof(ent[0])) {
			buf[o++] = ent[k].c;
			i += strlen(ent[k].name);
			continue;
		}
		if (p[i + 1] != '#')
			return -1;
		if (p[i + 2] == 'x')
			v = strtoul(p + i + 3, &end, 16);
		else
			v = strtoul(p + i + 2, &end, 10);
		if (*end != ';' || end == p + i + 2 || (size_t)(end - p) >= len || v == 0 ||
		    v > 0x7f)
			return -1;	/* only what memlabctl could write: ASCII */
		buf[o++] = (char)v;
		i = end - p;
	}
	buf[o] = '\0';
	return 0;
}

/* Skip blanks and comments; -1 on an unterminated comment. */
static inline int xml_skip(const char **pp)
{
	const char *p = *pp;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, "<!--", 4))
			break;
		p = strstr(p + 4, "-->");
		if (!p)
			return -1;
		p += 3;
	}
	*pp = p;
	return 0;
}

static inline int xml_push(struct xml_doc *d, int parent)
{
	struct xml_el *n;

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		n = realloc(d->el, d->cap * sizeof(*n));
		if (!n)
			return -1;
		d->el = n;
	}
	memset(&d->el[d->n], 0, sizeof(d->el[0]));
	d->el[d->n].parent = parent;
	return d->n++;
}

/* Parse the attributes of a start tag from *@pp to '>' or "/>"; -1 on error. */
static inline int xml_attrs(struct xml_doc *d, const char *s, const char **pp, struct xml_el *e)
{
	const char *p = *pp, *q;
	int k;

	for (;;) {
		int blank = isspace((unsigned char)*p);

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '>' || (p[0] == '/' && p[1] == '>'))
			break;
		if (!blank || !xml_name_char(*p))
			return xml_fail(d, s, p, "bad attribute");
		for (q = p; xml_name_char(*q); q++)
			;
		if (e->nattr == XML_ATTRS)
			return xml_fail(d, s, p, "too many attributes");
		e->attr_name[e->nattr] = strndup(p, q - p);
		for (k = 0; k < e->nattr; k++)
			if (!strcmp(e->attr_name[k], e->attr_name[e->nattr]))
				return xml_fail(d, s, p, "attribute given twice");
		if (q[0] != '=' || (q[1] != '"' && q[1] != '\''))
			return xml_fail(d, s, q, "attribute without a quoted value");
		p = strchr(q + 2, q[1]);
		if (!p)
			return xml_fail(d, s, q, "unterminated attribute value");
		if (memchr(q + 2, '<', p - q - 2) ||
		    xml_decode(q + 2, p - q - 2, &e->attr_value[e->nattr]))
			return xml_fail(d, s, q, "'<' or a bad entity in an attribute value");
		e->nattr++;
		p++;
	}
	*pp = p;
	return 0;
}

/* The whole document into @d; 0, or -1 with @d->err set. */
static inline int xml_parse(const char *s, struct xml_doc *d)
{
	int stack[64], depth = 0, idx, root_done = 0;
	const char *p = s, *q;

	memset(d, 0, sizeof(*d));
	if (!strncmp(p, "<?xml", 5)) {
		p = strstr(p, "?>");
		if (!p)
			return xml_fail(d, s, s, "unterminated XML declaration");
		p += 2;
	}
	for (;;) {
		if (!depth) {
			if (xml_skip(&p))
				return xml_fail(d, s, p, "unterminated comment");
			if (!*p)
				break;
			if (root_done)
				return xml_fail(d, s, p, "content after the root element");
			if (*p != '<')
				return xml_fail(d, s, p, "text outside the root element");
		}
		if (!strncmp(p, "<!--", 4)) {
			q = strstr(p + 4, "-->");
			if (!q)
				return xml_fail(d, s, p, "unterminated comment");
			p = q + 3;
		} else if (!strncmp(p, "<!", 2) || !strncmp(p, "<?", 2)) {
			return xml_fail(d, s, p, "DOCTYPE, CDATA or processing instruction");
		} else if (p[0] == '<' && p[1] == '/') {
			for (q = p + 2; xml_name_char(*q); q++)
				;
			if (!depth || strlen(d->el[stack[depth - 1]].name) != (size_t)(q - p - 2) ||
			    strncmp(d->el[stack[depth - 1]].name, p + 2, q - p - 2))
				return xml_fail(d, s, p, "end tag does not match the open element");
			while (isspace((unsigned char)*q))
				q++;
			if (*q != '>')
				return xml_fail(d, s, q, "bad end tag");
			p = q + 1;
			if (!--depth)
				root_done = 1;
		} else if (*p == '<') {
			for (q = p + 1; xml_name_char(*q); q++)
				;
			if (q == p + 1 || q - p - 1 >= (int)sizeof(d->el[0].name))
				return xml_fail(d, s, p, "bad element name");
			idx = xml_push(d, depth ? stack[depth - 1] : -1);
			if (idx < 0)
				return xml_fail(d, s, p, "out of memory");
			memcpy(d->el[idx].name, p + 1, q - p - 1);
			p = q;
			if (xml_attrs(d, s, &p, &d->el[idx]))
				return -1;
			if (*p == '/') {
				p += 2;
				if (!depth)
					root_done = 1;
			} else {
				p++;
				if (depth == 64)
					return xml_fail(d, s, p, "nested too deep");
				stack[depth++] = idx;
			}
		} else {
			q = strchr(p, '<');
			if (!q)
				return xml_fail(d, s, p, "unterminated element");
			if (xml_decode(p, q - p, &d->el[stack[depth - 1]].text))
				return xml_fail(d, s, p, "bad entity reference in text");
			p = q;
		}
		if (depth && !*p)
			return xml_fail(d, s, p, "unterminated element");
	}
	if (!d->n)
		return xml_fail(d, s, p, "no root element");
	return 0;
}

static inline const char *xml_attr(const struct xml_el *e, const char *name)
{
	int i;

	for (i = 0; i < e->nattr; i++)
		if (!strcmp(e->attr_name[i], name))
			return e->attr_value[i];
	return NULL;
}

/* Does @e's class list hold the word @cls? */
static inline int xml_has_class(const struct xml_el *e, const char *cls)
{
	const char *c = xml_attr(e, "class");
	size_t n = strlen(cls);

	while (c && *c) {
		while (*c == ' ')
			c++;
		if (!strncmp(c, cls, n) && (c[n] == ' ' || !c[n]))
			return 1;
		c += strcspn(c, " ");
	}
	return 0;
}

/* Elements whose classes hold every word of @classes (blank-separated). */
static inline int xml_count(const struct xml_doc *d, const char *classes)
{
	int i, n = 0;

	for (i = 0; i < d->n; i++) {
		char buf[256], *w, *save;
		int all = 1;

		snprintf(buf, sizeof(buf), "%s", classes);
		for (w = strtok_r(buf, " ", &save); w && all; w = strtok_r(NULL, " ", &save))
			all = xml_has_class(&d->el[i], w);
		n += all;
	}
	return n;
}

/* Is @i inside (or) an element with class @cls? */
static inline int xml_within(const struct xml_doc *d, int i, const char *cls)
{
	for (; i >= 0; i = d->el[i].parent)
		if (xml_has_class(&d->el[i], cls))
			return 1;
	return 0;
}

static inline void xml_free(struct xml_doc *d)
{
	int i, k;

	for (i = 0; i < d->n; i++) {
		for (k = 0; k < d->el[i].nattr; k++) {
			free(d->el[i].attr_name[k]);
			free(d->el[i].attr_value[k]);
		}
		free(d->el[i].text);
	}
	free(d->el);
	memset(d, 0, sizeof(*d));
}

/*
 * What memlabctl promises of its SVG (docs/dev.rst): an <svg> root in the
 * SVG namespace, version 1.1, a <title>; every element with a class; no
 * scripts, no external references, no event handlers. NULL or what is wrong.
 */
static inline const char *svg_self_contained(const struct xml_doc *d)
{
	static const char *const banned[] = { "script", "foreignObject", "image", "a", "use",
					      "iframe", "style" };
	const char *v;
	unsigned int k;
	int i, j;

	if (strcmp(d->el[0].name, "svg") ||
	    !(v = xml_attr(&d->el[0], "xmlns")) || strcmp(v, "http://www.w3.org/2000/svg") ||
	    !(v = xml_attr(&d->el[0], "version")) || strcmp(v, "1.1"))
		return "the root is not <svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\">";
	if (d->n < 2 || strcmp(d->el[1].name, "title") || d->el[1].parent != 0)
		return "the first child of <svg> is not its <title>";
	for (i = 0; i < d->n; i++) {
		if (!xml_attr(&d->el[i], "class"))
			return "an element without a class";
		for (k = 0; k < sizeof(banned) / sizeof(banned[0]); k++)
			if (!strcmp(d->el[i].name, banned[k]))
				return "a script, style, link or external element";
		for (j = 0; j < d->el[i].nattr; j++) {
			const char *n = d->el[i].attr_name[j];

			if (!strncmp(n, "on", 2) || strstr(n, "href") ||
			    strstr(d->el[i].attr_value[j], "url("))
				return "an event handler or a reference";
		}
	}
	return NULL;
}

/* --- JSON --------------------------------------------------------------- */

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	char *str;		/* a string's value, or a number's text as written */
	int n;			/* members or elements */
	char **key;		/* an object's keys */
	struct json **val;	/* its members, or an array's elements */
};

struct json_parser {
	const char *s, *p;
	char err[160];
};

static inline struct json *json_err(struct json_parser *jp, const char *why)
{
	if (!jp->err[0])
		snprintf(jp->err, sizeof(jp->err), "offset %ld: %s", (long)(jp->p - jp->s), why);
	return NULL;
}

static inline void json_ws(struct json_parser *jp)
{
	while (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r')
		jp->p++;
}

static inline int json_hex4(const char *p, unsigned int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if (!isxdigit((unsigned char)p[i]))
			return -1;
		*v = *v * 16 + (isdigit((unsigned char)p[i]) ? p[i] - '0' :
				(tolower((unsigned char)p[i]) - 'a' + 10));
	}
	return 0;
}

/* A string at jp->p (the opening quote), decoded; ASCII escapes only. */
static inline char *json_str(struct json_parser *jp)
{
	size_t cap = 64, n = 0;
	char *out = malloc(cap), *t;
	unsigned int u;

	jp->p++;
	while (out && *jp->p != '"') {
		char c = *jp->p++;

		if ((unsigned char)c < 0x20) {
			free(out);
			json_err(jp, "a control character or the end in a string");
			return NULL;
		}
		if (c == '\\') {
			c = *jp->p++;
			switch (c) {
			case '"': case '\\': case '/':
				break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				if (json_hex4(jp->p, &u) || !u || u > 0x7f) {
					free(out);
					json_err(jp, "a \\u escape memlabctl would not write");
					return NULL;
				}
				c = (char)u;
				jp->p += 4;
				break;
			default:
				free(out);
				json_err(jp, "a bad escape");
				return NULL;
			}
		}
		if (n + 2 > cap) {
			t = realloc(out, cap *= 2);
			if (!t) {
				free(out);
				return NULL;
			}
			out = t;
		}
		out[n++] = c;
	}
	if (!out)
		return NULL;
	jp->p++;
	out[n] = '\0';
	return out;
}

static inline struct json *json_value(struct json_parser *jp, int depth);

static inline struct json *json_new(enum json_type t)
{
	struct json *v = calloc(1, sizeof(*v));

	if (v)
		v->type = t;
	return v;
}

static inline int json_add(struct json *c, char *key, struct json *v)
{
	char **k = realloc(c->key, (c->n + 1) * sizeof(*k));
	struct json **vv;

	if (!k)
		return -1;
	c->key = k;
	vv = realloc(c->val, (c->n + 1) * sizeof(*vv));
	if (!vv)
		return -1;
	c->val = vv;
	c->key[c->n] = key;
	c->val[c->n++] = v;
	return 0;
}

static inline struct json *json_container(struct json_parser *jp, int depth, int obj)
{
	struct json *c = json_new(obj ? JSON_OBJECT : JSON_ARRAY), *v;
	char *key = NULL;
	int i;

	jp->p++;
	json_ws(jp);
	if (*jp->p == (obj ? '}' : ']')) {
		jp->p++;
		return c;
	}
	for (;;) {
		json_ws(jp);
		if (obj) {
			if (*jp->p != '"')
				return json_err(jp, "an object key is not a string");
			key = json_str(jp);
			if (!key)
				return NULL;
			for (i = 0; i < c->n; i++)
				if (!strcmp(c->key[i], key))
					return json_err(jp, "a key given twice");
			json_ws(jp);
			if (*jp->p++ != ':')
				return json_err(jp, "no ':' after a key");
		}
		v = json_value(jp, depth + 1);
		if (!v || json_add(c, key, v))
			return NULL;
		json_ws(jp);
		if (*jp->p == ',') {
			jp->p++;
			continue;
		}
		if (*jp->p++ != (obj ? '}' : ']'))
			return json_err(jp, "no ',' or end of the object or array");
		return c;
	}
}

static inline struct json *json_value(struct json_parser *jp, int depth)
{
	const char *start;
	struct json *v;

	json_ws(jp);
	if (depth > 32)
		return json_err(jp, "nested too deep");
	if (*jp->p == '{' || *jp->p == '[')
		return json_container(jp, depth, *jp->p == '{');
	if (*jp->p == '"') {
		v = json_new(JSON_STRING);
		if (v)
			v->str = json_str(jp);
		return v && v->str ? v : NULL;
	}
	if (!strncmp(jp->p, "true", 4) || !strncmp(jp->p, "false", 5)) {
		v = json_new(JSON_BOOL);
		if (v)
			v->str = strdup(*jp->p == 't' ? "true" : "false");
		jp->p += *jp->p == 't' ? 4 : 5;
		return v;
	}
	if (!strncmp(jp->p, "null", 4)) {
		jp->p += 4;
		return json_new(JSON_NULL);
	}
	/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
	start = jp->p;
	if (*jp->p == '-')
		jp->p++;
	if (*jp->p == '0')
		jp->p++;
	else if (*jp->p >= '1' && *jp->p <= '9')
		while (isdigit((unsigned char)*jp->p))
			jp->p++;
	else
		return json_err(jp, "not a JSON value");
	if (*jp->p == '.') {
		if (!isdigit((unsigned char)*++jp->p))
			return json_err(jp, "a bad fraction");
		while (isdigit((unsigned char)*jp->p))
			jp->p++;
	}
	if (*jp->p == 'e' || *jp->p == 'E') {
		jp->p++;
		if (*jp->p == '+' || *jp->p == '-')
			jp->p++;
		if (!isdigit((unsigned char)*jp->p))
			return json_err(jp, "a bad exponent");
		while (isdigit((unsigned char)*jp->p))
			jp->p++;
	}
	v = json_new(JSON_NUMBER);
	if (v)
		v->str = strndup(start, jp->p - start);
	return v;
}

/* One JSON text; NULL with @err (at least 160 bytes) saying why. */
static inline struct json *json_parse(const char *s, char *err)
{
	struct json_parser jp = { .s = s, .p = s };
	struct json *v = json_value(&jp, 0);

	json_ws(&jp);
	if (v && *jp.p)
		v = json_err(&jp, "more after the value");
	if (!v)
		snprintf(err, 160, "%s", jp.err[0] ? jp.err : "out of memory");
	return v;
}

static inline struct json *json_get(const struct json *o, const char *key)
{
	int i;

	for (i = 0; o && o->type == JSON_OBJECT && i < o->n; i++)
		if (!strcmp(o->key[i], key))
			return o->val[i];
	return NULL;
}

/*
 * Is @v the JSON docs/dev.rst says a word @word of the text becomes: a
 * number with the same digits when it is a decimal, else the same string?
 */
static inline int json_is_word(const struct json *v, const char *word)
{
	const char *p = word;

	if (!v)
		return 0;
	if (*p == '-')
		p++;
	if ((*p == '0' && !p[1]) || (*p >= '1' && *p <= '9' && !p[strspn(p, "0123456789")]))
		return v->type == JSON_NUMBER && !strcmp(v->str, word);
	return v->type == JSON_STRING && !strcmp(v->str, word);
}

/* The key docs/dev.rst makes of a field name: lower case, others '_'. */
static inline void json_key_of(const char *name, char *key, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++) {
		char c = (char)tolower((unsigned char)name[i]);

		key[i] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
	}
	key[i] = '\0';
}

#endif
