// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl top under a known workload: a child allocates and frees 4 KiB
 * /dev/memlab buffers in a loop, counting them, while top --json refreshes
 * three times. Each refresh is one JSON object on one line, its rows in
 * order of allocations per second, the default pool first at about the
 * child's rate (allocations and frees alike), every slab cache listed.
 * Then the text view: no escape sequence into a pipe or with --no-clear,
 * one clear-screen per refresh into a terminal (a pseudo-terminal here);
 * and refused options, status 2. Prints TAP.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "dev_common.h"

#define REFRESHES	3

static char ctl[512];

/* Allocations of the workload and when it counted them, shared with the child. */
struct workload {
	volatile unsigned long count;
	volatile int stop;
};

static void workload(struct workload *w)
{
	struct memlab_allocation_data a;
	int fd = open(DEV_PATH, O_RDWR);

	if (fd < 0)
		_exit(1);
	while (!w->stop) {
		if (dev_alloc(fd, 4096, MEMLAB_CACHE_CACHED, &a) || dev_free(fd, a.handle))
			_exit(1);
		w->count++;
	}
	_exit(0);
}

/* A number field of the JSON text @obj (flat search: "key":number). */
static double field(const char *obj, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(obj, pat);
	return p ? strtod(p + strlen(pat), NULL) : -1;
}

/* The row objects of one refresh line: pointers to each "{\"kind\"". */
static int rows(char *line, char **row, int max)
{
	int n = 0;
	char *p = line;

	/* every row has every key: a search from a row's start finds its own */
	while (n < max && (p = strstr(p, "{\"kind\":")))
		row[n++] = p++;
	return n;
}

static int is_pool_row(const char *row, const char *name)
{
	char pat[128];

	snprintf(pat, sizeof(pat), "{\"kind\":\"pool\",\"pool\":\"%s\",", name);
	return !strncmp(row, pat, strlen(pat));
}

