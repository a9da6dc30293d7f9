// SPDX-License-Identifier: GPL-2.0-only
/*
 * What memlabctl map and walk (map.c, walk.c) write: a report's
 * lines split into words, JSON by the conventions docs/dev.rst gives, and
 * self-contained SVG 1.1 with every piece of text escaped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memlabctl.h"

int ctl_errno(const char *name)
{
	int e;

	for (e = 1; e < 4096; e++)
		if (strerrorname_np(e) && !strcmp(strerrorname_np(e), name))
			return e;
	return 0;
}

int split_words(char *line, char **w, int max)
{
	int n = 0;
	char *save, *t;

	for (t = strtok_r(line, " \t\n", &save); t && n < max; t = strtok_r(NULL, " \t\n", &save))
		w[n++] = t;
	return n;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?: a decimal that JSON can carry as a number, unchanged. */
static int json_is_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* The key as docs/dev.rst says: lower case, [a-z0-9_], anything else '_'. */
static void json_key(struct jw *j, const char *key)
{
	char k[64];
	size_t i;

	for (i = 0; key[i] && i < sizeof(k) - 1; i++) {
		char c = key[i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		k[i] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
	}
	k[i] = '\0';
	json_string(j->f, k);
	fputs(": ", j->f);
}

/* The separator before the next member or element, and its indentation. */
static void json_next(struct jw *j)
{
	if (j->count[j->depth]++)
		fputc(',', j->f);
	if (j->depth <= 1 || !j->inline_at || j->depth < j->inline_at)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	else
		fputc(' ', j->f);
}

void jw_begin(struct jw *j, FILE *f, const char *report, const char *source)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	fputc('{', f);
	j->depth = 1;
	jw_str(j, "report", report);
	jw_str(j, "source", source);
}

int jw_end(struct jw *j)
{
	fputs("\n}\n", j->f);
	return fflush(j->f) || ferror(j->f) ? fail("write JSON", errno ?: EIO) : 0;
}

static void jw_open(struct jw *j, const char *key, char c, int inline_members)
{
	json_next(j);
	if (key)
		json_key(j, key);
	fputc(c, j->f);
	j->depth++;
	j->count[j->depth] = 0;
	if (inline_members && !j->inline_at)
		j->inline_at = j->depth;
}

static void jw_close(struct jw *j, char c)
{
	int was_inline = j->inline_at && j->depth >= j->inline_at;

	if (j->inline_at == j->depth)
		j->inline_at = 0;
	j->depth--;
	if (was_inline)
		fprintf(j->f, " %c", c);
	else
		fprintf(j->f, "\n%*s%c", 2 * j->depth, "", c);
}

void jw_object(struct jw *j, const char *key, int inline_members)
{
	jw_open(j, key, '{', inline_members);
}

void jw_object_end(struct jw *j)
{
	jw_close(j, '}');
}

void jw_array(struct jw *j, const char *key, int inline_members)
{
	jw_open(j, key, '[', inline_members);
}

void jw_array_end(struct jw *j)
{
	jw_close(j, ']');
}

void jw_str(struct jw *j, const char *key, const char *val)
{
	json_next(j);
	if (key)
		json_key(j, key);
	json_string(j->f, val);
}

void jw_word(struct jw *j, const char *key, const char *word)
{
	if (!json_is_number(word)) {
		jw_str(j, key, word);
		return;
	}
	json_next(j);
	if (key)
		json_key(j, key);
	fputs(word, j->f);
}

void jw_pairs(struct jw *j, char **w, int n)
{
	int i;

	for (i = 0; i + 1 < n; i += 2)
		jw_word(j, w[i], w[i + 1]);
}

void xml_puts(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			/* XML 1.0 has no way to write other control characters */
			fputc(*p < 0x20 && *p != '\n' && *p != '\t' ? '?' : *p, f);
		}
	}
}

void svg_begin(FILE *f, const char *cls, double w, double h, const char *title)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" class=\"%s\" "
		"width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
		"font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"12\">\n",
		cls, w, h, w, h);
	fputs("<title class=\"title\">", f);
	xml_puts(f, title);
	fputs("</title>\n", f);
	fprintf(f, "<rect class=\"background\" x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" "
		"fill=\"#ffffff\"/>\n", w, h);
}

int svg_end(FILE *f)
{
	fputs("</svg>\n", f);
	return ferror(f) ? -EIO : 0;
}

void svg_text(FILE *f, double x, double y, const char *cls, const char *extra,
	      const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	fprintf(f, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\"%s%s>", cls, x, y, extra ? " " : "",
		extra ?: "");
	if (n >= 0)
		xml_puts(f, s);
	fputs("</text>\n", f);
	free(s);
}

void svg_rect(FILE *f, const char *cls, double x, double y, double w, double h,
	      const char *fill, const char *stroke)
{
	fprintf(f, "<rect class=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
		"fill=\"%s\" stroke=\"%s\" stroke-width=\"0.6\"/>\n", cls, x, y, w, h, fill, stroke);
}

int output_write(const char *path, const char *buf, size_t len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	char what[512];
	int err = 0;

	snprintf(what, sizeof(what), "open %s", path);
	if (!f)
		return fail(what, errno);
	if (fwrite(buf, 1, len, f) != len || fflush(f))
		err = errno ?: EIO;
	if (f != stdout && fclose(f) && !err)
		err = errno ?: EIO;
	snprintf(what, sizeof(what), "write %s", path);
	return err ? fail(what, err) : 0;
}

int output_options(int argc, char **argv, const char *help, const char **svg, int *json)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "svg", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ }
	};
	int c;

	*svg = NULL;
	*json = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return 0;
		} else if (c == 's') {
			*svg = optarg;
		} else if (c == 'j') {
			*json = 1;
		} else {
			return usage_error("bad option");
		}
	}
	if (*svg && *json)
		return usage_error("--svg and --json exclude each other");
	return -1;
}
