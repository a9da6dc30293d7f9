// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_gpio: share mode, a few lines of a bank the stock driver owns.
 *
 * The node names the lines with a consumer property on the stock bank
 * (memlab,lines-gpios = <&gpio1 RK_PB2 0>). memlab requests them from the
 * stock chip, so pinctrl muxes them to GPIO and no other consumer gets
 * them, and registers a gpio_chip of its own with one offset per named
 * line. Levels are written through memlab's own mapping of the bank, one
 * line at a time: Rockchip's DR write-enable half, the PL061's masked
 * GPIODATA address. A Rockchip direction goes through DDR's write-enable
 * half too; the PL061's GPIODIR is a read-modify-write of every line, so
 * there the stock driver sets it, through the held descriptor. No other
 * register is written, and no line but the named ones.
 *
 * The bank's one interrupt belongs to the stock driver's chained handler,
 * so memlab programs no interrupt register: its .to_irq hands out the
 * stock line's interrupt (gpiod_to_irq()), and whoever requests it gets
 * the stock irq_chip, which enables it only with a handler attached.
 */
#include <linux/bits.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/gpio/consumer.h>
#include <linux/gpio/driver.h>
#include <linux/kernel.h>
#include <linux/of.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <memlab/kunit_visibility.h>

#include "compat.h"
#include "internal.h"
#include "trace.h"

/**
 * memlab_gpio_share_init() - check and record the lines to share
 * @sh: filled in
 * @hw: the bank
 * @lines: bank line of each of memlab's offsets
 * @n: entries in @lines
 * @bad: the index of the first entry refused
 *
 * Return: 0; -EINVAL for no line, more than MEMLAB_GPIO_SHARE_MAX, a line
 * the bank does not have or one named twice.
 */
int memlab_gpio_share_init(struct memlab_gpio_share *sh,
			   const struct memlab_gpio_hw *hw, const u32 *lines,
			   unsigned int n, unsigned int *bad)
{
	unsigned int i;

	*bad = 0;
	memset(sh, 0, sizeof(*sh));
	if (!n || n > MEMLAB_GPIO_SHARE_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (lines[i] >= hw->variant->ngpio || sh->mask & BIT(lines[i])) {
			*bad = i;
			memset(sh, 0, sizeof(*sh));
			return -EINVAL;
		}
		sh->line[i] = lines[i];
		sh->mask |= BIT(lines[i]);
	}
	sh->n = n;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_share_init);

/**
 * memlab_gpio_share_to_bank() - memlab's offsets as bank lines
 * @sh: the shared lines
 * @mask: memlab's offsets, bit n for offset n (offsets past @sh->n ignored)
 * @bits: their values
 * @bank_bits: @bits moved to the bank lines
 *
 * Return: the bank lines of @mask, always within @sh->mask.
 */
u32 memlab_gpio_share_to_bank(const struct memlab_gpio_share *sh,
			      unsigned long mask, unsigned long bits,
			      u32 *bank_bits)
{
	unsigned long m = mask;
	unsigned int i;
	u32 bank = 0;

	*bank_bits = 0;
	for_each_set_bit(i, &m, sh->n) {
		bank |= BIT(sh->line[i]);
		if (bits & BIT(i))
			*bank_bits |= BIT(sh->line[i]);
	}
	return bank;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_share_to_bank);

/**
 * memlab_gpio_share_get_multiple() - read several shared lines
 * @hw: the bank
 * @sh: the shared lines
 * @mask: memlab's offsets to read
 * @bits: their levels, bit n for offset n (others cleared)
 *
 * Return: 0 or -EINVAL.
 */
int memlab_gpio_share_get_multiple(const struct memlab_gpio_hw *hw,
				   const struct memlab_gpio_share *sh,
				   unsigned long mask, unsigned long *bits)
{
	unsigned long m = mask;
	unsigned int i;
	u32 unused, levels;
	int ret;

	ret = memlab_gpio_hw_get_multiple(hw, memlab_gpio_share_to_bank(sh, mask, 0, &unused),
					  &levels);
	if (ret)
		return ret;
	*bits = 0;
	for_each_set_bit(i, &m, sh->n)
		if (levels & BIT(sh->line[i]))
			*bits |= BIT(i);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_share_get_multiple);

/**
 * memlab_gpio_share_set_multiple() - drive several shared lines
 * @hw: the bank
 * @sh: the shared lines
 * @mask: memlab's offsets to drive
 * @bits: their levels
 *
 * One write per register half (Rockchip) or one masked write (PL061),
 * reaching only bank lines of @sh.
 *
 * Return: 0 or -EINVAL.
 */
int memlab_gpio_share_set_multiple(const struct memlab_gpio_hw *hw,
				   const struct memlab_gpio_share *sh,
				   unsigned long mask, unsigned long bits)
{
	u32 bank_bits, bank = memlab_gpio_share_to_bank(sh, mask, bits, &bank_bits);

	if (!bank)
		return 0;
	return memlab_gpio_hw_set_multiple(hw, bank, bank_bits);
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_share_set_multiple);

