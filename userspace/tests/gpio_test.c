// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_gpio from user space, in the QEMU guest: the chip as libgpiod's
 * tools see it, the debugfs regs report (parsed as docs/gpio.rst documents
 * it), an edge on line 3 when QEMU's power button is pressed over QMP, the
 * errors gpiolib gives to bad requests, the bench file, unbind and rebind,
 * the mmio file and its errnos, and module unload/reload with a line held.
 * Prints TAP.
 *
 * Usage: gpio_test    (memlab_gpio loaded; left loaded, without mmio=1)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/gpio.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "memlab_test.h"

#define DRIVER	"/sys/bus/platform/drivers/memlab-gpio"
#define DEBUGFS	"/sys/kernel/debug/memlab/gpio"
#define MODULE	"/memlab/modules/memlab_gpio.ko"
#define NLINES	8
#define OUT_LINE	5	/* free on QEMU virt's PL061 */
#define KEY_LINE	3	/* QEMU's power button */

static char dev[256];	/* platform device, e.g. 9030000.pl061 */
static char chip[256];	/* gpiochipN */

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The first device memlab-gpio drives and its gpiochip; 0 when found */
static int find_chip(void)
{
	char path[600];
	struct dirent *d;
	DIR *dir;

	dev[0] = chip[0] = '\0';
	dir = opendir(DRIVER);
	if (!dir)
		return -1;
	while ((d = readdir(dir)) && !dev[0])
		if (d->d_type == DT_LNK && strchr(d->d_name, '.'))
			snprintf(dev, sizeof(dev), "%s", d->d_name);
	closedir(dir);
	if (!dev[0])
		return -1;
	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s", dev);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)) && !chip[0])
		if (!strncmp(d->d_name, "gpiochip", 8))
			snprintf(chip, sizeof(chip), "%s", d->d_name);
	closedir(dir);
	return chip[0] ? 0 : -1;
}

/* The regs report, as docs/gpio.rst documents it */
struct regs {
	char device[64], controller[64], mode[64];
	unsigned long long phys, size;
	unsigned int id, lines;
	int nregs, nrows;
	char rname[40][24];
	unsigned int roff[40], rval[40];
	char dir[32][64], trig[32][64], irq[32][64];
	int level[32];
	int bad;	/* lines that parse as nothing documented */
};

static int read_regs(struct regs *r)
{
	char path[600], *text, *line, *save;
	int part = 0;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), DEBUGFS "/%s/regs", dev);
	text = slurp(path);
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char a[64], b[64], c[64], e[64];
		unsigned int n;

		if (!strncmp(line, "register ", 9)) {
			part = 1;
			continue;
		}
		if (!strncmp(line, "line ", 5)) {
			part = 2;
			continue;
		}
		if (part == 0) {
			if (sscanf(line, "%63s %63s", a, b) != 2)
				r->bad++;
			else if (!strcmp(a, "device"))
				snprintf(r->device, sizeof(r->device), "%s", b);
			else if (!strcmp(a, "controller"))
				snprintf(r->controller, sizeof(r->controller), "%s", b);
			else if (!strcmp(a, "mode"))
				snprintf(r->mode, sizeof(r->mode), "%s", b);
			else if (!strcmp(a, "phys"))
				r->phys = strtoull(b, NULL, 16);
			else if (!strcmp(a, "size"))
				r->size = strtoull(b, NULL, 16);
			else if (!strcmp(a, "id"))
				r->id = strtoul(b, NULL, 16);
			else if (!strcmp(a, "lines"))
				r->lines = strtoul(b, NULL, 10);
			else if (strcmp(a, "irq"))
				r->bad++;
		} else if (part == 1 && r->nregs < 40) {
			if (sscanf(line, "%23s 0x%x 0x%x", r->rname[r->nregs],
				   &r->roff[r->nregs], &r->rval[r->nregs]) == 3)
				r->nregs++;
			else
				r->bad++;
		} else if (part == 2) {
			if (sscanf(line, "%u %63s %63s %63s %63s", &n, a, b, c, e) != 5 ||
			    n >= 32 || n != (unsigned int)r->nrows ||
			    (strcmp(a, "in") && strcmp(a, "out")) ||
			    (strcmp(b, "0") && strcmp(b, "1")) ||
			    (strcmp(e, "on") && strcmp(e, "off"))) {
				r->bad++;
				continue;
			}
			snprintf(r->dir[n], sizeof(r->dir[n]), "%s", a);
			r->level[n] = atoi(b);
			snprintf(r->trig[n], sizeof(r->trig[n]), "%s", c);
			snprintf(r->irq[n], sizeof(r->irq[n]), "%s", e);
			r->nrows++;
		}
	}
	free(text);
	return 0;
}

