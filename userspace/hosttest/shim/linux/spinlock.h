/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/spinlock.h>: see cpu.h. */
#include "../cpu.h"
