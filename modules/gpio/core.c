// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_gpio: a platform driver that maps a GPIO controller's registers
 * with ioremap and drives them from a gpio_chip and an irq_chip, so the
 * standard tools (libgpiod) work on it, and shows them in debugfs.
 *
 * It binds "memlab,pl061-gpio" (ARM PL061, ARM DDI 0190B) and
 * "memlab,rk3588-gpio" (Rockchip GPIO v2, RK3588 TRM part 1), and a PL061
 * left as an AMBA device when it is handed over through sysfs. The register
 * logic of each lives in pl061.c and rk3588.c behind struct
 * memlab_gpio_variant; this file is the gpiolib, platform and AMBA glue,
 * modelled on drivers/gpio/gpio-pl061.c. With the "memlab,observe" property
 * the controller belongs to another driver: memlab maps it without
 * requesting the region, registers nothing with gpiolib and only reads it.
 * With "memlab,bank" the register window and the clocks are the referenced
 * stock node's, not the memlab node's own. With "memlab,lines-gpios" as well
 * (share mode, share.c) memlab drives only those lines of the stock bank.
 */
#include <linux/amba/bus.h>
#include <linux/bits.h>
#include <linux/clk.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/gpio/driver.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/irqchip/chained_irq.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include "compat.h"
#include "internal.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static bool mmio;
module_param(mmio, bool, 0444);
MODULE_PARM_DESC(mmio, "Create each controller's debugfs mmio peek/poke file (default: no)");

static int memlab_gpio_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	struct memlab_gpio *mg = gpiochip_get_data(gc);
	int ret = memlab_gpio_hw_get_direction(&mg->hw, offset);

	if (ret < 0)
		return ret;
	return ret ? GPIO_LINE_DIRECTION_OUT : GPIO_LINE_DIRECTION_IN;
}

static int memlab_gpio_set_direction(struct gpio_chip *gc, unsigned int offset,
				     bool output, int value)
{
	struct memlab_gpio *mg = gpiochip_get_data(gc);
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&mg->lock, flags);
	ret = memlab_gpio_hw_set_direction(&mg->hw, offset, output, value);
	raw_spin_unlock_irqrestore(&mg->lock, flags);
	return ret;
}

static int memlab_gpio_direction_input(struct gpio_chip *gc,
				       unsigned int offset)
{
	return memlab_gpio_set_direction(gc, offset, false, 0);
}

static int memlab_gpio_direction_output(struct gpio_chip *gc,
					unsigned int offset, int value)
{
	int ret = memlab_gpio_set_direction(gc, offset, true, value);

	if (!ret)
		trace_memlab_gpio_set(gpiochip_get_data(gc), offset, !!value);
	return ret;
}

static int memlab_gpio_get(struct gpio_chip *gc, unsigned int offset)
{
	struct memlab_gpio *mg = gpiochip_get_data(gc);

	return memlab_gpio_hw_get(&mg->hw, offset);
}

static int memlab_gpio_get_multiple(struct gpio_chip *gc, unsigned long *mask,
				    unsigned long *bits)
{
	struct memlab_gpio *mg = gpiochip_get_data(gc);
	u32 val;
	int ret;

	ret = memlab_gpio_hw_get_multiple(&mg->hw, *mask, &val);
	if (ret)
		return ret;
	*bits = (*bits & ~*mask) | val;
	return 0;
}

/*
 * Setting a level needs no lock: PL061 writes one line through its masked
 * data address, Rockchip through the write-enable half of DR. It is the one
 * hot path (a toggle), and gpiolib passes only lines below ngpio, so it
 * calls the register logic without the checked memlab_gpio_hw_*() layer,
 * and finds its state with container_of(): the pointer gpiochip_get_data()
 * returns (gpiochip_add_data() was given the struct that embeds gc),
 * without a call out of the module.
 */
static int memlab_gpio_set_rv(struct gpio_chip *gc, unsigned int offset,
			      int value)
{
	struct memlab_gpio *mg = container_of(gc, struct memlab_gpio, gc);

	mg->hw.variant->set(&mg->hw, offset, !!value);
	trace_memlab_gpio_set(mg, offset, !!value);
	return 0;
}

static void memlab_gpio_set_void(struct gpio_chip *gc, unsigned int offset,
				 int value)
{
	memlab_gpio_set_rv(gc, offset, value);
}

static int memlab_gpio_set_multiple_rv(struct gpio_chip *gc,
				       unsigned long *mask, unsigned long *bits)
{
	struct memlab_gpio *mg = container_of(gc, struct memlab_gpio, gc);

	mg->hw.variant->set_multiple(&mg->hw, *mask, *bits);
	if (trace_memlab_gpio_set_enabled())
		memlab_gpio_trace_set_multiple(mg, *mask, *bits);
	return 0;
}

