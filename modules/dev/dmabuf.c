// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlab_dev's dma-buf exporter: a private buffer handed to devices
 *
 * MEMLAB_IOC_EXPORT makes a new dma-buf of a private buffer. The dma-buf
 * holds a reference on the buffer until it is released, so the block
 * outlives the buffer's handle and its memlab file for as long as an
 * importer, a file descriptor or a mapping holds the dma-buf; the dma-buf
 * holds this module (its owner) as long.
 *
 * Each attachment gets a table of the block of its own: one entry, or
 * more when its device maps less at once (dma_max_mapping_size(): the
 * swiotlb slot limit when it may bounce). map_dma_buf maps that table for
 * the attached device with dma_map_sgtable(), which does the cache
 * maintenance, the bouncing or the IOMMU mapping that device needs.
 * begin_cpu_access and end_cpu_access (DMA_BUF_IOCTL_SYNC) sync every
 * mapped table, as the system heap does, in the direction it was mapped
 * with, as the DMA API asks of a sync; the direction the CPU names does
 * not change what a device may have written or needs to read. They do so
 * whatever the cache mode: a write-combine or non-cached block needs it
 * only for a bouncing device's copy, and the maintenance of its clean
 * cacheable alias changes nothing. Attachments and their mapped state are
 * guarded by a mutex, which map and unmap take inside the reservation
 * lock the core may hold.
 *
 * A user mapping of the dma-buf is a mapping of the buffer (buffer.c):
 * MAP_SHARED only, in the buffer's cache mode, holding a buffer reference
 * through the same vm_ops. vmap gives the linear-map address of a cached
 * block and a vmap() in the buffer's own memory type for the other modes,
 * so the kernel never writes those through a cacheable alias.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/iosys-map.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <memlab/alloc.h>
#include <memlab/kunit_visibility.h>
#include <uapi/memlab.h>

#include "compat.h"
#include "dmabuf.h"
#include "internal.h"

/**
 * struct memlab_dmabuf - the exporter's side of one dma-buf
 * @buf: the buffer, holding a reference for the dma-buf
 * @lock: guards @attachments and each attachment's @mapped
 * @attachments: struct memlab_dmabuf_attachment, one per device attached
 */
struct memlab_dmabuf {
	struct memlab_buf *buf;
	struct mutex lock;		/* guards @attachments and their @mapped */
	struct list_head attachments;
};

/**
 * struct memlab_dmabuf_attachment - one device's view of the block
 * @dev: the attached device
 * @table: the block, split as @dev maps it
 * @node: on struct memlab_dmabuf's @attachments
 * @mapped: @table is mapped for @dev
 * @dir: the direction of that mapping
 */
struct memlab_dmabuf_attachment {
	struct device *dev;
	struct sg_table table;
	struct list_head node;
	bool mapped;
	enum dma_data_direction dir;
};

/* The block's first page frame. */
static unsigned long memlab_dmabuf_pfn(struct memlab_buf *buf)
{
	return memlab_block_pfn(memlab_dev_pool(), buf->vaddr);
}

/* The longest segment @dev maps at once, in whole pages. */
static size_t memlab_dmabuf_max_segment(struct device *dev)
{
	size_t seg = min_t(size_t, dma_max_mapping_size(dev), UINT_MAX);

	return max_t(size_t, seg & PAGE_MASK, PAGE_SIZE);
}

/* The block as @dev maps it: one entry, unless the device maps less at once. */
static int memlab_dmabuf_table(struct sg_table *table, struct memlab_buf *buf,
			       struct device *dev)
{
	unsigned long pfn = memlab_dmabuf_pfn(buf);
	size_t seg = memlab_dmabuf_max_segment(dev), off = 0;
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	ret = sg_alloc_table(table, DIV_ROUND_UP(buf->size, seg), GFP_KERNEL);
	if (ret)
		return ret;
	for_each_sgtable_sg(table, sg, i) {
		size_t len = min(buf->size - off, seg);

		sg_set_page(sg, pfn_to_page(pfn + (off >> PAGE_SHIFT)), len, 0);
		off += len;
	}
	return 0;
}

static int memlab_dmabuf_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct memlab_dmabuf *mdb = dmabuf->priv;
	struct memlab_dmabuf_attachment *a;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	ret = memlab_dmabuf_table(&a->table, mdb->buf, attach->dev);
	if (ret) {
		kfree(a);
		return ret;
	}
	a->dev = attach->dev;
	attach->priv = a;

	mutex_lock(&mdb->lock);
	list_add_tail(&a->node, &mdb->attachments);
	mutex_unlock(&mdb->lock);
	return 0;
}

