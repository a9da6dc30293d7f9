// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_dev: /dev/memlab, physically contiguous memory from memlab's
 * default pool for user space.
 *
 * The misc device and its file operations live here: read, write and
 * llseek reach the shared buffer at offset 0, mmap reaches the shared
 * buffer and the private buffers an open file holds (buffer.c), ioctls
 * allocate and free those (ioctl.c) and export them as dma-bufs
 * (dmabuf.c). The user ABI is include/uapi/memlab.h.
 *
 * The driver binds the "memlab,memlab" platform device, so the device tree
 * (of_dma_configure(): dma-ranges, coherency, swiotlb) describes the
 * device buffer.c does cache maintenance with; without such a node it
 * binds a device of its own, which the DMA API treats as a plain
 * non-coherent one. The probe sets everything up and registers the misc
 * device last, so /dev/memlab never appears half made.
 *
 * Every open file, through vm_file every mapping, every dma-buf (as its
 * exporter) and a buffer whose pages get_user_pages() still holds
 * (buffer.c) hold a reference on the module, so it cannot be unloaded
 * while anything is open, mapped, exported or pinned; sysfs cannot unbind
 * the driver either.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <memlab/alloc.h>
#include <memlab/parse.h>
#include <uapi/memlab.h>

#include "compat.h"
#include "internal.h"

#define MEMLAB_SIZE_PARAM_MAX	SZ_1G
#define MEMLAB_SHARED_DEFAULT	SZ_1M
#define MEMLAB_DT_SHARED_SIZE	"memlab,shared-buffer-size"

static unsigned long long shared_size;
static unsigned long long quota_open = SZ_4M;
static unsigned long long quota_global = SZ_8M;

/* A size as memlab_parse_size() takes it: page-aligned (0 too), up to 1G. */
static int memlab_size_set(const char *val, const struct kernel_param *kp)
{
	u64 size;

	if (memlab_parse_size(val, &size) || !PAGE_ALIGNED(size) ||
	    size > MEMLAB_SIZE_PARAM_MAX)
		return -EINVAL;
	WRITE_ONCE(*(unsigned long long *)kp->arg, size);
	return 0;
}

static const struct kernel_param_ops memlab_size_ops = {
	.set = memlab_size_set,
	.get = param_get_ullong,
};

module_param_cb(shared_size, &memlab_size_ops, &shared_size, 0444);
MODULE_PARM_DESC(shared_size, "Shared buffer bytes; 0 (default): the memlab,memlab node's "
		 MEMLAB_DT_SHARED_SIZE ", else 1M");
module_param_cb(quota_open, &memlab_size_ops, &quota_open, 0644);
MODULE_PARM_DESC(quota_open, "Private-buffer bytes one open file may hold (default 4M)");
module_param_cb(quota_global, &memlab_size_ops, &quota_global, 0644);
MODULE_PARM_DESC(quota_global, "Private-buffer bytes all users may hold together (default 8M)");

static struct memlab_pool *memlab_pool;

struct memlab_pool *memlab_dev_pool(void)
{
	return memlab_pool;
}

u64 memlab_quota_open(void)
{
	return READ_ONCE(quota_open);
}

u64 memlab_quota_global(void)
{
	return READ_ONCE(quota_global);
}

static int memlab_open(struct inode *inode, struct file *file)
{
	struct memlab_file *mf;

	mf = kzalloc(sizeof(*mf), GFP_KERNEL);
	if (!mf)
		return -ENOMEM;
	mutex_init(&mf->lock);
	xa_init(&mf->bufs);
	file->private_data = mf;
	atomic_inc(&memlab_shared->nr_fds);
	return 0;
}

/* The last reference to the file: its mappings are gone already. */
static int memlab_release(struct inode *inode, struct file *file)
{
	struct memlab_file *mf = file->private_data;
	struct memlab_buf *buf;
	unsigned long handle;

	xa_for_each(&mf->bufs, handle, buf) {
		xa_erase(&mf->bufs, handle);
		atomic_dec(&buf->nr_fds);
		memlab_buf_put(buf);
	}
	xa_destroy(&mf->bufs);
	mutex_destroy(&mf->lock);
	kfree(mf);
	atomic_dec(&memlab_shared->nr_fds);
	return 0;
}

static ssize_t memlab_read(struct file *file, char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	return simple_read_from_buffer(ubuf, count, ppos, memlab_shared->vaddr,
				       memlab_shared->size);
}

/*
 * Other processes' data lives in the shared buffer, so a write changes
 * exactly the bytes it reports written. copy_from_user() zeroes the bytes
 * it could not copy, so the copy goes to a bounce buffer and only what was
 * copied reaches the shared one.
 */
