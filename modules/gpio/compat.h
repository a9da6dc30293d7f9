/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_gpio's gpiolib differences between kernel versions.
 */
#ifndef MEMLAB_GPIO_COMPAT_H
#define MEMLAB_GPIO_COMPAT_H

#include <linux/compiler.h>
#include <linux/gpio/driver.h>

/*
 * gpio_chip's set() and set_multiple() return int since 6.17 and void
 * before. Told apart by the member's type, so no version number is needed:
 * MEMLAB_GPIO_SET_FN(int_fn, void_fn) is whichever of the two fits.
 */
#define MEMLAB_GPIO_SET_RETURNS_INT \
	__same_type(((struct gpio_chip *)NULL)->set(NULL, 0, 0), int)

#define MEMLAB_GPIO_SET_FN(int_fn, void_fn) \
	__builtin_choose_expr(MEMLAB_GPIO_SET_RETURNS_INT, int_fn, void_fn)

#endif
