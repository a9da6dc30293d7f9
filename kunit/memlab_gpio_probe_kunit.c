// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for memlab_gpio's probe, on QEMU virt with memlab's overlay:
 * they drive the machine's real PL061 through devices made on the spot,
 * with memlab's own device unbound meanwhile. Observe mode, the ways a
 * probe must fail (the identification check is covered against memory in
 * memlab_gpio_regs_kunit.c), and the AMBA driver, which takes the PL061
 * from the stock gpio-pl061 in make bench's device tree. Elsewhere every
 * case is skipped, with the reason.
 */
#include <kunit/test.h>
#include <linux/amba/bus.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

/* QEMU virt's memory map (hw/arm/virt.c): the PL061 */
#define VIRT_PL061	0x09030000

static void memlab_gpio_rebind(void *data)
{
	struct device *dev = data;

	if (device_attach(dev) <= 0)
		pr_err("memlab_gpio_probe_kunit: %s did not bind again\n", dev_name(dev));
	put_device(dev);
}

/*
 * Every case needs QEMU virt with memlab_gpio bound to its PL061 through
 * the overlay: unbind it for the case, and bind it again when the case
 * ends. While it is unbound its region is free, so a device made on the
 * spot over the same window sits alone in the iomem tree (over a requested
 * region, platform_device_unregister() would take that region out with its
 * own). Anywhere else the case is skipped.
 */
static int memlab_gpio_probe_test_init(struct kunit *test)
{
	struct platform_device *real = NULL;
	struct device_node *np;
	struct resource r;

	np = of_find_compatible_node(NULL, NULL, "memlab,pl061-gpio");
	if (np && !of_address_to_resource(np, 0, &r) && r.start == VIRT_PL061 &&
	    of_machine_is_compatible("linux,dummy-virt"))
		real = of_find_device_by_node(np);
	of_node_put(np);
	if (!real || !device_is_bound(&real->dev)) {
		if (real)
			put_device(&real->dev);
		kunit_skip(test, "needs QEMU virt with memlab's overlay, its PL061 bound");
	}
	device_release_driver(&real->dev);
	return kunit_add_action_or_reset(test, memlab_gpio_rebind, &real->dev);
}

static void memlab_gpio_unregister(void *pdev)
{
	platform_device_unregister(pdev);
}

/* A platform device for memlab_gpio, removed when the case ends */
static struct platform_device *memlab_gpio_make(struct kunit *test,
						const char *name,
						resource_size_t start,
						resource_size_t size,
						bool observe)
{
	static const struct property_entry observe_props[] = {
		PROPERTY_ENTRY_BOOL("memlab,observe"),
		{ }
	};
	struct resource res = DEFINE_RES_MEM(start, size);
	struct platform_device_info info = {
		.name = name,
		.id = PLATFORM_DEVID_AUTO,
		.res = size ? &res : NULL,
		.num_res = size ? 1 : 0,
		.properties = observe ? observe_props : NULL,
	};
	struct platform_device *pdev;

	pdev = platform_device_register_full(&info);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(pdev), "register %s: %pe", name, pdev);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, memlab_gpio_unregister, pdev), 0);
	return pdev;
}

/* Whether the device's debugfs entry @file ("" for its directory) exists */
static bool memlab_gpio_debugfs_has(struct kunit *test, struct device *dev,
				    const char *file)
{
	struct file *f;
	char *path;

	path = kasprintf(GFP_KERNEL, "/sys/kernel/debug/memlab/gpio/%s%s",
			 dev_name(dev), file);
	KUNIT_ASSERT_NOT_NULL(test, path);
	f = filp_open(path, O_RDONLY, 0);
	kfree(path);
	if (IS_ERR(f))
		return false;
	fput(f);
	return true;
}

static int memlab_gpio_is_chip(struct device *child, void *unused)
{
	return !strncmp(dev_name(child), "gpiochip", 8);
}

/*
 * Observe mode: maps the PL061 without requesting it, reads its ID, makes
 * the regs file and registers no gpio_chip.
 */
static void memlab_gpio_test_observe_probe(struct kunit *test)
{
	struct platform_device *pdev;

	pdev = memlab_gpio_make(test, "memlab-pl061-gpio", VIRT_PL061, SZ_4K, true);
	KUNIT_ASSERT_TRUE(test, device_is_bound(&pdev->dev));
	KUNIT_EXPECT_EQ(test, device_for_each_child(&pdev->dev, NULL, memlab_gpio_is_chip), 0);
	KUNIT_EXPECT_TRUE(test, memlab_gpio_debugfs_has(test, &pdev->dev, "/regs"));
	/* mmio only with mmio=1, which the harness does not set */
	KUNIT_EXPECT_FALSE(test, memlab_gpio_debugfs_has(test, &pdev->dev, "/mmio"));
	/* bench writes registers: not for a controller memlab only observes */
	KUNIT_EXPECT_FALSE(test, memlab_gpio_debugfs_has(test, &pdev->dev, "/bench"));
}

