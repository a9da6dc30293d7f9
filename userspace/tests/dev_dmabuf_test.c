// SPDX-License-Identifier: GPL-2.0-only
/*
 * dev_dmabuf_test: /dev/memlab's private buffers as dma-bufs
 * (MEMLAB_IOC_EXPORT), as include/uapi/memlab.h and docs/dev.rst describe
 * them.
 *
 * Every flag set and every documented errno; mmap() of the dma-buf sees
 * the memlab mapping's bytes in each cache mode; DMA_BUF_IOCTL_SYNC;
 * /sys/kernel/debug/dma_buf/bufinfo lists the dma-buf with exporter
 * "memlab" and its size; all 24 orders of closing the memlab file, its
 * mapping, the dma-buf and the dma-buf's mapping keep the buffer to the
 * last and then give the pool back all of it; uid 65534 exports a buffer
 * of its own. With vgem's modules in ../importers (rootfs.sh puts them
 * there for a stock kernel), vgem imports the dma-buf, which attaches and
 * maps it, and holds the buffer after user space has let go. Last,
 * memlab_dev (found in ../modules) cannot be unloaded while a dma-buf is
 * open, and can be once it is closed; it is loaded again.
 *
 * With "refused" (a boot whose pool is outside the linear map: no-map),
 * every export fails with EOPNOTSUPP and leaves nothing behind.
 *
 * Skipped as a whole where the kernel has no dma-buf
 * (CONFIG_DMA_SHARED_BUFFER): MEMLAB_IOC_EXPORT fails with EOPNOTSUPP.
 * Prints TAP.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include "drm_uapi.h"
#include <libgen.h>
#include <linux/dma-buf.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "dev_common.h"

#define DMA_BUF_DIR	"/sys/kernel/debug/dma_buf"
#define BUFINFO		DMA_BUF_DIR "/bufinfo"
#define BUF_BYTES	(64 * 1024)

static long page;
static char testdir[256];

static int dev_export(int fd, uint32_t handle, uint32_t flags, struct memlab_export *e)
{
	memset(e, 0, sizeof(*e));
	e->size = sizeof(*e);
	e->handle = handle;
	e->flags = flags;
	e->fd = -1;
	return ioctl(fd, MEMLAB_IOC_EXPORT, e) ? -errno : 0;
}

/* A dma-buf of @handle, read-write and close-on-exec: its fd, or -errno. */
static int export_fd(int fd, uint32_t handle)
{
	struct memlab_export e;
	int ret = dev_export(fd, handle, O_RDWR | O_CLOEXEC, &e);

	return ret ? ret : e.fd;
}

static const char *err_name(int ret)
{
	return ret ? strerror(-ret) : "success";
}

static void *map(int fd, size_t len, off_t off)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
}

/* mmap() that must fail: its errno, or 0 if it succeeded. */
static int map_err(int fd, size_t len, int prot, int flags, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p != MAP_FAILED) {
		munmap(p, len);
		return 0;
	}
	return errno;
}

static void fill(volatile uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = seed + i * 7;
}

static int filled(const volatile uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (uint8_t)(seed + i * 7))
			return 0;
	return 1;
}

