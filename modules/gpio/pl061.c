// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_gpio: register logic of the ARM PrimeCell PL061 GPIO controller.
 *
 * Data sheet: ARM DDI 0190B, PrimeCell GPIO (PL061) Technical Reference
 * Manual. Eight lines; 8-bit registers in 32-bit slots. GPIODATA is
 * address-masked: an access at offset (mask << 2) reaches only the lines in
 * mask, so a line is read or written alone without a read-modify-write.
 * The other registers are plain bitmaps and need one, under the caller's
 * lock.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/io.h>
#include <linux/irq.h>

#include <memlab/kunit_visibility.h>

#include "hw.h"

#define PL061_NR	8
#define PL061_BITS	GENMASK(PL061_NR - 1, 0)

/* The GPIODATA address that reaches exactly the lines in @mask */
static void __iomem *pl061_data(const struct memlab_gpio_hw *hw, u32 mask)
{
	return hw->base + MEMLAB_PL061_DATA + ((mask & PL061_BITS) << 2);
}

static u32 pl061_read(const struct memlab_gpio_hw *hw, u32 reg)
{
	return readl(hw->base + reg) & PL061_BITS;
}

static void pl061_update(const struct memlab_gpio_hw *hw, u32 reg, u32 bit,
			 bool set)
{
	u32 val = pl061_read(hw, reg);

	writel(set ? val | bit : val & ~bit, hw->base + reg);
}

static int pl061_check_id(const struct memlab_gpio_hw *hw, u32 *id)
{
	u32 periph = 0, cell = 0;
	int i;

	/* Four registers each hold one byte of the ID, low byte first. */
	for (i = 0; i < 4; i++) {
		periph |= (readl(hw->base + MEMLAB_PL061_PERIPHID0 + 4 * i) & 0xff) << (8 * i);
		cell |= (readl(hw->base + MEMLAB_PL061_PCELLID0 + 4 * i) & 0xff) << (8 * i);
	}
	*id = periph;
	/* Part number 0x061 and designer ARM (0x41); any revision */
	if ((periph & 0x000fffff) != 0x00041061 || cell != 0xb105f00d)
		return -ENODEV;
	return 0;
}

static void pl061_init(const struct memlab_gpio_hw *hw)
{
	writel(0, hw->base + MEMLAB_PL061_IE);
	writel(PL061_BITS, hw->base + MEMLAB_PL061_IC);
}

static int pl061_get_direction(const struct memlab_gpio_hw *hw,
			       unsigned int line)
{
	return !!(pl061_read(hw, MEMLAB_PL061_DIR) & BIT(line));
}

static void pl061_set_direction(const struct memlab_gpio_hw *hw,
				unsigned int line, bool output, int value)
{
	if (!output) {
		pl061_update(hw, MEMLAB_PL061_DIR, BIT(line), false);
		return;
	}
	writel(value ? BIT(line) : 0, pl061_data(hw, BIT(line)));
	pl061_update(hw, MEMLAB_PL061_DIR, BIT(line), true);
	/*
	 * Some PL061 integrations drop a data write to a line that is still
	 * an input, as drivers/gpio/gpio-pl061.c notes: write it again.
	 */
	writel(value ? BIT(line) : 0, pl061_data(hw, BIT(line)));
}

static int pl061_get(const struct memlab_gpio_hw *hw, unsigned int line)
{
	return !!(readl(pl061_data(hw, BIT(line))) & BIT(line));
}

static void pl061_set(const struct memlab_gpio_hw *hw, unsigned int line,
		      int value)
{
	writel(value ? BIT(line) : 0, pl061_data(hw, BIT(line)));
}

static u32 pl061_get_multiple(const struct memlab_gpio_hw *hw, u32 mask)
{
	return readl(pl061_data(hw, mask)) & mask;
}

static void pl061_set_multiple(const struct memlab_gpio_hw *hw, u32 mask,
			       u32 bits)
{
	writel(bits, pl061_data(hw, mask));
}

