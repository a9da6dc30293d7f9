/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the /dev/memlab TAP tests: ioctl wrappers that return
 * -errno, the pool's debugfs counters, a parser for the memlab/dev/buffers
 * report exactly as docs/dev.rst documents it, and loop devices to read
 * with O_DIRECT.
 */
#ifndef MEMLAB_DEV_COMMON_H
#define MEMLAB_DEV_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <linux/loop.h>
#include <unistd.h>

#include <memlab.h>

#include "memlab_test.h"

#define DEV_PATH	"/dev/memlab"
#define DBG		"/sys/kernel/debug/memlab"
#define PARAMS		"/sys/module/memlab_dev/parameters"

static inline int dev_info(int fd, struct memlab_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return ioctl(fd, MEMLAB_IOC_INFO, info) ? -errno : 0;
}

static inline int dev_alloc(int fd, uint64_t length, uint32_t flags,
			    struct memlab_allocation_data *a)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->flags = flags;
	a->length = length;
	return ioctl(fd, MEMLAB_IOC_ALLOC, a) ? -errno : 0;
}

static inline int dev_free(int fd, uint32_t handle)
{
	struct memlab_free f = { .size = sizeof(f), .handle = handle };

	return ioctl(fd, MEMLAB_IOC_FREE, &f) ? -errno : 0;
}

/* A "key value" line of memlab/alloc/default/stats, or -1. */
static inline long pool_stat(const char *key)
{
	char *text = slurp(DBG "/alloc/default/stats"), *line, *save;
	size_t klen = strlen(key);
	long val = -1;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			val = strtol(line + klen, NULL, 0);
			break;
		}
	free(text);
	return val;
}

static inline long pool_free_pages(void)
{
	return pool_stat("free_pages");
}

/* One row of memlab/dev/buffers. */
struct buf_row {
	unsigned int handle, order;
	unsigned long bytes;
	char cache[16];
	int fds, vmas, pid;
	char comm[64];
	unsigned long long phys;
	char map[16];
};

#define BUFFERS_HEADER	"handle bytes order cache fds vmas pid comm phys map"

/*
 * Parse the buffers report into @rows (at most @max). Return the number of
 * rows, or -1 when the report does not have the documented shape (the
 * reason is printed as a TAP diagnostic).
 */
static inline int buffers_parse(struct buf_row *rows, int max)
{
	char *text = slurp(DBG "/dev/buffers"), *line, *save, hdr[256];
	int n = 0, first = 1, bad = 0;

	if (!text) {
		tap_diag("%s: %s", DBG "/dev/buffers", strerror(errno));
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct buf_row r;
		char phys[64], *end;
		int len;

		if (first) {
			/* Header: the column names, single spaces once squeezed. */
			char *w, *s2, tmp[256];
			size_t o = 0;

			snprintf(tmp, sizeof(tmp), "%s", line);
			for (w = strtok_r(tmp, " ", &s2); w; w = strtok_r(NULL, " ", &s2))
				o += snprintf(hdr + o, sizeof(hdr) - o, "%s%s", o ? " " : "", w);
			first = 0;
			if (strcmp(hdr, BUFFERS_HEADER)) {
				tap_diag("buffers: header '%s'", line);
				bad = 1;
				break;
			}
			continue;
		}
		memset(&r, 0, sizeof(r));
		if (sscanf(line, "%u %lu %u %15s %d %d %d %63s %63s %15s%n", &r.handle, &r.bytes,
			   &r.order, r.cache, &r.fds, &r.vmas, &r.pid, r.comm, phys, r.map,
			   &len) != 10 ||
		    line[len] || strncmp(phys, "0x", 2) || strlen(phys) != 18 ||
		    (r.phys = strtoull(phys, &end, 16), *end) ||
		    (strcmp(r.cache, "cached") && strcmp(r.cache, "wc") &&
		     strcmp(r.cache, "uncached")) ||
		    (strcmp(r.map, "pfn") && strcmp(r.map, "pages") && strcmp(r.map, "pinned"))) {
			tap_diag("buffers: bad row '%s'", line);
			bad = 1;
			break;
		}
		if (n < max)
			rows[n] = r;
		n++;
	}
	free(text);
	if (first && !bad) {
		tap_diag("buffers: empty report");
		bad = 1;
	}
	return bad ? -1 : n;
}

/* The row of @handle, 1 if found, 0 if not, -1 if the report is broken. */
static inline int buffers_find(unsigned int handle, struct buf_row *out)
{
	struct buf_row rows[256];
	int n = buffers_parse(rows, 256), i;

	if (n < 0)
		return -1;
	for (i = 0; i < n && i < 256; i++)
		if (rows[i].handle == handle) {
			*out = rows[i];
			return 1;
		}
	return 0;
}

