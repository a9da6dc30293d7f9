// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_pt's tracepoint through tracefs, in the guest: memlab_pt_query
 * exists with its documented format; with it enabled, five walks answered
 * through pt/walk (a present page, an untouched one, an address outside
 * every VMA, a kernel address, and a process gone before the read) and one
 * query refused at the write must show as exactly five lines, in order,
 * whose pid, address, result and level are what each answer said. Prints
 * TAP.
 *
 * Usage: pt_trace_test    (memlab_pt loaded)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "memlab_test.h"
#include "tracefs.h"

#define DIR		"/sys/kernel/debug/memlab/pt"
#define EVENT		"memlab_pt_query"
#define FMT		"pid=%d va=0x%016llx result=%s level=%s err=%d"
#define NQUERIES	5

/* What one query asked and what its answer said */
struct query {
	const char *what;
	int pid;
	unsigned long long va;
	int err;		/* of the read */
	char result[16];	/* mapped, invalid, unreadable, outside-vma, error */
	char level[8];		/* "-" without a walk */
	unsigned long long phys;	/* when mapped */
};

/* Write @q to a fresh open of pt/walk, read the answer; the read's -errno or 0 */
static int ask(const char *q, char *out, size_t len)
{
	int fd = open(DIR "/walk", O_RDWR | O_CLOEXEC);
	ssize_t n = 0, got = 0;

	out[0] = '\0';
	if (fd < 0)
		return -errno;
	if (write(fd, q, strlen(q)) < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	while ((n = read(fd, out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* The answer's "result <what> [... level <name>]" line into @q */
static void parse_result(const char *out, struct query *q)
{
	const char *r = strstr(out, "\nresult "), *l;

	snprintf(q->result, sizeof(q->result), "?");
	snprintf(q->level, sizeof(q->level), "-");
	if (!r)
		return;
	if (sscanf(r + 8, "%15s", q->result) != 1)
		return;
	if (!strcmp(q->result, "mapped") && sscanf(r + 8, "mapped phys %llx", &q->phys) != 1)
		q->phys = 0;
	l = strstr(r, " level ");
	if (l && l < strchr(r + 1, '\n'))
		sscanf(l + 7, "%7s", q->level);
}

/* Ask "@target 0x@va" into @q, the answer parsed; 0 when it was answered */
static int run_query(struct query *q, const char *target)
{
	char line[96], out[8192];

	snprintf(line, sizeof(line), "%s 0x%llx", target, q->va);
	q->err = ask(line, out, sizeof(out));
	if (q->err) {
		snprintf(q->result, sizeof(q->result), "error");
		snprintf(q->level, sizeof(q->level), "-");
		return q->err;
	}
	parse_result(out, q);
	return 0;
}

/* The linear map's address of @phys, from pt/layout; 0 when not found */
static unsigned long long linear_alias(unsigned long long phys)
{
	char *text = slurp(DIR "/layout"), *p, *o;
	unsigned long long va = 0;

	p = text ? strstr(text, "\npage_offset ") : NULL;
	o = text ? strstr(text, "\nphys_offset ") : NULL;
	if (p && o && phys)
		va = strtoull(p + 13, NULL, 16) + (phys - strtoull(o + 13, NULL, 16));
	free(text);
	return va;
}

/*
 * A query whose process is gone by the read: the pid is resolved at the
 * write, the walk runs at the read and finds no task (ESRCH).
 */
static int query_gone(struct query *q)
{
	char line[96], out[256];
	int fd, ret;
	pid_t child;

	child = fork();
	if (child < 0)
		return -errno;
	if (!child) {
		pause();
		_exit(0);
	}
	q->pid = child;
	fd = open(DIR "/walk", O_RDWR | O_CLOEXEC);
	snprintf(line, sizeof(line), "%d 0x%llx", child, q->va);
	ret = fd < 0 || write(fd, line, strlen(line)) < 0 ? -errno : 0;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	if (!ret)
		ret = read(fd, out, sizeof(out)) < 0 ? -errno : -EIO;
	if (fd >= 0)
		close(fd);
	q->err = ret;
	snprintf(q->result, sizeof(q->result), "error");
	snprintf(q->level, sizeof(q->level), "-");
	return ret == -ESRCH ? 0 : -EIO;
}

int main(void)
{
	struct query q[NQUERIES] = {
		{ .what = "a present page" },
		{ .what = "an untouched page" },
		{ .what = "an address outside every VMA" },
		{ .what = "its kernel alias" },
		{ .what = "a process gone before the read" },
	};
	char fmt[256], out[256];
	struct trace_rec *recs;
	char *map;
	int n, bad, i, ok;

	tap_begin();
	if (tracefs_find())
		tap_skip_all("this kernel has no tracefs");
	if (!tracefs_has_events())
		tap_skip_all("this kernel traces no events (no CONFIG_EVENT_TRACING)");
	tap_plan(5 + NQUERIES);
	ok = tracefs_event_exists(EVENT) && !tracefs_print_fmt(EVENT, fmt, sizeof(fmt)) &&
	     !strcmp(fmt, FMT);
	tap_ok(ok, "events/memlab/" EVENT " exists, print fmt as documented");
	if (!ok && tracefs_event_exists(EVENT))
		tap_diag("print fmt: \"%s\"", fmt);

	map = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		tap_bail("mmap");
	map[0] = 1;
	/* the third page unmapped: outside every VMA */
	munmap(map + 2 * 4096, 4096);
	q[0].va = (unsigned long)map;
	q[1].va = (unsigned long)map + 4096;
	q[2].va = (unsigned long)map + 2 * 4096;
	q[4].va = (unsigned long)map;
	for (i = 0; i < 3; i++)
		q[i].pid = getpid();

	ok = tracefs_enable(EVENT, 1) == 0 && tracefs_clear() == 0;
	tap_ok(ok, EVENT " enabled, the buffer cleared");
	ok = !run_query(&q[0], "self") && !run_query(&q[1], "self") && !run_query(&q[2], "self");
	/* The present page again, through its linear-map alias */
	q[3].va = linear_alias(q[0].phys);
	ok &= q[3].va && !run_query(&q[3], "kernel");
	/* Refused at the write: no walk, no event */
	ok &= ask("self junk", out, sizeof(out)) == -EINVAL;
	ok &= !query_gone(&q[4]);
	tap_ok(ok && !strcmp(q[0].result, "mapped") && !strcmp(q[1].result, "invalid") &&
	       !strcmp(q[2].result, "outside-vma") && !strcmp(q[3].result, "mapped"),
	       "walks answered: mapped, invalid, outside-vma, kernel mapped, ESRCH (%s %s %s %s %d)",
	       q[0].result, q[1].result, q[2].result, q[3].result, q[4].err);

	recs = tracefs_read(&n, &bad);
	tracefs_enable(EVENT, 0);
	tap_ok(recs && n == NQUERIES && trace_count(recs, n, EVENT) == n && !bad,
	       "%d " EVENT " lines, nothing else (%d, %d unparsed)", NQUERIES, n, bad);
	for (i = 0; i < NQUERIES; i++) {
		const struct trace_rec *r = recs && i < n ? &recs[i] : NULL;
		const char *res = r ? trace_field(r, "result") : NULL;
		const char *lev = r ? trace_field(r, "level") : NULL;
		unsigned long long va;

		ok = r && trace_num(r, "pid") == q[i].pid && !trace_u64(r, "va", &va) &&
		     va == q[i].va && res && !strcmp(res, q[i].result) &&
		     lev && !strcmp(lev, q[i].level) && trace_num(r, "err") == q[i].err;
		tap_ok(ok, "line %d, %s: pid %d va 0x%llx result %s level %s err %d", i + 1,
		       q[i].what, q[i].pid, q[i].va, q[i].result, q[i].level, q[i].err);
		if (!ok && r)
			tap_diag("%s", r->line);
	}
	free(recs);
	ok = 0;
	{
		char path[160], *v;

		tracefs_event_path(path, sizeof(path), EVENT, "enable");
		v = slurp(path);
		ok = v && v[0] == '0';
		free(v);
	}
	tap_ok(ok, EVENT " disabled again");
	return tap_done();
}
