/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Symbols memlab's modules make visible to their KUnit suites and to
 * nothing else: EXPORT_SYMBOL_IF_KUNIT() puts them in the
 * EXPORTED_FOR_KUNIT_TESTING namespace on a kernel with KUnit and exports
 * nothing on one without, and a suite says MEMLAB_IMPORT_KUNIT_NS() to use
 * them.
 */
#ifndef _MEMLAB_KUNIT_VISIBILITY_H
#define _MEMLAB_KUNIT_VISIBILITY_H

#include <linux/build_bug.h>
#include <linux/export.h>
#include <linux/module.h>
#include <linux/tracepoint.h>

#ifdef MEMLAB_HAVE_KUNIT_VISIBILITY
#include <kunit/visibility.h>
#elif IS_ENABLED(CONFIG_KUNIT)
/* <kunit/visibility.h>'s meaning, on a kernel from before it (6.2) */
#define EXPORT_SYMBOL_IF_KUNIT(sym) \
	EXPORT_SYMBOL_NS(sym, EXPORTED_FOR_KUNIT_TESTING)
#else
/* Nothing exported: a static_assert() only takes the semicolon */
#define EXPORT_SYMBOL_IF_KUNIT(sym) static_assert(1, #sym " stays in its module")
#endif

/*
 * A tracepoint a suite attaches probes to (register_trace_<name>()):
 * EXPORT_TRACEPOINT_SYMBOL_GPL() for the suites only. The probes need the
 * tracepoint alone, not its iterator or static call. Compiled out
 * (NOTRACE), there is none, and nothing is exported, as with
 * EXPORT_TRACEPOINT_SYMBOL_GPL(); the suites' register_trace_<name>()
 * then fails with -ENOSYS.
 */
#ifdef TRACEPOINTS_ENABLED
#define EXPORT_TRACEPOINT_IF_KUNIT(name) EXPORT_SYMBOL_IF_KUNIT(__tracepoint_##name)
#else
#define EXPORT_TRACEPOINT_IF_KUNIT(name) static_assert(1, #name " is compiled out")
#endif

/*
 * A namespace is a string literal since 6.13 and a bare token before;
 * the top Kbuild looks at MODULE_IMPORT_NS() to tell which.
 */
#ifdef MEMLAB_NS_IS_STRING
#define MEMLAB_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define MEMLAB_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

#endif
