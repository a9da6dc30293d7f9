/* SPDX-License-Identifier: GPL-2.0-only */
/* Userspace shim for <linux/irqflags.h>: see cpu.h. */
#include "../cpu.h"
