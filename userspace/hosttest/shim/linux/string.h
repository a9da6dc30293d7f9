/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/string.h>. */
#include <string.h>