static int reg_value(const struct regs *r, const char *name, unsigned int *val)
{
	int i;

	for (i = 0; i < r->nregs; i++)
		if (!strcmp(r->rname[i], name)) {
			*val = r->rval[i];
			return 0;
		}
	return -1;
}

static int chip_fd(void)
{
	char path[600];

	snprintf(path, sizeof(path), "/dev/%s", chip);
	return open(path, O_RDWR);
}

/* A v1 line handle request; the handle fd or -errno */
static int request_lines(int fd, const unsigned int *lines, unsigned int n,
			 unsigned int flags, int value)
{
	struct gpiohandle_request req;
	unsigned int i;

	memset(&req, 0, sizeof(req));
	for (i = 0; i < n && i < GPIOHANDLES_MAX; i++) {
		req.lineoffsets[i] = lines[i];
		req.default_values[i] = value;
	}
	req.lines = n;
	req.flags = flags;
	snprintf(req.consumer_label, sizeof(req.consumer_label), "gpio_test");
	if (ioctl(fd, GPIO_GET_LINEHANDLE_IOCTL, &req) < 0)
		return -errno;
	return req.fd;
}

static int request_one(int fd, unsigned int line, unsigned int flags)
{
	return request_lines(fd, &line, 1, flags, 0);
}

static void test_report(void)
{
	struct regs r;
	unsigned int v;
	int i, ok = 1;

	tap_ok(read_regs(&r) == 0, "regs is readable");
	tap_ok(!strcmp(r.device, dev), "regs: device %s", r.device);
	tap_ok(!strcmp(r.controller, "pl061") && !strcmp(r.mode, "gpiochip"),
	       "regs: controller %s, mode %s", r.controller, r.mode);
	tap_ok(r.phys == 0x9030000 && r.size == 0x1000,
	       "regs: phys 0x%llx, size 0x%llx", r.phys, r.size);
	tap_ok((r.id & 0xfffff) == 0x41061, "regs: PL061 PeriphID 0x%08x", r.id);
	tap_ok(r.lines == NLINES && r.nrows == NLINES, "regs: %u lines, %d rows",
	       r.lines, r.nrows);
	tap_ok(r.nregs == 17 && !reg_value(&r, "GPIODIR", &v) &&
	       !reg_value(&r, "GPIOIE", &v), "regs: %d registers by name", r.nregs);
	for (i = 0; i < r.nregs; i++)
		if (!strcmp(r.rname[i], "GPIOPeriphID0") &&
		    (r.roff[i] != 0xfe0 || r.rval[i] != 0x61))
			ok = 0;
	tap_ok(ok && !reg_value(&r, "GPIOPeriphID0", &v),
	       "regs: GPIOPeriphID0 at 0xfe0 reads 0x61");
	tap_ok(r.bad == 0, "regs: every line parses (%d do not)", r.bad);
}

static void test_tools(void)
{
	char want[600], *out, *p;
	int status, n = 0;

	out = run_cmd("gpiodetect 2>&1", &status);
	snprintf(want, sizeof(want), "%s [%s] (%d lines)", chip, dev, NLINES);
	tap_ok(out && status == 0 && strstr(out, want), "gpiodetect lists \"%s\"", want);
	free(out);

	snprintf(want, sizeof(want), "gpioinfo %s 2>&1", chip);
	out = run_cmd(want, &status);
	for (p = out; p && (p = strstr(p, "\tline ")); p++)
		n++;
	tap_ok(out && status == 0 && n == NLINES, "gpioinfo shows %d lines", n);
	tap_ok(out && strstr(out, "\"power-button\"") && strstr(out, "\"memlab-0\"") &&
	       strstr(out, "\"memlab-7\""), "gpioinfo shows gpio-line-names");
	if (out && tap_failed)
		tap_diag("%s", out);
	free(out);
}