static int dmabuf_sync(int dfd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(dfd, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

/*
 * bufinfo's rows of exporter "memlab" (-1 without the file); with @ino,
 * only that dma-buf's, whose size goes to @size. A row is "size flags mode
 * count exp_name ino name", tab-separated, as drivers/dma-buf/dma-buf.c
 * prints it.
 */
static int bufinfo_rows(unsigned long ino, unsigned long *size)
{
	char *text = slurp(BUFINFO), *line, *save;
	int n = 0;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long sz, in;
		unsigned int flags, mode;
		char exp[64];
		long count;

		if (sscanf(line, "%lu %x %x %ld %63s %lu", &sz, &flags, &mode, &count, exp,
			   &in) != 6 || strcmp(exp, "memlab"))
			continue;
		if (ino && in != ino)
			continue;
		if (size)
			*size = sz;
		n++;
	}
	free(text);
	return n;
}

/* The descriptor the next open() would get. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd >= 0)
		close(fd);
	return fd;
}

static unsigned long ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

/* Every access mode, with and without O_CLOEXEC. */
#define FLAGS_POINTS	6

static void test_flags(int fd, uint32_t handle)
{
	static const struct {
		uint32_t mode;
		const char *name;
	} modes[] = { { O_RDONLY, "O_RDONLY" }, { O_WRONLY, "O_WRONLY" }, { O_RDWR, "O_RDWR" } };
	struct memlab_export e;
	unsigned int i, c;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		for (c = 0; c < 2; c++) {
			uint32_t flags = modes[i].mode | (c ? O_CLOEXEC : 0);
			int ret = dev_export(fd, handle, flags, &e), fl = -1, fdfl = -1;

			if (!ret) {
				fl = fcntl(e.fd, F_GETFL);
				fdfl = fcntl(e.fd, F_GETFD);
			}
			tap_ok(!ret && e.fd >= 0 && e.size == sizeof(e) && e.handle == handle &&
			       e.flags == flags && !e.reserved[0] && !e.reserved[1] &&
			       (fl & O_ACCMODE) == (int)modes[i].mode &&
			       !!(fdfl & FD_CLOEXEC) == c,
			       "export %s%s: fd %d with that access mode%s (%s)", modes[i].name,
			       c ? " | O_CLOEXEC" : "", e.fd, c ? ", close-on-exec" : "",
			       err_name(ret));
			if (!ret)
				close(e.fd);
		}
}

#define ERRORS_POINTS	15

static void test_errors(int fd, uint32_t handle)
{
	static const struct {
		uint32_t flags;
		const char *name;
	} bad_flags[] = {
		{ O_ACCMODE, "O_ACCMODE (3)" },
		{ O_RDWR | O_NONBLOCK, "O_NONBLOCK" },
		{ O_RDWR | 0x80000000u, "bit 31" },
	};
	int fd2, rofd, ret, before, lowest, next = -1;
	struct memlab_allocation_data a;
	struct memlab_export e;
	struct rlimit rl;
	unsigned int i;
	void *ro;

	e = (struct memlab_export){ .size = sizeof(e) - 1, .handle = handle, .flags = O_RDWR };
	ret = ioctl(fd, MEMLAB_IOC_EXPORT, &e) ? -errno : 0;
	tap_ok(ret == -EINVAL, "export, wrong size: EINVAL (%s)", err_name(ret));
	for (i = 0; i < 2; i++) {
		e = (struct memlab_export){ .size = sizeof(e), .handle = handle, .flags = O_RDWR };
		e.reserved[i] = 1;
		ret = ioctl(fd, MEMLAB_IOC_EXPORT, &e) ? -errno : 0;
		tap_ok(ret == -EINVAL, "export, reserved[%u] set: EINVAL (%s)", i, err_name(ret));
	}
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		ret = dev_export(fd, handle, bad_flags[i].flags, &e);
		tap_ok(ret == -EINVAL, "export, flags %s: EINVAL (%s)", bad_flags[i].name,
		       err_name(ret));
	}

	ret = dev_export(fd, 0, O_RDWR, &e);
	tap_ok(ret == -ENOENT, "export handle 0 (the shared buffer): ENOENT (%s)", err_name(ret));
	fd2 = open(DEV_PATH, O_RDWR);
	ret = fd2 >= 0 && !dev_alloc(fd2, page, MEMLAB_CACHE_CACHED, &a) ?
	      dev_export(fd, a.handle, O_RDWR, &e) : -EBADF;
	tap_ok(ret == -ENOENT, "export another open file's handle: ENOENT (%s)", err_name(ret));
	ret = fd2 >= 0 && !dev_free(fd2, a.handle) ? dev_export(fd2, a.handle, O_RDWR, &e) :
	      -EBADF;
	tap_ok(ret == -ENOENT, "export a freed handle: ENOENT (%s)", err_name(ret));
	close(fd2);

	/* A read-only file: its dma-bufs are read-only too. */
	rofd = open(DEV_PATH, O_RDONLY);
	ret = rofd >= 0 && !dev_alloc(rofd, page, MEMLAB_CACHE_CACHED, &a) ? 0 : -EBADF;
	if (!ret)
		ret = dev_export(rofd, a.handle, O_RDWR, &e);
	tap_ok(ret == -EACCES, "export O_RDWR from a read-only file: EACCES (%s)", err_name(ret));
	ret = rofd >= 0 ? dev_export(rofd, a.handle, O_WRONLY, &e) : -EBADF;
	tap_ok(ret == -EACCES, "export O_WRONLY from a read-only file: EACCES (%s)",
	       err_name(ret));
	ret = rofd >= 0 ? dev_export(rofd, a.handle, O_RDONLY, &e) : -EBADF;
	tap_ok(!ret && map_err(e.fd, page, PROT_READ, MAP_SHARED, 0) == 0 &&
	       map_err(e.fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0) == EACCES,
	       "export O_RDONLY from a read-only file: maps PROT_READ, PROT_WRITE EACCES (%s)",
	       err_name(ret));
	if (!ret)
		close(e.fd);
	close(rofd);

	ret = ioctl(fd, MEMLAB_IOC_EXPORT, NULL) ? -errno : 0;
	tap_ok(ret == -EFAULT, "export with a NULL pointer: EFAULT (%s)", err_name(ret));

	/* A reply that cannot be copied out: no descriptor, no dma-buf left. */
	before = bufinfo_rows(0, NULL);
	ro = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ret = -ENOMEM;
	if (ro != MAP_FAILED) {
		e = (struct memlab_export){ .size = sizeof(e), .handle = handle, .flags = O_RDWR };
		memcpy(ro, &e, sizeof(e));
		mprotect(ro, page, PROT_READ);
		lowest = lowest_free_fd();
		ret = ioctl(fd, MEMLAB_IOC_EXPORT, ro) ? -errno : 0;
		next = lowest_free_fd();
		munmap(ro, page);
	}
	tap_ok(ret == -EFAULT && next == lowest && bufinfo_rows(0, NULL) == before,
	       "export into a read-only reply: EFAULT, no descriptor or dma-buf left (%s)",
	       err_name(ret));

	/* No descriptor free below the limit. */
	lowest = lowest_free_fd();
	ret = -EBADF;
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		struct rlimit low = { .rlim_cur = lowest, .rlim_max = rl.rlim_max };

		if (!setrlimit(RLIMIT_NOFILE, &low)) {
			ret = dev_export(fd, handle, O_RDWR, &e);
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	tap_ok(ret == -EMFILE && bufinfo_rows(0, NULL) == before,
	       "export with no descriptor free: EMFILE, no dma-buf left (%s)", err_name(ret));
}

static const struct {
	uint32_t flags;
	const char *name;
} cache_modes[] = {
	{ MEMLAB_CACHE_CACHED, "cached" },
	{ MEMLAB_CACHE_WC, "write-combine" },
	{ MEMLAB_CACHE_UNCACHED, "non-cached" },
};

#define MMAP_POINTS	(ARRAY_SIZE(cache_modes) + 4)

/* The dma-buf's mapping is the buffer's: same bytes, same rules. */
static void test_mmap(int fd)
{
	struct memlab_allocation_data a;
	uint8_t *m, *d;
	unsigned int i;
	int dfd, ret;
	struct buf_row row;

	for (i = 0; i < ARRAY_SIZE(cache_modes); i++) {
		ret = dev_alloc(fd, BUF_BYTES, cache_modes[i].flags, &a);
		if (ret == -EOPNOTSUPP && i) {
			tap_skip("memlab_dev refuses this mode here", "%s: the dma-buf maps",
				 cache_modes[i].name);
			continue;
		}
		dfd = ret ? ret : export_fd(fd, a.handle);
		m = dfd >= 0 ? map(fd, a.bytes, a.mmap_offset) : MAP_FAILED;
		d = dfd >= 0 ? map(dfd, a.bytes, 0) : MAP_FAILED;
		ret = m != MAP_FAILED && d != MAP_FAILED;
		if (ret) {
			fill(m, a.bytes, 1 + i);
			ret = filled(d, a.bytes, 1 + i);
			fill(d + page, page, 100 + i);
			ret = ret && filled(m + page, page, 100 + i);
		}
		tap_ok(ret, "%s: the dma-buf's mapping and the memlab mapping see the same bytes",
		       cache_modes[i].name);
		if (!i) {
			/* Part of it, from its second page. */
			uint8_t *part = dfd >= 0 ? map(dfd, page, page) : MAP_FAILED;

			tap_ok(part != MAP_FAILED && filled(part, page, 100),
			       "a mapping of the dma-buf from its second page sees that page");
			if (part != MAP_FAILED)
				munmap(part, page);
			ret = map_err(dfd, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
			tap_ok(ret == EINVAL, "MAP_PRIVATE of the dma-buf: EINVAL (%s)",
			       strerror(ret));
			ret = map_err(dfd, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED,
				      a.bytes - page);
			tap_ok(ret == EINVAL, "a dma-buf mapping past its end: EINVAL (%s)",
			       strerror(ret));
			/* The buffers report counts the dma-buf's mapping as the buffer's. */
			ret = buffers_find(a.handle, &row);
			tap_ok(ret == 1 && row.fds == 1 && row.vmas == 2,
			       "buffers: fds 1, vmas 2 (the memlab and the dma-buf mapping): %d %d",
			       ret == 1 ? row.fds : -1, ret == 1 ? row.vmas : -1);
		}
		if (m != MAP_FAILED)
			munmap(m, a.bytes);
		if (d != MAP_FAILED)
			munmap(d, a.bytes);
		if (dfd >= 0)
			close(dfd);
		dev_free(fd, a.handle);
	}
}

#define SYNC_POINTS	3

static void test_sync(int fd)
{
	static const uint64_t dirs[] = { DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW };
	struct memlab_allocation_data a;
	unsigned int i;
	int dfd, ret = 0;
	uint8_t *d = MAP_FAILED;

	dfd = dev_alloc(fd, BUF_BYTES, MEMLAB_CACHE_CACHED, &a) ? -1 : export_fd(fd, a.handle);
	if (dfd >= 0)
		d = map(dfd, a.bytes, 0);
	for (i = 0; d != MAP_FAILED && !ret && i < ARRAY_SIZE(dirs); i++) {
		ret = dmabuf_sync(dfd, DMA_BUF_SYNC_START | dirs[i]);
		fill(d, a.bytes, 7 + i);
		if (!ret)
			ret = dmabuf_sync(dfd, DMA_BUF_SYNC_END | dirs[i]);
	}
	tap_ok(d != MAP_FAILED && !ret,
	       "DMA_BUF_IOCTL_SYNC start and end, read, write and both (%s)", err_name(ret));
	tap_ok(d != MAP_FAILED && filled(d, a.bytes, 9), "the CPU's bytes survive the syncs");
	ret = dfd >= 0 ? dmabuf_sync(dfd, DMA_BUF_SYNC_START) : -EBADF;
	tap_ok(ret == -EINVAL, "DMA_BUF_IOCTL_SYNC with no direction: EINVAL (%s)",
	       err_name(ret));
	if (d != MAP_FAILED)
		munmap(d, a.bytes);
	if (dfd >= 0)
		close(dfd);
	dev_free(fd, a.handle);
}

#define BUFINFO_POINTS	2

static void test_bufinfo(int fd)
{
	struct memlab_allocation_data a;
	unsigned long size = 0, ino;
	char *text, *line, *save;
	int dfd, n;

	if (access(BUFINFO, R_OK)) {
		tap_skip("no " BUFINFO, "bufinfo lists the dma-buf");
		tap_skip("no " BUFINFO, "bufinfo drops it when it is closed");
		return;
	}
	dfd = dev_alloc(fd, BUF_BYTES, MEMLAB_CACHE_CACHED, &a) ? -1 : export_fd(fd, a.handle);
	ino = dfd >= 0 ? ino_of(dfd) : 0;
	n = ino ? bufinfo_rows(ino, &size) : -1;
	text = slurp(BUFINFO);
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		tap_diag("bufinfo: %s", line);
	free(text);
	tap_ok(n == 1 && size == a.bytes,
	       "bufinfo lists the dma-buf (inode %lu) once, exporter memlab, %lu bytes", ino,
	       size);
	if (dfd >= 0)
		close(dfd);
	dev_free(fd, a.handle);
	n = ino ? bufinfo_rows(ino, NULL) : -1;
	tap_ok(n == 0, "bufinfo drops it once it is closed (%d rows)", n);
}

/*
 * The four holders of a buffer a program exporting it has: its memlab
 * file, the memlab mapping, the dma-buf's file and the dma-buf's mapping.
 */
enum { MEMLAB_FD, MEMLAB_MAP, DMABUF_FD, DMABUF_MAP, NR_HOLDERS };

static const char *const holder_names[] = {
	[MEMLAB_FD] = "memlab fd", [MEMLAB_MAP] = "memlab mapping",
	[DMABUF_FD] = "dma-buf fd", [DMABUF_MAP] = "dma-buf mapping",
};

#define ORDERS_POINTS	24	/* 4! */

/* The @n-th order of the four holders, @n below 24 (a Lehmer code). */
static void nth_order(unsigned int n, unsigned int o[NR_HOLDERS])
{
	unsigned int left[NR_HOLDERS] = { 0, 1, 2, 3 }, f = 6, i, k;

	for (i = 0; i < NR_HOLDERS; i++) {
		k = n / f;
		n %= f;
		o[i] = left[k];
		memmove(&left[k], &left[k + 1], (NR_HOLDERS - 1 - k) * sizeof(left[0]));
		if (f > 1)
			f /= NR_HOLDERS - 1 - i;
	}
}

/*
 * Every order of letting the four go: the buffer stays, its bytes
 * readable through whichever mapping is left, until the last; then the
 * pool has every page back.
 */
static void test_close_orders(void)
{
	long before = pool_free_pages(), pages = BUF_BYTES / page;
	unsigned int o[NR_HOLDERS], i, n;

	for (n = 0; n < ORDERS_POINTS; n++) {
		struct memlab_allocation_data a = { .bytes = BUF_BYTES };
		uint8_t *m = MAP_FAILED, *d = MAP_FAILED;
		int fd, dfd = -1, ok = 0, live;
		char why[96] = "";

		nth_order(n, o);
		fd = open(DEV_PATH, O_RDWR);
		if (fd >= 0 && !dev_alloc(fd, BUF_BYTES, MEMLAB_CACHE_CACHED, &a)) {
			m = map(fd, a.bytes, a.mmap_offset);
			dfd = export_fd(fd, a.handle);
			if (dfd >= 0)
				d = map(dfd, a.bytes, 0);
		}
		if (m != MAP_FAILED && d != MAP_FAILED) {
			fill(m, a.bytes, n + 1);
			ok = filled(d, a.bytes, n + 1) && pool_free_pages() == before - pages;
			if (!ok)
				snprintf(why, sizeof(why), ": not set up");
		}
		for (i = 0; i < NR_HOLDERS; i++) {
			switch (o[i]) {
			case MEMLAB_FD:
				close(fd);
				break;
			case MEMLAB_MAP:
				if (m != MAP_FAILED)
					munmap(m, a.bytes);
				m = MAP_FAILED;
				break;
			case DMABUF_FD:
				close(dfd);
				break;
			case DMABUF_MAP:
				if (d != MAP_FAILED)
					munmap(d, a.bytes);
				d = MAP_FAILED;
				break;
			}
			if (!ok || i == NR_HOLDERS - 1)
				continue;
			live = pool_free_pages() == before - pages &&
			       (m == MAP_FAILED || filled(m, a.bytes, n + 1)) &&
			       (d == MAP_FAILED || filled(d, a.bytes, n + 1));
			if (!live) {
				ok = 0;
				snprintf(why, sizeof(why), ": gone or changed after the %s",
					 holder_names[o[i]]);
			}
		}
		if (ok && pool_free_pages() != before) {
			ok = 0;
			snprintf(why, sizeof(why), ": %ld free pages, not %ld", pool_free_pages(),
				 before);
		}
		tap_ok(ok, "close %s, %s, %s, %s: the buffer lives to the last, then is freed%s",
		       holder_names[o[0]], holder_names[o[1]], holder_names[o[2]],
		       holder_names[o[3]], why);
	}
}

#define UNPRIVILEGED_POINTS	1

/* Any user exports a buffer of its own, maps and syncs the dma-buf. */
static void test_unprivileged(void)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		struct memlab_allocation_data a;
		uint8_t *m, *d;
		int fd, dfd;

		if (become_nobody())
			_exit(9);
		fd = open(DEV_PATH, O_RDWR);
		if (fd < 0 || dev_alloc(fd, BUF_BYTES, MEMLAB_CACHE_CACHED, &a))
			_exit(10);
		dfd = export_fd(fd, a.handle);
		if (dfd < 0)
			_exit(11);
		m = map(fd, a.bytes, a.mmap_offset);
		d = map(dfd, a.bytes, 0);
		if (m == MAP_FAILED || d == MAP_FAILED)
			_exit(12);
		if (dmabuf_sync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE))
			_exit(13);
		fill(d, a.bytes, 42);
		if (dmabuf_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE))
			_exit(14);
		_exit(filled(m, a.bytes, 42) ? 0 : 15);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "uid 65534 exports a buffer of its own, maps and syncs it (exit %d)",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* vgem as the importer, when its modules were put next to the tests. */
