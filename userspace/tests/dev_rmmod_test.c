// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_dev's module lifetime: unloading is refused while /dev/memlab is
 * open or mapped and accepted afterwards, bad parameters are refused and
 * leave the pool as it was, a reloaded device starts with a zeroed shared
 * buffer, the device is ready whenever it can be opened, and the whole
 * dev_mmap_test passes on a kernel-pages pool
 * (memlab_alloc use_dt=0) when memlab_alloc can be reloaded. Ends with
 * both modules loaded with their defaults. Prints TAP.
 *
 * The modules are found in $MEMLAB_MODULES, else in ../modules next to
 * this program.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "dev_common.h"

static char moddir[512], testdir[256];

static int load(const char *name, const char *params)
{
	char path[640];

	snprintf(path, sizeof(path), "%s/%s.ko", moddir, name);
	return module_insert(path, params);
}

/* Run dev_mmap_test; its TAP becomes our diagnostics. Its exit status. */
static int run_mmap_test(void)
{
	char path[640], line[512];
	int p[2], status;
	pid_t pid;
	FILE *f;

	snprintf(path, sizeof(path), "%s/dev_mmap_test", testdir);
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		tap_diag("  %s", line);
	}
	if (f)
		fclose(f);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_refused_while_used(long page)
{
	struct memlab_info info;
	struct memlab_allocation_data a;
	long before;
	void *m;
	int fd;

	fd = open(DEV_PATH, O_RDWR);
	if (!tap_ok(fd >= 0 && !dev_info(fd, &info) && !dev_alloc(fd, page, 0, &a),
		    "open, INFO and ALLOC"))
		return;
	m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, a.mmap_offset);
	tap_ok(m != MAP_FAILED, "map the buffer");
	tap_ok(module_remove("memlab_dev") == -EWOULDBLOCK, "unload refused while open: EWOULDBLOCK");
	close(fd);
	tap_ok(module_remove("memlab_dev") == -EWOULDBLOCK && module_loaded("memlab_dev"),
	       "unload refused after close() while still mapped");
	before = pool_free_pages();
	if (m != MAP_FAILED)
		munmap(m, page);
	tap_ok(pool_free_pages() == before + 1, "the munmap freed the buffer");
	tap_ok(module_remove("memlab_dev") == 0, "unload accepted once nothing is open or mapped");
	tap_ok(!module_loaded("memlab_dev") && access(DEV_PATH, F_OK) && errno == ENOENT,
	       "the module and " DEV_PATH " are gone");
	tap_ok(pool_free_pages() == before + 1 + (long)(info.shared_bytes / page),
	       "the shared buffer went back to the pool");
}

static void test_bad_params(void)
{
	static const struct {
		const char *params;
		int err;
	} bad[] = {
		{ "shared_size=12345", -EINVAL },
		{ "shared_size=2G", -EINVAL },
		{ "shared_size=junk", -EINVAL },
		{ "quota_open=4097", -EINVAL },
		{ "quota_global=-1", -EINVAL },
		{ "shared_size=1G", -ENOMEM },	/* larger than the pool */
	};
	long before = pool_free_pages();
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = load("memlab_dev", bad[i].params);

		tap_ok(ret == bad[i].err && !module_loaded("memlab_dev"), "%s refused: %s (%s)",
		       bad[i].params, strerrorname_np(-bad[i].err), strerror(-ret));
		if (!ret)
			module_remove("memlab_dev");
	}
	tap_ok(pool_free_pages() == before && check_ok(), "the pool is as it was");
}

static void test_reload(long page)
{
	struct memlab_info info;
	char *buf;
	int fd, ret;
	size_t i;

	ret = load("memlab_dev", "");
	tap_ok(!ret, "memlab_dev loads again (%s)", strerror(-ret));
	fd = open(DEV_PATH, O_RDWR);
	if (!tap_ok(fd >= 0 && !dev_info(fd, &info), "open and INFO after the reload"))
		return;
	buf = malloc(info.shared_bytes);
	ret = buf && pread(fd, buf, info.shared_bytes, 0) == (ssize_t)info.shared_bytes;
	for (i = 0; ret && i < info.shared_bytes; i++)
		ret = !buf[i];
	tap_ok(ret, "the new shared buffer is zeroed (%llu bytes)",
	       (unsigned long long)info.shared_bytes);
	free(buf);
	close(fd);
}

/*
 * /dev/memlab appears only when the driver is ready: a watcher woken by
 * inotify (or polling) when devtmpfs creates the node opens it and must
 * find the debugfs report already there and get a write-combine buffer
 * (which needs the device's DMA set-up), across RELOADS unloads and loads
 * of memlab_dev.
 * A driver that registers the device early fails this only when the
 * watcher runs inside that window, so it is a net, not a proof.
 */
#define RELOADS	20