static void test_set(void)
{
	char cmd[800];
	struct regs r;
	unsigned int dir = 0, data = 0;
	int status, rc;

	snprintf(cmd, sizeof(cmd), "gpioset %s %d=1 2>&1", chip, OUT_LINE);
	free(run_cmd(cmd, &status));
	tap_ok(status == 0, "gpioset %s %d=1", chip, OUT_LINE);
	rc = read_regs(&r);
	reg_value(&r, "GPIODIR", &dir);
	reg_value(&r, "GPIODATA", &data);
	tap_ok(!rc && !strcmp(r.dir[OUT_LINE], "out") && r.level[OUT_LINE] == 1 &&
	       (dir & (1u << OUT_LINE)) && (data & (1u << OUT_LINE)),
	       "regs: line %d out, level 1 (GPIODIR 0x%02x, GPIODATA 0x%02x)",
	       OUT_LINE, dir, data);

	snprintf(cmd, sizeof(cmd), "gpioset %s %d=0 2>&1", chip, OUT_LINE);
	free(run_cmd(cmd, &status));
	rc = read_regs(&r);
	reg_value(&r, "GPIODATA", &data);
	tap_ok(status == 0 && !rc && r.level[OUT_LINE] == 0 &&
	       !(data & (1u << OUT_LINE)), "gpioset %d=0: regs shows level 0",
	       OUT_LINE);

	/* Several lines in one request: gpio_chip's set_multiple */
	snprintf(cmd, sizeof(cmd), "gpioset %s 4=1 6=1 7=0 2>&1", chip);
	free(run_cmd(cmd, &status));
	rc = read_regs(&r);
	reg_value(&r, "GPIODATA", &data);
	tap_ok(status == 0 && !rc && r.level[4] == 1 && r.level[6] == 1 &&
	       r.level[7] == 0 && (data & 0xd0) == 0x50,
	       "gpioset 4=1 6=1 7=0 at once: GPIODATA 0x%02x", data);

	/* QEMU drives line 3 low until the button is pressed */
	snprintf(cmd, sizeof(cmd), "gpioget %s %d 2>&1", chip, KEY_LINE);
	{
		char *out = run_cmd(cmd, &status);

		tap_ok(status == 0 && out && !strcmp(out, "0\n"),
		       "gpioget %s %d reads 0", chip, KEY_LINE);
		free(out);
	}
}