static void memlab_dmabuf_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct memlab_dmabuf *mdb = dmabuf->priv;
	struct memlab_dmabuf_attachment *a = attach->priv;

	mutex_lock(&mdb->lock);
	list_del(&a->node);
	mutex_unlock(&mdb->lock);
	sg_free_table(&a->table);
	kfree(a);
}

/* Map the attachment's table for its device; once at a time. */
static struct sg_table *memlab_dmabuf_map(struct dma_buf_attachment *attach,
					  enum dma_data_direction dir)
{
	struct memlab_dmabuf *mdb = attach->dmabuf->priv;
	struct memlab_dmabuf_attachment *a = attach->priv;
	int ret = -EBUSY;

	mutex_lock(&mdb->lock);
	if (!a->mapped) {
		ret = dma_map_sgtable(attach->dev, &a->table, dir, 0);
		if (!ret) {
			a->mapped = true;
			a->dir = dir;
		}
	}
	mutex_unlock(&mdb->lock);
	return ret ? ERR_PTR(ret) : &a->table;
}

static void memlab_dmabuf_unmap(struct dma_buf_attachment *attach, struct sg_table *table,
				enum dma_data_direction dir)
{
	struct memlab_dmabuf *mdb = attach->dmabuf->priv;
	struct memlab_dmabuf_attachment *a = attach->priv;

	mutex_lock(&mdb->lock);
	a->mapped = false;
	dma_unmap_sgtable(attach->dev, table, dir, 0);
	mutex_unlock(&mdb->lock);
}

/* The CPU is about to read or write: take back what each device wrote. */
static int memlab_dmabuf_begin_cpu_access(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	struct memlab_dmabuf *mdb = dmabuf->priv;
	struct memlab_dmabuf_attachment *a;

	mutex_lock(&mdb->lock);
	list_for_each_entry(a, &mdb->attachments, node)
		if (a->mapped)
			dma_sync_sgtable_for_cpu(a->dev, &a->table, a->dir);
	mutex_unlock(&mdb->lock);
	return 0;
}

/* The CPU is done: hand its writes to each device. */
static int memlab_dmabuf_end_cpu_access(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	struct memlab_dmabuf *mdb = dmabuf->priv;
	struct memlab_dmabuf_attachment *a;

	mutex_lock(&mdb->lock);
	list_for_each_entry(a, &mdb->attachments, node)
		if (a->mapped)
			dma_sync_sgtable_for_device(a->dev, &a->table, a->dir);
	mutex_unlock(&mdb->lock);
	return 0;
}

/* A mapping of the buffer itself, which holds a reference of its own. */
static int memlab_dmabuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct memlab_dmabuf *mdb = dmabuf->priv;
	int ret;

	/* Shared mappings only, as /dev/memlab's own. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	kref_get(&mdb->buf->ref);
	ret = memlab_buf_mmap(mdb->buf, vma, vma->vm_pgoff);
	if (ret)
		memlab_buf_put(mdb->buf);
	return ret;
}

/* The core counts vmaps: this runs for the first, vunmap for the last. */
static int memlab_dmabuf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct memlab_dmabuf *mdb = dmabuf->priv;
	struct memlab_buf *buf = mdb->buf;
	unsigned long pfn, i, n = buf->size >> PAGE_SHIFT;
	struct page **pages;
	void *vaddr;

	/* The linear map has the right memory type already. */
	if (buf->cache == MEMLAB_CACHE_CACHED) {
		iosys_map_set_vaddr(map, buf->vaddr);
		return 0;
	}
	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	pfn = memlab_dmabuf_pfn(buf);
	for (i = 0; i < n; i++)
		pages[i] = pfn_to_page(pfn + i);
	vaddr = vmap(pages, n, VM_MAP, memlab_pgprot(buf->cache, PAGE_KERNEL));
	kvfree(pages);
	if (!vaddr)
		return -ENOMEM;
	iosys_map_set_vaddr(map, vaddr);
	return 0;
}

static void memlab_dmabuf_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct memlab_dmabuf *mdb = dmabuf->priv;

	if (mdb->buf->cache != MEMLAB_CACHE_CACHED)
		vunmap(map->vaddr);
}