/**
 * memlab_gpio_share_set_direction() - set a shared line's direction
 * @hw: the bank
 * @sh: the shared lines
 * @offset: memlab's offset
 * @output: true for an output
 * @value: the level an output drives
 *
 * Only for a controller whose direction register has write enables.
 *
 * Return: 0; -EINVAL for an offset not shared; -EOPNOTSUPP when the
 * direction register would need a read-modify-write (nothing is written).
 */
int memlab_gpio_share_set_direction(const struct memlab_gpio_hw *hw,
				    const struct memlab_gpio_share *sh,
				    unsigned int offset, bool output, int value)
{
	if (offset >= sh->n)
		return -EINVAL;
	if (!hw->variant->dir_masked)
		return -EOPNOTSUPP;
	return memlab_gpio_hw_set_direction(hw, sh->line[offset], output, value);
}
EXPORT_SYMBOL_IF_KUNIT(memlab_gpio_share_set_direction);

static struct gpio_desc *memlab_gpio_share_desc(struct memlab_gpio *mg,
						unsigned int offset)
{
	return mg->descs->desc[offset];
}

static int memlab_gpio_share_get_dir(struct gpio_chip *gc, unsigned int offset)
{
	struct memlab_gpio *mg = gpiochip_get_data(gc);
	int ret = memlab_gpio_hw_get_direction(&mg->hw, mg->sh.line[offset]);

	if (ret < 0)
		return ret;
	return ret ? GPIO_LINE_DIRECTION_OUT : GPIO_LINE_DIRECTION_IN;
}

static int memlab_gpio_share_input(struct gpio_chip *gc, unsigned int offset)
{
	struct memlab_gpio *mg = gpiochip_get_data(gc);

	if (mg->hw.variant->dir_masked)
		return memlab_gpio_share_set_direction(&mg->hw, &mg->sh, offset,
						       false, 0);
	return gpiod_direction_input(memlab_gpio_share_desc(mg, offset));
}

/* Raw: memlab's chip has its own active-low flags, the stock line's do not apply */
static int memlab_gpio_share_output(struct gpio_chip *gc, unsigned int offset,
				    int value)
{
	struct memlab_gpio *mg = gpiochip_get_data(gc);
	int ret;

	if (mg->hw.variant->dir_masked)
		ret = memlab_gpio_share_set_direction(&mg->hw, &mg->sh, offset,
						      true, value);
	else
		ret = gpiod_direction_output_raw(memlab_gpio_share_desc(mg, offset),
						 value);
	if (!ret)
		trace_memlab_gpio_set(mg, offset, !!value);
	return ret;
}

static int memlab_gpio_share_get(struct gpio_chip *gc, unsigned int offset)
{
	struct memlab_gpio *mg = gpiochip_get_data(gc);

	return memlab_gpio_hw_get(&mg->hw, mg->sh.line[offset]);
}

static int memlab_gpio_share_get_mult(struct gpio_chip *gc, unsigned long *mask,
				      unsigned long *bits)
{
	struct memlab_gpio *mg = gpiochip_get_data(gc);
	unsigned long val;
	int ret;

	ret = memlab_gpio_share_get_multiple(&mg->hw, &mg->sh, *mask, &val);
	if (ret)
		return ret;
	*bits = (*bits & ~*mask) | val;
	return 0;
}

static int memlab_gpio_share_set_rv(struct gpio_chip *gc, unsigned int offset,
				    int value)
{
	struct memlab_gpio *mg = gpiochip_get_data(gc);
	int ret;

	ret = memlab_gpio_share_set_multiple(&mg->hw, &mg->sh, BIT(offset),
					     value ? BIT(offset) : 0);
	if (!ret)
		trace_memlab_gpio_set(mg, offset, !!value);
	return ret;
}

static void memlab_gpio_share_set_void(struct gpio_chip *gc,
				       unsigned int offset, int value)
{
	memlab_gpio_share_set_rv(gc, offset, value);
}

static int memlab_gpio_share_set_mult_rv(struct gpio_chip *gc,
					 unsigned long *mask,
					 unsigned long *bits)
{
	struct memlab_gpio *mg = gpiochip_get_data(gc);
	int ret;

	ret = memlab_gpio_share_set_multiple(&mg->hw, &mg->sh, *mask, *bits);
	if (!ret && trace_memlab_gpio_set_enabled())
		memlab_gpio_trace_set_multiple(mg, *mask, *bits);
	return ret;
}

static void memlab_gpio_share_set_mult_void(struct gpio_chip *gc,
					    unsigned long *mask,
					    unsigned long *bits)
{
	memlab_gpio_share_set_mult_rv(gc, mask, bits);
}

/* The stock line's interrupt: its irq_chip, its handler, its registers */
static int memlab_gpio_share_to_irq(struct gpio_chip *gc, unsigned int offset)
{
	struct memlab_gpio *mg = gpiochip_get_data(gc);

	return gpiod_to_irq(memlab_gpio_share_desc(mg, offset));
}

/* The bank lines memlab,lines-gpios names, all on @bank; the count or an errno */
static int memlab_gpio_share_parse(struct memlab_gpio *mg,
				   struct device_node *bank, u32 *lines)
{
	struct device *dev = mg->dev;
	struct of_phandle_args args;
	int i, n, ret;