static void test_bad_requests(void)
{
	struct gpioline_info info;
	struct gpioevent_request ev;
	unsigned int two[2] = { OUT_LINE, OUT_LINE };
	int fd, h, h2;

	fd = chip_fd();
	if (fd < 0) {
		tap_ok(0, "open /dev/%s: %s", chip, strerror(errno));
		return;
	}
	h = request_one(fd, NLINES, GPIOHANDLE_REQUEST_INPUT);
	tap_ok(h == -EINVAL, "line %d (out of range): EINVAL (%s)", NLINES,
	       strerror(-h));
	h = request_one(fd, OUT_LINE, GPIOHANDLE_REQUEST_INPUT | GPIOHANDLE_REQUEST_OUTPUT);
	tap_ok(h == -EINVAL, "input and output at once: EINVAL (%s)", strerror(-h));
	h = request_one(fd, OUT_LINE, GPIOHANDLE_REQUEST_INPUT |
			GPIOHANDLE_REQUEST_OPEN_DRAIN);
	tap_ok(h == -EINVAL, "open drain on an input: EINVAL (%s)", strerror(-h));
	h = request_lines(fd, two, 0, GPIOHANDLE_REQUEST_INPUT, 0);
	tap_ok(h == -EINVAL, "no lines: EINVAL (%s)", strerror(-h));
	h = request_lines(fd, two, 2, GPIOHANDLE_REQUEST_INPUT, 0);
	tap_ok(h == -EBUSY, "the same line twice in a request: EBUSY (%s)",
	       strerror(h < 0 ? -h : 0));
	if (h >= 0)
		close(h);

	h = request_one(fd, OUT_LINE, GPIOHANDLE_REQUEST_OUTPUT);
	tap_ok(h >= 0, "line %d as output", OUT_LINE);
	h2 = request_one(fd, OUT_LINE, GPIOHANDLE_REQUEST_INPUT);
	tap_ok(h2 == -EBUSY, "line %d again while held: EBUSY (%s)", OUT_LINE,
	       strerror(h2 < 0 ? -h2 : 0));
	if (h2 >= 0)
		close(h2);
	if (h >= 0)
		close(h);

	memset(&info, 0, sizeof(info));
	info.line_offset = NLINES;
	tap_ok(ioctl(fd, GPIO_GET_LINEINFO_IOCTL, &info) < 0 && errno == EINVAL,
	       "line info for line %d: EINVAL", NLINES);

	memset(&ev, 0, sizeof(ev));
	ev.lineoffset = NLINES;
	ev.handleflags = GPIOHANDLE_REQUEST_INPUT;
	ev.eventflags = GPIOEVENT_REQUEST_BOTH_EDGES;
	tap_ok(ioctl(fd, GPIO_GET_LINEEVENT_IOCTL, &ev) < 0 && errno == EINVAL,
	       "events on line %d: EINVAL", NLINES);
	ev.lineoffset = KEY_LINE;
	ev.handleflags = GPIOHANDLE_REQUEST_OUTPUT;
	tap_ok(ioctl(fd, GPIO_GET_LINEEVENT_IOCTL, &ev) < 0 && errno == EINVAL,
	       "events on an output: EINVAL");
	close(fd);
}

/*
 * Toggle rate through the line-request API (one GPIOHANDLE_SET_LINE_VALUES
 * ioctl per level), for half a second; the level left is checked in regs.
 */
static void test_toggle_rate(void)
{
	struct gpiohandle_data data;
	unsigned long n = 0;
	struct regs r;
	double t0, t;
	int fd, h, ok = 1;

	fd = chip_fd();
	h = fd >= 0 ? request_one(fd, OUT_LINE, GPIOHANDLE_REQUEST_OUTPUT) : -EBADF;
	if (h < 0) {
		tap_ok(0, "line %d as output for toggling (%s)", OUT_LINE, strerror(-h));
		if (fd >= 0)
			close(fd);
		return;
	}
	memset(&data, 0, sizeof(data));
	t0 = now();
	do {
		data.values[0] = !(n & 1);
		ok &= ioctl(h, GPIOHANDLE_SET_LINE_VALUES_IOCTL, &data) == 0;
		n++;
		t = now();
	} while (t - t0 < 0.5);
	if (n & 1) {	/* end on 0 */
		data.values[0] = 0;
		ok &= ioctl(h, GPIOHANDLE_SET_LINE_VALUES_IOCTL, &data) == 0;
		n++;
	}
	tap_diag("%.0f toggles/s on line %d through the v1 line-request API",
		 n / (t - t0), OUT_LINE);
	tap_ok(ok && n > 100 && !read_regs(&r) && r.level[OUT_LINE] == 0 &&
	       !strcmp(r.dir[OUT_LINE], "out"),
	       "%lu toggles, each ioctl ok, line %d left at 0", n, OUT_LINE);
	close(h);
	close(fd);
}

/* The bench report, as docs/gpio.rst documents it; 0 when it parses */
static int read_bench(const char *path, unsigned long long *writes,
		      unsigned long long *ns, unsigned long long *per_s)
{
	char *text = slurp(path);
	int n;

	n = text ? sscanf(text, "writes %llu ns %llu writes_per_s %llu\n",
			  writes, ns, per_s) : 0;
	free(text);
	return n == 3 ? 0 : -1;
}

/* Write exactly @len bytes of @s in one write(); 0 or -errno */
static int write_bytes(const char *path, const char *s, size_t len)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	n = n < 0 ? -errno : n == (ssize_t)len ? 0 : -EIO;
	close(fd);
	return n;
}

