/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KUnit suites' differences between kernel versions (6.1 to 7.2).
 */
#ifndef MEMLAB_KUNIT_COMPAT_H
#define MEMLAB_KUNIT_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/hrtimer.h>

/*
 * hrtimer_setup() replaced hrtimer_init() and the assignment of ->function
 * (6.13); kunit/Kbuild finds which one the kernel has.
 */
static inline void memlab_hrtimer_setup(struct hrtimer *timer,
					enum hrtimer_restart (*fn)(struct hrtimer *),
					clockid_t clock, enum hrtimer_mode mode)
{
#ifdef MEMLAB_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

/*
 * An importer that does not hold the dma-buf's reservation lock calls the
 * _unlocked variants of map and vmap, which take it (6.2); before them the
 * plain calls did not ask for it. kunit/Kbuild finds which the kernel has.
 */
static inline struct sg_table *memlab_dma_buf_map(struct dma_buf_attachment *attach,
						  enum dma_data_direction dir)
{
#ifdef MEMLAB_HAVE_DMA_BUF_MAP_UNLOCKED
	return dma_buf_map_attachment_unlocked(attach, dir);
#else
	return dma_buf_map_attachment(attach, dir);
#endif
}

static inline void memlab_dma_buf_unmap(struct dma_buf_attachment *attach,
					struct sg_table *sgt, enum dma_data_direction dir)
{
#ifdef MEMLAB_HAVE_DMA_BUF_MAP_UNLOCKED
	dma_buf_unmap_attachment_unlocked(attach, sgt, dir);
#else
	dma_buf_unmap_attachment(attach, sgt, dir);
#endif
}

static inline int memlab_dma_buf_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
#ifdef MEMLAB_HAVE_DMA_BUF_VMAP_UNLOCKED
	return dma_buf_vmap_unlocked(dmabuf, map);
#else
	return dma_buf_vmap(dmabuf, map);
#endif
}

static inline void memlab_dma_buf_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
#ifdef MEMLAB_HAVE_DMA_BUF_VMAP_UNLOCKED
	dma_buf_vunmap_unlocked(dmabuf, map);
#else
	dma_buf_vunmap(dmabuf, map);
#endif
}

#endif
