// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl doctor: what a bug report needs to say about the machine, and
 * what is wrong with it. Each check prints one line,
 *
 *   ok|warn|fail  <check>: <finding>[; <what to do>]
 *
 * in a fixed order; the exit status is 1 when a line says fail, else 0.
 * docs/dev.rst lists every check and what it can say. Nothing here needs
 * root, but debugfs is root's: without it the pool is read through
 * MEMLAB_IOC_INFO instead.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <memlab.h>

#include "memlabctl.h"

enum verdict { OK, WARN, FAIL };

static const char *const verdict_name[] = { "ok", "warn", "fail" };
static int failed;

static void say(enum verdict v, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(enum verdict v, const char *check, const char *fmt, ...)
{
	va_list ap;

	printf("%-4s  %s: ", verdict_name[v], check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (v == FAIL)
		failed = 1;
}

/* The first line of @path into @buf without its newline; 0, or -1. */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ret = -1;

	if (!f)
		return -1;
	if (fgets(buf, len, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		ret = 0;
	}
	fclose(f);
	return ret;
}

/* The whole of a small file (a device-tree property); its length, or -1. */
static ssize_t read_all(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/*
 * The value of "KEY=value" or "#define KEY "value"" in @path, unquoted, into
 * @buf; 0, or -1 when the file or the key is missing.
 */
static int file_value(const char *path, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	char line[512], *v;
	FILE *f;
	int ret = -1;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (ret && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		v = line;
		if (!strncmp(v, "#define ", 8))
			v += 8;
		if (strncmp(v, key, klen) || (v[klen] != '=' && v[klen] != ' '))
			continue;
		v += klen + 1;
		if (*v == '"') {
			v++;
			v[strcspn(v, "\"")] = '\0';
		}
		snprintf(buf, len, "%s", v);
		ret = 0;
	}
	fclose(f);
	return ret;
}

static void check_kernel(const struct utsname *u)
{
	if (!strcmp(u->machine, "aarch64"))
		say(OK, "kernel", "%s %s", u->release, u->machine);
	else
		say(WARN, "kernel", "%s %s; memlab_pt and memlab_gpio are for arm64 only",
		    u->release, u->machine);
}

/*
 * The build tree modules are built against: KDIR from the environment, else
 * the running kernel's. Its release is UTS_RELEASE, which becomes the
 * modules' vermagic (Debian's include/config/kernel.release holds the
 * upstream version instead).
 */
static void check_kdir(const struct utsname *u, char *kdir, size_t len)
{
	const char *env = getenv("KDIR");
	char path[600], rel[256];

	if (env && *env)
		snprintf(kdir, len, "%s", env);
	else
		snprintf(kdir, len, "/lib/modules/%s/build", u->release);
	if (!exists(kdir)) {
		say(FAIL, "kdir", "%s does not exist; install the headers of %s "
		    "(linux-headers-%s) or set KDIR", kdir, u->release, u->release);
		return;
	}
	snprintf(path, sizeof(path), "%s/include/generated/utsrelease.h", kdir);
	if (file_value(path, "UTS_RELEASE", rel, sizeof(rel))) {
		snprintf(path, sizeof(path), "%s/include/config/kernel.release", kdir);
		if (read_line(path, rel, sizeof(rel))) {
			say(FAIL, "kdir", "%s is not a prepared kernel tree (no kernel.release); "
			    "install the headers of %s or set KDIR", kdir, u->release);
			return;
		}
	}
	if (strcmp(rel, u->release))
		say(FAIL, "kdir", "%s is for %s, the running kernel is %s; modules built there "
		    "will not load: install linux-headers-%s or set KDIR", kdir, rel,
		    u->release, u->release);
	else
		say(OK, "kdir", "%s matches the running kernel", kdir);
}

/*
 * The compiler the kernel was built with, as CONFIG_CC_VERSION_TEXT of the
 * build tree or the second group of /proc/version ("Linux version R
 * (builder) (gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld ...) #1 ...").
 */
static int kernel_cc(const char *kdir, char *buf, size_t len)
{
	char path[600], ver[1024], *p, *e;
	int depth = 0;

	snprintf(path, sizeof(path), "%s/include/config/auto.conf", kdir);
	if (!file_value(path, "CONFIG_CC_VERSION_TEXT", buf, len))
		return 0;
	if (read_line("/proc/version", ver, sizeof(ver)))
		return -1;
	p = strstr(ver, ") (");
	if (!p)
		return -1;
	p += 3;
	for (e = p; *e; e++) {
		if (*e == '(')
			depth++;
		else if (*e == ')' && depth-- == 0)
			break;
		else if (*e == ',' && depth == 0)
			break;
	}
	*e = '\0';
	snprintf(buf, len, "%s", p);
	return 0;
}

/*
 * The major version in a compiler's banner: the word after "version ", else
 * the first word outside parentheses with a dot in it ("gcc (Debian
 * 12.2.0-14) 12.2.0", "aarch64-linux-gnu-gcc (GNU Toolchain ... (arm-10.29))
 * 10.3.1 20210621"). -1 when there is none.
 */
static int cc_major(const char *text)
{
	const char *p = strstr(text, "version ");
	int depth = 0;
	size_t n;

	if (p)
		return atoi(p + 8);
	for (p = text; *p; p += n ? n : 1) {
		n = 0;
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (depth == 0 && isdigit((unsigned char)*p) && (p == text || p[-1] == ' ')) {
			n = strcspn(p, " ()");
			if (memchr(p, '.', n))
				return atoi(p);
		}
	}
	return -1;
}

static void check_compiler(const char *kdir)
{
	const char *cc = getenv("CC"), *cross = getenv("CROSS_COMPILE");
	char kcc[256], cmd[512], line[256] = "", name[256];
	FILE *f;

	if (kernel_cc(kdir, kcc, sizeof(kcc)))
		snprintf(kcc, sizeof(kcc), "unknown");
	if (cc && *cc)
		snprintf(name, sizeof(name), "%s", cc);
	else
		snprintf(name, sizeof(name), "%s%s", cross ? cross : "",
			 strstr(kcc, "clang") ? "clang" : "gcc");
	snprintf(cmd, sizeof(cmd), "%s --version 2>/dev/null", name);
	f = popen(cmd, "r");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		pclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	if (!line[0])
		say(FAIL, "compiler", "no %s; the kernel was built with %s: install it "
		    "(build-essential) or set CC", name, kcc);
	else if (!strcmp(kcc, "unknown"))
		say(WARN, "compiler", "%s is %s; the kernel's compiler is unknown", name, line);
	else if (cc_major(line) != cc_major(kcc))
		say(WARN, "compiler", "%s is %s, the kernel was built with %s; kbuild may "
		    "refuse flags or warn: install the kernel's version or set CC", name, line,
		    kcc);
	else
		say(OK, "compiler", "%s is %s, as the kernel's (%s)", name, line, kcc);
}

static int debugfs_mounted(void)
{
	char line[512], dir[256], type[64];
	FILE *f = fopen("/proc/mounts", "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %255s %63s", dir, type) == 2 &&
			!strcmp(dir, "/sys/kernel/debug") && !strcmp(type, "debugfs");
	fclose(f);
	return found;
}

/* 1 when memlab's debugfs tree can be read by this process. */
static int check_debugfs(void)
{
	if (!debugfs_mounted()) {
		say(FAIL, "debugfs", "not mounted at /sys/kernel/debug; "
		    "sudo mount -t debugfs none /sys/kernel/debug");
		return 0;
	}
	if (access("/sys/kernel/debug", R_OK | X_OK)) {
		say(WARN, "debugfs", "mounted, but only root can read it; run as root to "
		    "read memlab's reports");
		return 0;
	}
	say(OK, "debugfs", "mounted at /sys/kernel/debug");
	return 1;
}

static const char *const modules[] = { "memlab_core", "memlab_alloc", "memlab_dev",
				       "memlab_gpio", "memlab_pt" };

static int module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return exists(path);
}

/* Every parameter of module @name, "name=value ...", into @buf. */
static void module_params(const char *name, char *buf, size_t len)
{
	char path[512], val[64];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/module/%s/parameters", name);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)) && n < len) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", name, de->d_name);
		if (read_line(path, val, sizeof(val)))
			continue;
		n += snprintf(buf + n, len - n, "%s%s=%s", n ? " " : "", de->d_name, val);
	}
	closedir(d);
}

