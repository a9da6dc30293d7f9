// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_gpio's share mode, in the QEMU guest booted with scripts/dtb.sh's
 * share variant: the PL061 belongs to the stock gpio-pl061 and the node
 * memlab-gpio-share shares its lines 3 (QEMU's power button), 5 and 6.
 * memlab's chip as libgpiod sees it, the stock chip's lines held by
 * memlab, levels and directions in the PL061's registers (memlab's regs
 * report), the stock driver's other lines left as they were, both edges
 * of the power button over QMP on memlab's line, and the lines back with
 * the stock chip once memlab_gpio is unloaded. Prints TAP; skips as a
 * whole without the share node.
 *
 * Usage: gpio_share_test    (memlab_gpio loaded; left unloaded)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/gpio.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "memlab_test.h"

#define SHARE_DEV	"memlab-gpio-share"
#define PLATFORM	"/sys/bus/platform/devices/"
#define STOCK_DEV	"/sys/bus/amba/devices/9030000.pl061"
#define REGS	"/sys/kernel/debug/memlab/gpio/" SHARE_DEV "/regs"
#define MODULE	"/memlab/modules/memlab_gpio.ko"
#define SHARED	0x68u	/* bank lines 3, 5 and 6 */
#define NSHARED	3
#define KEY	0	/* memlab's offset of bank line 3, the power button */
#define OUT	1	/* memlab's offset of bank line 5 */
#define OUT2	2	/* memlab's offset of bank line 6 */
#define STOCK_OUT	7	/* a stock line, driven by gpio-pl061 */

static char chip[256];		/* memlab's gpiochipN */
static char stock[256];		/* gpio-pl061's gpiochipN */

/* The gpiochipN under sysfs device directory @dir; 0 when found */
static int find_gpiochip(const char *dir, char *out, size_t len)
{
	struct dirent *d;
	DIR *dh = opendir(dir);

	out[0] = '\0';
	if (!dh)
		return -1;
	while ((d = readdir(dh)) && !out[0])
		if (!strncmp(d->d_name, "gpiochip", 8))
			snprintf(out, len, "%s", d->d_name);
	closedir(dh);
	return out[0] ? 0 : -1;
}

/* memlab's regs report: the header keys and the register rows */
struct regs {
	char mode[64];
	unsigned int shared;
	int nregs;
	char name[40][24];
	unsigned int val[40];
};

static int read_regs(struct regs *r)
{
	char *text = slurp(REGS), *line, *save;
	int part = 0;

	memset(r, 0, sizeof(*r));
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char a[64], b[64];
		unsigned int off;

		if (!strncmp(line, "register ", 9)) {
			part = 1;
			continue;
		}
		if (!strncmp(line, "line ", 5))
			break;
		if (part == 0 && sscanf(line, "%63s %63s", a, b) == 2) {
			if (!strcmp(a, "mode"))
				snprintf(r->mode, sizeof(r->mode), "%s", b);
			else if (!strcmp(a, "shared"))
				r->shared = strtoul(b, NULL, 16);
		} else if (part == 1 && r->nregs < 40 &&
			   sscanf(line, "%23s 0x%x 0x%x", r->name[r->nregs], &off,
				  &r->val[r->nregs]) == 3) {
			r->nregs++;
		}
	}
	free(text);
	return r->nregs ? 0 : -1;
}

static unsigned int reg(const struct regs *r, const char *name)
{
	int i;

	for (i = 0; i < r->nregs; i++)
		if (!strcmp(r->name[i], name))
			return r->val[i];
	return ~0u;
}

/* Run a shell command; its exit status, its output in @out (may be NULL) */
static int sh(char **out, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int status;
	char *o;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	o = run_cmd(cmd, &status);
	if (out)
		*out = o;
	else
		free(o);
	return status;
}

/* The gpioinfo row of @line ("\tline   3: ...") in @info, or NULL */
static const char *info_row(const char *info, unsigned int line, char *row,
			    size_t len)
{
	char key[32];
	const char *p, *e;

	snprintf(key, sizeof(key), "line %3u:", line);
	p = info ? strstr(info, key) : NULL;
	if (!p)
		return NULL;
	e = strchr(p, '\n');
	snprintf(row, len, "%.*s", e ? (int)(e - p) : (int)strlen(p), p);
	return row;
}

