/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The harness's deliberate failures (MEMLAB_INJECT in scripts/check.sh),
 * the same in every memlab KUnit module: inject_failure makes the case
 * that checks it fail, inject_warn WARNs at load. Included once, by the
 * module's test file, which then has no module_init of its own.
 */
#ifndef MEMLAB_KUNIT_INJECT_H
#define MEMLAB_KUNIT_INJECT_H

#include <linux/bug.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static bool inject_failure;
module_param(inject_failure, bool, 0444);
MODULE_PARM_DESC(inject_failure, "Make one case fail, to prove the harness notices");

static bool inject_warn;
module_param(inject_warn, bool, 0444);
MODULE_PARM_DESC(inject_warn, "WARN at load, to prove the harness notices a splat");

static int __init memlab_kunit_inject_init(void)
{
	WARN(inject_warn, "warning injected with inject_warn=1\n");
	return 0;
}
module_init(memlab_kunit_inject_init);

static void __exit memlab_kunit_inject_exit(void)
{
}
module_exit(memlab_kunit_inject_exit);

#endif