static void check_modules(void)
{
	char loaded[128] = "", missing[128] = "", params[256];
	size_t i;

	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		char *to = module_loaded(modules[i]) ? loaded : missing;

		snprintf(to + strlen(to), 128 - strlen(to), "%s%s", *to ? " " : "", modules[i]);
	}
	if (!missing[0])
		say(OK, "modules", "loaded: %s", loaded);
	else if (!loaded[0])
		say(WARN, "modules", "none loaded (missing: %s); sudo modprobe -a memlab_dev "
		    "memlab_gpio memlab_pt, or insmod them from the build tree", missing);
	else
		say(WARN, "modules", "loaded: %s; missing: %s; sudo modprobe %s", loaded,
		    missing, missing);
	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		if (!module_loaded(modules[i]))
			continue;
		module_params(modules[i], params, sizeof(params));
		if (params[0])
			say(OK, modules[i], "%s", params);
	}
}

#define DT	"/proc/device-tree"

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* @n big-endian cells at @p as one number. */
static unsigned long long cells(const unsigned char *p, unsigned int n)
{
	unsigned long long v = 0;

	while (n--) {
		v = v << 32 | be32(p);
		p += 4;
	}
	return v;
}

static unsigned int dt_cells(const char *prop, unsigned int def)
{
	unsigned char b[4];

	return read_all(prop, b, 4) == 4 ? be32(b) : def;
}

