/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/kernel.h>: printf-family and attributes. */
#ifndef MEMLAB_SHIM_KERNEL_H
#define MEMLAB_SHIM_KERNEL_H
#include <stdio.h>

#define __printf(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