/*
 * Every input class of docs/gpio.rst's bench count against its errno: a
 * decimal count from 1 to 10^8 with at most one trailing newline is run
 * (small ones here: 10^8 writes take minutes under emulation), anything
 * else is EINVAL and keeps the last run.
 */
static void test_bench_counts(const char *path)
{
	static const struct {
		const char *in;
		size_t len;	/* 0: strlen(in) */
		int err;
		unsigned long long writes;
	} t[] = {
		{ "1", 0, 0, 1 },
		{ "7\n", 0, 0, 7 },
		{ "1000", 0, 0, 1000 },
		{ "0", 0, -EINVAL, 0 },
		{ "0\n", 0, -EINVAL, 0 },
		{ "", 0, -EINVAL, 0 },
		{ "\n", 0, -EINVAL, 0 },
		{ "100000001", 0, -EINVAL, 0 },
		{ "4294967295", 0, -EINVAL, 0 },
		{ "4294967296", 0, -EINVAL, 0 },
		{ "4294967297", 0, -EINVAL, 0 },
		{ "18446744073709551616", 0, -EINVAL, 0 },
		{ "99999999999999999999999999999999", 0, -EINVAL, 0 },
		{ "0x10", 0, -EINVAL, 0 },
		{ "0X10", 0, -EINVAL, 0 },
		{ "010", 0, -EINVAL, 0 },
		{ "08", 0, -EINVAL, 0 },
		{ "00", 0, -EINVAL, 0 },
		{ "+5", 0, -EINVAL, 0 },
		{ "-1", 0, -EINVAL, 0 },
		{ " 5", 0, -EINVAL, 0 },
		{ "5 ", 0, -EINVAL, 0 },
		{ "\t5", 0, -EINVAL, 0 },
		{ "5\n\n", 0, -EINVAL, 0 },
		{ "5\r\n", 0, -EINVAL, 0 },
		{ "5x", 0, -EINVAL, 0 },
		{ "1e3", 0, -EINVAL, 0 },
		{ "junk", 0, -EINVAL, 0 },
		{ "5\0", 2, -EINVAL, 0 },
		{ "5\0junk", 6, -EINVAL, 0 },
		{ "5\n\0", 3, -EINVAL, 0 },
		{ "0000000000000000000000000000000000000000005", 0, -EINVAL, 0 },
	};
	unsigned long long writes, ns, per_s, last = 100000;
	unsigned int i;
	int ret, rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t len = t[i].len ? t[i].len : strlen(t[i].in);
		char shown[64];
		size_t j, k = 0;

		for (j = 0; j < len && k < sizeof(shown) - 3; j++) {
			static const char ctl[] = "\n\t\r";
			const char *esc = strchr(ctl, t[i].in[j]);

			if (t[i].in[j] && !esc) {
				shown[k++] = t[i].in[j];
				continue;
			}
			shown[k++] = '\\';
			shown[k++] = t[i].in[j] ? "ntr"[esc - ctl] : '0';
		}
		shown[k] = '\0';
		ret = write_bytes(path, t[i].in, len);
		writes = ns = per_s = 0;
		rc = read_bench(path, &writes, &ns, &per_s);
		if (!t[i].err)
			last = t[i].writes;
		tap_ok(ret == t[i].err && !rc && writes == last,
		       "bench: \"%s\": %s (%s), last run %llu writes", shown,
		       t[i].err ? strerrorname_np(-t[i].err) : "run",
		       ret ? strerrorname_np(-ret) : "run", writes);
	}
}

/*
 * The bench file: a count written makes that many writes of 0 to a
 * register where that changes nothing, while line OUT_LINE is held at 1;
 * reading reports the run.
 */
