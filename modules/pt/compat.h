/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_pt's differences between kernel versions (6.1 to 7.2).
 */
#ifndef MEMLAB_PT_COMPAT_H
#define MEMLAB_PT_COMPAT_H

#include <linux/mm.h>
#include <linux/page-flags.h>

/*
 * The number of times a folio is mapped into user space. Kernels whose page
 * types are folio types (FOLIO_TYPE_OPS, 6.9 and later) have folio_mapcount()
 * inline; before, it is out of line and not exported, and the page's own
 * page_mapcount() is what a module can read, except on a typed page (a
 * page table, a buddy page), whose type overlays the count.
 */
static inline int memlab_pt_mapcount(struct folio *folio, struct page *page)
{
#ifdef FOLIO_TYPE_OPS
	return folio_mapcount(folio);
#else
	return page_has_type(page) ? 0 : page_mapcount(page);
#endif
}

#endif