#define IMPORTER_POINTS	7
#define IMPORTERS_ORDER	"load-order"

static struct importers importers;

/* An open DRM node of vgem, or -1. */
static int vgem_open(void)
{
	char name[32], path[300];
	struct dirent *de;
	DIR *dir;
	int fd = -1;

	dir = opendir("/dev/dri");
	while (dir && fd < 0 && (de = readdir(dir))) {
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

		if (strncmp(de->d_name, "card", 4))
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		memset(name, 0, sizeof(name));
		if (fd >= 0 && (ioctl(fd, DRM_IOCTL_VERSION, &v) || strcmp(name, "vgem"))) {
			close(fd);
			fd = -1;
		}
	}
	if (dir)
		closedir(dir);
	return fd;
}

static void test_importer(void)
{
	struct drm_prime_handle prime = { .fd = -1 };
	struct memlab_allocation_data a;
	long before = pool_free_pages();
	char why[160], *info;
	int fd, dfd = -1, vfd = -1, ret, i;
	uint8_t *d = MAP_FAILED;

	if (importers_load(&importers, testdir, IMPORTERS_ORDER, "vgem", NULL, why,
			   sizeof(why))) {
		importers_unload(&importers);
		for (i = 0; i < IMPORTER_POINTS; i++)
			tap_skip(why, "vgem imports the dma-buf, step %d", i + 1);
		return;
	}
	vfd = vgem_open();
	tap_ok(vfd >= 0, "vgem's modules load and its DRM node opens");

	fd = open(DEV_PATH, O_RDWR);
	if (fd >= 0 && !dev_alloc(fd, BUF_BYTES, MEMLAB_CACHE_CACHED, &a))
		dfd = export_fd(fd, a.handle);
	prime.fd = dfd;
	ret = vfd >= 0 && dfd >= 0 && !ioctl(vfd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime) ? 0 :
	      -errno;
	tap_ok(!ret && prime.handle, "vgem imports the dma-buf: GEM handle %u (%s)", prime.handle,
	       err_name(ret));

	info = slurp(BUFINFO);
	tap_ok(info && strstr(info, "memlab") && strstr(info, "\tvgem\n"),
	       "bufinfo lists vgem among the devices attached");
	free(info);

	/* The attachment is mapped: the syncs walk its table. */
	if (dfd >= 0)
		d = map(dfd, a.bytes, 0);
	ret = d == MAP_FAILED ? -EBADF : dmabuf_sync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	if (!ret) {
		fill(d, a.bytes, 77);
		ret = dmabuf_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	}
	tap_ok(!ret && filled(d, a.bytes, 77),
	       "DMA_BUF_IOCTL_SYNC with vgem's mapping in place (%s)", err_name(ret));

	/* User space lets go of everything: vgem's import keeps the buffer. */
	if (d != MAP_FAILED)
		munmap(d, a.bytes);
	if (dfd >= 0)
		close(dfd);
	if (fd >= 0)
		close(fd);
	tap_ok(pool_free_pages() == before - BUF_BYTES / page,
	       "with user space gone, vgem's import holds the buffer");

	if (vfd >= 0 && prime.handle) {
		struct drm_gem_close gc = { .handle = prime.handle };

		ioctl(vfd, DRM_IOCTL_GEM_CLOSE, &gc);
	}
	if (vfd >= 0)
		close(vfd);
	tap_ok(pool_free_pages() == before,
	       "vgem's GEM handle closed: detached, and the buffer is freed (%ld, %ld)",
	       before, pool_free_pages());
	ret = importers_unload(&importers);
	tap_ok(!ret, "vgem's modules unload (%s)", err_name(ret));
}

