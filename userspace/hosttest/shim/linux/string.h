/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/string.h>. */
#ifndef MEMLAB_SHIM_LINUX_STRING_H
#define MEMLAB_SHIM_LINUX_STRING_H

#include <stddef.h>
#include <string.h>

/* lib/string.c's memchr_inv(): the first byte of @start that is not @c. */
static inline void *memchr_inv(const void *start, int c, size_t bytes)
{
	const unsigned char *p = start;

	for (; bytes; bytes--, p++)
		if (*p != (unsigned char)c)
			return (void *)p;
	return NULL;
}

#endif
