// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_gpio: register logic of the Rockchip GPIO v2 bank of RK3588.
 *
 * Reference: RK3588 TRM part 1, GPIO chapter; drivers/gpio/gpio-rockchip.c.
 * 32 lines. Most registers are split into _L (lines 0-15) and _H (lines
 * 16-31) words whose upper 16 bits are write enables: a write changes only
 * the bits whose enable is set and the enables read back as 0. So every
 * update is a single write with no read-modify-write and no lock. The
 * status registers, EXT_PORT (the pins' levels) and VER_ID are plain
 * 32-bit registers.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/io.h>
#include <linux/irq.h>

#include <memlab/kunit_visibility.h>

#include "hw.h"

#define RK_NR		32
#define RK_HALF		GENMASK(15, 0)

/* Set the bits of @mask in a split register to their values in @bits */
static void rk_write(const struct memlab_gpio_hw *hw, u32 reg, u32 mask,
		     u32 bits)
{
	u32 lo = mask & RK_HALF, hi = mask >> 16;

	bits &= mask;
	if (lo)
		writel(lo << 16 | (bits & RK_HALF), hw->base + reg);
	if (hi)
		writel(hi << 16 | bits >> 16, hw->base + reg + 4);
}

static void rk_write_bit(const struct memlab_gpio_hw *hw, u32 reg,
			 unsigned int line, bool set)
{
	rk_write(hw, reg, BIT(line), set ? BIT(line) : 0);
}

/* A split register's 32 line bits */
static u32 rk_read(const struct memlab_gpio_hw *hw, u32 reg)
{
	return (readl(hw->base + reg) & RK_HALF) |
	       (readl(hw->base + reg + 4) & RK_HALF) << 16;
}

static bool rk_read_bit(const struct memlab_gpio_hw *hw, u32 reg,
			unsigned int line)
{
	return rk_read(hw, reg) & BIT(line);
}

static int rk_check_id(const struct memlab_gpio_hw *hw, u32 *id)
{
	*id = readl(hw->base + MEMLAB_RKGPIO_VER_ID);
	if (*id != MEMLAB_RKGPIO_V2 && *id != MEMLAB_RKGPIO_V2_1)
		return -ENODEV;
	return 0;
}

static void rk_init(const struct memlab_gpio_hw *hw)
{
	rk_write(hw, MEMLAB_RKGPIO_INT_MASK, U32_MAX, U32_MAX);
	rk_write(hw, MEMLAB_RKGPIO_INT_EN, U32_MAX, 0);
	rk_write(hw, MEMLAB_RKGPIO_EOI, U32_MAX, U32_MAX);
}

static int rk_get_direction(const struct memlab_gpio_hw *hw, unsigned int line)
{
	return rk_read_bit(hw, MEMLAB_RKGPIO_DDR, line);
}

static void rk_set_direction(const struct memlab_gpio_hw *hw,
			     unsigned int line, bool output, int value)
{
	/* The level first, so an output never drives a stale one. */
	if (output)
		rk_write_bit(hw, MEMLAB_RKGPIO_DR, line, value);
	rk_write_bit(hw, MEMLAB_RKGPIO_DDR, line, output);
}

static int rk_get(const struct memlab_gpio_hw *hw, unsigned int line)
{
	return !!(readl(hw->base + MEMLAB_RKGPIO_EXT_PORT) & BIT(line));
}

static void rk_set(const struct memlab_gpio_hw *hw, unsigned int line,
		   int value)
{
	rk_write_bit(hw, MEMLAB_RKGPIO_DR, line, value);
}

static u32 rk_get_multiple(const struct memlab_gpio_hw *hw, u32 mask)
{
	return readl(hw->base + MEMLAB_RKGPIO_EXT_PORT) & mask;
}

static void rk_set_multiple(const struct memlab_gpio_hw *hw, u32 mask, u32 bits)
{
	rk_write(hw, MEMLAB_RKGPIO_DR, mask, bits);
}

static int rk_irq_set_type(const struct memlab_gpio_hw *hw, unsigned int line,
			   unsigned int type)
{
	bool edge, high, both = false;

	switch (type) {
	case IRQ_TYPE_EDGE_BOTH:
		/* INT_BOTHEDGE overrides type and polarity */
		edge = true;
		high = false;
		both = true;
		break;
	case IRQ_TYPE_EDGE_RISING:
		edge = true;
		high = true;
		break;
	case IRQ_TYPE_EDGE_FALLING:
		edge = true;
		high = false;
		break;
	case IRQ_TYPE_LEVEL_HIGH:
		edge = false;
		high = true;
		break;
	case IRQ_TYPE_LEVEL_LOW:
	case IRQ_TYPE_NONE:
		edge = false;
		high = false;
		break;
	default:
		return -EINVAL;
	}
	rk_write_bit(hw, MEMLAB_RKGPIO_INT_BOTH, line, both);
	rk_write_bit(hw, MEMLAB_RKGPIO_INT_TYPE, line, edge);
	rk_write_bit(hw, MEMLAB_RKGPIO_INT_POL, line, high);
	return 0;
}

static unsigned int rk_irq_get_type(const struct memlab_gpio_hw *hw,
				    unsigned int line)
{
	bool high = rk_read_bit(hw, MEMLAB_RKGPIO_INT_POL, line);

	if (rk_read_bit(hw, MEMLAB_RKGPIO_INT_BOTH, line))
		return IRQ_TYPE_EDGE_BOTH;
	if (rk_read_bit(hw, MEMLAB_RKGPIO_INT_TYPE, line))
		return high ? IRQ_TYPE_EDGE_RISING : IRQ_TYPE_EDGE_FALLING;
	return high ? IRQ_TYPE_LEVEL_HIGH : IRQ_TYPE_LEVEL_LOW;
}

static void rk_irq_enable(const struct memlab_gpio_hw *hw, unsigned int line,
			  bool on)
{
	if (on) {
		rk_write_bit(hw, MEMLAB_RKGPIO_INT_EN, line, true);
		rk_write_bit(hw, MEMLAB_RKGPIO_INT_MASK, line, false);
	} else {
		rk_write_bit(hw, MEMLAB_RKGPIO_INT_MASK, line, true);
		rk_write_bit(hw, MEMLAB_RKGPIO_INT_EN, line, false);
	}
}

static bool rk_irq_enabled(const struct memlab_gpio_hw *hw, unsigned int line)
{
	return rk_read_bit(hw, MEMLAB_RKGPIO_INT_EN, line) &&
	       !rk_read_bit(hw, MEMLAB_RKGPIO_INT_MASK, line);
}

static void rk_irq_ack(const struct memlab_gpio_hw *hw, unsigned int line)
{
	rk_write_bit(hw, MEMLAB_RKGPIO_EOI, line, true);
}

static u32 rk_irq_pending(const struct memlab_gpio_hw *hw)
{
	return readl(hw->base + MEMLAB_RKGPIO_INT_STAT);
}

/* PORT_EOI is write-only and left out. */
static const struct memlab_gpio_reg rk_regs[] = {
	{ "SWPORT_DR_L",	0x00 },
	{ "SWPORT_DR_H",	0x04 },
	{ "SWPORT_DDR_L",	0x08 },
	{ "SWPORT_DDR_H",	0x0c },
	{ "INT_EN_L",		0x10 },
	{ "INT_EN_H",		0x14 },
	{ "INT_MASK_L",		0x18 },
	{ "INT_MASK_H",		0x1c },
	{ "INT_TYPE_L",		0x20 },
	{ "INT_TYPE_H",		0x24 },
	{ "INT_POLARITY_L",	0x28 },
	{ "INT_POLARITY_H",	0x2c },
	{ "INT_BOTHEDGE_L",	0x30 },
	{ "INT_BOTHEDGE_H",	0x34 },
	{ "DEBOUNCE_L",		0x38 },
	{ "DEBOUNCE_H",		0x3c },
	{ "DBCLK_DIV_EN_L",	0x40 },
	{ "DBCLK_DIV_EN_H",	0x44 },
	{ "DBCLK_DIV_CON",	0x48 },
	{ "INT_STATUS",		0x50 },
	{ "INT_RAWSTATUS",	0x58 },
	{ "EXT_PORT",		0x70 },
	{ "VER_ID",		0x78 },
};

const struct memlab_gpio_variant memlab_gpio_rk3588 = {
	.name		= "rk3588",
	.ngpio		= RK_NR,
	.size		= 0x100,
	.nr_clks	= 2,	/* bus (PCLK_GPIOn) and debounce (DBCLK_GPIOn) */
	.regs		= rk_regs,
	.nr_regs	= ARRAY_SIZE(rk_regs),
	/* DR_L with its write-enable half clear writes no bit */
	.nop_reg	= MEMLAB_RKGPIO_DR,
	/* the TRM lists every register as word access */
	.mmio_sizes	= BIT(4),
	/* SWPORT_DDR_L/_H have write enables, as DR has */
	.dir_masked	= true,
	.check_id	= rk_check_id,
	.init		= rk_init,
	.get_direction	= rk_get_direction,
	.set_direction	= rk_set_direction,
	.get		= rk_get,
	.set		= rk_set,
	.get_multiple	= rk_get_multiple,
	.set_multiple	= rk_set_multiple,
	.irq_set_type	= rk_irq_set_type,
	.irq_get_type	= rk_irq_get_type,
	.irq_enable	= rk_irq_enable,
	.irq_enabled	= rk_irq_enabled,
	.irq_ack	= rk_irq_ack,
	.irq_pending	= rk_irq_pending,
};
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_rk3588);
