// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_pt's user walks against page-table freeing: walker threads query
 * pt/walk and pt/vmas about a region that other threads map, touch and
 * unmap in a loop (munmap() frees the region's page tables, PTE and PMD
 * tables included, after downgrading mmap_lock to read), while a child
 * process keeps the page allocator busy with most of the free memory.
 * Every answer must parse as docs/pt.rst documents it, with no negative
 * count; the harness fails the run on any kernel splat (KASAN, lockdep).
 * The region sits alone at a 1 GiB-aligned address, so that its unmap
 * frees every table below the root.
 *
 * Usage: pt_race_test [SECONDS]     (default 10)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "memlab_test.h"

#define DIR		"/sys/kernel/debug/memlab/pt"
#define NR_SLOTS	2
#define REGION		(4UL << 20)
#define GIB		(1UL << 30)
#define OUTSZ		65536

static uintptr_t slot_base[NR_SLOTS];
static atomic_int stop;
static atomic_long maps, walks, mapped, invalid, outside, unreadable, bad, vmas_reads;

static void *mapper(void *arg)
{
	uintptr_t base = slot_base[(long)arg];
	unsigned int seed = (unsigned int)(long)arg;

	while (!atomic_load(&stop)) {
		char *p = mmap((void *)base, REGION, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		size_t off;

		if (p == MAP_FAILED) {
			atomic_fetch_add(&bad, 1);
			break;
		}
		for (off = 0; off < REGION; off += 4096 * (1 + rand_r(&seed) % 8))
			p[off] = 1;
		munmap(p, REGION);
		atomic_fetch_add(&maps, 1);
	}
	return NULL;
}

/* One answer of pt/walk; counts its result, returns 0 when it parses. */
static int check_answer(const char *text)
{
	const char *r = strstr(text, "\nresult ");
	const char *pg = strstr(text, "\npage pfn ");
	int ref = 0, map = 0;

	if (strncmp(text, "query self ", 11) || !r)
		return -1;
	r += 8;
	if (!strncmp(r, "mapped ", 7))
		atomic_fetch_add(&mapped, 1);
	else if (!strncmp(r, "invalid ", 8))
		atomic_fetch_add(&invalid, 1);
	else if (!strncmp(r, "outside-vma\n", 12))
		atomic_fetch_add(&outside, 1);
	else if (!strncmp(r, "unreadable ", 11))
		atomic_fetch_add(&unreadable, 1);
	else
		return -1;
	if (pg && sscanf(pg, "\npage pfn %*s refcount %d mapcount %d", &ref, &map) == 2 &&
	    (ref < 0 || map < 0)) {
		tap_diag("negative count: %.80s", pg + 1);
		return -1;
	}
	return 0;
}

static void *walker(void *arg)
{
	unsigned int seed = 1000 + (unsigned int)(long)arg;
	char *out = malloc(OUTSZ), q[64];
	int fd = open(DIR "/walk", O_RDWR);

	if (fd < 0 || !out) {
		atomic_fetch_add(&bad, 1);
		free(out);
		return NULL;
	}
	while (!atomic_load(&stop)) {
		uintptr_t va = slot_base[rand_r(&seed) % NR_SLOTS] +
			       (rand_r(&seed) % (REGION / 4096 + 512)) * 4096;
		ssize_t n, len = 0;

		snprintf(q, sizeof(q), "self 0x%lx\n", (unsigned long)va);
		if (write(fd, q, strlen(q)) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
			atomic_fetch_add(&bad, 1);
			continue;
		}
		while ((n = read(fd, out + len, OUTSZ - 1 - len)) > 0)
			len += n;
		out[len] = '\0';
		if (n < 0 || check_answer(out)) {
			if (atomic_fetch_add(&bad, 1) < 3)
				tap_diag("bad answer (%s): %.200s", n < 0 ? strerror(errno) : "",
					 out);
		}
		atomic_fetch_add(&walks, 1);
	}
	close(fd);
	free(out);
	return NULL;
}

static void *vmas_reader(void *arg)
{
	char *out = malloc(OUTSZ);

	while (out && !atomic_load(&stop)) {
		int fd = open(DIR "/vmas", O_RDONLY);
		ssize_t n, len = 0;

		if (fd < 0) {
			atomic_fetch_add(&bad, 1);
			break;
		}
		while ((n = read(fd, out + len, OUTSZ - 1 - len)) > 0)
			len += n;
		out[len] = '\0';
		close(fd);
		if (n < 0 || strncmp(out, "pid ", 4) || !strstr(out, "\ntotal "))
			atomic_fetch_add(&bad, 1);
		atomic_fetch_add(&vmas_reads, 1);
	}
	free(out);
	return NULL;
}

/* Most of the free memory, touched and given back in turn, until killed. */
static void pressure(void)
{
	long avail = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");
	size_t len, off;
	char *p;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &avail) == 1)
			break;
	if (f)
		fclose(f);
	len = (size_t)avail * 1024 / 2;
	if (len < (16UL << 20))
		_exit(0);
	for (;;) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(1);
		for (off = 0; off < len; off += 4096)
			p[off] = 1;
		madvise(p, len / 2, MADV_DONTNEED);
		for (off = 0; off < len / 2; off += 4096)
			p[off] = 2;
		munmap(p, len);
	}
}

