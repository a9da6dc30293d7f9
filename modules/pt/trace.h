/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_pt's tracepoint, in the memlab trace system
 * (/sys/kernel/tracing/events/memlab/): one event per pt/walk answer.
 * walk.c defines it (CREATE_TRACE_POINTS); docs/pt.rst lists the fields.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM memlab

#if !defined(_TRACE_MEMLAB_PT_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_MEMLAB_PT_H

#include <linux/pid.h>
#include <linux/tracepoint.h>

#include <memlab/trace_compat.h>

#include "pt.h"

TRACE_DEFINE_ENUM(MEMLAB_PT_OUT_MAPPED);
TRACE_DEFINE_ENUM(MEMLAB_PT_OUT_INVALID);
TRACE_DEFINE_ENUM(MEMLAB_PT_OUT_UNREADABLE);
TRACE_DEFINE_ENUM(MEMLAB_PT_OUT_OUTSIDE_VMA);
TRACE_DEFINE_ENUM(MEMLAB_PT_OUT_ERROR);

#define memlab_show_pt_outcome(outcome)					\
	__print_symbolic(outcome,					\
			 { MEMLAB_PT_OUT_MAPPED,	"mapped" },		\
			 { MEMLAB_PT_OUT_INVALID,	"invalid" },		\
			 { MEMLAB_PT_OUT_UNREADABLE,	"unreadable" },		\
			 { MEMLAB_PT_OUT_OUTSIDE_VMA,	"outside-vma" },	\
			 { MEMLAB_PT_OUT_ERROR,		"error" })

/*
 * A walk of @va in the address space of @pid (NULL: the kernel's) that
 * ended as @outcome at the level Linux names @level ("-" without a walk),
 * or failed with @err
 */
TRACE_EVENT(memlab_pt_query,
	    TP_PROTO(struct pid *pid, u64 va, enum memlab_pt_outcome outcome,
		     const char *level, int err),
	    TP_ARGS(pid, va, outcome, level, err),
	    TP_STRUCT__entry(__field(pid_t, pid)
			     __field(u64, va)
			     __field(unsigned int, outcome)
			     __string(level, level)
			     __field(int, err)),
	    TP_fast_assign(__entry->pid = pid_vnr(pid);
			   __entry->va = va;
			   __entry->outcome = outcome;
			   memlab_assign_str(level, level);
			   __entry->err = err;),
	    TP_printk("pid=%d va=0x%016llx result=%s level=%s err=%d",
		      __entry->pid, __entry->va, memlab_show_pt_outcome(__entry->outcome),
		      __get_str(level), __entry->err)
);

#endif /* _TRACE_MEMLAB_PT_H */

/* Outside the guard: define_trace.h reads this file again from here */
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