/*
 * Become uid and gid 65534: a user of /dev/memlab without privilege. The
 * node is mode 0666, or 0660 for a group of its own after make
 * install-udev (board.rst); then uid 65534 keeps that group, as its
 * members do, so what the tests take away is the privilege, not the
 * access. 0, or -1 with errno.
 */
static inline int become_nobody(void)
{
	struct stat st;
	gid_t gid;

	if (stat(DEV_PATH, &st) == 0 && st.st_gid != 0) {
		gid = st.st_gid;
		if (setgroups(1, &gid))
			return -1;
	} else if (setgroups(0, NULL)) {
		return -1;
	}
	return setgid(65534) || setuid(65534) ? -1 : 0;
}

/* Write a module parameter; 0 or -errno. */
static inline int param_write(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), PARAMS "/%s", name);
	return write_file(path, val);
}

static inline int check_ok(void)
{
	char *chk = slurp(DBG "/alloc/default/check");
	int ok = chk && strstr(chk, "\nresult: ok\n");

	free(chk);
	return ok;
}

/*
 * The dma-buf importers scripts/rootfs.sh puts beside a stock kernel's
 * tests: the modules ../importers/@order names (from @testdir; @what, in
 * the reason when there is no such file), loaded in
 * that order, each with @params(its /sys/module name) (NULL: none).
 * Loaded ones are kept, by /sys/module name ("videobuf2-v4l2" is
 * "videobuf2_v4l2"), for importers_unload(). 0, or -errno with @why.
 */
struct importers {
	char name[64][64];
	int n;
};

static inline int importers_load(struct importers *im, const char *testdir,
				 const char *order, const char *what,
				 const char *(*params)(const char *), char *why, size_t len)
{
	char dir[320], path[512], k[64], *list, *name, *save;
	int ret = 0;
	size_t i;

	snprintf(dir, sizeof(dir), "%s/../importers", testdir);
	snprintf(path, sizeof(path), "%s/%s", dir, order);
	list = slurp(path);
	if (!list) {
		snprintf(why, len, "no ../importers/%s (no %s for this kernel)", order, what);
		return -ENOENT;
	}
	for (name = strtok_r(list, " \n", &save); name && !ret;
	     name = strtok_r(NULL, " \n", &save)) {
		snprintf(k, sizeof(k), "%s", name);
		for (i = 0; k[i]; i++)
			if (k[i] == '-')
				k[i] = '_';
		if (module_loaded(k))
			continue;
		snprintf(path, sizeof(path), "%s/%s.ko", dir, name);
		ret = module_insert(path, params ? params(k) : "");
		if (ret)
			snprintf(why, len, "insmod %s: %s", name, strerror(-ret));
		else if (im->n < (int)ARRAY_SIZE(im->name))
			snprintf(im->name[im->n++], sizeof(im->name[0]), "%s", k);
	}
	free(list);
	return ret;
}

/* Unload what importers_load() loaded, last first: 0, or a -errno or'ed. */
static inline int importers_unload(struct importers *im)
{
	int ret = 0;

	while (im->n > 0)
		ret |= module_remove(im->name[--im->n]);
	return ret;
}

/* A loop device over the file @file: its path in @dev; 0 or -errno. */
static inline int loop_attach(const char *file, char *dev, size_t n)
{
	int ctl, nr, lfd, bfd, ret = 0;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return -errno;
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (nr < 0)
		return -errno;
	snprintf(dev, n, "/dev/loop%d", nr);
	bfd = open(file, O_RDWR | O_CLOEXEC);
	lfd = open(dev, O_RDWR | O_CLOEXEC);
	if (bfd < 0 || lfd < 0 || ioctl(lfd, LOOP_SET_FD, bfd))
		ret = -errno;
	if (bfd >= 0)
		close(bfd);
	if (lfd >= 0)
		close(lfd);
	return ret;
}

static inline void loop_detach(const char *dev)
{
	int lfd = open(dev, O_RDWR | O_CLOEXEC);

	if (lfd >= 0) {
		ioctl(lfd, LOOP_CLR_FD, 0);
		close(lfd);
	}
}

/*
 * The kernel maps 2M blocks of PFN buffers with PMDs (dev.rst, "Large
 * mappings"): 6.12 or later, with transparent huge pages.
 */
static inline int kernel_maps_huge(void)
{
	struct utsname u;
	int major, minor;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 0;
	if (major < 6 || (major == 6 && minor < 12))
		return 0;
	return !access("/sys/kernel/mm/transparent_hugepage", F_OK);
}

#endif