static void memlab_gpio_set_multiple_void(struct gpio_chip *gc,
					  unsigned long *mask,
					  unsigned long *bits)
{
	memlab_gpio_set_multiple_rv(gc, mask, bits);
}

/**
 * memlab_gpio_trace_set_multiple() - a memlab_gpio_set event per line driven
 * @mg: the controller
 * @mask: offsets of its gpio_chip driven at once
 * @bits: their levels
 */
void memlab_gpio_trace_set_multiple(const struct memlab_gpio *mg, unsigned long mask,
				    unsigned long bits)
{
	unsigned int offset;

	for_each_set_bit(offset, &mask, mg->gc.ngpio)
		trace_memlab_gpio_set(mg, offset, !!(bits & BIT(offset)));
}

static void memlab_gpio_irq_ack(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct memlab_gpio *mg = gpiochip_get_data(gc);

	memlab_gpio_hw_irq_ack(&mg->hw, irqd_to_hwirq(d));
}

static void memlab_gpio_irq_mask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct memlab_gpio *mg = gpiochip_get_data(gc);
	irq_hw_number_t hwirq = irqd_to_hwirq(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&mg->lock, flags);
	memlab_gpio_hw_irq_enable(&mg->hw, hwirq, false);
	raw_spin_unlock_irqrestore(&mg->lock, flags);
	gpiochip_disable_irq(gc, hwirq);
}

static void memlab_gpio_irq_unmask(struct irq_data *d)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct memlab_gpio *mg = gpiochip_get_data(gc);
	irq_hw_number_t hwirq = irqd_to_hwirq(d);
	unsigned long flags;

	gpiochip_enable_irq(gc, hwirq);
	raw_spin_lock_irqsave(&mg->lock, flags);
	memlab_gpio_hw_irq_enable(&mg->hw, hwirq, true);
	raw_spin_unlock_irqrestore(&mg->lock, flags);
}

static int memlab_gpio_irq_set_type(struct irq_data *d, unsigned int type)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);
	struct memlab_gpio *mg = gpiochip_get_data(gc);
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&mg->lock, flags);
	ret = memlab_gpio_hw_irq_set_type(&mg->hw, irqd_to_hwirq(d), type);
	raw_spin_unlock_irqrestore(&mg->lock, flags);
	if (ret)
		return ret;

	if (type & IRQ_TYPE_LEVEL_MASK)
		irq_set_handler_locked(d, handle_level_irq);
	else if (type & IRQ_TYPE_EDGE_BOTH)
		irq_set_handler_locked(d, handle_edge_irq);
	else
		irq_set_handler_locked(d, handle_bad_irq);
	return 0;
}

static void memlab_gpio_irq_print_chip(struct irq_data *d, struct seq_file *p)
{
	struct gpio_chip *gc = irq_data_get_irq_chip_data(d);

	seq_puts(p, dev_name(gc->parent));
}

static const struct irq_chip memlab_gpio_irq_chip = {
	.irq_ack		= memlab_gpio_irq_ack,
	.irq_mask		= memlab_gpio_irq_mask,
	.irq_unmask		= memlab_gpio_irq_unmask,
	.irq_set_type		= memlab_gpio_irq_set_type,
	.irq_print_chip		= memlab_gpio_irq_print_chip,
	.flags			= IRQCHIP_IMMUTABLE | IRQCHIP_SKIP_SET_WAKE,
	GPIOCHIP_IRQ_RESOURCE_HELPERS,
};

static void memlab_gpio_irq_handler(struct irq_desc *desc)
{
	struct gpio_chip *gc = irq_desc_get_handler_data(desc);
	struct memlab_gpio *mg = gpiochip_get_data(gc);
	struct irq_chip *chip = irq_desc_get_chip(desc);
	unsigned long pending;
	unsigned int offset;

	chained_irq_enter(chip, desc);
	pending = mg->hw.variant->irq_pending(&mg->hw);
	for_each_set_bit(offset, &pending, gc->ngpio) {
		trace_memlab_gpio_irq(mg, offset);
		generic_handle_domain_irq(gc->irq.domain, offset);
	}
	chained_irq_exit(chip, desc);
}