static ssize_t memlab_write(struct file *file, const char __user *ubuf, size_t count,
			    loff_t *ppos)
{
	size_t size = memlab_shared->size, done = 0;
	loff_t pos = *ppos;
	void *bounce;

	if (pos < 0)
		return -EINVAL;
	if (!count)
		return 0;
	/* Like a block device: no room at or past the end. */
	if (pos >= (loff_t)size)
		return -ENOSPC;
	count = min_t(size_t, count, size - pos);

	bounce = kmalloc(min_t(size_t, count, PAGE_SIZE), GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < count) {
		size_t chunk = min_t(size_t, count - done, PAGE_SIZE);
		size_t copied = chunk - copy_from_user(bounce, ubuf + done, chunk);

		memcpy(memlab_shared->vaddr + pos + done, bounce, copied);
		done += copied;
		if (copied < chunk)
			break;
		cond_resched();
	}
	kfree(bounce);
	if (!done)
		return -EFAULT;
	*ppos = pos + done;
	return done;
}

/* A regular file with no holes: data at every offset, the hole at the end. */
static loff_t memlab_llseek(struct file *file, loff_t offset, int whence)
{
	loff_t size = memlab_shared->size;

	return generic_file_llseek_size(file, offset, whence, size, size);
}

/* The buffer an mmap() offset names, with a reference; NULL if none. */
static struct memlab_buf *memlab_file_buf_get(struct memlab_file *mf, unsigned long pgoff)
{
	unsigned long cookie = pgoff >> MEMLAB_COOKIE_PGSHIFT;
	struct memlab_buf *buf;

	if (!cookie) {
		kref_get(&memlab_shared->ref);
		return memlab_shared;
	}
	mutex_lock(&mf->lock);
	buf = cookie <= MEMLAB_HANDLE_MAX ? xa_load(&mf->bufs, cookie) : NULL;
	if (buf)
		kref_get(&buf->ref);
	mutex_unlock(&mf->lock);
	return buf;
}

/*
 * The checks come first, each with its own errno, as mmap_mem() does in
 * drivers/char/mem.c; then buffer.c fills the page tables.
 */
static int memlab_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long pgoff = vma->vm_pgoff & (BIT(MEMLAB_COOKIE_PGSHIFT) - 1);
	struct memlab_buf *buf;
	int ret;

	/*
	 * Shared mappings only: copy-on-write of device memory is meaningless.
	 * VM_MAYSHARE, as the core clears VM_SHARED for a read-only file.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;

	/* The offset must name the shared buffer or one this file holds. */
	buf = memlab_file_buf_get(file->private_data, vma->vm_pgoff);
	if (!buf)
		return -ENXIO;

	/* The rest (end of buffer, page tables) needs the buffer. */
	ret = memlab_buf_mmap(buf, vma, pgoff);
	if (ret)
		memlab_buf_put(buf);
	return ret;
}

#if MEMLAB_HAVE_PMD_PFNMAP
/*
 * A PFN mapping of 2 MiB or more goes where virtual and physical addresses
 * agree modulo 2 MiB, so buffer.c can map it with PMDs:
 * thp_get_unmapped_area() aligns to the offset it is given, which is the
 * physical page here. Everything else (a fixed address, a hint that is
 * free) is placed as usual; mmap() checks the rest.
 */
static unsigned long memlab_get_area(struct file *file, unsigned long addr,
				     unsigned long len, unsigned long pgoff,
				     unsigned long flags)
{
	struct memlab_buf *buf = memlab_file_buf_get(file->private_data, pgoff);
	unsigned long pfn;
	bool huge;

	if (!buf)
		return memlab_get_unmapped_area(file, addr, len, pgoff, flags);
	huge = memlab_buf_huge_pfn(buf, pgoff & (BIT(MEMLAB_COOKIE_PGSHIFT) - 1), len, &pfn);
	memlab_buf_put(buf);
	if (huge)
		return thp_get_unmapped_area(file, addr, len, pfn, flags);
	return memlab_get_unmapped_area(file, addr, len, pgoff, flags);
}
#else
#define memlab_get_area	NULL
#endif

static const struct file_operations memlab_fops = {
	.owner		= THIS_MODULE,
	.open		= memlab_open,
	.release	= memlab_release,
	.read		= memlab_read,
	.write		= memlab_write,
	.llseek		= memlab_llseek,
	.mmap		= memlab_mmap,
	.get_unmapped_area = memlab_get_area,
	.unlocked_ioctl	= memlab_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice memlab_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "memlab",
	.fops	= &memlab_fops,
	/* Quotas bound what anyone can take; physical addresses need CAP_SYS_ADMIN. */
	.mode	= 0666,
};

/* The bound platform device; set while /dev/memlab is registered. */
static struct device *memlab_dma_dev;
/* A device of our own when the device tree has no memlab,memlab node. */
static struct platform_device *memlab_own_pdev;
/* What the probe returned; -ENODEV until a device is bound. */
static int memlab_probe_ret;

struct device *memlab_dev_dma_device(void)
{
	return memlab_dma_dev;
}

