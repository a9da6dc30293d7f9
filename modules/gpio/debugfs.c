// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_gpio's debugfs files, under /sys/kernel/debug/memlab/gpio/<device>/:
 *
 *   regs  every register by name with its value, then one line per GPIO
 *         line: direction, level, trigger, interrupt enable
 *   bench (a controller memlab owns: not in observe or share mode)
 *         writing a count N times N writel()s of 0 to a register where
 *         that changes nothing; reading prints the last run: writes, ns,
 *         writes_per_s
 *   mmio  (module parameter mmio=1 only) the register window as a file:
 *         pread/pwrite of a size the controller takes (PL061 1, 2 or 4
 *         bytes, Rockchip 4) at an offset aligned to the size is one
 *         readb/readw/readl or writeb/writew/writel there
 *
 * The formats are documented in docs/gpio.rst and parsed by
 * userspace/tests/gpio_test.c.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <memlab/core.h>
#include <memlab/parse.h>

#include "internal.h"

static struct dentry *memlab_gpio_root;

/* One bench run at a time, on any controller, and its result */
static DEFINE_MUTEX(memlab_gpio_bench_lock);

/* Bounds a bench run to seconds even under emulation */
#define MEMLAB_GPIO_BENCH_MAX	100000000U

/* A consistent picture of a controller, taken under its lock */
struct memlab_gpio_snapshot {
	u32 reg[32];
	u32 dir;
	u32 level;
	u32 irq_on;
	u8 type[32];
};

static const char *memlab_gpio_type_name(unsigned int type)
{
	switch (type) {
	case IRQ_TYPE_EDGE_RISING:
		return "edge-rising";
	case IRQ_TYPE_EDGE_FALLING:
		return "edge-falling";
	case IRQ_TYPE_EDGE_BOTH:
		return "edge-both";
	case IRQ_TYPE_LEVEL_HIGH:
		return "level-high";
	case IRQ_TYPE_LEVEL_LOW:
		return "level-low";
	default:
		return "none";
	}
}

static void memlab_gpio_snap(struct memlab_gpio *mg,
			     struct memlab_gpio_snapshot *s)
{
	const struct memlab_gpio_variant *v = mg->hw.variant;
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&mg->lock, flags);
	for (i = 0; i < v->nr_regs && i < ARRAY_SIZE(s->reg); i++)
		s->reg[i] = readl(mg->hw.base + v->regs[i].offset);
	for (i = 0; i < v->ngpio && i < ARRAY_SIZE(s->type); i++) {
		if (v->get_direction(&mg->hw, i))
			s->dir |= BIT(i);
		if (v->get(&mg->hw, i))
			s->level |= BIT(i);
		if (v->irq_enabled(&mg->hw, i))
			s->irq_on |= BIT(i);
		s->type[i] = v->irq_get_type(&mg->hw, i);
	}
	raw_spin_unlock_irqrestore(&mg->lock, flags);
}