/* @irq: the controller's interrupt, or 0 when it has none */
static int memlab_gpio_add_irq(struct memlab_gpio *mg, int irq)
{
	struct device *dev = mg->dev;
	struct gpio_irq_chip *girq = &mg->gc.irq;

	/* Without an interrupt the lines still work, without events. */
	if (!irq)
		return 0;

	gpio_irq_chip_set_chip(girq, &memlab_gpio_irq_chip);
	girq->parent_handler = memlab_gpio_irq_handler;
	girq->num_parents = 1;
	girq->parents = devm_kcalloc(dev, 1, sizeof(*girq->parents),
				     GFP_KERNEL);
	if (!girq->parents)
		return -ENOMEM;
	girq->parents[0] = irq;
	girq->default_type = IRQ_TYPE_NONE;
	girq->handler = handle_bad_irq;
	mg->has_irq = true;
	return 0;
}

static int memlab_gpio_add_chip(struct memlab_gpio *mg, int irq)
{
	struct device *dev = mg->dev;
	struct gpio_chip *gc = &mg->gc;
	unsigned long flags;
	int ret;

	gc->label = dev_name(dev);
	gc->parent = dev;
	gc->owner = THIS_MODULE;
	gc->base = -1;
	gc->ngpio = mg->hw.variant->ngpio;
	/* With gpio-ranges, pinctrl muxes a line to GPIO when it is requested */
	gc->request = gpiochip_generic_request;
	gc->free = gpiochip_generic_free;
	gc->get_direction = memlab_gpio_get_direction;
	gc->direction_input = memlab_gpio_direction_input;
	gc->direction_output = memlab_gpio_direction_output;
	gc->get = memlab_gpio_get;
	gc->get_multiple = memlab_gpio_get_multiple;
	gc->set = MEMLAB_GPIO_SET_FN(memlab_gpio_set_rv, memlab_gpio_set_void);
	gc->set_multiple = MEMLAB_GPIO_SET_FN(memlab_gpio_set_multiple_rv,
					      memlab_gpio_set_multiple_void);

	/* All interrupts masked and cleared before a handler can run */
	raw_spin_lock_irqsave(&mg->lock, flags);
	mg->hw.variant->init(&mg->hw);
	raw_spin_unlock_irqrestore(&mg->lock, flags);

	ret = memlab_gpio_add_irq(mg, irq);
	if (ret)
		return ret;

	/* Line names come from the node's gpio-line-names, through gpiolib. */
	ret = devm_gpiochip_add_data(dev, gc, mg);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register the gpio_chip\n");
	return 0;
}

static void memlab_gpio_clks_disable(void *data)
{
	struct memlab_gpio *mg = data;

	clk_bulk_disable_unprepare(mg->nr_clks, mg->clks);
}

static void memlab_gpio_clks_put(void *data)
{
	struct memlab_gpio *mg = data;

	clk_bulk_put(mg->nr_clks, mg->clks);
}

/* Gets @bank's clocks by index, as gpio-rockchip does: how many, or an errno */
static int memlab_gpio_get_bank_clks(struct memlab_gpio *mg,
				     struct device_node *bank)
{
	struct device *dev = mg->dev;
	struct clk *clk;
	int n, ret;

	n = of_count_phandle_with_args(bank, "clocks", "#clock-cells");
	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return dev_err_probe(dev, n, "cannot parse the clocks of %pOF\n",
				     bank);
	mg->clks = devm_kcalloc(dev, n, sizeof(*mg->clks), GFP_KERNEL);
	if (!mg->clks)
		return -ENOMEM;
	/* Puts the clocks got so far, however far the loop goes */
	ret = devm_add_action_or_reset(dev, memlab_gpio_clks_put, mg);
	if (ret)
		return ret;
	for (mg->nr_clks = 0; mg->nr_clks < n; mg->nr_clks++) {
		clk = of_clk_get(bank, mg->nr_clks);
		if (IS_ERR(clk))
			return dev_err_probe(dev, PTR_ERR(clk),
					     "cannot get clock %d of %pOF\n",
					     mg->nr_clks, bank);
		mg->clks[mg->nr_clks].clk = clk;
	}
	return n;
}

/* @bank: the node whose clocks to take, or NULL for the device's own */
static int memlab_gpio_enable_clks(struct memlab_gpio *mg,
				   struct device_node *bank)
{
	struct device *dev = mg->dev;
	int ret;

	if (bank) {
		ret = memlab_gpio_get_bank_clks(mg, bank);
		if (ret < 0)
			return ret;
	} else {
		ret = devm_clk_bulk_get_all(dev, &mg->clks);
		if (ret < 0)
			return dev_err_probe(dev, ret, "cannot get the clocks\n");
	}
	if (ret < mg->hw.variant->nr_clks)
		return dev_err_probe(dev, -EINVAL,
				     "%s needs %u clocks, the %s has %d\n",
				     mg->hw.variant->name,
				     mg->hw.variant->nr_clks,
				     bank ? "bank" : "node", ret);
	mg->nr_clks = ret;