/* The shared buffer's size: the parameter, the device tree, or 1 MiB. */
static int memlab_shared_size(size_t *size)
{
	struct device_node *np;
	u32 val;
	int ret;

	if (shared_size) {
		*size = shared_size;
		return 0;
	}
	*size = MEMLAB_SHARED_DEFAULT;
	np = memlab_of_node();
	if (!np)
		return 0;
	ret = of_property_read_u32(np, MEMLAB_DT_SHARED_SIZE, &val);
	if (ret == -EINVAL) {
		ret = 0;	/* no such property */
	} else if (ret || !val || !PAGE_ALIGNED(val)) {
		pr_err("%pOF: " MEMLAB_DT_SHARED_SIZE " must be a non-zero multiple of %lu\n",
		       np, PAGE_SIZE);
		ret = -EINVAL;
	} else {
		*size = val;
	}
	of_node_put(np);
	return ret;
}

static void memlab_debugfs_release(void *data)
{
	memlab_dev_debugfs_exit();
}

static void memlab_misc_release(struct device *dev, void *res)
{
	misc_deregister(&memlab_misc);
	memlab_dma_dev = NULL;
}

/* Everything first, /dev/memlab last; devres undoes it in reverse. */
static int memlab_setup(struct device *dev)
{
	void *dr;
	int ret;

	/* One device: two memlab,memlab nodes would share one pool. */
	if (memlab_dma_dev)
		return -EBUSY;
	/*
	 * Never a bus master: the mask lets it reach any address, so only
	 * its DMA description decides whether buffer.c's cache maintenance
	 * happens in place (and buffer.c refuses when it would not).
	 */
	ret = dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return ret;
	memlab_dev_debugfs_init();
	ret = devm_add_action_or_reset(dev, memlab_debugfs_release, NULL);
	if (ret)
		return ret;
	/* Allocated up front: nothing may fail once the device is visible. */
	dr = devres_alloc(memlab_misc_release, 0, GFP_KERNEL);
	if (!dr)
		return -ENOMEM;
	memlab_dma_dev = dev;
	ret = misc_register(&memlab_misc);
	if (ret) {
		memlab_dma_dev = NULL;
		devres_free(dr);
		return ret;
	}
	devres_add(dev, dr);
	return 0;
}

static int memlab_probe(struct platform_device *pdev)
{
	memlab_probe_ret = memlab_setup(&pdev->dev);
	return memlab_probe_ret;
}

static const struct of_device_id memlab_of_match[] = {
	{ .compatible = "memlab,memlab" },
	{ }
};
MODULE_DEVICE_TABLE(of, memlab_of_match);

static struct platform_driver memlab_driver = {
	.probe	= memlab_probe,
	.driver	= {
		.name			= "memlab",
		.of_match_table		= memlab_of_match,
		/* An unbind would free what open files use. */
		.suppress_bind_attrs	= true,
	},
};

static int __init memlab_dev_init(void)
{
	size_t size;
	int ret;

	memlab_pool = memlab_default_pool();
	ret = memlab_shared_size(&size);
	if (ret)
		return ret;
	memlab_shared = memlab_shared_create(memlab_pool, size);
	if (!memlab_shared) {
		pr_err("no room for a %zu KiB shared buffer in the default pool\n", size >> 10);
		return -ENOMEM;
	}
	/* The probe runs now, for the device tree's device if there is one. */
	memlab_probe_ret = -ENODEV;
	ret = platform_driver_register(&memlab_driver);
	if (ret)
		goto err_shared;
	if (memlab_probe_ret == -ENODEV) {
		memlab_own_pdev = platform_device_register_simple("memlab", PLATFORM_DEVID_AUTO,
								  NULL, 0);
		if (IS_ERR(memlab_own_pdev)) {
			ret = PTR_ERR(memlab_own_pdev);
			memlab_own_pdev = NULL;
			goto err_driver;
		}
	}
	ret = memlab_probe_ret;
	if (ret)
		goto err_device;
	pr_info("/dev/memlab: %zu KiB shared buffer, device %s\n", size >> 10,
		dev_name(memlab_dma_dev));
	return 0;

err_device:
	platform_device_unregister(memlab_own_pdev);
err_driver:
	platform_driver_unregister(&memlab_driver);
err_shared:
	/* /dev/memlab never appeared: nothing else holds the buffer. */
	memlab_buf_put(memlab_shared);
	return ret;
}

static void __exit memlab_dev_exit(void)
{
	memlab_bufs_exit();
	platform_device_unregister(memlab_own_pdev);
	platform_driver_unregister(&memlab_driver);
	/* Nothing is open or mapped, so this is the last reference. */
	memlab_buf_put(memlab_shared);
}

module_init(memlab_dev_init);
module_exit(memlab_dev_exit);

MODULE_DESCRIPTION("memlab /dev/memlab: mmap-able buffers from the memlab pool");
MODULE_AUTHOR("memlab developers");
MODULE_LICENSE("GPL");
