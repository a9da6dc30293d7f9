/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_dev's dma-buf exporter (dmabuf.c), for MEMLAB_IOC_EXPORT and for
 * its KUnit suite.
 */
#ifndef MEMLAB_DEV_DMABUF_H
#define MEMLAB_DEV_DMABUF_H

#include <linux/err.h>
#include <linux/types.h>

struct dma_buf;
struct file;
struct memlab_buf;

#if IS_ENABLED(CONFIG_DMA_SHARED_BUFFER)
struct file *memlab_dmabuf_export(struct memlab_buf *buf, unsigned int mode);
#else
/* A kernel without dma-buf: MEMLAB_IOC_EXPORT is refused. */
static inline struct file *memlab_dmabuf_export(struct memlab_buf *buf, unsigned int mode)
{
	return ERR_PTR(-EOPNOTSUPP);
}
#endif

struct dma_buf *memlab_dmabuf_export_kunit(size_t size, u32 cache, phys_addr_t *phys);

#endif
