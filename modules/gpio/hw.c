// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_gpio: the checked entry points into a controller's register logic.
 *
 * gpiolib never passes a line number at or above ngpio, but the register
 * layer is also driven from debugfs and from KUnit, so every entry point
 * checks its line (or mask) and refuses, with -EINVAL and without touching
 * a register, what the controller does not have.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/irq.h>

#include <memlab/kunit_visibility.h>

#include "hw.h"

static bool memlab_gpio_line_ok(const struct memlab_gpio_hw *hw,
				unsigned int line)
{
	return line < hw->variant->ngpio;
}

static bool memlab_gpio_mask_ok(const struct memlab_gpio_hw *hw, u32 mask)
{
	return !(mask & ~GENMASK(hw->variant->ngpio - 1, 0));
}

/**
 * memlab_gpio_hw_get_direction() - read a line's direction
 * @hw: the controller
 * @line: line number
 *
 * Return: 1 for an output, 0 for an input, -EINVAL for a line the
 * controller does not have.
 */
int memlab_gpio_hw_get_direction(const struct memlab_gpio_hw *hw,
				 unsigned int line)
{
	if (!memlab_gpio_line_ok(hw, line))
		return -EINVAL;
	return hw->variant->get_direction(hw, line);
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_hw_get_direction);

/**
 * memlab_gpio_hw_set_direction() - make a line an input or an output
 * @hw: the controller
 * @line: line number
 * @output: true for an output
 * @value: level an output drives (ignored for an input)
 *
 * Context: the caller serialises read-modify-write cycles on @hw.
 * Return: 0, or -EINVAL for a line the controller does not have.
 */
int memlab_gpio_hw_set_direction(const struct memlab_gpio_hw *hw,
				 unsigned int line, bool output, int value)
{
	if (!memlab_gpio_line_ok(hw, line))
		return -EINVAL;
	hw->variant->set_direction(hw, line, output, value);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_hw_set_direction);

/**
 * memlab_gpio_hw_get() - read a line's level
 * @hw: the controller
 * @line: line number
 *
 * Return: 0 or 1, or -EINVAL for a line the controller does not have.
 */
int memlab_gpio_hw_get(const struct memlab_gpio_hw *hw, unsigned int line)
{
	if (!memlab_gpio_line_ok(hw, line))
		return -EINVAL;
	return hw->variant->get(hw, line);
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_hw_get);

/**
 * memlab_gpio_hw_set() - drive a line
 * @hw: the controller
 * @line: line number
 * @value: level, any non-zero value is 1
 *
 * Context: the caller serialises read-modify-write cycles on @hw.
 * Return: 0, or -EINVAL for a line the controller does not have.
 */
int memlab_gpio_hw_set(const struct memlab_gpio_hw *hw, unsigned int line,
		       int value)
{
	if (!memlab_gpio_line_ok(hw, line))
		return -EINVAL;
	hw->variant->set(hw, line, !!value);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_hw_set);

/**
 * memlab_gpio_hw_get_multiple() - read several lines at once
 * @hw: the controller
 * @mask: lines to read, bit n for line n
 * @bits: their levels (bits outside @mask are 0)
 *
 * Return: 0, or -EINVAL when @mask names a line the controller does not have.
 */
int memlab_gpio_hw_get_multiple(const struct memlab_gpio_hw *hw, u32 mask,
				u32 *bits)
{
	if (!memlab_gpio_mask_ok(hw, mask))
		return -EINVAL;
	*bits = hw->variant->get_multiple(hw, mask) & mask;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_hw_get_multiple);

/**
 * memlab_gpio_hw_set_multiple() - drive several lines at once
 * @hw: the controller
 * @mask: lines to drive, bit n for line n
 * @bits: their levels; bits outside @mask are ignored
 *
 * Context: the caller serialises read-modify-write cycles on @hw.
 * Return: 0, or -EINVAL when @mask names a line the controller does not have.
 */