static void test_bench(void)
{
	unsigned long long writes = 1, ns = 1, per_s = 1;
	unsigned int dir0 = 0, data0 = 0, dir1 = 0, data1 = 0;
	struct regs r;
	char path[600];
	int fd, h, rc;

	snprintf(path, sizeof(path), DEBUGFS "/%s/bench", dev);
	rc = read_bench(path, &writes, &ns, &per_s);
	tap_ok(!rc && writes == 0 && ns == 0 && per_s == 0,
	       "bench before a run: writes 0 ns 0 writes_per_s 0");

	fd = chip_fd();
	h = fd >= 0 ? request_lines(fd, (unsigned int[]){ OUT_LINE }, 1,
				    GPIOHANDLE_REQUEST_OUTPUT, 1) : -EBADF;
	tap_ok(h >= 0, "hold line %d at 1", OUT_LINE);
	rc = read_regs(&r);
	reg_value(&r, "GPIODIR", &dir0);
	reg_value(&r, "GPIODATA", &data0);
	tap_ok(write_file(path, "100000") == 0, "bench: write 100000");
	rc |= read_regs(&r);
	reg_value(&r, "GPIODIR", &dir1);
	reg_value(&r, "GPIODATA", &data1);
	tap_ok(!rc && (data0 & (1u << OUT_LINE)) && dir1 == dir0 && data1 == data0,
	       "bench: no line moved (GPIODIR 0x%02x, GPIODATA 0x%02x)", dir1, data1);
	rc = read_bench(path, &writes, &ns, &per_s);
	tap_ok(!rc && writes == 100000 && ns > 0 &&
	       per_s == writes * 1000000000ULL / ns,
	       "bench: %llu writes in %llu ns, %llu writes/s", writes, ns, per_s);
	if (h >= 0)
		close(h);
	if (fd >= 0)
		close(fd);

	test_bench_counts(path);
}

static void press_power_button(void)
{
	/* scripts/qemu.sh sends it to QEMU's QMP socket */
	printf("@@ QMP system_powerdown\n");
	fflush(stdout);
}

