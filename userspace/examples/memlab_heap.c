// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lazy allocation made visible: grow the heap with sbrk() and touch none of
 * it, so the kernel has only moved the end of the heap's VMA; then read the
 * pages (each maps the shared zero page) and write them (each gets a page
 * of its own). After each step it says how many of the pages are resident
 * (mincore()). docs/labs/lab1-vm.rst walks its page tables meanwhile.
 *
 *   memlab_heap [-w] [PAGES]     PAGES: 1 to 4096, default 16
 *
 * Without -w it reads, writes and exits. With -w it waits after each step
 * for a signal: SIGUSR2 reads every page, SIGUSR1 writes every page,
 * SIGTERM or SIGINT ends it. Build:
 *   gcc -o memlab_heap userspace/examples/memlab_heap.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Static, so that stdio never calls malloc(), which also moves the break. */
static char out_buf[BUFSIZ];

static int die(const char *what)
{
	fprintf(stderr, "memlab_heap: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Resident pages of [p, p + pages * pg), by mincore(); -1 on error. */
static long resident(char *p, long pages, long pg)
{
	unsigned char vec[4096];
	long i, n = 0;

	if (mincore(p, pages * pg, vec))
		return -1;
	for (i = 0; i < pages; i++)
		n += vec[i] & 1;
	return n;
}

static void report(const char *what, char *p, long pages, long pg)
{
	printf("%s %ld pages: %ld resident\n", what, pages, resident(p, pages, pg));
}

static void touch(volatile char *p, long pages, long pg, int write)
{
	static unsigned long sum;
	long i;

	for (i = 0; i < pages; i++) {
		if (write)
			p[i * pg] = 1;
		else
			sum += p[i * pg];
	}
}

int main(int argc, char **argv)
{
	long pg = sysconf(_SC_PAGESIZE), pages = 16;
	int wait = 0, sig;
	uintptr_t brk0;
	sigset_t set;
	char *p;

	setvbuf(stdout, out_buf, _IOLBF, sizeof(out_buf));
	if (argc > 1 && !strcmp(argv[1], "-w")) {
		wait = 1;
		argc--;
		argv++;
	}
	if (argc > 2 || (argc == 2 && (pages = strtol(argv[1], NULL, 10)) < 1) ||
	    pages > 4096) {
		fprintf(stderr, "usage: memlab_heap [-w] [PAGES]   (PAGES: 1 to 4096)\n");
		return 2;
	}

	/* From the next page boundary: pages the heap has never had. */
	brk0 = (uintptr_t)sbrk(0);
	if (sbrk((-brk0 & (pg - 1)) + pages * pg) == (void *)-1)
		return die("sbrk");
	p = (char *)((brk0 + pg - 1) & ~(uintptr_t)(pg - 1));
	printf("pid %d heap 0x%lx-0x%lx: %ld pages, untouched: %ld resident\n", getpid(),
	       (unsigned long)p, (unsigned long)(p + pages * pg), pages, resident(p, pages, pg));

	if (!wait) {
		touch(p, pages, pg, 0);
		report("read", p, pages, pg);
		touch(p, pages, pg, 1);
		report("wrote", p, pages, pg);
		return 0;
	}

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return die("sigprocmask");
	printf("waiting: SIGUSR2 reads the pages, SIGUSR1 writes them, SIGTERM ends\n");
	for (;;) {
		if (sigwait(&set, &sig))
			return die("sigwait");
		if (sig == SIGUSR2) {
			touch(p, pages, pg, 0);
			report("read", p, pages, pg);
		} else if (sig == SIGUSR1) {
			touch(p, pages, pg, 1);
			report("wrote", p, pages, pg);
		} else {
			printf("done\n");
			return 0;
		}
	}
}
