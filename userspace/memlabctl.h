/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What memlabctl.c shares with the subcommands that live in files of their
 * own (doctor.c).
 */
#ifndef MEMLABCTL_H
#define MEMLABCTL_H

#include <stddef.h>

#define DEV_PATH	"/dev/memlab"
#define DBG		"/sys/kernel/debug/memlab"

/* "16 MiB": @bytes in the largest binary unit that divides it. */
const char *human(unsigned long long bytes, char *buf, size_t len);

/* -h/--help prints @help (0); other arguments are an error (2); else -1. */
int no_options(int argc, char **argv, const char *help);

int cmd_doctor(int argc, char **argv);

#endif
