// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_gpio's tracepoints through tracefs, in the guest: memlab_gpio_set
 * and memlab_gpio_irq exist with their documented formats; with them
 * enabled, every level driven through memlab's chip (a request with an
 * initial level, values set on one line and on two at once, gpioset) must
 * show as one memlab_gpio_set line per line driven, in order, with the
 * device, line and level; and each edge of QEMU's power button read from
 * line 3 as one memlab_gpio_irq line. In share mode (memlab-gpio-share)
 * memlab's lines 1 and 2 are driven, and the interrupt, which is the stock
 * driver's there, is not checked. Anywhere but on QEMU virt's PL061 it
 * skips: it drives lines. Prints TAP.
 *
 * Usage: gpio_trace_test    (memlab_gpio loaded, its lines free)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/gpio.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "memlab_test.h"
#include "tracefs.h"

#define DRIVER		"/sys/bus/platform/drivers/memlab-gpio"
#define DEBUGFS		"/sys/kernel/debug/memlab/gpio"
#define KEY_LINE	3	/* QEMU's power button on the PL061 */
#define NSETS		9	/* levels the set workload drives */

static char dev[256];	/* platform device, e.g. 9030000.pl061 */
static char chip[256];	/* gpiochipN */

/* The first device memlab-gpio drives and its gpiochip; 0 when found */
static int find_chip(void)
{
	char path[600];
	struct dirent *d;
	DIR *dir;

	dev[0] = '\0';
	chip[0] = '\0';
	dir = opendir(DRIVER);
	if (!dir)
		return -1;
	while ((d = readdir(dir)) && !chip[0]) {
		DIR *sub;
		struct dirent *s;

		/* Its devices are links (9030000.pl061, memlab-gpio-share), as is module */
		if (d->d_type != DT_LNK || !strcmp(d->d_name, "module"))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s", d->d_name);
		sub = opendir(path);
		while (sub && (s = readdir(sub)))
			if (!strncmp(s->d_name, "gpiochip", 8)) {
				snprintf(dev, sizeof(dev), "%s", d->d_name);
				snprintf(chip, sizeof(chip), "%s", s->d_name);
				break;
			}
		if (sub)
			closedir(sub);
	}
	closedir(dir);
	return chip[0] ? 0 : -1;
}

/*
 * 1 when regs says "mode share", 0 for a chip of its own, -1 when the
 * controller is not QEMU virt's PL061, whose lines 5 and 6 are free and
 * whose line 3 is the power button: on a board nothing is driven
 */
static int chip_mode(void)
{
	char path[600], *text;
	int mode = -1;

	snprintf(path, sizeof(path), DEBUGFS "/%s/regs", dev);
	text = slurp(path);
	if (text && strstr(text, "\ncontroller pl061\n") &&
	    strstr(text, "\nphys 0x0000000009030000\n"))
		mode = !!strstr(text, "\nmode share\n");
	free(text);
	return mode;
}

/* The number of lines of the chip, or -errno */
static int chip_lines(void)
{
	struct gpiochip_info info;
	char path[300];
	int fd, ret;

	snprintf(path, sizeof(path), "/dev/%s", chip);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = ioctl(fd, GPIO_GET_CHIPINFO_IOCTL, &info) ? -errno : (int)info.lines;
	close(fd);
	return ret;
}

/* A v1 line handle for output on @n lines at @values; the handle fd or -errno */
static int request_out(int fd, const unsigned int *lines, const int *values, unsigned int n)
{
	struct gpiohandle_request req;
	unsigned int i;

	memset(&req, 0, sizeof(req));
	for (i = 0; i < n; i++) {
		req.lineoffsets[i] = lines[i];
		req.default_values[i] = values[i];
	}
	req.lines = n;
	req.flags = GPIOHANDLE_REQUEST_OUTPUT;
	snprintf(req.consumer_label, sizeof(req.consumer_label), "gpio_trace_test");
	if (ioctl(fd, GPIO_GET_LINEHANDLE_IOCTL, &req) < 0)
		return -errno;
	return req.fd;
}