	n = of_count_phandle_with_args(dev->of_node, "memlab,lines-gpios",
				       "#gpio-cells");
	if (n <= 0 || n > MEMLAB_GPIO_SHARE_MAX)
		return dev_err_probe(dev, -EINVAL,
				     "memlab,lines-gpios must name 1 to %d lines (%d)\n",
				     MEMLAB_GPIO_SHARE_MAX, n);
	for (i = 0; i < n; i++) {
		ret = of_parse_phandle_with_args(dev->of_node, "memlab,lines-gpios",
						 "#gpio-cells", i, &args);
		if (ret)
			return dev_err_probe(dev, -EINVAL,
					     "memlab,lines-gpios entry %d is malformed\n", i);
		of_node_put(args.np);
		if (args.np != bank || args.args_count < 1)
			return dev_err_probe(dev, -EINVAL,
					     "memlab,lines-gpios entry %d is not a line of memlab,bank %pOF\n",
					     i, bank);
		lines[i] = args.args[0];
	}
	return n;
}

/* "<bank>-<line>": the bank's gpio alias (gpio1), else its node name */
static int memlab_gpio_share_names(struct memlab_gpio *mg,
				   struct device_node *bank)
{
	struct device *dev = mg->dev;
	const char *bank_name;
	const char **names;
	unsigned int i;
	int id;

	if (device_property_present(dev, "gpio-line-names"))
		return 0;	/* gpiolib reads them */
	id = of_alias_get_id(bank, "gpio");
	if (id >= 0)
		bank_name = devm_kasprintf(dev, GFP_KERNEL, "gpio%d", id);
	else
		bank_name = devm_kasprintf(dev, GFP_KERNEL, "%s",
					   kbasename(of_node_full_name(bank)));
	names = devm_kcalloc(dev, mg->sh.n, sizeof(*names), GFP_KERNEL);
	if (!bank_name || !names)
		return -ENOMEM;
	for (i = 0; i < mg->sh.n; i++) {
		names[i] = devm_kasprintf(dev, GFP_KERNEL, "%s-%u", bank_name,
					  mg->sh.line[i]);
		if (!names[i])
			return -ENOMEM;
	}
	mg->gc.names = names;
	return 0;
}

/**
 * memlab_gpio_share_add() - take the named lines and register memlab's chip
 * @mg: the controller, mapped, in share mode
 * @bank: the stock bank node memlab,bank names
 *
 * Return: 0 or a negative errno, logged (-EPROBE_DEFER quietly, while the
 * stock chip has not probed).
 */
int memlab_gpio_share_add(struct memlab_gpio *mg, struct device_node *bank)
{
	struct device *dev = mg->dev;
	struct gpio_chip *gc = &mg->gc;
	u32 lines[MEMLAB_GPIO_SHARE_MAX];
	unsigned int i, bad;
	int n, ret;

	n = memlab_gpio_share_parse(mg, bank, lines);
	if (n < 0)
		return n;
	ret = memlab_gpio_share_init(&mg->sh, &mg->hw, lines, n, &bad);
	if (ret)
		return dev_err_probe(dev, ret,
				     "memlab,lines-gpios entry %u: line %u is out of range or named twice\n",
				     bad, lines[bad]);

	/* From the stock chip: pinctrl muxes them, no one else gets them */
	mg->descs = devm_gpiod_get_array(dev, "memlab,lines", GPIOD_ASIS);
	if (IS_ERR(mg->descs))
		return dev_err_probe(dev, PTR_ERR(mg->descs),
				     "cannot request the lines from %pOF\n", bank);
	if (mg->descs->ndescs != mg->sh.n)
		return dev_err_probe(dev, -EINVAL, "memlab,lines-gpios changed\n");
	for (i = 0; i < mg->sh.n; i++) {
		ret = gpiod_set_consumer_name(mg->descs->desc[i], dev_name(dev));
		if (ret)
			return ret;
		gc->can_sleep |= gpiod_cansleep(mg->descs->desc[i]);
	}

	ret = memlab_gpio_share_names(mg, bank);
	if (ret)
		return ret;
	gc->label = dev_name(dev);
	gc->parent = dev;
	gc->owner = THIS_MODULE;
	gc->base = -1;
	gc->ngpio = mg->sh.n;
	gc->get_direction = memlab_gpio_share_get_dir;
	gc->direction_input = memlab_gpio_share_input;
	gc->direction_output = memlab_gpio_share_output;
	gc->get = memlab_gpio_share_get;
	gc->get_multiple = memlab_gpio_share_get_mult;
	gc->set = MEMLAB_GPIO_SET_FN(memlab_gpio_share_set_rv,
				     memlab_gpio_share_set_void);
	gc->set_multiple = MEMLAB_GPIO_SET_FN(memlab_gpio_share_set_mult_rv,
					      memlab_gpio_share_set_mult_void);
	gc->to_irq = memlab_gpio_share_to_irq;

	ret = devm_gpiochip_add_data(dev, gc, mg);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register the gpio_chip\n");
	return 0;
}
