// SPDX-License-Identifier: GPL-2.0-only
/*
 * Use /dev/memlab: ask about the pool, allocate a private buffer, map it,
 * and share a message through the shared buffer. Build:
 *   gcc -I include/uapi -o memlab_mmap userspace/examples/memlab_mmap.c
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <memlab.h>

static int die(const char *what)
{
	fprintf(stderr, "memlab_mmap: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(void)
{
	struct memlab_info info = { .size = sizeof(info) };
	struct memlab_allocation_data req = { .size = sizeof(req) };
	struct memlab_free rel = { .size = sizeof(rel) };
	const char msg[] = "hello from memlab_mmap";
	char back[sizeof(msg)];
	unsigned char *buf;
	char *shared;
	size_t i, zero;
	int fd;

	fd = open("/dev/memlab", O_RDWR);
	if (fd < 0)
		return die("open /dev/memlab");
	if (ioctl(fd, MEMLAB_IOC_INFO, &info))
		return die("MEMLAB_IOC_INFO");
	printf("ABI %u: pool %llu KiB (%llu KiB free), shared buffer %llu KiB\n",
	       info.abi_version, info.pool_bytes >> 10, info.pool_free_bytes >> 10,
	       info.shared_bytes >> 10);

	/* A private 48 KiB buffer: rounded up to 2^order pages. */
	req.length = 48 * 1024;
	req.flags = MEMLAB_CACHE_CACHED;
	if (ioctl(fd, MEMLAB_IOC_ALLOC, &req))
		return die("MEMLAB_IOC_ALLOC");
	printf("buffer %u: %llu bytes, order %u, mmap offset 0x%llx, phys 0x%llx%s\n",
	       req.handle, req.bytes, req.order, req.mmap_offset, req.phys,
	       req.phys ? "" : " (needs CAP_SYS_ADMIN)");
	buf = mmap(NULL, req.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, req.mmap_offset);
	if (buf == MAP_FAILED)
		return die("mmap buffer");
	for (i = 0, zero = 0; i < req.bytes; i++)
		zero += !buf[i];
	printf("mapped at %p: %zu of %llu bytes are zero\n", (void *)buf, zero, req.bytes);
	memcpy(buf, msg, sizeof(msg));
	printf("buffer now starts with \"%s\"\n", (char *)buf);

	/* The handle can go now: the mapping keeps the memory until munmap. */
	rel.handle = req.handle;
	if (ioctl(fd, MEMLAB_IOC_FREE, &rel))
		return die("MEMLAB_IOC_FREE");
	munmap(buf, req.bytes);

	/* The shared buffer at offset 0: mmap and read/write see the same bytes. */
	shared = mmap(NULL, info.shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      MEMLAB_SHARED_OFFSET);
	if (shared == MAP_FAILED)
		return die("mmap shared buffer");
	memcpy(shared + 4096, msg, sizeof(msg));
	if (pread(fd, back, sizeof(back), 4096) != sizeof(back))
		return die("pread");
	printf("shared buffer at offset 4096, read back with pread(): \"%s\"\n", back);
	munmap(shared, info.shared_bytes);
	close(fd);
	return 0;
}
