// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlabctl's report commands: a debugfs report as the kernel prints it,
 * or as one JSON object (--json), parsed from the same text by
 * report_parse.c (docs/reports.rst gives every key).
 *
 *   memlabctl stats [POOL]        memlab/alloc/<pool>/stats
 *   memlabctl buddyinfo [POOL]    memlab/alloc/<pool>/buddyinfo
 *   memlabctl slabinfo [POOL]     memlab/alloc/<pool>/slabinfo
 *   memlabctl buffers --json      memlab/dev/buffers
 *   memlabctl vmas PID|self       memlab/pt/vmas, asked about PID
 *   memlabctl mmu                 memlab/pt/mmu
 *   memlabctl layout              memlab/pt/layout
 *   memlabctl regs [DEVICE]       memlab/gpio/<device>/regs
 *
 * --input FILE reads a saved copy instead. A report that cannot be read
 * or parsed exits with status 1 after one line, refused arguments with 2.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memlabctl.h"

static int report_fail(const char *what, int err, const char *why)
{
	fprintf(stderr, "memlabctl: %s: %s (%s)%s%s\n", what, strerrorname_np(err) ?: "?",
		strerror(err), why ? ": " : "", why ? why : "");
	return 1;
}

/*
 * Why @path cannot be opened (errno @err), in a user's words: the
 * module's debugfs directory @dir missing, or debugfs closed to this user.
 */
static int open_fail(const char *path, int err, const char *dir, const char *module)
{
	char why[160] = "";

	if (err == EACCES || err == EPERM)
		snprintf(why, sizeof(why), "debugfs is root's");
	else if (err == ENOENT && access(DBG, F_OK))
		snprintf(why, sizeof(why), "debugfs is not mounted, or memlab is not loaded");
	else if (err == ENOENT && access(dir, F_OK))
		snprintf(why, sizeof(why), "%s is not loaded", module);
	return report_fail(path, err, why[0] ? why : NULL);
}

/* The whole of @fd, NUL-terminated; NULL with errno set. */
static char *read_all(int fd)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap), *nbuf;
	ssize_t n;

	if (!buf)
		return NULL;
	for (;;) {
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		if (len + 1 == cap) {
			nbuf = realloc(buf, cap *= 2);
			if (!nbuf) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nbuf;
		}
	}
	if (n < 0) {
		int err = errno;

		free(buf);
		errno = err;
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* What one invocation asked for. */
struct request {
	const char *name;	/* the report, as the command is named */
	const char *module;	/* the module that makes it */
	const char *input;	/* --input FILE, or NULL for debugfs */
	int json;
	const char *arg;	/* POOL, PID or DEVICE */
	char path[512];		/* the debugfs file */
	char dir[256];		/* the module's debugfs directory */
	char query[32];		/* vmas: what to write first */
};

/* The text of the report, or NULL after a message (status 1). */
static char *request_text(struct request *q)
{
	char *text, why[128] = "";
	int fd, err;

	if (q->input) {
		fd = strcmp(q->input, "-") ? open(q->input, O_RDONLY) : dup(0);
		if (fd < 0) {
			report_fail(q->input, errno, NULL);
			return NULL;
		}
	} else {
		fd = open(q->path, q->query[0] ? O_RDWR : O_RDONLY);
		if (fd < 0) {
			open_fail(q->path, errno, q->dir, q->module);
			return NULL;
		}
		if (q->query[0] && write(fd, q->query, strlen(q->query)) < 0) {
			err = errno;
			/* the next read gives "error <ERRNO> <reason>" */
			text = read_all(fd);
			if (text && !strncmp(text, "error ", 6)) {
				char *reason = strchr(text + 6, ' ');

				snprintf(why, sizeof(why), "%s", reason ? reason + 1 : "");
				why[strcspn(why, "\n")] = '\0';
			}
			free(text);
			close(fd);
			report_fail(q->path, err, why[0] ? why : NULL);
			return NULL;
		}
	}
	text = read_all(fd);
	err = errno;
	close(fd);
	if (!text)
		report_fail(q->input ? q->input : q->path, err, NULL);
	return text;
}

static int run_request(struct request *q)
{
	char *text = request_text(q);
	struct jv *root;
	int ret = 0;

	if (!text)
		return 1;
	if (!q->json) {
		fputs(text, stdout);
	} else if (report_parse(q->name, q->input ? q->input : q->path, text, &root)) {
		ret = 1;
	} else {
		jv_print(stdout, root, 1);
		jv_free(root);
	}
	free(text);
	return ret;
}

/*
 * The options every report command takes: --json, --input FILE, --help.
 * Then at most @max_args operands (at least @min_args without --input),
 * the first in q->arg. -1 to go on, else the exit status.
 */
static int report_options(int argc, char **argv, const char *help, int min_args, int max_args,
			  struct request *q)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "input", required_argument, NULL, 'i' },
		{ }
	};
	int c;

	q->name = argv[0];
	optind = 1;
	while ((c = getopt_long(argc, argv, "hji:", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			return 0;
		case 'j':
			q->json = 1;
			break;
		case 'i':
			q->input = optarg;
			break;
		default:
			return usage_error("bad option");
		}
	}
	if (argc - optind > max_args)
		return usage_error("%s takes at most %d operand%s", argv[0], max_args,
				    max_args == 1 ? "" : "s");
	if (!q->input && argc - optind < min_args)
		return usage_error("%s needs an operand", argv[0]);
	q->arg = optind < argc ? argv[optind] : NULL;
	return -1;
}

