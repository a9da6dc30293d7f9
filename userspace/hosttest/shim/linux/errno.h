/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/errno.h>: the uapi error numbers. */
#include_next <linux/errno.h>
