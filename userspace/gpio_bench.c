// SPDX-License-Identifier: GPL-2.0-only
/*
 * gpio_bench: how fast a GPIO line toggles through libgpiod's line-request
 * API, whatever driver owns the chip.
 *
 *   gpio_bench [-n TOGGLES] CHIP LINE
 *
 * CHIP is anything gpiod_chip_open_lookup() takes (gpiochip0, /dev/gpiochip0,
 * a label, a number). The line is requested as an output driving 0, set
 * TOGGLES times (default 100000) to 1, 0, 1, ..., read back once to check
 * the last level arrived, and released. One line on stdout:
 *
 *   chip gpiochip0 label 9030000.pl061 line 0 toggles 100000 ns 812345678 toggles_per_s 123099
 *
 * Each toggle is one GPIOHANDLE_SET_LINE_VALUES_IOCTL (libgpiod 1.6 speaks
 * the v1 character-device ABI), so the figure is the ioctl, gpiolib and the
 * driver's set() together. make bench runs it on the QEMU virt PL061 under
 * the stock gpio-pl061 driver and under memlab_gpio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "gpio_bench";

static int fail(const char *what)
{
	int err = errno;

	fprintf(stderr, "%s: %s: %s (%s)\n", prog, what, strerrorname_np(err) ?: "?",
		strerror(err));
	return 1;
}

static int usage(FILE *f, int ret)
{
	fprintf(f, "usage: %s [-n TOGGLES] CHIP LINE\n", prog);
	return ret;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long toggles = 100000, i, line_nr;
	unsigned long long t0, t1, ns;
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	char *end;
	int opt, ret = 1, last;

	while ((opt = getopt(argc, argv, "hn:")) != -1) {
		switch (opt) {
		case 'n':
			errno = 0;
			toggles = strtoul(optarg, &end, 0);
			if (errno || *end || !toggles)
				return usage(stderr, 2);
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, 2);
		}
	}
	if (argc - optind != 2)
		return usage(stderr, 2);
	errno = 0;
	line_nr = strtoul(argv[optind + 1], &end, 0);
	if (errno || *end)
		return usage(stderr, 2);

	chip = gpiod_chip_open_lookup(argv[optind]);
	if (!chip)
		return fail(argv[optind]);
	line = gpiod_chip_get_line(chip, line_nr);
	if (!line) {
		fail("line");
		goto out_chip;
	}
	if (gpiod_line_request_output(line, prog, 0)) {
		fail("request the line as an output");
		goto out_chip;
	}

	t0 = now_ns();
	for (i = 1; i <= toggles; i++) {
		if (gpiod_line_set_value(line, i & 1)) {
			fail("set the line");
			goto out_line;
		}
	}
	t1 = now_ns();
	ns = t1 - t0 ?: 1;

	/* The level the last toggle drove, read back from the controller */
	last = gpiod_line_get_value(line);
	if (last < 0) {
		fail("read the line back");
		goto out_line;
	}
	if (last != (int)(toggles & 1)) {
		fprintf(stderr, "%s: the line reads %d after driving %lu\n", prog,
			last, toggles & 1);
		goto out_line;
	}

	printf("chip %s label %s line %lu toggles %lu ns %llu toggles_per_s %llu\n",
	       gpiod_chip_name(chip), gpiod_chip_label(chip), line_nr, toggles,
	       ns, toggles * 1000000000ULL / ns);
	ret = 0;
out_line:
	gpiod_line_release(line);
out_chip:
	gpiod_chip_close(chip);
	return ret;
}
