/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What memlabctl.c shares with the subcommands that live in files of their
 * own (doctor.c, bench.c).
 */
#ifndef MEMLABCTL_H
#define MEMLABCTL_H

#include <stddef.h>

#define DEV_PATH	"/dev/memlab"
#define DBG		"/sys/kernel/debug/memlab"

/* Print "memlabctl: @what: ENAME (message)" to stderr; return 1. */
int fail(const char *what, int err);

/* Print a usage error and "(try --help)" to stderr; return 2. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "4096", "64K", "2M", "0x1000": bytes; -1 when malformed. */
long long parse_size(const char *s);

/* open(DEV_PATH, @flags), saying why it failed; the fd or -1. */
int open_dev(int flags);

/* "16 MiB": @bytes in the largest binary unit that divides it. */
const char *human(unsigned long long bytes, char *buf, size_t len);

/* -h/--help prints @help (0); other arguments are an error (2); else -1. */
int no_options(int argc, char **argv, const char *help);

int cmd_doctor(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif
