/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What memlab's trace headers (modules/<dir>/trace.h) need to know about
 * the kernel's TRACE_EVENT() macros: __assign_str() takes the field alone
 * since 6.10, which copies from the source __string() named, and the field
 * and its source before. The top Kbuild reads the kernel's macro to tell
 * which (MEMLAB_ASSIGN_STR_ONE_ARG).
 */
#ifndef _MEMLAB_TRACE_COMPAT_H
#define _MEMLAB_TRACE_COMPAT_H

#ifdef MEMLAB_ASSIGN_STR_ONE_ARG
#define memlab_assign_str(dst, src)	do { (void)(src); __assign_str(dst); } while (0)
#else
#define memlab_assign_str(dst, src)	__assign_str(dst, src)
#endif

#endif
