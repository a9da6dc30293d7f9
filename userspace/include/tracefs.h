/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tracefs for memlab's trace tests (userspace/tests/<dir>_trace_test.c): find
 * or mount it, check, enable and disable an event of the memlab system,
 * clear the buffer, and read the buffer back as one record per event line,
 * "<name>: <fields>" with the fields split at their "key=" names. Each
 * returns 0 or -errno where it can fail, unless it says otherwise.
 */
#ifndef MEMLAB_TRACEFS_H
#define MEMLAB_TRACEFS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memlab_test.h"

#define TRACEFS_FIELDS	8

static char tracefs_dir[64];

/* One event line of the trace buffer */
struct trace_rec {
	char event[48];
	int nfields;
	char key[TRACEFS_FIELDS][24];
	int val[TRACEFS_FIELDS];	/* offsets of the values in @line */
	char line[512];
};

/*
 * Where tracefs is: /sys/kernel/tracing, mounted there if need be, or
 * debugfs' tracing directory. 0, or -ENOENT when this kernel has none.
 */
static inline int tracefs_find(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[96];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/trace", dirs[i]);
		if (access(path, F_OK) && i == 0)
			mount("nodev", dirs[0], "tracefs", 0, NULL);
		if (!access(path, F_OK)) {
			snprintf(tracefs_dir, sizeof(tracefs_dir), "%s", dirs[i]);
			return 0;
		}
	}
	return -ENOENT;
}

/* @path: a file of events/memlab/@event/ ("" for its directory) */
static inline void tracefs_event_path(char *path, size_t len, const char *event,
				      const char *file)
{
	snprintf(path, len, "%s/events/memlab/%s%s%s", tracefs_dir, event, *file ? "/" : "",
		 file);
}

/* 1 when this kernel traces events at all (an events directory), else 0 */
static inline int tracefs_has_events(void)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/events/enable", tracefs_dir);
	return access(path, F_OK) == 0;
}

/* 1 when events/memlab/@event exists, else 0 */
static inline int tracefs_event_exists(const char *event)
{
	char path[160];

	tracefs_event_path(path, sizeof(path), event, "format");
	return access(path, F_OK) == 0;
}

/* The text of @event's format file after "print fmt: ", up to the comma after its string */
static inline int tracefs_print_fmt(const char *event, char *fmt, size_t len)
{
	char path[160], *text, *p, *end;

	tracefs_event_path(path, sizeof(path), event, "format");
	text = slurp(path);
	if (!text)
		return -errno;
	p = strstr(text, "print fmt: \"");
	end = p ? strstr(p + 12, "\", ") : NULL;
	if (!end) {
		free(text);
		return -EINVAL;
	}
	p += 12;
	snprintf(fmt, len, "%.*s", (int)(end - p), p);
	free(text);
	return 0;
}

/* Enable (@on) or disable @event; 0 when its enable file reads back so */
static inline int tracefs_enable(const char *event, int on)
{
	char path[160], *back;
	int ret;

	tracefs_event_path(path, sizeof(path), event, "enable");
	ret = write_file(path, on ? "1" : "0");
	if (ret)
		return ret;
	back = slurp(path);
	ret = back && back[0] == (on ? '1' : '0') ? 0 : -EIO;
	free(back);
	return ret;
}

