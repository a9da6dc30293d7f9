// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_pt queries, as written to pt/walk and pt/vmas:
 *
 *   walk:  "<pid> <vaddr>" | "self <vaddr>" | "kernel <vaddr>"
 *   vmas:  "<pid>" | "self"
 *
 * Words are separated by spaces or tabs; one trailing newline is allowed.
 * A pid is decimal and positive; an address is hexadecimal with 0x, or
 * decimal, as include/memlab/parse.h reads them (no octal, no sign, no
 * leading zero). Anything else is refused with -EINVAL and a reason.
 */
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include <memlab/kunit_visibility.h>
#include <memlab/parse.h>

#include "pt.h"

#define MEMLAB_PT_WORDS	3

/**
 * memlab_pt_parse_query() - parse one query
 * @buf: the bytes written, not NUL-terminated
 * @len: their number
 * @want_va: the query names an address (walk) or not (vmas)
 * @q: the query, filled in on success
 * @why: the reason on failure, a static string
 *
 * Context: Any context.
 * Return: 0, or -EINVAL with @why set.
 */
int memlab_pt_parse_query(const char *buf, size_t len, bool want_va,
			  struct memlab_pt_query *q, const char **why)
{
	char line[MEMLAB_PT_QUERY_MAX + 1], *p, *word[MEMLAB_PT_WORDS];
	unsigned int n = 0, i;
	u64 pid;

	if (len && buf[len - 1] == '\n')
		len--;
	if (!len) {
		*why = "empty query";
		return -EINVAL;
	}
	if (len >= MEMLAB_PT_QUERY_MAX) {
		*why = "query too long";
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (!isprint(buf[i]) && buf[i] != '\t') {
			*why = "query holds a control character or a second line";
			return -EINVAL;
		}
	}
	memcpy(line, buf, len);
	line[len] = '\0';

	p = line;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (!*p)
			break;
		if (n == MEMLAB_PT_WORDS) {
			*why = "too many words";
			return -EINVAL;
		}
		word[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	if (n != (want_va ? 2 : 1)) {
		*why = want_va ? "expected \"<pid>|self|kernel <vaddr>\"" :
				 "expected \"<pid>|self\"";
		return -EINVAL;
	}

	memset(q, 0, sizeof(*q));
	if (!strcmp(word[0], "self")) {
		q->target = MEMLAB_PT_TARGET_SELF;
	} else if (!strcmp(word[0], "kernel")) {
		if (!want_va) {
			*why = "the kernel has no VMAs";
			return -EINVAL;
		}
		q->target = MEMLAB_PT_TARGET_KERNEL;
	} else {
		if (memlab_parse_dec(word[0], strlen(word[0]), &pid) || !pid || pid > INT_MAX) {
			*why = "pid must be a positive decimal number, \"self\" or \"kernel\"";
			return -EINVAL;
		}
		q->pid = pid;
		q->target = MEMLAB_PT_TARGET_PID;
	}
	if (want_va && memlab_parse_va(word[1], strlen(word[1]), &q->va)) {
		*why = "address must be 0x<hex> or decimal";
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_pt_parse_query);