#define REPORT_OPTIONS \
	"  --json        the report as one JSON object (docs/reports.rst)\n" \
	"  --input FILE  parse FILE ('-': standard input), a saved copy of the\n" \
	"                report, instead of reading debugfs\n"

/* A pool's name, as the kernel accepts it: no '/', not "." or "..". */
static int pool_path(struct request *q, const char *file)
{
	const char *pool = q->arg ? q->arg : "default";

	if (!*pool || strchr(pool, '/') || !strcmp(pool, ".") || !strcmp(pool, ".."))
		return usage_error("bad pool name '%s'", pool);
	snprintf(q->dir, sizeof(q->dir), DBG "/alloc");
	snprintf(q->path, sizeof(q->path), DBG "/alloc/%s/%s", pool, file);
	if (!q->input && access(q->path, F_OK) && !access(q->dir, F_OK)) {
		fprintf(stderr, "memlabctl: %s: ENOENT (No such file or directory): no pool '%s'\n",
			q->path, pool);
		return 1;
	}
	return -1;
}

static const char stats_help[] =
	"usage: memlabctl stats [--json] [--input FILE] [POOL]\n"
	"memlab/alloc/POOL/stats (default: the default pool): the pool's counters\n"
	"and its table of orders (root: debugfs).\n" REPORT_OPTIONS;

static const char buddyinfo_help[] =
	"usage: memlabctl buddyinfo [--json] [--input FILE] [POOL]\n"
	"memlab/alloc/POOL/buddyinfo (default: the default pool): free blocks per\n"
	"order, as /proc/buddyinfo.\n" REPORT_OPTIONS;

static const char slabinfo_help[] =
	"usage: memlabctl slabinfo [--json] [--input FILE] [POOL]\n"
	"memlab/alloc/POOL/slabinfo (default: the default pool): the pool's slab\n"
	"caches, as /proc/slabinfo 2.1, and their detail lines.\n" REPORT_OPTIONS;

static int cmd_pool_report(int argc, char **argv, const char *help)
{
	struct request q = { .module = "memlab_alloc" };
	int ret = report_options(argc, argv, help, 0, 1, &q);

	if (ret >= 0)
		return ret;
	ret = pool_path(&q, argv[0]);
	return ret >= 0 ? ret : run_request(&q);
}

int cmd_stats(int argc, char **argv)
{
	return cmd_pool_report(argc, argv, stats_help);
}

int cmd_buddyinfo(int argc, char **argv)
{
	return cmd_pool_report(argc, argv, buddyinfo_help);
}

int cmd_slabinfo(int argc, char **argv)
{
	return cmd_pool_report(argc, argv, slabinfo_help);
}

static const char buffers_report_help[] =
	"usage: memlabctl buffers [--json] [--input FILE]\n"
	"List every live /dev/memlab buffer from memlab/dev/buffers (root:\n"
	"debugfs), with sizes in binary units; with --json, the report itself.\n"
	REPORT_OPTIONS;

int cmd_buffers_report(int argc, char **argv)
{
	struct request q = { .module = "memlab_dev" };
	int ret = report_options(argc, argv, buffers_report_help, 0, 0, &q);

	if (ret >= 0)
		return ret;
	if (!q.json && !q.input) {
		char *args[] = { argv[0], NULL };

		return cmd_buffers(1, args);
	}
	snprintf(q.dir, sizeof(q.dir), DBG "/dev");
	snprintf(q.path, sizeof(q.path), DBG "/dev/buffers");
	return run_request(&q);
}

