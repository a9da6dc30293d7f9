// SPDX-License-Identifier: GPL-2.0-only
/*
 * dev_vivid_test: a V4L2 driver captures into /dev/memlab's buffers.
 *
 * V4L2's virtual video test driver, vivid, imports memlab dma-bufs
 * (MEMLAB_IOC_EXPORT) as V4L2_MEMORY_DMABUF capture buffers and fills them
 * with frames. Two vivid instances are loaded: one with vb2-vmalloc
 * (allocators=0: the frame is written through the dma-buf's vmap) and one
 * with vb2-dma-contig (allocators=1: the importer maps the attachment and
 * insists on one contiguous DMA range). For each, the frames are checked
 * through memlab's own mapping of the buffer, so they landed in memlab
 * memory; bufinfo lists the dma-bufs, and the vivid device attached to
 * them with vb2-dma-contig (vb2-vmalloc only vmaps); closing /dev/memlab
 * and the dma-bufs while streaming leaves the buffers to the importer,
 * which still captures into them, and VIDIOC_REQBUFS(0) gives the pool
 * back all of it.
 *
 * vivid and the modules it needs come from ../importers/vivid-load-order
 * (scripts/rootfs.sh puts them there for a stock kernel that has vivid);
 * without them every point is skipped with the reason. Prints TAP.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <libgen.h>
#include <linux/dma-buf.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <sys/mman.h>

#include "dev_common.h"

#define ORDER_FILE	"vivid-load-order"
#define BUFINFO		"/sys/kernel/debug/dma_buf/bufinfo"
#define NBUF		2
#define FILL		0x5a
#define FRAMES		4
#define INSTANCE_POINTS	9

/* One vivid instance per allocator, video capture nodes only. */
#define VIVID_PARAMS	"n_devs=2 node_types=0x1,0x1 allocators=0,1 num_inputs=1,1 " \
			"input_types=0x0,0x0 no_error_inj=1"

static char testdir[256];
static struct importers loaded;

/* vivid's parameters; none for the modules it needs */
static const char *vivid_params(const char *name)
{
	return strcmp(name, "vivid") ? "" : VIVID_PARAMS;
}

/* The capture node of vivid instance @inst ("platform:vivid-00N"), or -1. */
static int vivid_open(int inst)
{
	char bus[32], path[300];
	struct dirent *de;
	DIR *dir;
	int fd = -1;

	snprintf(bus, sizeof(bus), "platform:vivid-%03d", inst);
	dir = opendir("/dev");
	while (dir && fd < 0 && (de = readdir(dir))) {
		struct v4l2_capability cap;

		if (strncmp(de->d_name, "video", 5))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		memset(&cap, 0, sizeof(cap));
		if (fd >= 0 && (ioctl(fd, VIDIOC_QUERYCAP, &cap) ||
				strcmp((char *)cap.driver, "vivid") ||
				strcmp((char *)cap.bus_info, bus) ||
				!(cap.device_caps & V4L2_CAP_VIDEO_CAPTURE))) {
			close(fd);
			fd = -1;
		}
	}
	if (dir)
		closedir(dir);
	return fd;
}

static int export_fd(int fd, uint32_t handle)
{
	struct memlab_export e = {
		.size = sizeof(e), .handle = handle, .flags = O_RDWR | O_CLOEXEC, .fd = -1,
	};

	return ioctl(fd, MEMLAB_IOC_EXPORT, &e) ? -errno : (int)e.fd;
}

/* Bytes of @p that are no longer the fill. */
static size_t changed(const uint8_t *p, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += p[i] != FILL;
	return n;
}

/* Occurrences of @needle in @s. */
static int count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static int dqbuf(int vfd, struct v4l2_buffer *b)
{
	struct pollfd pfd = { .fd = vfd, .events = POLLIN };

	if (poll(&pfd, 1, 10000) != 1)
		return -ETIMEDOUT;
	memset(b, 0, sizeof(*b));
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = V4L2_MEMORY_DMABUF;
	return ioctl(vfd, VIDIOC_DQBUF, b) ? -errno : 0;
}

static int qbuf(int vfd, unsigned int index, int dfd, size_t len)
{
	struct v4l2_buffer b = {
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_DMABUF,
		.index = index, .length = len,
	};

	b.m.fd = dfd;
	return ioctl(vfd, VIDIOC_QBUF, &b) ? -errno : 0;
}

static const char *const allocator[] = { "vb2-vmalloc", "vb2-dma-contig" };