#define RMMOD_POINTS	4

/* A dma-buf holds memlab_dev: no unload until it is closed. */
static void test_rmmod(void)
{
	struct memlab_allocation_data a;
	char path[512];
	int fd, dfd = -1, ret;
	uint8_t *d = MAP_FAILED;

	snprintf(path, sizeof(path), "%s/../modules/memlab_dev.ko", testdir);
	if (access(path, R_OK)) {
		for (ret = 0; ret < RMMOD_POINTS; ret++)
			tap_skip("memlab_dev.ko is not in ../modules", "rmmod step %d", ret + 1);
		return;
	}
	fd = open(DEV_PATH, O_RDWR);
	if (fd >= 0 && !dev_alloc(fd, BUF_BYTES, MEMLAB_CACHE_CACHED, &a))
		dfd = export_fd(fd, a.handle);
	if (dfd >= 0) {
		d = map(fd, a.bytes, a.mmap_offset);
		if (d != MAP_FAILED) {
			fill(d, a.bytes, 5);
			munmap(d, a.bytes);
		}
	}
	if (fd >= 0)
		close(fd);
	ret = module_remove("memlab_dev");
	tap_ok(dfd >= 0 && ret == -EWOULDBLOCK && module_loaded("memlab_dev"),
	       "rmmod memlab_dev with only a dma-buf open: EWOULDBLOCK (%s)", err_name(ret));
	d = dfd >= 0 ? map(dfd, a.bytes, 0) : MAP_FAILED;
	tap_ok(d != MAP_FAILED && filled(d, a.bytes, 5),
	       "the dma-buf still maps the buffer's bytes after the refusal");
	if (d != MAP_FAILED)
		munmap(d, a.bytes);
	if (dfd >= 0)
		close(dfd);
	ret = module_remove("memlab_dev");
	tap_ok(!ret && !module_loaded("memlab_dev"),
	       "rmmod memlab_dev once the dma-buf is closed (%s)", err_name(ret));
	ret = module_loaded("memlab_dev") ? 0 : module_insert(path, "");
	tap_ok(!ret && !access(DEV_PATH, F_OK), "memlab_dev loads again (%s)", err_name(ret));
}