/* Empty the buffer of every CPU, and make sure it records */
static inline int tracefs_clear(void)
{
	char path[96];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/tracing_on", tracefs_dir);
	ret = write_file(path, "1");
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/trace", tracefs_dir);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * Split one line of the trace file, "<task>-<pid> [cpu] <flags> <time>:
 * <event>: k1=v1 k2=v2 ...", into @r; `trace-cmd report` pads the event
 * name with spaces, which are skipped. A value runs to the next " key=",
 * so a caller printed as "func+0x1c/0x80 [module]" stays whole. Return 0,
 * or -EINVAL for a line that is no event of the memlab system.
 */
static inline int tracefs_parse(const char *line, struct trace_rec *r)
{
	char *p, *ev, *next;
	size_t n;

	memset(r, 0, sizeof(*r));
	snprintf(r->line, sizeof(r->line), "%s", line);
	ev = strstr(r->line, ": memlab_");
	if (!ev)
		return -EINVAL;
	ev += 2;
	p = strstr(ev, ": ");
	if (!p || (size_t)(p - ev) >= sizeof(r->event))
		return -EINVAL;
	snprintf(r->event, sizeof(r->event), "%.*s", (int)(p - ev), ev);
	p += 2;
	p += strspn(p, " ");
	while (*p && r->nfields < TRACEFS_FIELDS) {
		char *eq = strchr(p, '=');

		if (!eq || (size_t)(eq - p) >= sizeof(r->key[0]) || memchr(p, ' ', eq - p))
			return -EINVAL;
		n = eq - p;
		memcpy(r->key[r->nfields], p, n);
		r->key[r->nfields][n] = '\0';
		r->val[r->nfields] = eq + 1 - r->line;
		/* The value ends where " <word>=" starts the next field. */
		for (next = eq + 1; (next = strchr(next, ' ')); next++) {
			size_t w = strcspn(next + 1, " =");

			if (w && next[1 + w] == '=')
				break;
		}
		r->nfields++;
		if (!next)
			break;
		*next = '\0';
		p = next + 1;
	}
	return 0;
}

/* The value of field @key of @r, or NULL */
static inline const char *trace_field(const struct trace_rec *r, const char *key)
{
	int i;

	for (i = 0; i < r->nfields; i++)
		if (!strcmp(r->key[i], key))
			return r->line + r->val[i];
	return NULL;
}

/* Field @key as a number (0x for hex, a sign allowed); -1 when absent or not a number */
static inline long long trace_num(const struct trace_rec *r, const char *key)
{
	const char *v = trace_field(r, key);
	char *end;
	long long n;

	if (!v || !*v)
		return -1;
	errno = 0;
	n = strtoll(v, &end, 0);
	return errno || *end ? -1 : n;
}

/* Field @key as an unsigned 64-bit number into *@v: 0, or -1 when absent or not one */
static inline int trace_u64(const struct trace_rec *r, const char *key, unsigned long long *v)
{
	const char *s = trace_field(r, key);
	char *end;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

/*
 * The events of the memlab system in @text (the trace file, or what
 * `trace-cmd report` printed), in order, into a malloc()ed array the
 * caller frees; *@n gets their number. Lines that are no such event (the
 * header, other systems) are skipped; *@bad counts the memlab lines that
 * do not parse. @text is cut into lines. NULL on error.
 */
static inline struct trace_rec *trace_parse_text(char *text, int *n, int *bad)
{
	struct trace_rec *recs = NULL, *nrecs;
	char *line, *save;
	int cap = 0;

	*n = 0;
	*bad = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !strstr(line, ": memlab_"))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			nrecs = realloc(recs, cap * sizeof(*recs));
			if (!nrecs) {
				free(recs);
				return NULL;
			}
			recs = nrecs;
		}
		if (tracefs_parse(line, &recs[*n])) {
			tap_diag("unparsed trace line: %s", line);
			(*bad)++;
			continue;
		}
		(*n)++;
	}
	if (!recs)
		recs = calloc(1, sizeof(*recs));
	return recs;
}

/* The events of the memlab system in the buffer, as trace_parse_text() gives them */
static inline struct trace_rec *tracefs_read(int *n, int *bad)
{
	struct trace_rec *recs;
	char path[96], *text;

	*n = 0;
	*bad = 0;
	snprintf(path, sizeof(path), "%s/trace", tracefs_dir);
	text = slurp(path);
	if (!text)
		return NULL;
	recs = trace_parse_text(text, n, bad);
	free(text);
	return recs;
}

/* How many of @recs are @event */
static inline int trace_count(const struct trace_rec *recs, int n, const char *event)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += !strcmp(recs[i].event, event);
	return c;
}

#endif
