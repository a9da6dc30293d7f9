/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_alloc's page-allocator differences between kernel versions.
 */
#ifndef MEMLAB_ALLOC_COMPAT_H
#define MEMLAB_ALLOC_COMPAT_H

#include <linux/log2.h>
#include <linux/mmzone.h>

/*
 * The largest order alloc_pages() accepts. MAX_ORDER was exclusive before
 * 6.4, inclusive until 6.8 renamed it MAX_PAGE_ORDER; MAX_ORDER_NR_PAGES
 * has meant the largest block's page count all along.
 */
#define MEMLAB_PAGE_MAX_ORDER	ilog2(MAX_ORDER_NR_PAGES)

#endif