/* The last reference to the dma-buf: no attachment or mapping is left. */
static void memlab_dmabuf_release(struct dma_buf *dmabuf)
{
	struct memlab_dmabuf *mdb = dmabuf->priv;

	memlab_buf_put(mdb->buf);
	mutex_destroy(&mdb->lock);
	kfree(mdb);
}

static const struct dma_buf_ops memlab_dmabuf_ops = {
	.attach			= memlab_dmabuf_attach,
	.detach			= memlab_dmabuf_detach,
	.map_dma_buf		= memlab_dmabuf_map,
	.unmap_dma_buf		= memlab_dmabuf_unmap,
	.begin_cpu_access	= memlab_dmabuf_begin_cpu_access,
	.end_cpu_access		= memlab_dmabuf_end_cpu_access,
	.mmap			= memlab_dmabuf_mmap,
	.vmap			= memlab_dmabuf_vmap,
	.vunmap			= memlab_dmabuf_vunmap,
	.release		= memlab_dmabuf_release,
};

static struct dma_buf *memlab_dmabuf_create(struct memlab_buf *buf, unsigned int mode)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct memlab_dmabuf *mdb;
	struct dma_buf *dmabuf;

	/* Importers need struct pages; cache maintenance, the linear map. */
	if (!virt_addr_valid(buf->vaddr))
		return ERR_PTR(-EOPNOTSUPP);
	mdb = kzalloc(sizeof(*mdb), GFP_KERNEL);
	if (!mdb)
		return ERR_PTR(-ENOMEM);
	mdb->buf = buf;
	mutex_init(&mdb->lock);
	INIT_LIST_HEAD(&mdb->attachments);

	info.exp_name = "memlab";
	info.ops = &memlab_dmabuf_ops;
	info.size = buf->size;
	info.flags = mode;
	info.priv = mdb;
	dmabuf = dma_buf_export(&info);
	if (IS_ERR(dmabuf)) {
		mutex_destroy(&mdb->lock);
		kfree(mdb);
		return dmabuf;
	}
	kref_get(&buf->ref);
	return dmabuf;
}

/**
 * memlab_dmabuf_export() - a new dma-buf of a private buffer
 * @buf: the buffer; the dma-buf takes a reference of its own
 * @mode: the dma-buf file's access mode: O_RDONLY, O_WRONLY or O_RDWR
 *
 * Context: Process context; sleeps.
 * Return: the dma-buf's file, holding the dma-buf's only reference, for
 * the caller to install or fput(); ERR_PTR(-EOPNOTSUPP) for a block
 * outside the linear map, or another dma_buf_export() error.
 */
struct file *memlab_dmabuf_export(struct memlab_buf *buf, unsigned int mode)
{
	struct dma_buf *dmabuf = memlab_dmabuf_create(buf, mode);

	return IS_ERR(dmabuf) ? ERR_CAST(dmabuf) : dmabuf->file;
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * memlab_dmabuf_export_kunit() - a buffer of the default pool as a dma-buf
 * @size: bytes, rounded up to a block
 * @cache: MEMLAB_CACHE_* mode
 * @phys: set to the block's physical address
 *
 * The buffer has no handle and no file: the dma-buf's reference is its
 * only one, so dma_buf_put() of the last reference frees it.
 *
 * Context: Process context; sleeps.
 * Return: the dma-buf (O_RDWR), or memlab_buf_create()'s and
 * dma_buf_export()'s errors.
 */
struct dma_buf *memlab_dmabuf_export_kunit(size_t size, u32 cache, phys_addr_t *phys)
{
	struct memlab_buf *buf;
	struct dma_buf *dmabuf;

	buf = memlab_buf_create(memlab_dev_pool(), memlab_dev_dma_device(), get_order(size),
				cache, memlab_quota_global());
	if (IS_ERR(buf))
		return ERR_CAST(buf);
	/* No handle refers to it: the creation reference goes below. */
	atomic_dec(&buf->nr_fds);
	*phys = memlab_block_phys(memlab_dev_pool(), buf->vaddr);
	dmabuf = memlab_dmabuf_create(buf, O_RDWR);
	memlab_buf_put(buf);
	return dmabuf;
}
EXPORT_SYMBOL_IF_KUNIT(memlab_dmabuf_export_kunit);
#endif

MEMLAB_IMPORT_DMA_BUF_NS();