/* A 1 GiB-aligned gap of two GiB with nothing mapped in it, or 0. */
static uintptr_t lonely_base(uintptr_t from)
{
	uintptr_t a;

	for (a = from; a < (1UL << 38); a += 2 * GIB) {
		void *p = mmap((void *)a, 2 * GIB, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
			       -1, 0);

		if (p == MAP_FAILED)
			continue;
		munmap(p, 2 * GIB);
		return a;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int seconds = argc > 1 ? atoi(argv[1]) : 10;
	pthread_t th[NR_SLOTS + 3];
	unsigned int i, nth = 0;
	pid_t hog;
	int status;

	tap_begin();
	tap_plan(4);
	if (access(DIR "/walk", F_OK))
		tap_bail(DIR " is not there (memlab_pt not loaded)");
	for (i = 0; i < NR_SLOTS; i++) {
		slot_base[i] = lonely_base(i ? slot_base[i - 1] + 2 * GIB : 64 * GIB);
		if (!slot_base[i])
			tap_bail("no free 1 GiB-aligned range for a slot");
	}
	tap_diag("regions at 0x%lx and 0x%lx, %u s, memory pressure from a child",
		 (unsigned long)slot_base[0], (unsigned long)slot_base[1], seconds);

	hog = fork();
	if (hog == 0)
		pressure();
	for (i = 0; i < NR_SLOTS; i++)
		pthread_create(&th[nth++], NULL, mapper, (void *)(long)i);
	pthread_create(&th[nth++], NULL, walker, (void *)0L);
	pthread_create(&th[nth++], NULL, walker, (void *)1L);
	pthread_create(&th[nth++], NULL, vmas_reader, NULL);
	sleep(seconds);
	atomic_store(&stop, 1);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	if (hog > 0) {
		kill(hog, SIGKILL);
		waitpid(hog, &status, 0);
	}

	tap_diag("%ld maps, %ld walks: %ld mapped, %ld invalid, %ld outside-vma, %ld unreadable; %ld vmas reads",
		 atomic_load(&maps), atomic_load(&walks), atomic_load(&mapped),
		 atomic_load(&invalid), atomic_load(&outside), atomic_load(&unreadable),
		 atomic_load(&vmas_reads));
	tap_ok(atomic_load(&maps) > 0 && atomic_load(&walks) > 0 && atomic_load(&vmas_reads) > 0,
	       "mappers, walkers and the vmas reader all ran");
	tap_ok(atomic_load(&bad) == 0, "every answer parses, no negative count (%ld bad)",
	       atomic_load(&bad));
	tap_ok(atomic_load(&outside) > 0,
	       "addresses outside any VMA answer result outside-vma (%ld)", atomic_load(&outside));
	tap_ok(atomic_load(&unreadable) == 0, "no user table is unreadable (%ld)",
	       atomic_load(&unreadable));
	return tap_done();
}