static void test_json(void)
{
	struct workload *w = mmap(NULL, sizeof(*w), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	static const char top_start[] = "{\"report\":\"top\",\"source\":\"" DBG "/alloc\",";
	static const char kmalloc[] =
		"{\"kind\":\"cache\",\"pool\":\"default\",\"name\":\"kmalloc-";
	char cmd[768], *out, *line, *save, *row[128];
	unsigned long c0, c1;
	int status, n = 0, sorted = 1, caches = 1, first = 1, busy = 1, frees = 1, i, k;
	double t0, t1, rate, a, prev, sum = 0;
	pid_t child;

	if (w == MAP_FAILED)
		tap_bail("mmap");
	child = fork();
	if (child == 0)
		workload(w);
	usleep(200000);
	c0 = w->count;
	t0 = now();
	snprintf(cmd, sizeof(cmd), "%s top --json -n %d -d 1", ctl, REFRESHES);
	out = run_cmd(cmd, &status);
	c1 = w->count;
	t1 = now();
	w->stop = 1;
	waitpid(child, NULL, 0);
	rate = (c1 - c0) / (t1 - t0);
	tap_diag("workload: %lu allocations in %.2f s, %.0f/s", c1 - c0, t1 - t0, rate);
	tap_ok(status == 0 && out && rate > 0, "top --json -n %d: exit status 0 (workload running)",
	       REFRESHES);

	for (line = strtok_r(out ? out : (char[]){ "" }, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		int nr;

		n++;
		if (strncmp(line, top_start, strlen(top_start)) ||
		    field(line, "refresh") != n)
			sorted = 0;
		nr = rows(line, row, 128);
		prev = 1e300;
		for (i = 0; i < nr; i++) {
			a = field(row[i], "allocs_per_s");
			if (a > prev || a < 0)
				sorted = 0;
			prev = a;
		}
		if (!nr || !is_pool_row(row[0], "default"))
			first = 0;
		for (k = 0, i = 0; i < nr; i++)
			k += !strncmp(row[i], kmalloc, strlen(kmalloc));
		if (k != 13)
			caches = 0;
		if (nr) {
			a = field(row[0], "allocs_per_s");
			sum += a;
			if (a <= 0)
				busy = 0;
			if (field(row[0], "frees_per_s") < a / 3 || field(row[0], "frees_per_s") > a * 3)
				frees = 0;
			tap_diag("refresh %d: default pool %.1f allocs/s, %.1f frees/s", n, a,
				 field(row[0], "frees_per_s"));
		}
	}
	tap_ok(n == REFRESHES && sorted,
	       "%d refreshes, one JSON object a line, rows by allocations per second", n);
	tap_ok(n && first, "the default pool, which the workload allocates from, comes first");
	/*
	 * Under emulation one refresh can see half and the next twice the
	 * rate: the mean over the refreshes, which cover the child's run,
	 * must be close to the child's own count.
	 */
	tap_ok(n && busy && sum / n > rate / 1.5 && sum / n < rate * 1.5,
	       "its allocations per second, each above 0, average %.0f: within 1.5x of the "
	       "workload's %.0f", n ? sum / n : 0, rate);
	tap_ok(n && frees, "its frees per second are within 3x of its allocations");
	tap_ok(n && caches, "every refresh lists the 13 kmalloc caches of the default pool");
	free(out);
	munmap(w, sizeof(*w));
}

/* memlabctl @args with its output to a pseudo-terminal; what it wrote. */
static char *run_on_pty(const char *args)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY), slave = -1, status;
	char *name, buf[4096], *out = calloc(1, 65536);
	size_t len = 0;
	ssize_t r;
	pid_t pid;

	if (master < 0 || grantpt(master) || unlockpt(master) || !(name = ptsname(master)) ||
	    !out)
		return out;
	/* open before the fork: the master reads EIO while no slave is open */
	slave = open(name, O_RDWR | O_NOCTTY);
	if (slave < 0)
		return out;
	pid = fork();
	if (pid == 0) {
		char cmd[768];

		dup2(slave, 1);
		close(slave);
		close(master);
		snprintf(cmd, sizeof(cmd), "exec %s %s", ctl, args);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(slave);
	/* a pty's master reads EIO once the last slave is closed */
	while ((r = read(master, buf, sizeof(buf))) > 0 && len + r < 65535) {
		memcpy(out + len, buf, r);
		len += r;
	}
	waitpid(pid, &status, 0);
	close(master);
	return out;
}

static int count_of(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

/*
 * Whether a pseudo-terminal can be had: the guest mounts no devpts, so
 * mount one (and say so in @mounted) where the kernel has them.
 */
static int pty_ready(int *mounted)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY);

	*mounted = 0;
	if (fd < 0) {
		mkdir("/dev/pts", 0755);
		if (!mount("devpts", "/dev/pts", "devpts", 0, "newinstance,ptmxmode=0666"))
			*mounted = 1;
		fd = posix_openpt(O_RDWR | O_NOCTTY);
	}
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static void test_text(void)
{
	char cmd[768], *out;
	int status, mounted;

	snprintf(cmd, sizeof(cmd), "%s top -n 2 -d 0.2", ctl);
	out = run_cmd(cmd, &status);
	tap_ok(status == 0 && out && !strchr(out, '\033') &&
	       count_of(out, "kind  name ") == 2 && strstr(out, "allocs/s") &&
	       strstr(out, "\npool  default ") && strstr(out, "\ncache default/kmalloc-64 "),
	       "into a pipe: two refreshes of plain text, pools and caches, no escape sequence");
	if (out && status == 0 && strchr(out, '\033'))
		tap_diag("output:\n%s", out);
	free(out);

	if (!pty_ready(&mounted)) {
		tap_skip("no pseudo-terminals here", "into a terminal: clear-screen per refresh");
		tap_skip("no pseudo-terminals here", "into a terminal with --no-clear");
		return;
	}
	out = run_on_pty("top -n 2 -d 0.2");
	/* each clear-screen is two escapes: ESC [H ESC [2J */
	if (!tap_ok(out && count_of(out, "\033[H\033[2J") == 2 && count_of(out, "\033") == 4,
		    "into a terminal: one clear-screen sequence per refresh, nothing else"))
		tap_diag("%d clear-screens, %d escapes in %zu bytes", out ? count_of(out, "\033[H\033[2J") : 0,
			 count_of(out, "\033"), strlen(out));
	free(out);
	out = run_on_pty("top --no-clear -n 2 -d 0.2");
	tap_ok(out && !strchr(out, '\033') && count_of(out, "kind  name ") == 2,
	       "into a terminal with --no-clear: no escape sequence");
	free(out);
	if (mounted)
		umount("/dev/pts");
}

static void expect_refused(const char *args, const char *want)
{
	char cmd[768], *out;
	int status;

	snprintf(cmd, sizeof(cmd), "%s top %s 2>&1", ctl, args);
	out = run_cmd(cmd, &status);
	if (!tap_ok(status == 2 && out && strstr(out, want), "top %s: status 2, '%s'", args, want))
		tap_diag("status %d, output '%s'", status, out ? out : "");
	free(out);
}

int main(int argc, char **argv)
{
	char self[256];

	tap_begin();
	if (getuid())
		tap_skip_all("needs root (debugfs)");
	if (!module_loaded("memlab_dev"))
		tap_skip_all("memlab_dev is not loaded");
	tap_plan(6 + 3 + 5);
	snprintf(self, sizeof(self), "%s", argc > 0 ? argv[0] : "");
	snprintf(ctl, sizeof(ctl), "%s/../bin/memlabctl", dirname(self));
	if (access(ctl, X_OK))
		snprintf(ctl, sizeof(ctl), "memlabctl");

	test_json();
	test_text();
	expect_refused("-d 0", "delay '0': 0.1 to 3600 seconds");
	expect_refused("-d 1x", "delay '1x'");
	expect_refused("-n 0", "count '0': 1 or more");
	expect_refused("-n -1", "count '-1'");
	expect_refused("now", "top takes no operands");
	return tap_done();
}
