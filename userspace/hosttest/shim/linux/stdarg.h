/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/stdarg.h>. */
#include <stdarg.h>