#define REFUSED_POINTS	(ARRAY_SIZE(cache_modes) + 2)

/* A pool outside the linear map: no struct pages for importers. */
static void test_refused(int fd)
{
	struct memlab_allocation_data a;
	int ret, rows = bufinfo_rows(0, NULL), lowest = lowest_free_fd();
	long before = pool_free_pages();
	unsigned int i;
	uint8_t *m;

	for (i = 0; i < ARRAY_SIZE(cache_modes); i++) {
		ret = dev_alloc(fd, BUF_BYTES, cache_modes[i].flags, &a);
		if (ret == -EOPNOTSUPP && i) {
			tap_skip("memlab_dev refuses this mode here", "%s: export refused",
				 cache_modes[i].name);
			continue;
		}
		if (!ret) {
			ret = export_fd(fd, a.handle);
			if (ret >= 0)
				close(ret);
			dev_free(fd, a.handle);
		}
		tap_ok(ret == -EOPNOTSUPP, "%s: export EOPNOTSUPP (%s)", cache_modes[i].name,
		       ret >= 0 ? "exported" : strerror(-ret));
	}
	tap_ok(bufinfo_rows(0, NULL) == rows && lowest_free_fd() == lowest,
	       "no dma-buf and no descriptor left");
	ret = dev_alloc(fd, BUF_BYTES, MEMLAB_CACHE_CACHED, &a);
	m = ret ? MAP_FAILED : map(fd, a.bytes, a.mmap_offset);
	if (m != MAP_FAILED) {
		fill(m, a.bytes, 3);
		ret = !filled(m, a.bytes, 3);
		munmap(m, a.bytes);
	}
	if (!ret || m != MAP_FAILED)
		dev_free(fd, a.handle);
	tap_ok(m != MAP_FAILED && !ret && pool_free_pages() == before,
	       "buffers still map, and the pool ends as it began");
}

