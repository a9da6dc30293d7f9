/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What memlabctl.c shares with the subcommands that live in files of their
 * own (doctor.c, map.c, walk.c), and what those share (emit.c).
 */
#ifndef MEMLABCTL_H
#define MEMLABCTL_H

#include <stddef.h>
#include <stdio.h>

#define DEV_PATH	"/dev/memlab"
#define DBG		"/sys/kernel/debug/memlab"

/* "16 MiB": @bytes in the largest binary unit that divides it. */
const char *human(unsigned long long bytes, char *buf, size_t len);

/* -h/--help prints @help (0); other arguments are an error (2); else -1. */
int no_options(int argc, char **argv, const char *help);

int cmd_doctor(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_walk(int argc, char **argv);

/* emit.c: "memlabctl: WHAT: ENAME (text)", status 1; a usage error, status 2. */
int ctl_fail(const char *what, int err);
/* The errno named @name ("ESRCH"), or 0. */
int ctl_errno(const char *name);
int ctl_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* @line split in place at blanks into at most @max words; their number. */
int split_words(char *line, char **w, int max);

/*
 * One JSON object per invocation, {"report": ..., "source": ..., ...}:
 * keys are the text's field names (lower case, other characters '_'),
 * decimal words numbers, every other word (hex included) a string.
 * Members of an object or array opened with @inline_members share a line.
 */
struct jw {
	FILE *f;
	int depth;
	int inline_at;
	int count[16];
};

void json_string(FILE *f, const char *s);
void jw_begin(struct jw *j, FILE *f, const char *report, const char *source);
int jw_end(struct jw *j);
void jw_object(struct jw *j, const char *key, int inline_members);
void jw_object_end(struct jw *j);
void jw_array(struct jw *j, const char *key, int inline_members);
void jw_array_end(struct jw *j);
void jw_str(struct jw *j, const char *key, const char *val);
/* @word as a number when it is a decimal, else as a string. */
void jw_word(struct jw *j, const char *key, const char *word);
/* "name value name value ...": one member each. */
void jw_pairs(struct jw *j, char **w, int n);

/* SVG 1.1, self-contained; every element has a class, all text escaped. */
void xml_puts(FILE *f, const char *s);
void svg_begin(FILE *f, const char *cls, double w, double h, const char *title);
int svg_end(FILE *f);
void svg_text(FILE *f, double x, double y, const char *cls, const char *extra,
	      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void svg_rect(FILE *f, const char *cls, double x, double y, double w, double h,
	      const char *fill, const char *stroke);
/* @len bytes of @buf to @path ("-": standard output); 0 or status 1. */
int output_write(const char *path, const char *buf, size_t len);

#endif
