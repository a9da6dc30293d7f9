/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_pt internals: queries, the live walks and the reports.
 */
#ifndef MEMLAB_PT_H
#define MEMLAB_PT_H

#include <linux/types.h>

struct pid;
struct seq_file;

/* The longest query a write may carry, newline included. */
#define MEMLAB_PT_QUERY_MAX	64

enum memlab_pt_target {
	MEMLAB_PT_TARGET_KERNEL,	/* "kernel <vaddr>": TTBR1 */
	MEMLAB_PT_TARGET_SELF,		/* "self": the writing process */
	MEMLAB_PT_TARGET_PID,		/* "<pid>" */
};

/* How a walk query ended: the result of the memlab_pt_query event */
enum memlab_pt_outcome {
	MEMLAB_PT_OUT_MAPPED,		/* "result mapped" */
	MEMLAB_PT_OUT_INVALID,		/* "result invalid" */
	MEMLAB_PT_OUT_UNREADABLE,	/* "result unreadable" */
	MEMLAB_PT_OUT_OUTSIDE_VMA,	/* "result outside-vma" */
	MEMLAB_PT_OUT_ERROR,		/* no answer, an errno */
};

struct memlab_pt_query {
	enum memlab_pt_target target;
	int pid;			/* MEMLAB_PT_TARGET_PID */
	u64 va;				/* when an address was asked for */
};

int memlab_pt_parse_query(const char *buf, size_t len, bool want_va,
			  struct memlab_pt_query *q, const char **why);

int memlab_pt_show_walk(struct seq_file *m, const struct memlab_pt_query *q,
			struct pid *pid);
int memlab_pt_show_vmas(struct seq_file *m, struct pid *pid);
int memlab_pt_show_layout(struct seq_file *m, void *v);

#endif
