// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl doctor as a user runs it before filing a bug: every line is
 * "ok|warn|fail  <check>: <finding>", every check of docs/dev.rst is there
 * in its order, the exit status is 1 exactly when a line says fail, and the
 * lines say what this process can see for itself: the modules loaded, the
 * pool, debugfs, and whether it can open /dev/memlab, as root and as uid
 * 65534. Then, with memlab unloaded and with memlab_alloc alone (and the
 * memlab_core it needs), the modules line names the missing ones. Ends with the modules it found
 * loaded loaded again, from $MEMLAB_MODULES or ../modules next to this
 * program. memlabctl is found in ../bin next to it, or on PATH. Prints TAP.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <grp.h>
#include <libgen.h>
#include <sys/utsname.h>

#include "memlab_test.h"

static const char *const checks[] = {
	"kernel", "kdir", "compiler", "debugfs", "modules", "overlay", "pool-region",
	"pool", "device", "kunit", "lockdown",
};

static const char *const modules[] = { "memlab_core", "memlab_alloc", "memlab_dev",
				       "memlab_gpio", "memlab_pt" };

#define NCHECKS		ARRAY_SIZE(checks)
#define NMODULES	ARRAY_SIZE(modules)
/* test_format()'s points, and test_modules_line()'s one. */
#define FORMAT_POINTS	(3 + NCHECKS)
#define OUTPUT_POINTS	(FORMAT_POINTS + 1)
/* test_unloaded()'s: two outputs, the device line, the reload. */
#define UNLOAD_POINTS	(2 * OUTPUT_POINTS + 2)

static char ctl[512], moddir[512];

struct doctor {
	char *out;
	int status;
};

/* @d's output as diagnostics, under a line naming @who. */
static void show(const struct doctor *d, const char *who)
{
	char *copy = strdup(d->out), *line, *save;

	tap_diag("memlabctl doctor, %s (exit %d):", who, d->status);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		tap_diag("  %s", line);
	free(copy);
}

/* Run "memlabctl doctor" in this process's credentials. */
static void doctor(struct doctor *d)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "%s doctor 2>&1", ctl);
	d->out = run_cmd(cmd, &d->status);
	if (!d->out)
		d->out = strdup("");
}

/* The same as uid and gid 65534, in a child that sends the output back. */
static void doctor_nobody(struct doctor *d)
{
	int p[2], st;
	pid_t pid;
	FILE *f;

	d->out = strdup("");
	d->status = -1;
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		struct doctor c;

		close(p[0]);
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(99);
		doctor(&c);
		f = fdopen(p[1], "w");
		if (f) {
			fputs(c.out, f);
			fclose(f);
		}
		_exit(c.status < 0 ? 98 : c.status);
	}
	close(p[1]);
	free(d->out);
	d->out = slurp_fd(p[0]);
	close(p[0]);
	if (!d->out)
		d->out = strdup("");
	if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		d->status = WEXITSTATUS(st);
}

/*
 * The line of check @name: its verdict ("ok", "warn", "fail") into @verdict
 * and a pointer to its finding (in @d->out, up to the newline); NULL when
 * there is no such line.
 */