	ret = clk_bulk_prepare_enable(mg->nr_clks, mg->clks);
	if (ret)
		return dev_err_probe(dev, ret, "cannot enable the clocks\n");
	return devm_add_action_or_reset(dev, memlab_gpio_clks_disable, mg);
}

/*
 * The probe of both buses: @res is the register window, @irq the
 * interrupt (0 for none), @bank the node the clocks come from (NULL: the
 * device's own).
 */
static int memlab_gpio_setup(struct device *dev,
			     const struct memlab_gpio_variant *variant,
			     struct resource *res, int irq,
			     struct device_node *bank)
{
	struct memlab_gpio *mg;
	int ret;

	mg = devm_kzalloc(dev, sizeof(*mg), GFP_KERNEL);
	if (!mg)
		return -ENOMEM;
	mg->dev = dev;
	mg->hw.variant = variant;
	raw_spin_lock_init(&mg->lock);
	mg->observe = device_property_read_bool(dev, "memlab,observe");
	mg->share = device_property_present(dev, "memlab,lines-gpios");
	if (mg->share && mg->observe)
		return dev_err_probe(dev, -EINVAL,
				     "memlab,observe and memlab,lines-gpios exclude each other\n");
	if (mg->share && !bank)
		return dev_err_probe(dev, -EINVAL,
				     "memlab,lines-gpios needs memlab,bank\n");

	if (!res)
		return dev_err_probe(dev, -EINVAL, "no register window (reg)\n");
	if (resource_size(res) < variant->size)
		return dev_err_probe(dev, -EINVAL,
				     "register window %pR is smaller than the %s's 0x%x bytes\n",
				     res, variant->name, variant->size);
	mg->phys = res->start;
	mg->size = resource_size(res);

	if (!memlab_gpio_owns(mg)) {
		/*
		 * Another driver holds the region: map it without requesting
		 * it. Nothing below writes a register in observe mode, and
		 * only the shared lines' bits in share mode.
		 */
		mg->hw.base = devm_ioremap(dev, res->start, mg->size);
		if (!mg->hw.base)
			return dev_err_probe(dev, -ENOMEM, "cannot map %pR\n", res);
	} else {
		mg->hw.base = devm_ioremap_resource(dev, res);
		if (IS_ERR(mg->hw.base))
			return PTR_ERR(mg->hw.base);
	}

	/* The registers read as garbage, or hang the bus, without clocks. */
	ret = memlab_gpio_enable_clks(mg, bank);
	if (ret)
		return ret;

	ret = variant->check_id(&mg->hw, &mg->id);
	if (ret)
		return dev_err_probe(dev, ret, "ID 0x%08x is not a %s GPIO controller\n",
				     mg->id, variant->name);

	if (mg->share)
		ret = memlab_gpio_share_add(mg, bank);
	else if (!mg->observe)
		ret = memlab_gpio_add_chip(mg, irq);
	if (ret)
		return ret;

	ret = memlab_gpio_debugfs_add(mg, mmio);
	if (ret)
		return ret;

	dev_set_drvdata(dev, mg);
	if (mg->share)
		dev_info(dev, "%s at %pa, ID 0x%08x, share mode: %u of its %u lines (0x%08x)\n",
			 variant->name, &mg->phys, mg->id, mg->sh.n,
			 variant->ngpio, mg->sh.mask);
	else
		dev_info(dev, "%s at %pa, ID 0x%08x, %u lines%s\n", variant->name,
			 &mg->phys, mg->id, variant->ngpio,
			 mg->observe ? ", observe mode (read-only, no gpio_chip)" : "");
	if (bank)
		dev_info(dev, "registers and clocks of %pOF\n", bank);
	return 0;
}

static void memlab_gpio_node_put(void *np)
{
	of_node_put(np);
}

/*
 * The stock bank node "memlab,bank" references: NULL when the property is
 * absent, ERR_PTR(-ENODEV) when it names no node or a disabled one (whose
 * clocks and power the board may never set up).
 */
static struct device_node *memlab_gpio_bank(struct device *dev)
{
	struct device_node *bank;
	int ret;

	if (!of_property_present(dev->of_node, "memlab,bank"))
		return NULL;
	bank = of_parse_phandle(dev->of_node, "memlab,bank", 0);
	if (!bank)
		return ERR_PTR(dev_err_probe(dev, -ENODEV,
					     "memlab,bank references no node\n"));
	ret = devm_add_action_or_reset(dev, memlab_gpio_node_put, bank);
	if (ret)
		return ERR_PTR(ret);
	if (!of_device_is_available(bank))
		return ERR_PTR(dev_err_probe(dev, -ENODEV,
					     "memlab,bank %pOF is disabled\n",
					     bank));
	return bank;
}