static void test_chips(void)
{
	char *info = NULL, row[256];
	unsigned int i, held = 0, others = 0;
	static const unsigned int bank[NSHARED] = { 3, 5, 6 };
	int st;

	st = sh(&info, "gpioinfo %s 2>&1", chip);
	tap_ok(st == 0 && info && strstr(info, "3 lines"),
	       "gpioinfo %s: memlab's chip has 3 lines", chip);
	for (i = 0; i < NSHARED; i++) {
		char want[64];

		snprintf(want, sizeof(want), "\"pl061@9030000-%u\"", bank[i]);
		tap_ok(info_row(info, i, row, sizeof(row)) && strstr(row, want),
		       "memlab's line %u is named %s", i, want);
	}
	if (tap_failed && info)
		tap_diag("%s", info);
	free(info);

	st = sh(&info, "gpioinfo %s 2>&1", stock);
	for (i = 0; i < 8; i++) {
		int used = info_row(info, i, row, sizeof(row)) &&
			   strstr(row, "\"" SHARE_DEV "\"") && strstr(row, "[used]");

		if (SHARED & (1u << i))
			held += used;
		else
			others += used;
	}
	tap_ok(st == 0 && held == NSHARED && !others,
	       "gpioinfo %s: lines 3, 5, 6 used by " SHARE_DEV ", no other (%u, %u)",
	       stock, held, others);
	if (tap_failed && info)
		tap_diag("%s", info);
	free(info);

	st = sh(NULL, "gpioget %s 3 2>/dev/null", stock);
	tap_ok(st != 0, "gpioget %s 3: refused while memlab holds it", stock);
	st = sh(NULL, "gpioget %s 4 >/dev/null 2>&1", stock);
	tap_ok(st == 0, "gpioget %s 4: the stock chip's own line still works", stock);
}

static void test_levels(struct regs *before)
{
	struct regs r, after;
	char *out = NULL;
	int st, i, moved = 0;

	/* A stock line driven by gpio-pl061, which memlab must leave alone */
	st = sh(NULL, "gpioset %s %d=1 2>&1", stock, STOCK_OUT);
	tap_ok(st == 0, "gpioset %s %d=1 (stock)", stock, STOCK_OUT);
	tap_ok(read_regs(before) == 0 && !strcmp(before->mode, "share") &&
	       before->shared == SHARED,
	       "regs: mode %s, shared 0x%08x", before->mode, before->shared);

	st = sh(NULL, "gpioset %s %d=1 2>&1", chip, OUT);
	read_regs(&r);
	tap_ok(st == 0 && (reg(&r, "GPIODIR") & 0x20) && (reg(&r, "GPIODATA") & 0x20),
	       "gpioset %s %d=1: bank line 5 out, high (GPIODIR 0x%02x, GPIODATA 0x%02x)",
	       chip, OUT, reg(&r, "GPIODIR"), reg(&r, "GPIODATA"));
	st = sh(NULL, "gpioset %s %d=0 2>&1", chip, OUT);
	read_regs(&r);
	tap_ok(st == 0 && !(reg(&r, "GPIODATA") & 0x20),
	       "gpioset %s %d=0: bank line 5 low (GPIODATA 0x%02x)", chip, OUT,
	       reg(&r, "GPIODATA"));
	/* Two lines in one request: memlab's set_multiple, one masked write */
	st = sh(NULL, "gpioset %s %d=1 %d=1 2>&1", chip, OUT, OUT2);
	read_regs(&r);
	tap_ok(st == 0 && (reg(&r, "GPIODATA") & 0x60) == 0x60 &&
	       (reg(&r, "GPIODIR") & 0x60) == 0x60,
	       "gpioset %d=1 %d=1 at once: bank lines 5 and 6 high (GPIODATA 0x%02x)",
	       OUT, OUT2, reg(&r, "GPIODATA"));
	st = sh(NULL, "gpioset %s %d=0 %d=0 2>&1", chip, OUT, OUT2);
	read_regs(&r);
	tap_ok(st == 0 && !(reg(&r, "GPIODATA") & 0x60), "and low again");

	/* QEMU holds the power button low until it is pressed */
	st = sh(&out, "gpioget %s %d 2>&1", chip, KEY);
	tap_ok(st == 0 && out && !strcmp(out, "0\n"), "gpioget %s %d reads 0", chip, KEY);
	free(out);

	/* Every register, the shared lines' bits aside, as before */
	read_regs(&after);
	for (i = 0; i < before->nregs; i++) {
		unsigned int a = reg(&after, before->name[i]);

		if ((a & ~SHARED) != (before->val[i] & ~SHARED)) {
			tap_diag("%s: 0x%08x -> 0x%08x", before->name[i],
				 before->val[i], a);
			moved++;
		}
	}
	tap_ok(before->nregs == 17 && after.nregs == 17 && !moved,
	       "the stock lines' bits of all 17 registers are unchanged (%d moved)",
	       moved);
	tap_ok((reg(&after, "GPIODIR") & 0x80) && (reg(&after, "GPIODATA") & 0x80),
	       "stock line %d is still an output at 1", STOCK_OUT);
}