int memlab_gpio_hw_set_multiple(const struct memlab_gpio_hw *hw, u32 mask,
				u32 bits)
{
	if (!memlab_gpio_mask_ok(hw, mask))
		return -EINVAL;
	hw->variant->set_multiple(hw, mask, bits & mask);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_hw_set_multiple);

/**
 * memlab_gpio_hw_irq_set_type() - program a line's interrupt trigger
 * @hw: the controller
 * @line: line number
 * @type: IRQ_TYPE_EDGE_RISING, _FALLING, _BOTH, IRQ_TYPE_LEVEL_HIGH, _LOW,
 *	or IRQ_TYPE_NONE (no detection)
 *
 * Context: the caller serialises read-modify-write cycles on @hw.
 * Return: 0, or -EINVAL for a line the controller does not have or a
 * trigger that mixes level and edge.
 */
int memlab_gpio_hw_irq_set_type(const struct memlab_gpio_hw *hw,
				unsigned int line, unsigned int type)
{
	if (!memlab_gpio_line_ok(hw, line))
		return -EINVAL;
	type &= IRQ_TYPE_SENSE_MASK;
	if ((type & IRQ_TYPE_LEVEL_MASK) && (type & IRQ_TYPE_EDGE_BOTH))
		return -EINVAL;
	if ((type & IRQ_TYPE_LEVEL_MASK) == IRQ_TYPE_LEVEL_MASK)
		return -EINVAL;
	return hw->variant->irq_set_type(hw, line, type);
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_hw_irq_set_type);

/**
 * memlab_gpio_hw_irq_get_type() - the trigger a line's registers hold
 * @hw: the controller
 * @line: line number
 *
 * Return: an IRQ_TYPE_* value, or -EINVAL for a line the controller does
 * not have.
 */
int memlab_gpio_hw_irq_get_type(const struct memlab_gpio_hw *hw,
				unsigned int line)
{
	if (!memlab_gpio_line_ok(hw, line))
		return -EINVAL;
	return hw->variant->irq_get_type(hw, line);
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_hw_irq_get_type);

/**
 * memlab_gpio_hw_irq_enable() - unmask or mask a line's interrupt
 * @hw: the controller
 * @line: line number
 * @on: true to unmask
 *
 * Context: the caller serialises read-modify-write cycles on @hw.
 * Return: 0, or -EINVAL for a line the controller does not have.
 */
int memlab_gpio_hw_irq_enable(const struct memlab_gpio_hw *hw,
			      unsigned int line, bool on)
{
	if (!memlab_gpio_line_ok(hw, line))
		return -EINVAL;
	hw->variant->irq_enable(hw, line, on);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_hw_irq_enable);

/**
 * memlab_gpio_hw_irq_ack() - clear a line's latched edge
 * @hw: the controller
 * @line: line number
 *
 * Return: 0, or -EINVAL for a line the controller does not have.
 */
int memlab_gpio_hw_irq_ack(const struct memlab_gpio_hw *hw, unsigned int line)
{
	if (!memlab_gpio_line_ok(hw, line))
		return -EINVAL;
	hw->variant->irq_ack(hw, line);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_hw_irq_ack);

/**
 * memlab_gpio_hw_mmio_check() - whether a debugfs mmio access may be made
 * @hw: the controller
 * @window: bytes of its register window that are mapped
 * @size: bytes of the access
 * @pos: byte offset of the access in the window
 *
 * The checks, in order, each with its own errno: the size is one the
 * controller's registers take (a Rockchip bank only words), the offset is
 * a multiple of it, and the access lies inside the mapped window.
 *
 * Return: 0; -EINVAL for a size or an alignment the controller does not
 * take; -ENXIO for an access outside @window.
 */
int memlab_gpio_hw_mmio_check(const struct memlab_gpio_hw *hw, u64 window,
			      size_t size, loff_t pos)
{
	if (size > 4 || !(hw->variant->mmio_sizes & BIT(size)))
		return -EINVAL;
	if (pos < 0 || pos & (size - 1))
		return -EINVAL;
	if (pos >= window || window - pos < size)
		return -ENXIO;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_hw_mmio_check);
