// SPDX-License-Identifier: GPL-2.0-only
/*
 * Planted bugs, for the slab lab (docs/labs/lab3-slab.rst):
 * /sys/kernel/debug/memlab/alloc/default/plant, which exists only when
 * memlab_alloc is loaded with lab_bugs=1.
 *
 * Writing "uaf" makes a 64-byte debug cache, lab-uaf, on the default pool,
 * allocates one object, frees it and then writes one byte of it, as code
 * that kept a pointer past the free would: the object's poison is broken
 * and the pool's check walk reports it. Writing "clear" puts the byte
 * back and destroys the cache. Reading says what is planted. Only memlab's
 * own cache is touched: nothing else ever allocates from lab-uaf, and a
 * freed debug object is not handed out again while the poison is broken.
 */
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <memlab/alloc.h>

#include "internal.h"

#define PLANT_CACHE	"lab-uaf"
#define PLANT_SIZE	64
#define PLANT_OFFSET	10

static DEFINE_MUTEX(plant_lock);
static struct memlab_pool *plant_pool;
static struct memlab_cache *plant_cache;	/* NULL: nothing planted */
static u8 *plant_byte;
static u8 plant_saved;

static int plant_uaf(void)
{
	struct memlab_cache *c;
	u8 *p;

	if (plant_cache)
		return -EBUSY;
	c = memlab_cache_create(plant_pool, PLANT_CACHE, PLANT_SIZE, 0, MEMLAB_SLAB_DEBUG, NULL);
	if (IS_ERR(c))
		return PTR_ERR(c);
	p = memlab_cache_alloc(c, GFP_KERNEL);
	if (!p) {
		memlab_cache_destroy(c);
		return -ENOMEM;
	}
	memlab_cache_free(c, p);
	/* The bug: a write through a pointer kept after the free. */
	plant_byte = p + PLANT_OFFSET;
	plant_saved = READ_ONCE(*plant_byte);
	WRITE_ONCE(*plant_byte, plant_saved ^ 0xff);
	plant_cache = c;
	pr_info("planted a write after free in cache %s (lab_bugs=1)\n", PLANT_CACHE);
	return 0;
}

static void plant_clear(void)
{
	if (!plant_cache)
		return;
	WRITE_ONCE(*plant_byte, plant_saved);
	if (memlab_cache_destroy(plant_cache))
		pr_err("cache %s: not destroyed\n", PLANT_CACHE);
	plant_cache = NULL;
	plant_byte = NULL;
}

static int plant_show(struct seq_file *m, void *v)
{
	mutex_lock(&plant_lock);
	if (plant_cache)
		seq_printf(m, "uaf cache %s object_size %d offset %d\n", PLANT_CACHE,
			   PLANT_SIZE, PLANT_OFFSET);
	else
		seq_puts(m, "none\n");
	mutex_unlock(&plant_lock);
	return 0;
}

static int plant_open(struct inode *inode, struct file *file)
{
	return single_open(file, plant_show, NULL);
}

static ssize_t plant_write(struct file *file, const char __user *ubuf, size_t len,
			   loff_t *ppos)
{
	char buf[16];
	int ret = 0;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	strim(buf);
	mutex_lock(&plant_lock);
	if (!strcmp(buf, "uaf"))
		ret = plant_uaf();
	else if (!strcmp(buf, "clear"))
		plant_clear();
	else
		ret = -EINVAL;
	mutex_unlock(&plant_lock);
	return ret ? ret : len;
}

static const struct file_operations plant_fops = {
	.owner		= THIS_MODULE,
	.open		= plant_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.write		= plant_write,
	.release	= single_release,
};

/* The plant file of @pool (the default pool), with lab_bugs=1. */
void memlab_plant_init(struct memlab_pool *pool)
{
	plant_pool = pool;
	debugfs_create_file("plant", 0600, pool->debugfs, NULL, &plant_fops);
}

/* Before the pool goes: whatever is planted is cleared. */
void memlab_plant_exit(void)
{
	mutex_lock(&plant_lock);
	plant_clear();
	mutex_unlock(&plant_lock);
}