/* Whether the string list property @path holds @s. */
static int dt_has_string(const char *path, const char *s)
{
	char buf[256];
	ssize_t n = read_all(path, buf, sizeof(buf) - 1), i;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (i = 0; i < n; i += strlen(buf + i) + 1)
		if (!strcmp(buf + i, s))
			return 1;
	return 0;
}

/*
 * The reserved-memory node whose phandle is @ph: its name into @name, its
 * size, and its base, or ~0 when the kernel places it at boot (a "size"
 * property rather than "reg"). 0, or -1 when no node has it.
 */
static int find_region(uint32_t ph, char *name, size_t len, unsigned long long *base,
		       unsigned long long *size)
{
	unsigned int ac = dt_cells(DT "/reserved-memory/#address-cells", 2);
	unsigned int sc = dt_cells(DT "/reserved-memory/#size-cells", 2);
	struct dirent *de;
	unsigned char b[64];
	char path[600];
	int ret = -1;
	DIR *d;

	if (ac + sc > 16)
		return -1;
	d = opendir(DT "/reserved-memory");
	if (!d)
		return -1;
	while (ret && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), DT "/reserved-memory/%s/phandle", de->d_name);
		if (read_all(path, b, 4) != 4 || be32(b) != ph)
			continue;
		snprintf(name, len, "%s", de->d_name);
		*base = ~0ULL;
		*size = 0;
		snprintf(path, sizeof(path), DT "/reserved-memory/%s/reg", de->d_name);
		if (read_all(path, b, sizeof(b)) >= (ssize_t)(4 * (ac + sc))) {
			*base = cells(b, ac);
			*size = cells(b + 4 * ac, sc);
		}
		snprintf(path, sizeof(path), DT "/reserved-memory/%s/size", de->d_name);
		if (*base == ~0ULL && read_all(path, b, sizeof(b)) >= (ssize_t)(4 * sc))
			*size = cells(b, sc);
		ret = 0;
	}
	closedir(d);
	return ret;
}

