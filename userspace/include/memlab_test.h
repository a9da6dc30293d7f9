/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by memlab's userspace test programs: whole files and
 * command output as strings, file and module-parameter writes, module
 * insertion and removal by syscall, a monotonic clock, a seeded PRNG and
 * dropping CAP_SYS_ADMIN. Each returns 0 or -errno where it can fail,
 * unless it says otherwise. Every program includes it (through
 * dev_common.h for the /dev/memlab tests), with tap.h.
 */
#ifndef MEMLAB_TEST_H
#define MEMLAB_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Read @fd to its end into a NUL-terminated malloc()ed string; NULL on error. */
static inline char *slurp_fd(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nbuf;
	ssize_t n = 0;

	if (!buf)
		return NULL;
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			nbuf = realloc(buf, cap *= 2);
			if (!nbuf) {
				n = -1;
				break;
			}
			buf = nbuf;
		}
	}
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* The whole of a (debugfs, sysfs, procfs) file, NUL-terminated; NULL on error. */
static inline char *slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = slurp_fd(fd);
	err = errno;
	close(fd);
	errno = err;
	return buf;
}

/*
 * The file at @path once it contains @needle, polled every 100 ms for at
 * most @tries times (caller frees); NULL when it never did.
 */
static inline char *slurp_until(const char *path, const char *needle, int tries)
{
	char *text;

	while (tries-- > 0) {
		text = slurp(path);
		if (text && strstr(text, needle))
			return text;
		free(text);
		usleep(100000);
	}
	return NULL;
}

/*
 * The output of "sh -c @cmd" (caller frees; NULL when it could not run) and,
 * in @status, its exit status, or -1 when it did not exit normally.
 */
static inline char *run_cmd(const char *cmd, int *status)
{
	char *out = NULL;
	FILE *f;
	int ret;

	*status = -1;
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	out = slurp_fd(fileno(f));
	ret = pclose(f);
	if (ret != -1 && WIFEXITED(ret))
		*status = WEXITSTATUS(ret);
	return out;
}

/* Write @s to @path in one write(), as "echo -n s >path" would. */
static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* finit_module() of the .ko at @path with @params, as insmod does. */
static inline int module_insert(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/*
 * The directory of memlab's .ko files into @buf: $MEMLAB_MODULES
 * (scripts/selftest.sh sets it), else ../modules beside the program at
 * @argv0, as the guest lays them out.
 */
static inline void module_dir(char *buf, size_t len, const char *argv0)
{
	const char *env = getenv("MEMLAB_MODULES");
	const char *slash = strrchr(argv0, '/');

	if (env && *env)
		snprintf(buf, len, "%s", env);
	else if (slash)
		snprintf(buf, len, "%.*s/../modules", (int)(slash - argv0), argv0);
	else
		snprintf(buf, len, "../modules");
}

/* delete_module() without waiting: EWOULDBLOCK/EAGAIN while it is in use. */
static inline int module_remove(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* 1 when module @name is loaded, 0 when not. */
static inline int module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

/*
 * 1 when a line "@@ QMP <command>" on standard output reaches QEMU: the
 * guest of make check says so with MEMLAB_QMP=1, since scripts/qemu.sh
 * follows its console. Elsewhere (make selftest on a board, or in a QEMU
 * machine of one's own) no one presses QEMU's power button.
 */
static inline int qmp_listens(void)
{
	const char *v = getenv("MEMLAB_QMP");

	return v && !strcmp(v, "1");
}

/* Seconds on CLOCK_MONOTONIC. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: the next number from the non-zero state @s. */
static inline uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* Drop CAP_SYS_ADMIN from this process for good, keeping uid 0 and the rest. */
static inline int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	const unsigned int bit = 1U << (CAP_SYS_ADMIN % 32);

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[CAP_SYS_ADMIN / 32].effective &= ~bit;
	d[CAP_SYS_ADMIN / 32].permitted &= ~bit;
	d[CAP_SYS_ADMIN / 32].inheritable &= ~bit;
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

#endif