static const char vmas_help[] =
	"usage: memlabctl vmas [--json] [--input FILE] PID|self\n"
	"memlab/pt/vmas asked about process PID (self: memlabctl itself): every\n"
	"VMA with its present pages by the size of entry that maps them (root:\n"
	"debugfs and CAP_SYS_ADMIN).\n" REPORT_OPTIONS;

/* A pid as memlab_pt takes it: decimal, no sign, no leading zero, 1..2^31-1. */
static int valid_pid(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n && !s[n] && s[0] != '0' && (n < 10 || (n == 10 && strcmp(s, "2147483647") <= 0));
}

int cmd_vmas(int argc, char **argv)
{
	struct request q = { .module = "memlab_pt" };
	int ret = report_options(argc, argv, vmas_help, 1, 1, &q);

	if (ret >= 0)
		return ret;
	snprintf(q.dir, sizeof(q.dir), DBG "/pt");
	snprintf(q.path, sizeof(q.path), DBG "/pt/vmas");
	if (q.arg) {
		if (strcmp(q.arg, "self") && !valid_pid(q.arg))
			return usage_error("bad PID '%s': a decimal pid or self", q.arg);
		snprintf(q.query, sizeof(q.query), "%s\n", q.arg);
	}
	return run_request(&q);
}

static const char mmu_help[] =
	"usage: memlabctl mmu [--json] [--input FILE]\n"
	"memlab/pt/mmu: the MMU registers of the CPU memlabctl runs on, field by\n"
	"field, and what they make of the address space (root: debugfs).\n" REPORT_OPTIONS;

static const char layout_help[] =
	"usage: memlabctl layout [--json] [--input FILE]\n"
	"memlab/pt/layout: the kernel's half of the address space, region by\n"
	"region (root: debugfs).\n" REPORT_OPTIONS;

static int cmd_pt_report(int argc, char **argv, const char *help)
{
	struct request q = { .module = "memlab_pt" };
	int ret = report_options(argc, argv, help, 0, 0, &q);

	if (ret >= 0)
		return ret;
	snprintf(q.dir, sizeof(q.dir), DBG "/pt");
	snprintf(q.path, sizeof(q.path), DBG "/pt/%s", argv[0]);
	return run_request(&q);
}

int cmd_mmu(int argc, char **argv)
{
	return cmd_pt_report(argc, argv, mmu_help);
}

int cmd_layout(int argc, char **argv)
{
	return cmd_pt_report(argc, argv, layout_help);
}

static const char regs_help[] =
	"usage: memlabctl regs [--json] [--input FILE] [DEVICE]\n"
	"memlab/gpio/DEVICE/regs: a memlab_gpio controller's registers and lines\n"
	"(default: the only controller; root: debugfs).\n" REPORT_OPTIONS;

/* The only directory under memlab/gpio into @name; 0, or the exit status. */
static int only_device(char *name, size_t len)
{
	DIR *d = opendir(DBG "/gpio");
	struct dirent *e;
	int n = 0;

	if (!d)
		return open_fail(DBG "/gpio", errno, DBG "/gpio", "memlab_gpio");
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && n++ == 0)
			snprintf(name, len, "%s", e->d_name);
	closedir(d);
	if (n == 1)
		return 0;
	if (!n) {
		fprintf(stderr, "memlabctl: " DBG "/gpio: no controller\n");
		return 1;
	}
	return usage_error("%d controllers under " DBG "/gpio: name one", n);
}

int cmd_regs(int argc, char **argv)
{
	struct request q = { .module = "memlab_gpio" };
	char dev[256];
	int ret = report_options(argc, argv, regs_help, 0, 1, &q);

	if (ret >= 0)
		return ret;
	snprintf(q.dir, sizeof(q.dir), DBG "/gpio");
	if (!q.arg && !q.input) {
		ret = only_device(dev, sizeof(dev));
		if (ret)
			return ret;
		q.arg = dev;
	}
	if (q.arg && (!*q.arg || strchr(q.arg, '/') || q.arg[0] == '.'))
		return usage_error("bad device name '%s'", q.arg);
	snprintf(q.path, sizeof(q.path), DBG "/gpio/%s/regs", q.arg ? q.arg : "-");
	if (!q.input && access(q.path, F_OK) && !access(q.dir, F_OK)) {
		fprintf(stderr, "memlabctl: %s: ENOENT (No such file or directory): no device '%s'\n",
			q.path, q.arg);
		return 1;
	}
	return run_request(&q);
}
