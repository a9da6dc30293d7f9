/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/kernel.h>. */
#include <stdio.h>
