// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_dev ioctls: pool and ABI information, allocate and free private
 * buffers, cache maintenance on them, export them as dma-bufs. The
 * structures and every errno are described in include/uapi/memlab.h.
 *
 * Nothing is copied to or from user space with a lock held: a fault there
 * takes mmap_lock, which mmap() and munmap() hold while they take ours.
 */
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include <memlab/alloc.h>
#include <uapi/memlab.h>

#include "dmabuf.h"
#include "internal.h"
#include "trace.h"

/* Copy in a structure whose first word is its size; check size and reserved. */
static int memlab_copy_in(void *karg, size_t ksize, const void __user *uarg,
			  const u64 *reserved, unsigned int nr_reserved)
{
	unsigned int i;

	if (copy_from_user(karg, uarg, ksize))
		return -EFAULT;
	if (*(u32 *)karg != ksize)
		return -EINVAL;
	for (i = 0; i < nr_reserved; i++)
		if (reserved[i])
			return -EINVAL;
	return 0;
}

static int memlab_ioctl_info(struct memlab_file *mf, void __user *uarg)
{
	struct memlab_pool_info *pi;
	struct memlab_info info;
	int ret;

	ret = memlab_copy_in(&info, sizeof(info), uarg, info.reserved,
			     ARRAY_SIZE(info.reserved));
	if (ret)
		return ret;
	if (info.__pad)
		return -EINVAL;

	pi = kmalloc(sizeof(*pi), GFP_KERNEL);
	if (!pi)
		return -ENOMEM;
	memlab_pool_get_info(memlab_dev_pool(), pi);
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.abi_version = MEMLAB_ABI_VERSION;
	info.page_size = PAGE_SIZE;
	info.max_order = pi->max_order;
	info.pool_bytes = (u64)pi->total_pages << PAGE_SHIFT;
	info.pool_free_bytes = (u64)pi->free_pages << PAGE_SHIFT;
	kfree(pi);
	info.shared_bytes = memlab_shared->size;
	info.quota_open_bytes = memlab_quota_open();
	info.quota_global_bytes = memlab_quota_global();
	mutex_lock(&mf->lock);
	info.used_open_bytes = mf->charged;
	mutex_unlock(&mf->lock);
	info.used_global_bytes = memlab_bufs_charged(&info.nr_buffers);

	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

/*
 * Drop @handle from @mf if it names @only, or any buffer when @only is NULL;
 * the buffer lives on while it is mapped.
 */
static int memlab_file_drop(struct memlab_file *mf, u32 handle, struct memlab_buf *only)
{
	struct memlab_buf *buf;

	mutex_lock(&mf->lock);
	buf = xa_load(&mf->bufs, handle);
	if (buf && only && buf != only)
		buf = NULL;
	if (buf) {
		xa_erase(&mf->bufs, handle);
		mf->charged -= buf->size;
	}
	mutex_unlock(&mf->lock);
	if (!buf)
		return -ENOENT;
	atomic_dec(&buf->nr_fds);
	memlab_buf_put(buf);
	return 0;
}

static int memlab_ioctl_alloc(struct memlab_file *mf, void __user *uarg)
{
	struct memlab_pool_info *pi;
	struct memlab_allocation_data req;
	struct memlab_buf *buf;
	unsigned int max_order, order;
	u64 bytes, length;
	u32 flags;
	bool dma32;
	int ret;

	ret = memlab_copy_in(&req, sizeof(req), uarg, req.reserved,
			     ARRAY_SIZE(req.reserved));
	if (ret)
		return ret;
	if (req.flags & ~MEMLAB_ALLOC_FLAGS)
		return -EINVAL;
	if ((req.flags & MEMLAB_CACHE_MASK) > MEMLAB_CACHE_UNCACHED)
		return -EINVAL;
	/* The kernel reaches pages get_user_pages() took through a cacheable alias. */
	if ((req.flags & MEMLAB_ALLOC_PAGES) &&
	    (req.flags & MEMLAB_CACHE_MASK) != MEMLAB_CACHE_CACHED)
		return -EINVAL;
	if (!req.length)
		return -EINVAL;

	pi = kmalloc(sizeof(*pi), GFP_KERNEL);
	if (!pi)
		return -ENOMEM;
	memlab_pool_get_info(memlab_dev_pool(), pi);
	max_order = pi->max_order;
	dma32 = pi->dma32;
	kfree(pi);
	if (req.length > (u64)PAGE_SIZE << max_order)
		return -E2BIG;
	/* Below 4 GiB: the pool has it everywhere or nowhere. */
	if ((req.flags & MEMLAB_ALLOC_DMA32) && !dma32)
		return -ERANGE;
	length = req.length;
	flags = req.flags;
	order = get_order(length);
	bytes = (u64)PAGE_SIZE << order;

	/* Charge this open file first, so two threads cannot both pass. */
	mutex_lock(&mf->lock);
	if (mf->charged + bytes > memlab_quota_open()) {
		mutex_unlock(&mf->lock);
		return -EDQUOT;
	}
	mf->charged += bytes;
	mutex_unlock(&mf->lock);

	buf = memlab_buf_create(memlab_dev_pool(), memlab_dev_dma_device(), order,
				req.flags, memlab_quota_global());
	if (IS_ERR(buf)) {
		ret = PTR_ERR(buf);
		goto err_uncharge;
	}

	/* The reply is complete before another thread can see the handle. */
	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.flags = buf->cache | (buf->pages ? MEMLAB_ALLOC_PAGES : 0) |
		    (flags & MEMLAB_ALLOC_DMA32);
	req.length = length;
	req.bytes = bytes;
	req.mmap_offset = (u64)buf->handle << MEMLAB_COOKIE_SHIFT;
	if (capable(CAP_SYS_ADMIN))
		req.phys = memlab_block_phys(memlab_dev_pool(), buf->vaddr);
	req.handle = buf->handle;
	req.order = order;

	/*
	 * Once in @bufs and unlocked, any thread sharing the file can drop the
	 * handle. A reference of our own keeps @buf, and so its handle number,
	 * alive until the reply is out: a handle that fails to reach the
	 * caller is then still @buf's or already gone, never another buffer's.
	 */
	mutex_lock(&mf->lock);
	ret = xa_insert(&mf->bufs, buf->handle, buf, GFP_KERNEL);
	if (!ret)
		kref_get(&buf->ref);
	mutex_unlock(&mf->lock);
	if (ret) {
		memlab_buf_put(buf);
		ret = -ENOMEM;
		goto err_uncharge;
	}

	if (copy_to_user(uarg, &req, sizeof(req))) {
		/* The caller never learnt the handle: take it back. */
		memlab_file_drop(mf, req.handle, buf);
		ret = -EFAULT;
	}
	memlab_buf_put(buf);
	return ret;

err_uncharge:
	mutex_lock(&mf->lock);
	mf->charged -= bytes;
	mutex_unlock(&mf->lock);
	return ret;
}

static int memlab_ioctl_free(struct memlab_file *mf, void __user *uarg)
{
	struct memlab_free req;
	int ret;

	ret = memlab_copy_in(&req, sizeof(req), uarg, req.reserved,
			     ARRAY_SIZE(req.reserved));
	if (ret)
		return ret;
	if (!req.handle)
		return -ENOENT;
	return memlab_file_drop(mf, req.handle, NULL);
}

/*
 * The buffer of @handle in @mf with a reference of the caller's own, as
 * another thread may free the handle meanwhile; NULL for no such handle.
 */
static struct memlab_buf *memlab_file_get(struct memlab_file *mf, u32 handle)
{
	struct memlab_buf *buf;

	mutex_lock(&mf->lock);
	buf = handle ? xa_load(&mf->bufs, handle) : NULL;
	if (buf)
		kref_get(&buf->ref);
	mutex_unlock(&mf->lock);
	return buf;
}

static int memlab_ioctl_sync(struct memlab_file *mf, void __user *uarg)
{
	struct memlab_sync req;
	struct memlab_buf *buf;
	int ret;

	ret = memlab_copy_in(&req, sizeof(req), uarg, req.reserved,
			     ARRAY_SIZE(req.reserved));
	if (ret)
		return ret;
	if (req.__pad || !req.flags || (req.flags & ~MEMLAB_SYNC_FLAGS) || !req.length)
		return -EINVAL;

	buf = memlab_file_get(mf, req.handle);
	if (!buf)
		return -ENOENT;
	if (req.offset >= buf->size || req.length > buf->size - req.offset)
		ret = -EOVERFLOW;
	else
		ret = memlab_buf_sync(buf, memlab_dev_dma_device(), req.offset,
				      req.length, req.flags);
	memlab_buf_put(buf);
	return ret;
}

/*
 * The descriptor is reserved first and installed last, once the reply is
 * out: a reply that cannot be copied out leaves no descriptor behind.
 */
static int memlab_ioctl_export(struct file *file, struct memlab_file *mf, void __user *uarg)
{
	struct memlab_export req;
	struct memlab_buf *buf;
	struct file *dmabuf;
	unsigned int mode;
	u64 bytes, ino;
	int fd, ret;

	ret = memlab_copy_in(&req, sizeof(req), uarg, req.reserved,
			     ARRAY_SIZE(req.reserved));
	if (ret)
		return ret;
	mode = req.flags & O_ACCMODE;
	if ((req.flags & ~(O_CLOEXEC | O_ACCMODE)) || mode == O_ACCMODE)
		return -EINVAL;
	/* The dma-buf grants no access this file lacks. */
	if ((mode != O_WRONLY && !(file->f_mode & FMODE_READ)) ||
	    (mode != O_RDONLY && !(file->f_mode & FMODE_WRITE)))
		return -EACCES;

	buf = memlab_file_get(mf, req.handle);
	if (!buf)
		return -ENOENT;
	bytes = buf->size;
	dmabuf = memlab_dmabuf_export(buf, mode);
	memlab_buf_put(buf);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	/* Once installed, the descriptor may be closed by another thread. */
	ino = file_inode(dmabuf)->i_ino;

	fd = get_unused_fd_flags(req.flags & O_CLOEXEC);
	if (fd < 0) {
		fput(dmabuf);
		return fd;
	}
	req.fd = fd;
	if (copy_to_user(uarg, &req, sizeof(req))) {
		put_unused_fd(fd);
		fput(dmabuf);
		return -EFAULT;
	}
	fd_install(fd, dmabuf);
	trace_memlab_dev_export(req.handle, bytes, fd, req.flags, ino);
	return 0;
}

long memlab_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct memlab_file *mf = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MEMLAB_IOC_INFO:
		return memlab_ioctl_info(mf, uarg);
	case MEMLAB_IOC_ALLOC:
		return memlab_ioctl_alloc(mf, uarg);
	case MEMLAB_IOC_FREE:
		return memlab_ioctl_free(mf, uarg);
	case MEMLAB_IOC_SYNC:
		return memlab_ioctl_sync(mf, uarg);
	case MEMLAB_IOC_EXPORT:
		return memlab_ioctl_export(file, mf, uarg);
	default:
		return -ENOTTY;
	}
}