static int memlab_gpio_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	const struct memlab_gpio_variant *variant;
	struct device_node *bank;
	struct resource bank_res, *res;
	int irq, ret;

	variant = device_get_match_data(dev);
	if (!variant && platform_get_device_id(pdev))
		variant = (const void *)platform_get_device_id(pdev)->driver_data;
	if (!variant)
		return -ENODEV;

	bank = memlab_gpio_bank(dev);
	if (IS_ERR(bank))
		return PTR_ERR(bank);
	if (bank) {
		ret = of_address_to_resource(bank, 0, &bank_res);
		if (ret)
			return dev_err_probe(dev, ret, "%pOF has no reg\n", bank);
		res = &bank_res;
	} else {
		res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	}

	irq = platform_get_irq_optional(pdev, 0);
	if (irq == -ENXIO)
		irq = 0;
	else if (irq < 0)
		return dev_err_probe(dev, irq, "cannot get the interrupt\n");

	return memlab_gpio_setup(dev, variant, res, irq, bank);
}

static const struct of_device_id memlab_gpio_of_match[] = {
	{ .compatible = "memlab,pl061-gpio", .data = &memlab_gpio_pl061 },
	{ .compatible = "memlab,rk3588-gpio", .data = &memlab_gpio_rk3588 },
	{ }
};
MODULE_DEVICE_TABLE(of, memlab_gpio_of_match);

/*
 * Devices made without a device tree (platform_device_register_full() with
 * a resource and properties), as the KUnit suite makes them.
 */
static const struct platform_device_id memlab_gpio_ids[] = {
	{ "memlab-pl061-gpio", (kernel_ulong_t)&memlab_gpio_pl061 },
	{ "memlab-rk3588-gpio", (kernel_ulong_t)&memlab_gpio_rk3588 },
	{ }
};
MODULE_DEVICE_TABLE(platform, memlab_gpio_ids);

static struct platform_driver memlab_gpio_driver = {
	.probe = memlab_gpio_probe,
	.id_table = memlab_gpio_ids,
	.driver = {
		.name = "memlab-gpio",
		.of_match_table = memlab_gpio_of_match,
	},
};

/*
 * The PL061 as the kernel finds it in an unmodified device tree ("arm,pl061",
 * "arm,primecell"): an AMBA device, which the stock gpio-pl061 driver binds
 * first. memlab_gpio takes it only when it is free, or handed over through
 * sysfs (unbind from pl061_gpio, bind to memlab-gpio).
 * No MODULE_DEVICE_TABLE: a PL061 must not load memlab_gpio by itself.
 */
static int memlab_gpio_amba_probe(struct amba_device *adev,
				  const struct amba_id *id)
{
	return memlab_gpio_setup(&adev->dev, &memlab_gpio_pl061, &adev->res,
				 adev->irq[0], NULL);
}

/* Part number 0x061, designer ARM (0x41), any revision: as gpio-pl061 */
static const struct amba_id memlab_gpio_amba_ids[] = {
	{ .id = 0x00041061, .mask = 0x000fffff },
	{ }
};

static struct amba_driver memlab_gpio_amba_driver = {
	.drv = {
		.name = "memlab-gpio",
	},
	.id_table = memlab_gpio_amba_ids,
	.probe = memlab_gpio_amba_probe,
};

static int __init memlab_gpio_init(void)
{
	int ret;

	memlab_gpio_debugfs_init();
	ret = platform_driver_register(&memlab_gpio_driver);
	if (ret)
		goto err_debugfs;
	if (IS_ENABLED(CONFIG_ARM_AMBA)) {
		ret = amba_driver_register(&memlab_gpio_amba_driver);
		if (ret)
			goto err_platform;
	}
	return 0;

err_platform:
	platform_driver_unregister(&memlab_gpio_driver);
err_debugfs:
	memlab_gpio_debugfs_exit();
	return ret;
}
module_init(memlab_gpio_init);

static void __exit memlab_gpio_exit(void)
{
	if (IS_ENABLED(CONFIG_ARM_AMBA))
		amba_driver_unregister(&memlab_gpio_amba_driver);
	platform_driver_unregister(&memlab_gpio_driver);
	memlab_gpio_debugfs_exit();
}
module_exit(memlab_gpio_exit);

MODULE_DESCRIPTION("memlab ioremap GPIO driver for the RK3588 GPIO v2 bank and the ARM PL061");
MODULE_LICENSE("GPL");