static void test_power_button(void)
{
	struct gpioevent_request ev;
	struct gpioevent_data e[4];
	struct pollfd pfd;
	struct regs r;
	char cmd[800], *out;
	int fd, status, i, n = 0, rising = 0, falling = 0;
	ssize_t len;
	static const char *const points[] = {
		"regs while line 3 is watched", "power button over QMP",
		"regs once released", "gpiomon watches line 3", "gpiomon reports the edge",
	};

	if (!qmp_listens()) {
		for (i = 0; i < (int)(sizeof(points) / sizeof(points[0])); i++)
			tap_skip("MEMLAB_QMP is not 1: no one presses QEMU's power button",
				 "%s", points[i]);
		return;
	}
	/* The chardev: both edges of QEMU's 100 ms pulse */
	fd = chip_fd();
	memset(&ev, 0, sizeof(ev));
	ev.lineoffset = KEY_LINE;
	ev.handleflags = GPIOHANDLE_REQUEST_INPUT;
	ev.eventflags = GPIOEVENT_REQUEST_BOTH_EDGES;
	snprintf(ev.consumer_label, sizeof(ev.consumer_label), "gpio_test");
	if (fd < 0 || ioctl(fd, GPIO_GET_LINEEVENT_IOCTL, &ev) < 0) {
		tap_ok(0, "events on line %d: %s", KEY_LINE, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	tap_ok(read_regs(&r) == 0 && !strcmp(r.trig[KEY_LINE], "edge-both") &&
	       !strcmp(r.irq[KEY_LINE], "on") && !strcmp(r.dir[KEY_LINE], "in"),
	       "regs: line %d in, edge-both, irq on while watched (%s %s)",
	       KEY_LINE, r.trig[KEY_LINE], r.irq[KEY_LINE]);
	press_power_button();
	pfd.fd = ev.fd;
	pfd.events = POLLIN;
	while (n < 2 && poll(&pfd, 1, 15000) > 0) {
		len = read(ev.fd, e, sizeof(e));
		for (i = 0; len > 0 && i < len / (ssize_t)sizeof(e[0]); i++, n++) {
			if (e[i].id == GPIOEVENT_EVENT_RISING_EDGE)
				rising++;
			else
				falling++;
		}
		if (len <= 0)
			break;
	}
	tap_ok(rising == 1 && falling == 1,
	       "power button over QMP: line %d rises and falls (%d, %d)",
	       KEY_LINE, rising, falling);
	close(ev.fd);
	close(fd);
	tap_ok(read_regs(&r) == 0 && !strcmp(r.irq[KEY_LINE], "off"),
	       "regs: line %d irq off once released", KEY_LINE);

	/*
	 * gpiomon: started in the background, the button pressed once the
	 * line shows its interrupt enabled in regs (gpiomon is listening).
	 */
	snprintf(cmd, sizeof(cmd),
		 "timeout 20 gpiomon --num-events=1 --rising-edge %s %d >/tmp/gpiomon.out 2>&1 &",
		 chip, KEY_LINE);
	status = system(cmd);
	for (i = 0; i < 100; i++) {
		if (!read_regs(&r) && !strcmp(r.irq[KEY_LINE], "on"))
			break;
		usleep(100000);
	}
	tap_ok(status == 0 && i < 100, "gpiomon watches line %d", KEY_LINE);
	press_power_button();
	out = slurp_until("/tmp/gpiomon.out", "RISING EDGE", 200);
	tap_ok(out && strstr(out, "RISING EDGE") && strstr(out, "offset: 3"),
	       "gpiomon reports the rising edge on line %d", KEY_LINE);
	if (out)
		tap_diag("gpiomon: %s", strtok(out, "\n"));
	free(out);
	/* gpiomon exits after its one event; wait for the line to be free */
	for (i = 0; i < 50; i++) {
		if (!read_regs(&r) && !strcmp(r.irq[KEY_LINE], "off"))
			break;
		usleep(100000);
	}
}

static int unbind_bind(const char *what)
{
	char path[600];

	snprintf(path, sizeof(path), DRIVER "/%s", what);
	return write_file(path, dev);
}

static void test_rebind(void)
{
	char path[600], saved[256];
	int rc;

	snprintf(saved, sizeof(saved), "%s", dev);
	rc = unbind_bind("unbind");
	snprintf(path, sizeof(path), DEBUGFS "/%s", saved);
	tap_ok(rc == 0 && find_chip() != 0 && !exists(path),
	       "unbind: chip and debugfs directory gone (%s)", strerror(-rc));
	snprintf(dev, sizeof(dev), "%s", saved);
	rc = unbind_bind("bind");
	tap_ok(rc == 0 && find_chip() == 0 && !strcmp(dev, saved) && exists(path),
	       "bind: %s back as %s (%s)", dev, chip, strerror(-rc));
	rc = unbind_bind("bind");
	tap_ok(rc == -EBUSY || rc == -ENODEV, "bind again: refused (%s)",
	       strerror(-rc));
}

static int load(const char *params)
{
	return module_insert(MODULE, params);
}

static int unload(void)
{
	return module_remove("memlab_gpio");
}

static int mmio_fd(int flags)
{
	char path[600];

	snprintf(path, sizeof(path), DEBUGFS "/%s/mmio", dev);
	return open(path, flags);
}

static ssize_t peek(int fd, size_t width, off_t off, unsigned int *val)
{
	unsigned char b[8] = { 0 };
	ssize_t n = pread(fd, b, width, off);

	if (n < 0)
		return -errno;
	*val = b[0] | b[1] << 8 | b[2] << 16 | (unsigned int)b[3] << 24;
	return n;
}

static ssize_t poke(int fd, size_t width, off_t off, unsigned int val)
{
	unsigned char b[8] = { val, val >> 8, val >> 16, val >> 24 };
	ssize_t n = pwrite(fd, b, width, off);

	return n < 0 ? -errno : n;
}

static void test_mmio(void)
{
	unsigned int v = 0, dir = 0;
	struct regs r;
	int fd;

	fd = mmio_fd(O_RDWR);
	tap_ok(fd >= 0, "mmio=1: mmio exists");
	if (fd < 0)
		return;
	read_regs(&r);
	reg_value(&r, "GPIODIR", &dir);
	tap_ok(peek(fd, 4, 0x400, &v) == 4 && v == dir,
	       "peek 4 bytes at 0x400 = GPIODIR in regs (0x%x, 0x%x)", v, dir);
	tap_ok(peek(fd, 1, 0xfe0, &v) == 1 && v == 0x61,
	       "peek 1 byte at 0xfe0: PeriphID0 0x%x", v);
	tap_ok(peek(fd, 2, 0xffe, &v) == 2, "peek 2 bytes at the window's end");
	tap_ok(peek(fd, 3, 0x400, &v) == -EINVAL, "peek 3 bytes: EINVAL");
	tap_ok(peek(fd, 8, 0x400, &v) == -EINVAL, "peek 8 bytes: EINVAL");
	tap_ok(peek(fd, 4, 0x402, &v) == -EINVAL, "peek 4 bytes at 0x402: EINVAL");
	tap_ok(peek(fd, 4, 0x1000, &v) == -ENXIO, "peek at 0x1000: ENXIO");
	tap_ok(peek(fd, 1, 0x7fffffff, &v) == -ENXIO, "peek far away: ENXIO");
	tap_ok(poke(fd, 4, 0x1000, 0) == -ENXIO, "poke at 0x1000: ENXIO");
	tap_ok(poke(fd, 4, 0x401, 0) == -EINVAL, "poke 4 bytes at 0x401: EINVAL");
	tap_ok(poke(fd, 0, 0x400, 0) == -EINVAL, "poke 0 bytes: EINVAL");

	/* Line 6 an output at 1, through GPIODIR and the masked data address */
	tap_ok(poke(fd, 4, 0x400, dir | 0x40) == 4 &&
	       poke(fd, 4, 0x40 << 2, 0xff) == 4, "poke GPIODIR and GPIODATA[0x40]");
	tap_ok(!read_regs(&r) && !strcmp(r.dir[6], "out") && r.level[6] == 1,
	       "regs: line 6 out, level 1 after the pokes");
	poke(fd, 4, 0x40 << 2, 0);
	tap_ok(!read_regs(&r) && r.level[6] == 0 && r.level[4] == 1,
	       "masked poke of 0 clears line 6 only");
	poke(fd, 4, 0x400, dir);
	close(fd);
}

static void test_module(void)
{
	char path[600];
	int fd, h, rc;

	if (!exists(MODULE)) {
		tap_skip(MODULE " is not in this guest", "unload and reload memlab_gpio");
		return;
	}
	snprintf(path, sizeof(path), DEBUGFS "/%s/mmio", dev);
	tap_ok(!exists(path), "no mmio file without mmio=1");

	fd = chip_fd();
	h = fd >= 0 ? request_one(fd, OUT_LINE, GPIOHANDLE_REQUEST_INPUT) : -EBADF;
	tap_ok(h >= 0, "hold line %d", OUT_LINE);
	rc = unload();
	tap_ok(rc == -EAGAIN && exists("/sys/module/memlab_gpio"),
	       "rmmod while a line is held: EAGAIN, still loaded (%s)", strerror(-rc));
	rc = unload();
	tap_ok(rc == -EAGAIN, "rmmod again: EAGAIN (%s)", strerror(-rc));
	rc = load("");
	tap_ok(rc == -EEXIST, "insmod while loaded: EEXIST (%s)", strerror(-rc));
	if (h >= 0)
		close(h);
	if (fd >= 0)
		close(fd);

	rc = unload();
	tap_ok(rc == 0 && !exists("/sys/module/memlab_gpio") && !exists(DEBUGFS),
	       "rmmod once released: gone, debugfs too (%s)", strerror(-rc));
	rc = load("mmio=junk");
	tap_ok(rc == -EINVAL && !exists("/sys/module/memlab_gpio"),
	       "insmod mmio=junk: EINVAL (%s)", strerror(-rc));
	rc = load("mmio=1");
	tap_ok(rc == 0 && find_chip() == 0, "insmod mmio=1: %s is back", chip);
	if (rc == 0)
		test_mmio();
	rc = unload();
	tap_ok(rc == 0, "rmmod (%s)", strerror(-rc));
	rc = load("");
	tap_ok(rc == 0 && find_chip() == 0 && !exists(path),
	       "insmod: %s back, without mmio", chip);
}

int main(void)
{
	tap_begin();
	if (find_chip()) {
		tap_skip_all("no device bound to memlab-gpio with a gpiochip");
	}
	tap_diag("%s is %s", dev, chip);
	test_report();
	test_tools();
	test_set();
	test_bad_requests();
	test_toggle_rate();
	test_bench();
	test_power_button();
	test_rebind();
	test_module();
	return tap_done();
}
