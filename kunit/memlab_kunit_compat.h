/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KUnit suites' differences between kernel versions (6.1 to 7.2).
 */
#ifndef MEMLAB_KUNIT_COMPAT_H
#define MEMLAB_KUNIT_COMPAT_H

#include <linux/hrtimer.h>

/*
 * hrtimer_setup() replaced hrtimer_init() and the assignment of ->function
 * (6.13); kunit/Kbuild finds which one the kernel has.
 */
static inline void memlab_hrtimer_setup(struct hrtimer *timer,
					enum hrtimer_restart (*fn)(struct hrtimer *),
					clockid_t clock, enum hrtimer_mode mode)
{
#ifdef MEMLAB_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

#endif
