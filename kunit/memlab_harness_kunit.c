// SPDX-License-Identifier: GPL-2.0-only
/*
 * The harness's own KUnit suite: it fails only when asked to, so that a run
 * with MEMLAB_INJECT=kunit or MEMLAB_INJECT=warn (scripts/check.sh) shows
 * the harness noticing a failing case and a kernel splat, while memlab's
 * real suites stay untouched. kunit/Kbuild builds it only for the harness.
 *
 *   inject_failure=1   memlab_harness_test_inject_failure fails
 *   inject_warn=1      the module WARNs at load
 */
#include <kunit/test.h>
#include <linux/bug.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static bool inject_failure;
module_param(inject_failure, bool, 0444);
MODULE_PARM_DESC(inject_failure, "Make a case fail, to prove the harness notices");

static bool inject_warn;
module_param(inject_warn, bool, 0444);
MODULE_PARM_DESC(inject_warn, "WARN at load, to prove the harness notices a splat");

/* Passes unless inject_failure=1 */
static void memlab_harness_test_inject_failure(struct kunit *test)
{
	KUNIT_EXPECT_FALSE_MSG(test, inject_failure, "failure injected with inject_failure=1");
}

static struct kunit_case memlab_harness_test_cases[] = {
	KUNIT_CASE(memlab_harness_test_inject_failure),
	{}
};

static struct kunit_suite memlab_harness_test_suite = {
	.name = "memlab_harness",
	.test_cases = memlab_harness_test_cases,
};

kunit_test_suite(memlab_harness_test_suite);

/* The suites run from KUnit's module notifier; the warning needs a hook. */
static int __init memlab_harness_init(void)
{
	WARN(inject_warn, "warning injected with inject_warn=1\n");
	return 0;
}
module_init(memlab_harness_init);

static void __exit memlab_harness_exit(void)
{
}
module_exit(memlab_harness_exit);

MODULE_DESCRIPTION("Self-test of memlab's test harness: fails only on request");
MODULE_LICENSE("GPL");