static int set_values(int h, const int *values, unsigned int n)
{
	struct gpiohandle_data data;
	unsigned int i;

	memset(&data, 0, sizeof(data));
	for (i = 0; i < n; i++)
		data.values[i] = values[i];
	return ioctl(h, GPIOHANDLE_SET_LINE_VALUES_IOCTL, &data) ? -errno : 0;
}

/*
 * Drive lines @a and @b: a request of @a at 1 (direction_output), 0, 1, 0
 * on it (set), both requested at 0 and set to 1 at once (set_multiple),
 * and gpioset @a=1. @want gets the NSETS (line, level) pairs in order.
 */
static int drive(unsigned int a, unsigned int b, int want[NSETS][2])
{
	static const int seq[NSETS][2] = {
		{ 0, 1 }, { 0, 0 }, { 0, 1 }, { 0, 0 },	/* @a alone */
		{ 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 },	/* @a and @b */
		{ 0, 1 },				/* gpioset */
	};
	unsigned int both[2] = { a, b };
	char path[300], cmd[400], *out;
	int fd, h, ret = 0, i, st;

	for (i = 0; i < NSETS; i++) {
		want[i][0] = seq[i][0] ? b : a;
		want[i][1] = seq[i][1];
	}
	snprintf(path, sizeof(path), "/dev/%s", chip);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	h = request_out(fd, &a, (int[]){ 1 }, 1);
	if (h < 0) {
		close(fd);
		return h;
	}
	for (i = 1; i < 4 && !ret; i++)
		ret = set_values(h, &seq[i][1], 1);
	close(h);
	if (!ret) {
		h = request_out(fd, both, (int[]){ 0, 0 }, 2);
		ret = h < 0 ? h : set_values(h, (int[]){ 1, 1 }, 2);
		if (h >= 0)
			close(h);
	}
	close(fd);
	if (ret)
		return ret;
	snprintf(cmd, sizeof(cmd), "gpioset %s %u=1 2>&1", chip, a);
	out = run_cmd(cmd, &st);
	free(out);
	return st == 0 ? 0 : -EIO;
}

/* Both edges of the power button on line KEY_LINE; the number of edges read */
static int press_button(void)
{
	struct gpioevent_request ev;
	struct gpioevent_data e[4];
	struct pollfd pfd;
	char path[300];
	int fd, n = 0;
	ssize_t len;

	snprintf(path, sizeof(path), "/dev/%s", chip);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ev, 0, sizeof(ev));
	ev.lineoffset = KEY_LINE;
	ev.handleflags = GPIOHANDLE_REQUEST_INPUT;
	ev.eventflags = GPIOEVENT_REQUEST_BOTH_EDGES;
	snprintf(ev.consumer_label, sizeof(ev.consumer_label), "gpio_trace_test");
	if (ioctl(fd, GPIO_GET_LINEEVENT_IOCTL, &ev) < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	/* scripts/qemu.sh sends it to QEMU's QMP socket */
	printf("@@ QMP system_powerdown\n");
	fflush(stdout);
	pfd.fd = ev.fd;
	pfd.events = POLLIN;
	while (n < 2 && poll(&pfd, 1, 15000) > 0) {
		len = read(ev.fd, e, sizeof(e));
		if (len <= 0)
			break;
		n += len / sizeof(e[0]);
	}
	close(ev.fd);
	close(fd);
	return n;
}

static int disabled(const char *event)
{
	char path[160], *v;
	int ok;

	tracefs_event_path(path, sizeof(path), event, "enable");
	v = slurp(path);
	ok = v && v[0] == '0';
	free(v);
	return ok;
}