static void test_instance(int inst)
{
	struct memlab_allocation_data a[NBUF];
	int dfd[NBUF] = { -1, -1 }, vfd, fd, ret = 0, i, frames = 0, good = 0;
	uint8_t *m[NBUF] = { MAP_FAILED, MAP_FAILED };
	const char *al = allocator[inst];
	struct v4l2_requestbuffers rb;
	struct v4l2_format f;
	long before = pool_free_pages();
	size_t sizeimage = 0;
	char *info;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	vfd = vivid_open(inst);
	fd = open(DEV_PATH, O_RDWR);
	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (vfd >= 0 && !ioctl(vfd, VIDIOC_G_FMT, &f))
		sizeimage = f.fmt.pix.sizeimage;
	tap_ok(vfd >= 0 && fd >= 0 && sizeimage,
	       "%s: vivid's capture node opens, frames of %zu bytes (%ux%u)", al, sizeimage,
	       f.fmt.pix.width, f.fmt.pix.height);

	memset(&rb, 0, sizeof(rb));
	rb.count = NBUF;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_DMABUF;
	ret = vfd >= 0 && !ioctl(vfd, VIDIOC_REQBUFS, &rb) ? 0 : -errno;
	tap_ok(!ret && rb.count == NBUF, "%s: VIDIOC_REQBUFS(%d, DMABUF) (%s, %u buffers)", al,
	       NBUF, ret ? strerror(-ret) : "success", rb.count);

	/* memlab buffers, filled through memlab's mapping, queued as dma-bufs */
	for (i = 0; i < NBUF && !ret; i++) {
		ret = sizeimage && fd >= 0 ? dev_alloc(fd, sizeimage, MEMLAB_CACHE_CACHED, &a[i]) :
		      -EINVAL;
		if (ret)
			break;
		m[i] = mmap(NULL, a[i].bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			    a[i].mmap_offset);
		if (m[i] == MAP_FAILED) {
			ret = -errno;
			break;
		}
		memset(m[i], FILL, a[i].bytes);
		dfd[i] = export_fd(fd, a[i].handle);
		ret = dfd[i] < 0 ? dfd[i] : qbuf(vfd, i, dfd[i], a[i].bytes);
	}
	tap_ok(!ret, "%s: %d memlab buffers exported and queued (%s)", al, NBUF,
	       ret ? strerror(-ret) : "success");

	/*
	 * vb2-dma-contig attaches (and maps the attachment when the buffer is
	 * queued); vb2-vmalloc only vmaps the dma-buf.
	 */
	info = slurp(BUFINFO);
	tap_ok(info && count(info, "memlab") >= NBUF && (!inst || strstr(info, "vivid")),
	       "%s: bufinfo lists memlab's %d dma-bufs%s", al, NBUF,
	       inst ? ", vivid attached" : "");
	free(info);

	ret = ret ? ret : ioctl(vfd, VIDIOC_STREAMON, &type) ? -errno : 0;
	/* Each frame, as memlab's mapping sees it, then back in the queue */
	while (!ret && frames < FRAMES) {
		struct v4l2_buffer b;
		struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };

		ret = dqbuf(vfd, &b);
		if (ret || b.index >= NBUF)
			break;
		frames++;
		ioctl(dfd[b.index], DMA_BUF_IOCTL_SYNC, &s);
		if (b.bytesused == sizeimage && changed(m[b.index], sizeimage) > sizeimage / 2)
			good++;
		s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
		ioctl(dfd[b.index], DMA_BUF_IOCTL_SYNC, &s);
		memset(m[b.index], FILL, sizeimage);
		ret = qbuf(vfd, b.index, dfd[b.index], a[b.index].bytes);
	}
	tap_ok(!ret && frames == FRAMES, "%s: %d frames captured (%s)", al, frames,
	       ret ? strerror(-ret) : "success");
	tap_ok(frames && good == frames,
	       "%s: every frame is in memlab memory: memlab's mapping sees all %zu bytes "
	       "used and most overwritten (%d of %d frames)", al, sizeimage, good, frames);

	/* User space lets go of memlab while vivid streams: vivid holds the buffers */
	for (i = 0; i < NBUF; i++) {
		if (m[i] != MAP_FAILED)
			munmap(m[i], a[i].bytes);
		if (dfd[i] >= 0)
			close(dfd[i]);
	}
	if (fd >= 0)
		close(fd);
	tap_ok(pool_free_pages() < before,
	       "%s: memlab's file, mappings and dma-bufs closed while streaming: vivid holds "
	       "the buffers", al);
	{
		struct v4l2_buffer b;

		/* a frame still arrives in a buffer nobody else holds */
		ret = dqbuf(vfd, &b);
		tap_ok(!ret, "%s: and still captures into them (%s)", al,
		       ret ? strerror(-ret) : "success");
	}

	if (vfd >= 0) {
		ioctl(vfd, VIDIOC_STREAMOFF, &type);
		rb.count = 0;
		ioctl(vfd, VIDIOC_REQBUFS, &rb);
		close(vfd);
	}
	tap_ok(pool_free_pages() == before,
	       "%s: VIDIOC_STREAMOFF and REQBUFS(0): the pool has every page back (%ld, %ld)",
	       al, before, pool_free_pages());
}

int main(int argc, char **argv)
{
	char self[256], why[200];
	int fd, i, ret;

	snprintf(self, sizeof(self), "%s", argc > 0 ? argv[0] : "");
	snprintf(testdir, sizeof(testdir), "%s", dirname(self));
	tap_begin();
	fd = open(DEV_PATH, O_RDWR);
	if (fd < 0)
		tap_skip_all(DEV_PATH " does not open (memlab_dev not loaded)");
	close(fd);
	if (importers_load(&loaded, testdir, ORDER_FILE, "vivid", vivid_params, why,
			   sizeof(why))) {
		importers_unload(&loaded);
		tap_skip_all(why);
	}
	tap_plan(2 * INSTANCE_POINTS + 1);
	for (i = 0; i < 2; i++)
		test_instance(i);
	ret = importers_unload(&loaded);
	tap_ok(!ret, "vivid and its modules unload (%s)", ret ? strerror(-ret) : "success");
	return tap_done();
}