int main(int argc, char **argv)
{
	struct memlab_allocation_data a;
	char self[256];
	long before;
	int fd, dfd;

	page = sysconf(_SC_PAGESIZE);
	snprintf(self, sizeof(self), "%s", argc > 0 ? argv[0] : "");
	snprintf(testdir, sizeof(testdir), "%s", dirname(self));
	tap_begin();

	fd = open(DEV_PATH, O_RDWR);
	if (fd < 0)
		tap_skip_all(DEV_PATH " does not open (memlab_dev not loaded)");
	if (argc > 1 && !strcmp(argv[1], "refused")) {
		/* Refused for want of dma-buf would prove nothing. */
		if (access(DMA_BUF_DIR, F_OK))
			tap_skip_all("no " DMA_BUF_DIR ": this kernel has no dma-buf");
		tap_plan(REFUSED_POINTS);
		test_refused(fd);
		close(fd);
		return tap_done();
	}
	if (dev_alloc(fd, BUF_BYTES, MEMLAB_CACHE_CACHED, &a))
		tap_skip_all("MEMLAB_IOC_ALLOC fails: no buffer to export");
	dfd = export_fd(fd, a.handle);
	if (dfd == -EOPNOTSUPP && access(DMA_BUF_DIR, F_OK))
		tap_skip_all("MEMLAB_IOC_EXPORT: EOPNOTSUPP, this kernel has no dma-buf");
	if (dfd == -EOPNOTSUPP)
		tap_bail("MEMLAB_IOC_EXPORT: EOPNOTSUPP, though the kernel has dma-buf");
	if (dfd == -ENOTTY)
		tap_skip_all("MEMLAB_IOC_EXPORT: ENOTTY, memlab_dev is older than ABI 3");
	if (dfd >= 0)
		close(dfd);
	before = pool_free_pages();

	tap_plan(FLAGS_POINTS + ERRORS_POINTS + MMAP_POINTS + SYNC_POINTS + BUFINFO_POINTS +
		 ORDERS_POINTS + UNPRIVILEGED_POINTS + IMPORTER_POINTS + 1 + RMMOD_POINTS);
	test_flags(fd, a.handle);
	test_errors(fd, a.handle);
	test_mmap(fd);
	test_sync(fd);
	test_bufinfo(fd);
	test_close_orders();
	test_unprivileged();
	test_importer();
	dev_free(fd, a.handle);
	close(fd);
	tap_ok(pool_free_pages() == before + BUF_BYTES / page && check_ok(),
	       "the pool ends as it began, its check ok (%ld free pages, %ld at the start)",
	       pool_free_pages(), before + BUF_BYTES / page);
	test_rmmod();
	return tap_done();
}