static int memlab_gpio_regs_show(struct seq_file *m, void *unused)
{
	struct memlab_gpio *mg = m->private;
	const struct memlab_gpio_variant *v = mg->hw.variant;
	struct memlab_gpio_snapshot *s;
	unsigned int i;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	memlab_gpio_snap(mg, s);

	seq_printf(m, "device %s\n", dev_name(mg->dev));
	seq_printf(m, "controller %s\n", v->name);
	seq_printf(m, "mode %s\n", mg->share ? "share" :
		   mg->observe ? "observe" : "gpiochip");
	seq_printf(m, "phys 0x%016llx\n", (u64)mg->phys);
	seq_printf(m, "size 0x%llx\n", (u64)mg->size);
	seq_printf(m, "id 0x%08x\n", mg->id);
	seq_printf(m, "lines %u\n", v->ngpio);
	seq_printf(m, "irq %s\n", mg->has_irq ? "yes" : "no");
	if (mg->share)
		seq_printf(m, "shared 0x%08x\n", mg->sh.mask);
	seq_printf(m, "%-16s %-6s %s\n", "register", "offset", "value");
	for (i = 0; i < v->nr_regs && i < ARRAY_SIZE(s->reg); i++)
		seq_printf(m, "%-16s 0x%03x  0x%08x\n", v->regs[i].name,
			   v->regs[i].offset, s->reg[i]);
	seq_printf(m, "%-4s %-3s %-5s %-12s %s\n", "line", "dir", "level",
		   "trigger", "irq");
	for (i = 0; i < v->ngpio && i < ARRAY_SIZE(s->type); i++)
		seq_printf(m, "%-4u %-3s %-5u %-12s %s\n", i,
			   s->dir & BIT(i) ? "out" : "in",
			   !!(s->level & BIT(i)),
			   memlab_gpio_type_name(s->type[i]),
			   s->irq_on & BIT(i) ? "on" : "off");
	kfree(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(memlab_gpio_regs);

static int memlab_gpio_bench_show(struct seq_file *m, void *unused)
{
	struct memlab_gpio *mg = m->private;
	u64 writes, ns;

	mutex_lock(&memlab_gpio_bench_lock);
	writes = mg->bench_writes;
	ns = mg->bench_ns;
	mutex_unlock(&memlab_gpio_bench_lock);

	seq_printf(m, "writes %llu ns %llu writes_per_s %llu\n", writes, ns,
		   ns ? div64_u64(writes * NSEC_PER_SEC, ns) : 0);
	return 0;
}

static int memlab_gpio_bench_open(struct inode *inode, struct file *file)
{
	return single_open(file, memlab_gpio_bench_show, inode->i_private);
}

/*
 * The raw cost of the driver's register access: writel(), as the set path
 * uses it, of 0 to the variant's nop_reg, which changes no line, so a run
 * is harmless while lines are in use. Interrupts stay on; the loop yields
 * now and then, which a long run under emulation needs.
 */
static ssize_t memlab_gpio_bench_write(struct file *file,
				       const char __user *buf, size_t count,
				       loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	struct memlab_gpio *mg = m->private;
	void __iomem *reg = mg->hw.base + mg->hw.variant->nop_reg;
	u64 n, i, t0, t1;
	int ret;

	ret = memlab_parse_count_from_user(buf, count, 1, MEMLAB_GPIO_BENCH_MAX, &n);
	if (ret)
		return ret;

	mutex_lock(&memlab_gpio_bench_lock);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		writel(0, reg);
		if (!(i & 1023))
			cond_resched();
	}
	t1 = ktime_get_ns();
	mg->bench_writes = n;
	mg->bench_ns = t1 - t0;
	mutex_unlock(&memlab_gpio_bench_lock);
	return count;
}

static const struct file_operations memlab_gpio_bench_fops = {
	.owner		= THIS_MODULE,
	.open		= memlab_gpio_bench_open,
	.read		= seq_read,
	.write		= memlab_gpio_bench_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

static ssize_t memlab_gpio_mmio_read(struct file *file, char __user *buf,
				     size_t count, loff_t *ppos)
{
	struct memlab_gpio *mg = file->private_data;
	void __iomem *addr = mg->hw.base + *ppos;
	u8 b;
	u16 w;
	u32 l;
	void *val;
	int ret;

	ret = memlab_gpio_hw_mmio_check(&mg->hw, mg->size, count, *ppos);
	if (ret)
		return ret;

	switch (count) {
	case 1:
		b = readb(addr);
		val = &b;
		break;
	case 2:
		w = readw(addr);
		val = &w;
		break;
	default:
		l = readl(addr);
		val = &l;
		break;
	}
	if (copy_to_user(buf, val, count))
		return -EFAULT;
	*ppos += count;
	return count;
}

static ssize_t memlab_gpio_mmio_write(struct file *file,
				      const char __user *buf, size_t count,
				      loff_t *ppos)
{
	struct memlab_gpio *mg = file->private_data;
	void __iomem *addr = mg->hw.base + *ppos;
	unsigned long flags;
	u32 l = 0;
	int ret;

	/* Observe and share mode: the controller is another driver's. */
	if (!memlab_gpio_owns(mg))
		return -EPERM;
	ret = memlab_gpio_hw_mmio_check(&mg->hw, mg->size, count, *ppos);
	if (ret)
		return ret;
	if (copy_from_user(&l, buf, count))
		return -EFAULT;

	/* Not in the middle of the driver's own read-modify-write */
	raw_spin_lock_irqsave(&mg->lock, flags);
	switch (count) {
	case 1:
		writeb((u8)l, addr);
		break;
	case 2:
		writew((u16)l, addr);
		break;
	default:
		writel(l, addr);
		break;
	}
	raw_spin_unlock_irqrestore(&mg->lock, flags);
	*ppos += count;
	return count;
}

static const struct file_operations memlab_gpio_mmio_fops = {
	.owner		= THIS_MODULE,
	.open		= simple_open,
	.read		= memlab_gpio_mmio_read,
	.write		= memlab_gpio_mmio_write,
	.llseek		= default_llseek,
};

static void memlab_gpio_debugfs_remove(void *data)
{
	struct memlab_gpio *mg = data;

	debugfs_remove_recursive(mg->dir);
}

/**
 * memlab_gpio_debugfs_add() - create a controller's debugfs directory
 * @mg: the controller
 * @mmio: also create the mmio peek/poke file
 *
 * The directory goes away with the device (a devm action); debugfs waits
 * for readers and writers still inside a file.
 *
 * Return: 0 or a negative errno.
 */
int memlab_gpio_debugfs_add(struct memlab_gpio *mg, bool mmio)
{
	mg->dir = debugfs_create_dir(dev_name(mg->dev), memlab_gpio_root);
	debugfs_create_file("regs", 0444, mg->dir, mg, &memlab_gpio_regs_fops);
	if (memlab_gpio_owns(mg))
		debugfs_create_file("bench", 0600, mg->dir, mg,
				    &memlab_gpio_bench_fops);
	if (mmio)
		debugfs_create_file("mmio", memlab_gpio_owns(mg) ? 0600 : 0400,
				    mg->dir, mg, &memlab_gpio_mmio_fops);
	return devm_add_action_or_reset(mg->dev, memlab_gpio_debugfs_remove, mg);
}

void memlab_gpio_debugfs_init(void)
{
	memlab_gpio_root = debugfs_create_dir("gpio", memlab_debugfs_root());
}

void memlab_gpio_debugfs_exit(void)
{
	debugfs_remove_recursive(memlab_gpio_root);
}
