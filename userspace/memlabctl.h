/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What memlabctl.c shares with the subcommands that live in files of their
 * own (doctor.c, bench.c; report.c and top.c, with the parsers of
 * report_parse.c and the JSON document of report_json.c; map.c and
 * walk.c, with what they share in emit.c).
 */
#ifndef MEMLABCTL_H
#define MEMLABCTL_H

#include <stddef.h>
#include <stdio.h>

#define DEV_PATH	"/dev/memlab"
#define DBG		"/sys/kernel/debug/memlab"

/* Print "memlabctl: @what: ENAME (message)" to stderr; return 1. */
int fail(const char *what, int err);

/* Print a usage error and "(try --help)" to stderr; return 2. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "4096", "64K", "2M", "0x1000": bytes; -1 when malformed. */
long long parse_size(const char *s);

/* open(DEV_PATH, @flags), saying why it failed; the fd or -1. */
int open_dev(int flags);

/* "16 MiB": @bytes in the largest binary unit that divides it. */
const char *human(unsigned long long bytes, char *buf, size_t len);

/* -h/--help prints @help (0); other arguments are an error (2); else -1. */
int no_options(int argc, char **argv, const char *help);

int cmd_doctor(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* The human view of memlab/dev/buffers (memlabctl.c). */
int cmd_buffers(int argc, char **argv);

/* report.c: the debugfs reports as text or JSON (docs/reports.rst). */
int cmd_stats(int argc, char **argv);
int cmd_buddyinfo(int argc, char **argv);
int cmd_slabinfo(int argc, char **argv);
int cmd_buffers_report(int argc, char **argv);
int cmd_vmas(int argc, char **argv);
int cmd_mmu(int argc, char **argv);
int cmd_layout(int argc, char **argv);
int cmd_regs(int argc, char **argv);

/* top.c: pools and slab caches by allocations per second. */
int cmd_top(int argc, char **argv);

/*
 * report_parse.c: @text (changed in place) of report @report, read from
 * @source, as a JSON document in @root: "report", "source", then the
 * text's fields. 0, or -1 after a message naming @source and the line.
 */
struct jv;
int report_parse(const char *report, const char *source, char *text, struct jv **root);

/* report_json.c: a JSON value, built in memory and printed. */
enum jv_type { JV_OBJECT, JV_ARRAY, JV_STRING, JV_NUMBER };

struct jv *jv_object(void);
struct jv *jv_array(void);
struct jv *jv_string(const char *s);
struct jv *jv_stringn(const char *s, size_t len);
/* @digits must be a JSON number; they are printed as given. */
struct jv *jv_number(const char *digits, size_t len);
struct jv *jv_numberf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
enum jv_type jv_type(const struct jv *v);
/* Add @v to @obj under @key (replacing a value it had); returns @v. */
struct jv *jv_set(struct jv *obj, const char *key, struct jv *v);
/* Put @v under @key; returns the value it replaces (not freed), or NULL. */
struct jv *jv_swap(struct jv *obj, const char *key, struct jv *v);
struct jv *jv_get(const struct jv *obj, const char *key);
struct jv *jv_push(struct jv *arr, struct jv *v);
/* A number's digits or a string's bytes; NULL for an object or array. */
const char *jv_text(const struct jv *v);
size_t jv_len(const struct jv *v);
struct jv *jv_item(const struct jv *v, size_t i);
void jv_free(struct jv *v);
/* @v and a newline; @pretty: a line per member and per table row. */
void jv_print(FILE *f, const struct jv *v, int pretty);

int cmd_map(int argc, char **argv);
int cmd_walk(int argc, char **argv);

/* emit.c: the errno named @name ("ESRCH"), or 0. */
int ctl_errno(const char *name);
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

/* report_json.c: @s as a JSON string (RFC 8259; other bytes as \u00XX). */
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
/*
 * map's and walk's options: --help (prints @help), --svg FILE, --json.
 * Return: -1 to go on (optind at the first operand), else the status to
 * exit with.
 */
int output_options(int argc, char **argv, const char *help, const char **svg, int *json);

#endif
