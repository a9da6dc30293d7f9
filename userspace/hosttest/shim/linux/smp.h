/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/smp.h>: see cpu.h. */
#include "../cpu.h"