static void memlab_gpio_amba_unregister(void *adev)
{
	amba_device_unregister(adev);
}

/*
 * The AMBA path: a PL061 primecell over the real window, made with the
 * overlay's node for its clock and interrupt and forced to memlab-gpio
 * (the stock pl061_gpio would otherwise win the match). It reads the
 * PrimeCell ID from the hardware, binds, registers a gpio_chip and its
 * debugfs files, and leaves nothing when it goes.
 */
static void memlab_gpio_test_amba_probe(struct kunit *test)
{
	struct amba_device *adev;
	struct device_node *np;
	int ret;

	if (!IS_ENABLED(CONFIG_ARM_AMBA))
		kunit_skip(test, "this kernel has no AMBA bus");
	adev = amba_device_alloc("memlab-kunit-pl061", VIRT_PL061, SZ_4K);
	KUNIT_ASSERT_NOT_NULL(test, adev);
	np = of_find_compatible_node(NULL, NULL, "memlab,pl061-gpio");
	ret = np ? device_set_driver_override(&adev->dev, "memlab-gpio") : -ENODEV;
	if (!ret) {
		/* amba_device_add() takes its own reference on the node */
		device_set_node(&adev->dev, of_fwnode_handle(np));
		ret = amba_device_add(adev, &iomem_resource);
	}
	of_node_put(np);
	if (ret) {
		amba_device_put(adev);
		KUNIT_FAIL(test, "add a PL061 primecell: %d", ret);
		return;
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, memlab_gpio_amba_unregister,
							adev), 0);

	KUNIT_EXPECT_EQ(test, adev->periphid & 0x000fffff, 0x00041061);
	KUNIT_ASSERT_TRUE(test, device_is_bound(&adev->dev));
	KUNIT_EXPECT_STREQ(test, adev->dev.driver->name, "memlab-gpio");
	KUNIT_EXPECT_EQ(test, device_for_each_child(&adev->dev, NULL, memlab_gpio_is_chip), 1);
	KUNIT_EXPECT_TRUE(test, memlab_gpio_debugfs_has(test, &adev->dev, "/regs"));
	KUNIT_EXPECT_TRUE(test, memlab_gpio_debugfs_has(test, &adev->dev, "/bench"));

	/* Unbound, its debugfs directory goes with it */
	device_release_driver(&adev->dev);
	KUNIT_EXPECT_FALSE(test, device_is_bound(&adev->dev));
	KUNIT_EXPECT_FALSE(test, memlab_gpio_debugfs_has(test, &adev->dev, ""));
}

/* Each way a probe fails leaves the device unbound and no debugfs behind */
static void memlab_gpio_test_probe_failures(struct kunit *test)
{
	static const struct {
		const char *name;
		resource_size_t start, size;
		bool observe;
		const char *why;
	} cases[] = {
		{ "memlab-pl061-gpio", VIRT_PL061, 0, false, "no reg" },
		{ "memlab-pl061-gpio", VIRT_PL061, 0x100, false, "window too small" },
		{ "memlab-rk3588-gpio", VIRT_PL061, 0x100, true, "no bus and debounce clocks" },
	};
	struct platform_device *pdev;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		pdev = memlab_gpio_make(test, cases[i].name, cases[i].start,
					cases[i].size, cases[i].observe);
		KUNIT_EXPECT_FALSE_MSG(test, device_is_bound(&pdev->dev), "%s", cases[i].why);
		KUNIT_EXPECT_FALSE_MSG(test, memlab_gpio_debugfs_has(test, &pdev->dev, ""),
				       "%s", cases[i].why);
		/* Gone before the next one's identical window goes in */
		kunit_release_action(test, memlab_gpio_unregister, pdev);
	}
}

static struct kunit_case memlab_gpio_probe_test_cases[] = {
	KUNIT_CASE(memlab_gpio_test_observe_probe),
	KUNIT_CASE(memlab_gpio_test_probe_failures),
	KUNIT_CASE(memlab_gpio_test_amba_probe),
	{}
};

static struct kunit_suite memlab_gpio_probe_test_suite = {
	.name = "memlab_gpio_probe",
	.init = memlab_gpio_probe_test_init,
	.test_cases = memlab_gpio_probe_test_cases,
};

kunit_test_suite(memlab_gpio_probe_test_suite);

MODULE_DESCRIPTION("KUnit tests for memlab_gpio's probe on QEMU virt");
MODULE_LICENSE("GPL");