static const char *find_check(const struct doctor *d, const char *name, char *verdict)
{
	const char *line = d->out;
	size_t n = strlen(name);

	while (line && *line) {
		if (sscanf(line, "%4s", verdict) == 1 && !strncmp(line + 6, name, n) &&
		    line[6 + n] == ':')
			return line + 6 + n + 2;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

/* The finding of check @name as a string of its own (static). */
static const char *finding(const struct doctor *d, const char *name, char *verdict)
{
	static char buf[1024];
	const char *f = find_check(d, name, verdict);

	if (!f) {
		verdict[0] = '\0';
		return "";
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(f, "\n"), f);
	return buf;
}

/* Every line "ok|warn|fail  <check>: <finding>"; the number of fail lines, or -1. */
static int parse_all(const struct doctor *d, char *bad, size_t len)
{
	const char *line = d->out, *c;
	int fails = 0;

	if (!*line)
		return -1;
	while (*line) {
		size_t l = strcspn(line, "\n");
		int ok = l > 6 && (!strncmp(line, "ok    ", 6) || !strncmp(line, "warn  ", 6) ||
				   !strncmp(line, "fail  ", 6));

		for (c = line + 6; ok && c < line + l && (islower(*c) || isdigit(*c) ||
							 *c == '-' || *c == '_'); c++)
			;
		ok = ok && c > line + 6 && c + 2 < line + l && c[0] == ':' && c[1] == ' ';
		if (!ok) {
			snprintf(bad, len, "%.*s", (int)l, line);
			return -1;
		}
		fails += !strncmp(line, "fail", 4);
		line += l;
		if (*line)
			line++;
	}
	return fails;
}

/* The format, the checks in order and the exit status: FORMAT_POINTS. */
static void test_format(const struct doctor *d, const char *who)
{
	const char *prev = d->out, *at;
	char bad[256] = "", v[8];
	int fails = parse_all(d, bad, sizeof(bad));
	size_t i;

	if (!tap_ok(fails >= 0, "%s: every line is \"ok|warn|fail  <check>: <finding>\"", who))
		tap_diag("not in the format: \"%s\"", bad);
	tap_ok(d->status == (fails > 0), "%s: exit status %d with %d fail lines", who, d->status,
	       fails);
	for (i = 0; i < NCHECKS; i++) {
		at = find_check(d, checks[i], v);
		tap_ok(at && at > prev, "%s: check %s present, in order", who, checks[i]);
		if (at)
			prev = at;
	}
	if (!tap_ok(!strstr(d->out, "\n\n"), "%s: no empty line", who) || fails < 0)
		tap_diag("output:\n%s", d->out);
}

/* "memlab_alloc memlab_dev" of the modules loaded (@want 1) or not (0). */
static void module_list(int want, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < NMODULES; i++)
		if (module_loaded(modules[i]) == want)
			n += snprintf(buf + n, len - n, "%s%s", n ? " " : "", modules[i]);
}

/* The modules line names what is loaded and what is missing: 1 point. */
static void test_modules_line(const struct doctor *d, const char *who)
{
	char loaded[128], missing[128], want[300], v[8];
	const char *f = finding(d, "modules", v);
	int ok;

	module_list(1, loaded, sizeof(loaded));
	module_list(0, missing, sizeof(missing));
	if (!missing[0]) {
		snprintf(want, sizeof(want), "loaded: %s", loaded);
		ok = !strcmp(v, "ok") && !strcmp(f, want);
	} else if (!loaded[0]) {
		snprintf(want, sizeof(want), "none loaded (missing: %s);", missing);
		ok = !strcmp(v, "warn") && !strncmp(f, want, strlen(want));
	} else {
		snprintf(want, sizeof(want), "loaded: %s; missing: %s;", loaded, missing);
		ok = !strcmp(v, "warn") && !strncmp(f, want, strlen(want));
	}
	if (!tap_ok(ok, "%s: modules says %s \"%s\"", who, missing[0] ? "warn" : "ok", want))
		tap_diag("got: %s  modules: %s", v, f);
}

/* What root sees with memlab loaded: 5 points. */
static void test_root(const struct doctor *d, int kunit)
{
	char v[8], want[128];
	struct utsname u;
	const char *f;

	uname(&u);
	f = finding(d, "kernel", v);
	tap_ok(!strncmp(f, u.release, strlen(u.release)) && strstr(f, u.machine),
	       "root: kernel names %s %s (%s)", u.release, u.machine, f);
	f = finding(d, "debugfs", v);
	tap_ok(!strcmp(v, "ok"), "root: debugfs ok (%s %s)", v, f);
	f = finding(d, "pool", v);
	tap_ok(!strcmp(v, "ok") && strstr(f, " free"), "root: pool ok with its size (%s %s)", v,
	       f);
	f = finding(d, "device", v);
	snprintf(want, sizeof(want), "uid 0 can open it read-write");
	tap_ok(!strcmp(v, "ok") && strstr(f, want), "root: device ok, \"%s\" (%s %s)", want, v,
	       f);
	f = finding(d, "kunit", v);
	tap_ok(!strcmp(v, kunit ? "ok" : "warn"), "root: kunit %s: the kernel %s KUnit (%s %s)",
	       kunit ? "ok" : "warn", kunit ? "has" : "has no", v, f);
}

/* What uid 65534 sees: 3 points. */
static void test_nobody(const struct doctor *d, int can_open)
{
	char v[8];
	const char *f;

	f = finding(d, "device", v);
	if (can_open)
		tap_ok(!strcmp(v, "ok") && strstr(f, "uid 65534 can open it read-write"),
		       "uid 65534: device ok, it can open /dev/memlab (%s %s)", v, f);
	else
		tap_ok(!strcmp(v, "fail") && strstr(f, "uid 65534 cannot open it (EACCES)"),
		       "uid 65534: device fail, EACCES (%s %s)", v, f);
	f = finding(d, "debugfs", v);
	tap_ok(!strcmp(v, "warn") && strstr(f, "only root"),
	       "uid 65534: debugfs warns that only root can read it (%s %s)", v, f);
	f = finding(d, "pool", v);
	if (can_open)
		tap_ok(!strcmp(v, "ok") && strstr(f, "MEMLAB_IOC_INFO"),
		       "uid 65534: pool read through MEMLAB_IOC_INFO (%s %s)", v, f);
	else
		tap_ok(!strcmp(v, "warn") && strstr(f, "without debugfs or /dev/memlab"),
		       "uid 65534: pool warns that it cannot be read (%s %s)", v, f);
}

/* Whether uid 65534 can open /dev/memlab read-write, asked of the kernel. */
static int nobody_can_open(void)
{
	int st, fd;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		fd = open("/dev/memlab", O_RDWR);
		_exit(fd < 0);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       WEXITSTATUS(st) == 0;
}

static int load(const char *name)
{
	char path[640];

	snprintf(path, sizeof(path), "%s/%s.ko", moddir, name);
	return module_insert(path, "");
}

/*
 * Unloaded, then memlab_alloc alone, then everything @was loaded again:
 * UNLOAD_POINTS.
 */
static void test_unloaded(const int *was)
{
	struct doctor d;
	int i, ret, ok;
	char v[8];

	for (i = NMODULES - 1; i >= 0; i--)
		if (module_loaded(modules[i]) && (ret = module_remove(modules[i])))
			tap_diag("rmmod %s: %s", modules[i], strerror(-ret));
	doctor(&d);
	show(&d, "unloaded");
	test_format(&d, "unloaded");
	test_modules_line(&d, "unloaded");
	tap_ok(!strcmp(finding(&d, "device", v), "/dev/memlab is missing: memlab_dev is not "
			   "loaded; sudo modprobe memlab_dev") && !strcmp(v, "warn"),
	       "unloaded: device warns that memlab_dev is not loaded (%s)", v);
	free(d.out);

	/* memlab_alloc needs memlab_core, as modprobe would load it */
	ret = load("memlab_core");
	if (!ret)
		ret = load("memlab_alloc");
	if (ret)
		tap_diag("insmod memlab_core, memlab_alloc from %s: %s", moddir, strerror(-ret));
	doctor(&d);
	show(&d, "memlab_alloc alone");
	test_format(&d, "memlab_alloc alone");
	test_modules_line(&d, "memlab_alloc alone");
	free(d.out);

	ok = 1;
	for (i = 0; i < (int)NMODULES; i++) {
		if (!was[i] || module_loaded(modules[i]))
			continue;
		ret = load(modules[i]);
		if (ret) {
			tap_diag("insmod %s: %s", modules[i], strerror(-ret));
			ok = 0;
		}
	}
	tap_ok(ok, "the modules loaded before are loaded again");
}

int main(int argc, char **argv)
{
	int was[NMODULES], kunit, can_open;
	struct doctor root, nobody;
	char self[256], path[640];
	size_t i;

	tap_begin();
	snprintf(self, sizeof(self), "%s", argc > 0 ? argv[0] : "");
	snprintf(ctl, sizeof(ctl), "%s/../bin/memlabctl", dirname(self));
	if (access(ctl, X_OK))
		snprintf(ctl, sizeof(ctl), "memlabctl");
	module_dir(moddir, sizeof(moddir), argc > 0 ? argv[0] : "");
	if (!module_loaded("memlab_dev"))
		tap_skip_all("memlab_dev is not loaded");
	if (getuid())
		tap_skip_all("needs root: it drops to uid 65534 and unloads modules");
	tap_plan(OUTPUT_POINTS + 5 + OUTPUT_POINTS + 3 + UNLOAD_POINTS);

	for (i = 0; i < NMODULES; i++)
		was[i] = module_loaded(modules[i]);
	kunit = access("/sys/kernel/debug/kunit", F_OK) == 0 ||
		access("/sys/module/kunit", F_OK) == 0;
	doctor(&root);
	show(&root, "root");
	test_format(&root, "root");
	test_modules_line(&root, "root");
	test_root(&root, kunit);

	can_open = nobody_can_open();
	doctor_nobody(&nobody);
	show(&nobody, "uid 65534");
	test_format(&nobody, "uid 65534");
	test_modules_line(&nobody, "uid 65534");
	test_nobody(&nobody, can_open);

	snprintf(path, sizeof(path), "%s/memlab_alloc.ko", moddir);
	if (access(path, R_OK)) {
		for (i = 0; i < UNLOAD_POINTS; i++)
			tap_skip("no memlab_alloc.ko in the module directory",
				 "memlabctl doctor with memlab unloaded");
	} else {
		test_unloaded(was);
	}
	free(root.out);
	free(nobody.out);
	return tap_done();
}
