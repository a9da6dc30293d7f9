// SPDX-License-Identifier: GPL-2.0-only
/*
 * The harness's own TAP program: it fails only when asked to, so that a
 * run with MEMLAB_INJECT=tap (scripts/check.sh) shows the harness noticing
 * a failing TAP check, while memlab's real tests stay untouched. The
 * userspace Makefile builds it only for the harness (make harness).
 *
 * Usage: harness_selftest [fail]    (fail: one check fails on purpose)
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"

int main(int argc, char **argv)
{
	int fail = argc > 1 && !strcmp(argv[1], "fail");

	tap_begin();
	tap_ok(1, "a passing check is reported as ok");
	tap_ok(!fail, "injected failure%s", fail ? " (harness_selftest fail)" : " not asked for");
	return tap_done();
}