/* 1 when the device tree names a reserved pool region. */
static int check_devicetree(void)
{
	char compat[128] = "", name[256], path[600], sz[32];
	unsigned long long base, size;
	unsigned char b[4];
	ssize_t n;

	if (!exists(DT)) {
		say(WARN, "overlay", "this machine has no device tree; memlab_gpio has nothing "
		    "to bind and the pool comes from kernel pages");
		say(WARN, "pool-region", "no device tree, no reserved pool");
		return 0;
	}
	if (!exists(DT "/memlab")) {
		say(WARN, "overlay", "no /memlab node: the overlay is not applied; sudo make "
		    "install-overlay and reboot (docs/board.rst)");
		say(WARN, "pool-region", "no overlay, no reserved pool: the pool comes from "
		    "kernel pages (pool_size)");
		return 0;
	}
	n = read_all(DT "/memlab/compatible", compat, sizeof(compat) - 1);
	compat[n > 0 ? n : 0] = '\0';
	if (!dt_has_string(DT "/memlab/compatible", "memlab,memlab"))
		say(FAIL, "overlay", "/memlab is compatible \"%s\", not \"memlab,memlab\"; "
		    "reinstall the overlay (sudo make install-overlay)", compat);
	else if (dt_has_string(DT "/memlab/status", "disabled"))
		say(WARN, "overlay", "/memlab is disabled; enable the overlay and reboot");
	else
		say(OK, "overlay", "/memlab present, compatible \"memlab,memlab\"");

	if (read_all(DT "/memlab/memory-region", b, 4) != 4) {
		say(WARN, "pool-region", "/memlab has no memory-region: the pool comes from "
		    "kernel pages (pool_size)");
		return 0;
	}
	if (find_region(be32(b), name, sizeof(name), &base, &size)) {
		say(FAIL, "pool-region", "/memlab's memory-region is not a /reserved-memory "
		    "node; reinstall the overlay (sudo make install-overlay)");
		return 0;
	}
	snprintf(path, sizeof(path), DT "/reserved-memory/%s/reusable", name);
	if (exists(path)) {
		say(FAIL, "pool-region", "/reserved-memory/%s is reusable (CMA): memlab_alloc "
		    "refuses it; remove \"reusable\" from the overlay", name);
		return 0;
	}
	snprintf(path, sizeof(path), DT "/reserved-memory/%s/compatible", name);
	if (dt_has_string(path, "shared-dma-pool")) {
		say(FAIL, "pool-region", "/reserved-memory/%s is a shared-dma-pool: "
		    "memlab_alloc refuses it; remove its compatible from the overlay", name);
		return 0;
	}
	if (!size)
		say(FAIL, "pool-region", "/reserved-memory/%s has neither reg nor size; "
		    "reinstall the overlay (sudo make install-overlay)", name);
	else if (base == ~0ULL)
		say(OK, "pool-region", "/reserved-memory/%s, %s, placed at boot", name,
		    human(size, sz, sizeof(sz)));
	else
		say(OK, "pool-region", "/reserved-memory/%s, %s at 0x%llx", name,
		    human(size, sz, sizeof(sz)), base);
	return 1;
}

/*
 * The default pool's source, where its first chunk starts, its size and
 * what is free, from debugfs; 0, or -1.
 */
static int pool_from_debugfs(char *source, size_t len, unsigned long long *phys,
			     unsigned long long *bytes, unsigned long long *free_bytes)
{
	const char *stats = DBG "/alloc/default/stats";
	char val[64];

	*phys = 0;
	if (!file_value(stats, "chunk", val, sizeof(val)))
		sscanf(val, "%*u %llx", phys);
	if (file_value(stats, "source", source, len) ||
	    file_value(stats, "total_pages", val, sizeof(val)))
		return -1;
	*bytes = strtoull(val, NULL, 0);
	if (file_value(stats, "page_size", val, sizeof(val)))
		return -1;
	*bytes *= strtoull(val, NULL, 0);
	if (file_value(stats, "free_bytes", val, sizeof(val)))
		return -1;
	*free_bytes = strtoull(val, NULL, 0);
	return 0;
}

static int pool_from_device(unsigned long long *bytes, unsigned long long *free_bytes)
{
	struct memlab_info in = { .size = sizeof(in) };
	int fd = open(DEV_PATH, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, MEMLAB_IOC_INFO, &in);
	close(fd);
	if (ret)
		return -1;
	*bytes = in.pool_bytes;
	*free_bytes = in.pool_free_bytes;
	return 0;
}