static void press_power_button(void)
{
	/* scripts/qemu.sh sends it to QEMU's QMP socket */
	printf("@@ QMP system_powerdown\n");
	fflush(stdout);
}

/* Wait up to 10 s for GPIOIE bit 3 to be @on */
static int wait_ie(int on)
{
	struct regs r;
	int i;

	for (i = 0; i < 100; i++) {
		if (!read_regs(&r) && !!(reg(&r, "GPIOIE") & 0x08) == on)
			return 0;
		usleep(100000);
	}
	return -1;
}

static void test_events(void)
{
	struct gpioevent_request ev;
	struct gpioevent_data e[4];
	struct pollfd pfd;
	struct regs r;
	char path[300], cmd[512], *out = NULL;
	int fd, i, n = 0, rising = 0, falling = 0, st;
	ssize_t len;
	static const char *const points[] = {
		"the stock driver enables bank line 3 while watched", "power button over QMP",
		"released, bank line 3's interrupt is disabled", "gpiomon watches memlab's line",
		"gpiomon reports the edge", "gpiomon gone, bank line 3's interrupt is disabled",
	};

	if (!qmp_listens()) {
		for (i = 0; i < (int)(sizeof(points) / sizeof(points[0])); i++)
			tap_skip("MEMLAB_QMP is not 1: no one presses QEMU's power button",
				 "%s", points[i]);
		return;
	}
	snprintf(path, sizeof(path), "/dev/%s", chip);
	fd = open(path, O_RDWR);
	memset(&ev, 0, sizeof(ev));
	ev.lineoffset = KEY;
	ev.handleflags = GPIOHANDLE_REQUEST_INPUT;
	ev.eventflags = GPIOEVENT_REQUEST_BOTH_EDGES;
	snprintf(ev.consumer_label, sizeof(ev.consumer_label), "gpio_share_test");
	if (fd < 0 || ioctl(fd, GPIO_GET_LINEEVENT_IOCTL, &ev) < 0) {
		tap_ok(0, "events on memlab's line %d: %s", KEY, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	/* gpio-pl061 set the trigger up: its registers, its irq_chip */
	tap_ok(!read_regs(&r) && (reg(&r, "GPIOIBE") & 0x08) && (reg(&r, "GPIOIE") & 0x08),
	       "while watched, the stock driver enables bank line 3 (GPIOIBE 0x%02x, GPIOIE 0x%02x)",
	       reg(&r, "GPIOIBE"), reg(&r, "GPIOIE"));
	press_power_button();
	pfd.fd = ev.fd;
	pfd.events = POLLIN;
	while (n < 2 && poll(&pfd, 1, 15000) > 0) {
		len = read(ev.fd, e, sizeof(e));
		if (len <= 0)
			break;
		for (i = 0; i < len / (ssize_t)sizeof(e[0]); i++, n++) {
			if (e[i].id == GPIOEVENT_EVENT_RISING_EDGE)
				rising++;
			else
				falling++;
		}
	}
	tap_ok(rising == 1 && falling == 1,
	       "power button over QMP: memlab's line %d rises and falls (%d, %d)",
	       KEY, rising, falling);
	close(ev.fd);
	close(fd);
	tap_ok(wait_ie(0) == 0, "released, bank line 3's interrupt is disabled");

	snprintf(cmd, sizeof(cmd),
		 "timeout 20 gpiomon --num-events=1 --rising-edge %s %d >/tmp/gpiomon.out 2>&1 &",
		 chip, KEY);
	st = system(cmd);
	tap_ok(st == 0 && wait_ie(1) == 0, "gpiomon watches memlab's line %d", KEY);
	press_power_button();
	out = slurp_until("/tmp/gpiomon.out", "RISING EDGE", 200);
	tap_ok(out && strstr(out, "RISING EDGE") && strstr(out, "offset: 0"),
	       "gpiomon reports the rising edge on memlab's line %d", KEY);
	if (out)
		tap_diag("gpiomon: %s", strtok(out, "\n"));
	free(out);
	tap_ok(wait_ie(0) == 0, "gpiomon gone, bank line 3's interrupt is disabled");
}

/* memlab's mmio file refuses every write in share mode */
static void test_mmio(void)
{
	char path[128];
	unsigned int v = 0;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/debug/memlab/gpio/" SHARE_DEV "/mmio");
	fd = open(path, O_RDONLY);
	tap_ok(fd >= 0 && pread(fd, &v, 4, 0x400) == 4, "mmio=1: mmio reads GPIODIR 0x%02x", v);
	if (fd >= 0)
		close(fd);
	fd = open(path, O_RDWR);
	tap_ok(fd < 0 || (pwrite(fd, &v, 4, 0x400) < 0 && errno == EPERM),
	       "mmio refuses writes in share mode (%s)", fd < 0 ? strerror(errno) : "EPERM");
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "/sys/kernel/debug/memlab/gpio/" SHARE_DEV "/bench");
	tap_ok(access(path, F_OK) != 0, "no bench file in share mode");
}

static void test_unload(void)
{
	char path[300], *info = NULL, row[256];
	unsigned int i, used = 0;
	int fd, h, rc, st;
	struct gpiohandle_request req;

	snprintf(path, sizeof(path), "/dev/%s", chip);
	fd = open(path, O_RDWR);
	memset(&req, 0, sizeof(req));
	req.lineoffsets[0] = OUT;
	req.lines = 1;
	req.flags = GPIOHANDLE_REQUEST_INPUT;
	h = fd >= 0 ? ioctl(fd, GPIO_GET_LINEHANDLE_IOCTL, &req) : -1;
	rc = module_remove("memlab_gpio");
	tap_ok(h == 0 && rc == -EAGAIN, "rmmod while memlab's line %d is held: EAGAIN (%s)",
	       OUT, strerror(-rc));
	if (h == 0)
		close(req.fd);
	if (fd >= 0)
		close(fd);

	rc = module_remove("memlab_gpio");
	tap_ok(rc == 0 && !module_loaded("memlab_gpio"), "rmmod memlab_gpio (%s)",
	       strerror(-rc));
	st = sh(&info, "gpioinfo %s 2>&1", stock);
	for (i = 0; i < 8; i++)
		used += info_row(info, i, row, sizeof(row)) && strstr(row, SHARE_DEV);
	tap_ok(st == 0 && !used, "gpioinfo %s: no line used by " SHARE_DEV, stock);
	free(info);
	st = sh(&info, "gpioget %s 3 2>&1", stock);
	tap_ok(st == 0 && info && !strcmp(info, "0\n"),
	       "gpioget %s 3: the stock chip has its line back (%s)", stock,
	       info ? strtok(info, "\n") : "?");
	free(info);
}

int main(void)
{
	struct regs before;
	char dir[256];
	int rc;

	tap_begin();
	snprintf(dir, sizeof(dir), PLATFORM SHARE_DEV);
	if (access(dir, F_OK))
		tap_skip_all("no " SHARE_DEV " node (scripts/dtb.sh's share variant)");
	if (find_gpiochip(STOCK_DEV, stock, sizeof(stock)))
		tap_skip_all("the PL061 is not gpio-pl061's AMBA device");
	tap_ok(find_gpiochip(dir, chip, sizeof(chip)) == 0, SHARE_DEV " is %s, gpio-pl061 %s",
	       chip, stock);
	if (!chip[0])
		return tap_done();
	test_chips();
	test_levels(&before);
	test_events();
	test_unload();

	/* Loaded again: the lines are free, so it shares them again */
	rc = module_insert(MODULE, "mmio=1");
	tap_ok(rc == 0 && find_gpiochip(dir, chip, sizeof(chip)) == 0,
	       "insmod mmio=1: " SHARE_DEV " is back as %s", chip);
	test_mmio();
	rc = module_remove("memlab_gpio");
	tap_ok(rc == 0, "rmmod memlab_gpio again (%s)", strerror(-rc));
	return tap_done();
}
