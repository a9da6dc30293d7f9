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
struct device_node;
struct gpio_descs;

/**
 * struct memlab_gpio - one controller memlab_gpio drives or observes
 * @hw: its registers and register logic
 * @lock: serialises read-modify-write cycles on the registers
 * @dev: the platform device
 * @gc: the gpio_chip (not registered in observe mode; in share mode one
 *	offset per shared line)
 * @clks: the clocks enabled for it
 * @nr_clks: entries in @clks
 * @phys: physical address of the register window
 * @size: bytes mapped
 * @id: the identification read at probe (PL061 PeriphID, Rockchip VER_ID)
 * @observe: another driver owns the controller; only read it
 * @share: another driver owns the controller; write only the lines of @sh
 * @sh: share mode: the lines memlab drives
 * @descs: share mode: those lines, requested from the stock chip
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
	bool share;
	struct memlab_gpio_share sh;
	struct gpio_descs *descs;
	bool has_irq;
	struct dentry *dir;
	u64 bench_writes;
	u64 bench_ns;
};

/* Whether memlab owns the whole controller (neither observe nor share) */
static inline bool memlab_gpio_owns(const struct memlab_gpio *mg)
{
	return !mg->observe && !mg->share;
}

int memlab_gpio_share_add(struct memlab_gpio *mg, struct device_node *bank);
void memlab_gpio_trace_set_multiple(const struct memlab_gpio *mg, unsigned long mask,
				    unsigned long bits);
int memlab_gpio_debugfs_add(struct memlab_gpio *mg, bool mmio);
void memlab_gpio_debugfs_init(void);
void memlab_gpio_debugfs_exit(void);

#endif