static void check_pool(int debugfs, int dt_region)
{
	unsigned long long bytes, free_bytes, phys;
	char source[64] = "", b[2][32];

	if (!module_loaded("memlab_alloc")) {
		say(WARN, "pool", "memlab_alloc is not loaded; load it to see the pool");
		return;
	}
	if (debugfs && !pool_from_debugfs(source, sizeof(source), &phys, &bytes, &free_bytes)) {
		if (dt_region && strcmp(source, "reserved-memory"))
			say(WARN, "pool", "%s from %s although the device tree reserves a "
			    "region; sudo dmesg | grep memlab_alloc says why",
			    human(bytes, b[0], 32), source);
		else
			say(OK, "pool", "%s from %s at 0x%llx, %s free", human(bytes, b[0], 32),
			    source, phys, human(free_bytes, b[1], 32));
		return;
	}
	if (!pool_from_device(&bytes, &free_bytes)) {
		say(OK, "pool", "%s, %s free (MEMLAB_IOC_INFO; its source is in debugfs)",
		    human(bytes, b[0], 32), human(free_bytes, b[1], 32));
		return;
	}
	if (!debugfs)
		say(WARN, "pool", "cannot read it without debugfs or /dev/memlab; run as root");
	else
		say(FAIL, "pool", "memlab_alloc is loaded but " DBG "/alloc/default/stats "
		    "is unreadable; sudo dmesg | grep memlab");
}

/*
 * "mode 0660, group memlab" of /dev/memlab, into @buf. The group's name is
 * read from /etc/group: getgrgid() would need NSS, which a static program
 * cannot load.
 */
static void describe_node(const struct stat *st, char *buf, size_t len)
{
	char line[512], gname[64], *save, *name, *gid;
	FILE *f = fopen("/etc/group", "r");

	snprintf(gname, sizeof(gname), "%u", (unsigned int)st->st_gid);
	while (f && fgets(line, sizeof(line), f)) {
		name = strtok_r(line, ":", &save);
		strtok_r(NULL, ":", &save);
		gid = strtok_r(NULL, ":", &save);
		if (name && gid && strtoul(gid, NULL, 10) == st->st_gid) {
			snprintf(gname, sizeof(gname), "%s", name);
			break;
		}
	}
	if (f)
		fclose(f);
	snprintf(buf, len, "mode %04o, group %s", (unsigned int)(st->st_mode & 07777), gname);
}

static void check_device(void)
{
	char node[96];
	struct stat st;
	int fd;

	if (stat(DEV_PATH, &st)) {
		if (module_loaded("memlab_dev"))
			say(FAIL, "device", "memlab_dev is loaded but " DEV_PATH " is missing; "
			    "is devtmpfs mounted on /dev? sudo dmesg | grep memlab_dev");
		else
			say(WARN, "device", DEV_PATH " is missing: memlab_dev is not loaded; "
			    "sudo modprobe memlab_dev");
		return;
	}
	describe_node(&st, node, sizeof(node));
	if (!S_ISCHR(st.st_mode)) {
		say(FAIL, "device", DEV_PATH " is not a character device (%s); remove it and "
		    "reload memlab_dev", node);
		return;
	}
	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		say(OK, "device", DEV_PATH ", %s: uid %u can open it read-write", node,
		    (unsigned int)getuid());
		return;
	}
	if (errno == EACCES || errno == EPERM)
		say(FAIL, "device", DEV_PATH ", %s: uid %u cannot open it (%s); sudo make "
		    "install-udev, then sudo usermod -aG memlab $USER and log in again", node,
		    (unsigned int)getuid(), strerrorname_np(errno));
	else
		say(FAIL, "device", DEV_PATH ", %s: open fails with %s; sudo dmesg | grep "
		    "memlab_dev", node, strerrorname_np(errno) ?: "?");
}

