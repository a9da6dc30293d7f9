/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_gpio internals shared by the driver and its debugfs files.
 */
#ifndef MEMLAB_GPIO_INTERNAL_H
#define MEMLAB_GPIO_INTERNAL_H

#include <linux/clk.h>
#include <linux/gpio/driver.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "hw.h"

struct dentry;
struct device;

/**
 * struct memlab_gpio - one controller memlab_gpio drives or observes
 * @hw: its registers and register logic
 * @lock: serialises read-modify-write cycles on the registers
 * @dev: the platform device
 * @gc: the gpio_chip (not registered in observe mode)
 * @clks: the clocks enabled for it
 * @nr_clks: entries in @clks
 * @phys: physical address of the register window
 * @size: bytes mapped
 * @id: the identification read at probe (PL061 PeriphID, Rockchip VER_ID)
 * @observe: another driver owns the controller; only read it
 * @has_irq: an irq_chip was registered
 * @dir: its debugfs directory
 * @bench_writes: writes the last bench run made (0: none yet)
 * @bench_ns: how long they took
 */
struct memlab_gpio {
	struct memlab_gpio_hw hw;
	raw_spinlock_t lock;
	struct device *dev;
	struct gpio_chip gc;
	struct clk_bulk_data *clks;
	int nr_clks;
	phys_addr_t phys;
	resource_size_t size;
	u32 id;
	bool observe;
	bool has_irq;
	struct dentry *dir;
	u64 bench_writes;
	u64 bench_ns;
};

int memlab_gpio_debugfs_add(struct memlab_gpio *mg, bool mmio);
void memlab_gpio_debugfs_init(void);
void memlab_gpio_debugfs_exit(void);

#endif