static void watch_device(int stop, int report, long page)
{
	unsigned int counts[3] = { 0, 0, 0 };	/* opens, no debugfs, no WC buffer */
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd pfd[2] = { { .fd = stop, .events = POLLIN } };
	struct memlab_allocation_data a;
	int fd, ino;

	ino = inotify_init1(IN_CLOEXEC);
	if (ino >= 0 && inotify_add_watch(ino, "/dev", IN_CREATE) < 0) {
		close(ino);
		ino = -1;
	}
	pfd[1].fd = ino;	/* poll() skips it when negative */
	pfd[1].events = POLLIN;
	/* Without inotify (a minimal kernel), try the path as fast as possible. */
	while (poll(pfd, 2, ino >= 0 ? -1 : 0) >= 0 && !(pfd[0].revents & (POLLIN | POLLHUP))) {
		if (ino >= 0 && read(ino, ev, sizeof(ev)) <= 0)
			continue;
		fd = open(DEV_PATH, O_RDWR);
		if (fd < 0)
			continue;	/* another node, or not there */
		counts[0]++;
		if (access(DBG "/dev/buffers", F_OK))
			counts[1]++;
		if (dev_alloc(fd, page, MEMLAB_CACHE_WC, &a))
			counts[2]++;
		close(fd);
	}
	_exit(write(report, counts, sizeof(counts)) == sizeof(counts) ? 0 : 1);
}

static void test_ready_when_visible(long page)
{
	unsigned int counts[3] = { 0, 0, 0 }, round, tries;
	int stop[2], report[2], ret = 0, status;
	pid_t pid;

	if (pipe(stop) || pipe(report))
		return;
	/* The watcher may hold the device open: unloads then retry. */
	pid = fork();
	if (pid == 0) {
		close(stop[1]);
		close(report[0]);
		watch_device(stop[0], report[1], page);
	}
	close(stop[0]);
	close(report[1]);
	for (round = 0; round < RELOADS && !ret; round++) {
		for (tries = 0; tries < 100000 && (ret = module_remove("memlab_dev")) == -EWOULDBLOCK; tries++)
			usleep(100);
		if (!ret)
			ret = load("memlab_dev", "");
	}
	close(stop[1]);
	if (read(report[0], counts, sizeof(counts)) != sizeof(counts))
		counts[0] = 0;
	close(report[0]);
	waitpid(pid, &status, 0);
	tap_ok(!ret && module_loaded("memlab_dev"), "%u unloads and loads beside a watcher (%s)",
	       round, strerror(-ret));
	tap_ok(counts[0] > 0, "the watcher opened /dev/memlab (%u times)", counts[0]);
	tap_ok(!counts[1], "debugfs dev/buffers was there at every open (missing %u times)",
	       counts[1]);
	tap_ok(!counts[2], "a write-combine buffer was given at every open (refused %u times)",
	       counts[2]);
}

static void test_kernel_pages_pool(void)
{
	char *stats;
	int ret;

	ret = module_remove("memlab_dev");
	if (!tap_ok(!ret, "unload memlab_dev (%s)", strerror(-ret)))
		return;
	ret = module_remove("memlab_alloc");
	if (ret) {
		tap_skip("memlab_alloc is in use by other modules",
			 "unload and reload over a kernel-pages pool");
		load("memlab_dev", "");
		return;
	}
	tap_ok(!load("memlab_alloc", "use_dt=0") && !load("memlab_dev", "shared_size=256K"),
	       "load memlab_alloc use_dt=0 and memlab_dev shared_size=256K");
	stats = slurp(DBG "/alloc/default/stats");
	tap_ok(stats && strstr(stats, "\nsource kernel-pages"), "the pool is kernel pages");
	free(stats);
	ret = run_mmap_test();
	tap_ok(ret == 0, "dev_mmap_test passes on the kernel-pages pool (status %d)", ret);
	tap_ok(!module_remove("memlab_dev") && !module_remove("memlab_alloc"), "unload both");
	tap_ok(!load("memlab_alloc", "") && !load("memlab_dev", ""), "load both with defaults");
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	char self[256], path[640];

	tap_begin();
	snprintf(self, sizeof(self), "%s", argc > 0 ? argv[0] : "");
	snprintf(testdir, sizeof(testdir), "%s", dirname(self));
	module_dir(moddir, sizeof(moddir), argc > 0 ? argv[0] : "");
	snprintf(path, sizeof(path), "%s/memlab_dev.ko", moddir);
	if (access(path, R_OK) || !module_loaded("memlab_dev")) {
		tap_skip_all("memlab_dev.ko is not in the module directory, or not loaded");
	}
	test_refused_while_used(page);
	test_bad_params();
	test_reload(page);
	test_ready_when_visible(page);
	test_kernel_pages_pool();

	/* Whatever happened, leave both modules loaded for what runs next. */
	if (!module_loaded("memlab_alloc"))
		load("memlab_alloc", "");
	if (!module_loaded("memlab_dev"))
		load("memlab_dev", "");
	tap_ok(module_loaded("memlab_alloc") && module_loaded("memlab_dev") && check_ok(),
	       "both modules are loaded and the pool's check is ok");
	return tap_done();
}