/* CONFIG_KUNIT of the running kernel: "y", "m", "n", or "?" when unknown. */
static const char *kunit_config(const struct utsname *u)
{
	char path[300], line[256];
	const char *ret = "?";
	int piped = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/boot/config-%s", u->release);
	if (exists(path))
		f = fopen(path, "r");
	else if (exists("/proc/config.gz") && (piped = 1))
		f = popen("zcat /proc/config.gz 2>/dev/null", "r");
	else
		return ret;
	if (!f)
		return ret;
	ret = "n";
	while (fgets(line, sizeof(line), f)) {
		if (!strcmp(line, "CONFIG_KUNIT=y\n"))
			ret = "y";
		else if (!strcmp(line, "CONFIG_KUNIT=m\n"))
			ret = "m";
	}
	if (piped)
		pclose(f);
	else
		fclose(f);
	return ret;
}

static void check_kunit(const struct utsname *u)
{
	const char *config;

	if (exists("/sys/kernel/debug/kunit") || exists("/sys/module/kunit")) {
		say(OK, "kunit", "available: the KUnit suites (kunit/*.ko) can run");
		return;
	}
	config = kunit_config(u);
	if (!strcmp(config, "m"))
		say(WARN, "kunit", "CONFIG_KUNIT=m, not loaded; sudo modprobe kunit to run the "
		    "KUnit suites");
	else if (!strcmp(config, "y"))
		say(WARN, "kunit", "CONFIG_KUNIT=y but /sys/kernel/debug/kunit is missing; "
		    "mount debugfs (as root)");
	else
		say(WARN, "kunit", "%s; the KUnit suites cannot run here: make selftest runs "
		    "the userspace tests", !strcmp(config, "n") ? "this kernel has no KUnit" :
		    "no KUnit found (no /sys/module/kunit, no kernel config to read)");
}

static void check_lockdown(void)
{
	char mode[128] = "", sig[8] = "";
	char *p, *e;

	read_line("/sys/module/module/parameters/sig_enforce", sig, sizeof(sig));
	if (!read_line("/sys/kernel/security/lockdown", mode, sizeof(mode))) {
		p = strchr(mode, '[');
		e = p ? strchr(p, ']') : NULL;
		if (p && e) {
			*e = '\0';
			memmove(mode, p + 1, strlen(p + 1) + 1);
		}
	}
	if (!strcmp(sig, "Y"))
		say(WARN, "lockdown", "module signatures are enforced: unsigned modules are "
		    "refused; sign memlab's with the kernel's key, or turn Secure Boot off");
	else if (mode[0] && strcmp(mode, "none"))
		say(WARN, "lockdown", "lockdown=%s (Secure Boot?): unsigned modules are refused; "
		    "sign memlab's with a key the kernel trusts, or turn Secure Boot off", mode);
	else if (mode[0])
		say(OK, "lockdown", "none, module signatures not enforced");
	else
		say(OK, "lockdown", "no lockdown LSM here (or securityfs is not mounted), "
		    "module signatures not enforced");
}

static const char doctor_help[] =
	"usage: memlabctl doctor\n"
	"Check what a bug report needs to say: the running kernel, its build tree\n"
	"(KDIR) and compiler, debugfs, memlab's modules and their parameters, the\n"
	"device-tree overlay and the reserved pool, /dev/memlab's permissions,\n"
	"KUnit, and lockdown. One line a check: ok, warn or fail, the check, what\n"
	"was found and what to do. Exit status 1 when a check fails.\n";

int cmd_doctor(int argc, char **argv)
{
	int ret = no_options(argc, argv, doctor_help), debugfs, dt_region;
	struct utsname u;
	char kdir[512];

	if (ret >= 0)
		return ret;
	if (uname(&u)) {
		perror("uname");
		return 1;
	}
	check_kernel(&u);
	check_kdir(&u, kdir, sizeof(kdir));
	check_compiler(kdir);
	debugfs = check_debugfs();
	check_modules();
	dt_region = check_devicetree();
	check_pool(debugfs, dt_region);
	check_device();
	check_kunit(&u);
	check_lockdown();
	return failed;
}
