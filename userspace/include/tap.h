/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Minimal TAP (version 13) producer for memlab's test programs, host-side
 * and in the guest, in the shape kselftest's runner and KTAP parsers
 * (tools/testing/kunit/kunit.py parse) accept:
 *
 *   TAP version 13
 *   1..N                          tap_plan(N), when the count is known
 *   ok 1 - <name>                 tap_ok()
 *   not ok 2 - <name>
 *   ok 3 - <name> # SKIP <why>    tap_skip()
 *   # <diagnostic>                tap_diag()
 *   1..N                          tap_done(), when no plan came first
 *
 * A program whose count depends on what it finds prints the plan last, as
 * TAP 13 allows. A program that cannot run at all calls tap_skip_all()
 * ("1..0 # SKIP <why>", exit status 4); one that cannot go on after its
 * plan calls tap_bail() ("Bail out! <why>", exit status 1). Otherwise the
 * exit status is tap_done()'s: 1 when a check failed or the plan was not
 * kept, 4 when every check was skipped, else 0. These are kselftest's
 * KSFT_FAIL, KSFT_SKIP and KSFT_PASS.
 */
#ifndef MEMLAB_TAP_H
#define MEMLAB_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define TAP_EXIT_PASS	0
#define TAP_EXIT_FAIL	1
#define TAP_EXIT_SKIP	4

static int tap_n, tap_failed, tap_skipped, tap_planned = -1;

static inline void tap_begin(void)
{
	printf("TAP version 13\n");
	fflush(stdout);
}

/* The plan, before the first point: @n points will follow. */
static inline void tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", tap_planned);
	fflush(stdout);
}

static inline void tap_vline(const char *fmt, va_list ap)
{
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

static inline void tap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	tap_vline(fmt, ap);
	va_end(ap);
}

static inline int tap_ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	tap_vline(fmt, ap);
	va_end(ap);
	if (!cond)
		tap_failed++;
	return cond;
}

/* A check that cannot run here: "ok N - <name> # SKIP <why>". */
static inline void tap_skip(const char *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void tap_skip(const char *why, const char *fmt, ...)
{
	va_list ap;

	printf("ok %d - ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", why);
	fflush(stdout);
	tap_skipped++;
}

/* Nothing of this program can run here; before any plan or point. */
static inline void __attribute__((noreturn)) tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	fflush(stdout);
	exit(TAP_EXIT_SKIP);
}

/* The program cannot go on: what its plan promised will not come. */
static inline void __attribute__((noreturn)) tap_bail(const char *why)
{
	printf("Bail out! %s\n", why);
	fflush(stdout);
	exit(TAP_EXIT_FAIL);
}

static inline int tap_done(void)
{
	if (tap_planned < 0) {
		printf("1..%d\n", tap_n);
	} else if (tap_n != tap_planned) {
		tap_diag("planned %d checks, ran %d", tap_planned, tap_n);
		tap_failed++;
	}
	fflush(stdout);
	if (tap_failed)
		return TAP_EXIT_FAIL;
	return tap_n && tap_skipped == tap_n ? TAP_EXIT_SKIP : TAP_EXIT_PASS;
}

#endif