static int pl061_irq_set_type(const struct memlab_gpio_hw *hw,
			      unsigned int line, unsigned int type)
{
	u32 bit = BIT(line);
	u32 is = pl061_read(hw, MEMLAB_PL061_IS) & ~bit;
	u32 ibe = pl061_read(hw, MEMLAB_PL061_IBE) & ~bit;
	u32 iev = pl061_read(hw, MEMLAB_PL061_IEV) & ~bit;

	switch (type) {
	case IRQ_TYPE_LEVEL_HIGH:
		is |= bit;
		iev |= bit;
		break;
	case IRQ_TYPE_LEVEL_LOW:
		is |= bit;
		break;
	case IRQ_TYPE_EDGE_BOTH:
		/* IBE makes IEV irrelevant */
		ibe |= bit;
		break;
	case IRQ_TYPE_EDGE_RISING:
		iev |= bit;
		break;
	case IRQ_TYPE_EDGE_FALLING:
	case IRQ_TYPE_NONE:
		break;
	default:
		return -EINVAL;
	}
	writel(is, hw->base + MEMLAB_PL061_IS);
	writel(ibe, hw->base + MEMLAB_PL061_IBE);
	writel(iev, hw->base + MEMLAB_PL061_IEV);
	return 0;
}

static unsigned int pl061_irq_get_type(const struct memlab_gpio_hw *hw,
				       unsigned int line)
{
	u32 bit = BIT(line);
	bool iev = pl061_read(hw, MEMLAB_PL061_IEV) & bit;

	if (pl061_read(hw, MEMLAB_PL061_IS) & bit)
		return iev ? IRQ_TYPE_LEVEL_HIGH : IRQ_TYPE_LEVEL_LOW;
	if (pl061_read(hw, MEMLAB_PL061_IBE) & bit)
		return IRQ_TYPE_EDGE_BOTH;
	return iev ? IRQ_TYPE_EDGE_RISING : IRQ_TYPE_EDGE_FALLING;
}

static void pl061_irq_enable(const struct memlab_gpio_hw *hw, unsigned int line,
			     bool on)
{
	pl061_update(hw, MEMLAB_PL061_IE, BIT(line), on);
}

static bool pl061_irq_enabled(const struct memlab_gpio_hw *hw,
			      unsigned int line)
{
	return pl061_read(hw, MEMLAB_PL061_IE) & BIT(line);
}

static void pl061_irq_ack(const struct memlab_gpio_hw *hw, unsigned int line)
{
	/* GPIOIC is write-one-to-clear: no read-modify-write */
	writel(BIT(line), hw->base + MEMLAB_PL061_IC);
}

static u32 pl061_irq_pending(const struct memlab_gpio_hw *hw)
{
	return pl061_read(hw, MEMLAB_PL061_MIS);
}

static const struct memlab_gpio_reg pl061_regs[] = {
	{ "GPIODATA",	0x3fc },	/* all eight lines */
	{ "GPIODIR",	MEMLAB_PL061_DIR },
	{ "GPIOIS",	MEMLAB_PL061_IS },
	{ "GPIOIBE",	MEMLAB_PL061_IBE },
	{ "GPIOIEV",	MEMLAB_PL061_IEV },
	{ "GPIOIE",	MEMLAB_PL061_IE },
	{ "GPIORIS",	MEMLAB_PL061_RIS },
	{ "GPIOMIS",	MEMLAB_PL061_MIS },
	{ "GPIOAFSEL",	MEMLAB_PL061_AFSEL },
	{ "GPIOPeriphID0", 0xfe0 },
	{ "GPIOPeriphID1", 0xfe4 },
	{ "GPIOPeriphID2", 0xfe8 },
	{ "GPIOPeriphID3", 0xfec },
	{ "GPIOPCellID0", 0xff0 },
	{ "GPIOPCellID1", 0xff4 },
	{ "GPIOPCellID2", 0xff8 },
	{ "GPIOPCellID3", 0xffc },
};

const struct memlab_gpio_variant memlab_gpio_pl061 = {
	.name		= "pl061",
	.ngpio		= PL061_NR,
	.size		= 0x1000,
	.nr_clks	= 0,
	.regs		= pl061_regs,
	.nr_regs	= ARRAY_SIZE(pl061_regs),
	/* GPIODATA through an empty address mask reaches no line */
	.nop_reg	= MEMLAB_PL061_DATA,
	.mmio_sizes	= BIT(1) | BIT(2) | BIT(4),
	/* GPIODIR is a plain bitmap: a read-modify-write */
	.dir_masked	= false,
	.check_id	= pl061_check_id,
	.init		= pl061_init,
	.get_direction	= pl061_get_direction,
	.set_direction	= pl061_set_direction,
	.get		= pl061_get,
	.set		= pl061_set,
	.get_multiple	= pl061_get_multiple,
	.set_multiple	= pl061_set_multiple,
	.irq_set_type	= pl061_irq_set_type,
	.irq_get_type	= pl061_irq_get_type,
	.irq_enable	= pl061_irq_enable,
	.irq_enabled	= pl061_irq_enabled,
	.irq_ack	= pl061_irq_ack,
	.irq_pending	= pl061_irq_pending,
};
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_pl061);