int main(void)
{
	static const struct {
		const char *name, *fmt;
	} events[] = {
		{ "memlab_gpio_set", "dev=%s line=%u value=%d" },
		{ "memlab_gpio_irq", "dev=%s line=%u" },
	};
	int want[NSETS][2], i, n, bad, ok, share, edges = 0, nirq;
	struct trace_rec *recs;
	unsigned int a, b, e;
	char fmt[256];

	tap_begin();
	if (tracefs_find())
		tap_skip_all("this kernel has no tracefs");
	if (!tracefs_has_events())
		tap_skip_all("this kernel traces no events (no CONFIG_EVENT_TRACING)");
	if (find_chip())
		tap_skip_all("no gpio_chip of memlab-gpio");
	share = chip_mode();
	if (share < 0)
		tap_skip_all("it drives lines: on QEMU virt's PL061 only");
	if (share && chip_lines() < 3)
		tap_skip_all("share mode: fewer than three shared lines");
	tap_diag("%s (%s), %s mode", dev, chip, share ? "share" : "gpiochip");
	tap_plan(ARRAY_SIZE(events) + 4 + NSETS + 3);

	for (e = 0; e < ARRAY_SIZE(events); e++) {
		ok = tracefs_event_exists(events[e].name) &&
		     !tracefs_print_fmt(events[e].name, fmt, sizeof(fmt)) &&
		     !strcmp(fmt, events[e].fmt);
		tap_ok(ok, "events/memlab/%s exists, print fmt as documented", events[e].name);
		if (!ok && tracefs_event_exists(events[e].name))
			tap_diag("print fmt: \"%s\"", fmt);
	}

	/* Levels: lines 5 and 6 of the PL061, free in QEMU; memlab's 1 and 2 in share mode */
	a = share ? 1 : 5;
	b = share ? 2 : 6;
	ok = tracefs_enable("memlab_gpio_set", 1) == 0 && tracefs_clear() == 0;
	tap_ok(ok, "memlab_gpio_set enabled, the buffer cleared");
	tap_ok(drive(a, b, want) == 0, "lines %u and %u driven %d times", a, b, NSETS);
	recs = tracefs_read(&n, &bad);
	tracefs_enable("memlab_gpio_set", 0);
	tap_ok(recs && n == NSETS && trace_count(recs, n, "memlab_gpio_set") == n && !bad,
	       "%d memlab_gpio_set lines, nothing else (%d, %d unparsed)", NSETS, n, bad);
	for (i = 0; i < NSETS; i++) {
		const struct trace_rec *r = recs && i < n ? &recs[i] : NULL;
		const char *d = r ? trace_field(r, "dev") : NULL;

		ok = r && d && !strcmp(d, dev) && trace_num(r, "line") == want[i][0] &&
		     trace_num(r, "value") == want[i][1];
		tap_ok(ok, "set line %d: dev %s line %d value %d", i + 1, dev, want[i][0],
		       want[i][1]);
		if (!ok && r)
			tap_diag("%s", r->line);
	}
	free(recs);
	tap_ok(disabled("memlab_gpio_set"), "memlab_gpio_set disabled again");

	if (share || !qmp_listens()) {
		for (i = 0; i < 3; i++)
			tap_skip(share ? "share mode: the stock driver takes the bank's interrupt" :
				 "MEMLAB_QMP is not 1: no one presses QEMU's power button",
				 "memlab_gpio_irq");
		return tap_done();
	}
	ok = tracefs_enable("memlab_gpio_irq", 1) == 0 && tracefs_clear() == 0;
	edges = ok ? press_button() : 0;
	tap_ok(edges == 2,
	       "memlab_gpio_irq enabled; both edges of the power button on line %d (%d)",
	       KEY_LINE, edges);
	recs = tracefs_read(&n, &bad);
	tracefs_enable("memlab_gpio_irq", 0);
	nirq = recs ? trace_count(recs, n, "memlab_gpio_irq") : -1;
	for (i = 0, ok = recs && nirq == n && !bad; ok && i < n; i++) {
		const char *d = trace_field(&recs[i], "dev");

		ok = d && !strcmp(d, dev) && trace_num(&recs[i], "line") == KEY_LINE;
		if (!ok)
			tap_diag("%s", recs[i].line);
	}
	tap_ok(ok && nirq == edges,
	       "one memlab_gpio_irq line per edge, dev %s line %d, nothing else (%d lines)", dev,
	       KEY_LINE, n);
	free(recs);
	tap_ok(disabled("memlab_gpio_irq"), "memlab_gpio_irq disabled again");
	return tap_done();
}
