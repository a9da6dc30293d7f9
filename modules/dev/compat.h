/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_dev's differences between kernel versions: VMA flags, huge PFN
 * maps, and the dma-buf namespace (for dmabuf.c and its KUnit suite).
 */
#ifndef MEMLAB_DEV_COMPAT_H
#define MEMLAB_DEV_COMPAT_H

#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#ifdef MEMLAB_HAVE_PFN_T
#include <linux/pfn_t.h>
#endif

/*
 * vm_flags became read-only in 6.3, to be changed only through
 * vm_flags_set() and friends. VM_LOCKED_MASK arrived in the same series
 * (it replaced VM_LOCKED_CLEAR_MASK), so it tells which kind of kernel
 * this is without a version check.
 */
#ifdef VM_LOCKED_MASK
static inline void memlab_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vm_flags_set(vma, flags);
}
#else
static inline void memlab_vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/*
 * Huge PFN maps: a driver's huge_fault() may map a block with one special
 * PMD, which get_user_pages() refuses as it refuses a special PTE. 6.12
 * has them where the architecture selects ARCH_SUPPORTS_PMD_PFNMAP (arm64
 * and x86 do, with TRANSPARENT_HUGEPAGE). 6.1 has no special PMD at all:
 * GUP-fast would take a PFN PMD for a huge page and reference pages the
 * driver owns, so there every mapping stays made of PTEs. A kernel with
 * the symbol also has huge_fault() taking an order (6.1 took an enum).
 */
#ifdef CONFIG_ARCH_SUPPORTS_PMD_PFNMAP
#define MEMLAB_HAVE_PMD_PFNMAP	1

/* 6.12 passes a pfn_t, gone with <linux/pfn_t.h> by 7.2 (the top Kbuild looks). */
static inline vm_fault_t memlab_insert_pfn_pmd(struct vm_fault *vmf, unsigned long pfn)
{
#ifdef MEMLAB_HAVE_PFN_T
	return vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, PFN_DEV), false);
#else
	return vmf_insert_pfn_pmd(vmf, pfn, false);
#endif
}

/* mm_get_unmapped_area() takes the mm in 6.12, not in 7.2 (the top Kbuild looks). */
static inline unsigned long memlab_get_unmapped_area(struct file *file, unsigned long addr,
						     unsigned long len, unsigned long pgoff,
						     unsigned long flags)
{
#ifdef MEMLAB_GUA_TAKES_MM
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
#else
	return mm_get_unmapped_area(file, addr, len, pgoff, flags);
#endif
}
#else
#define MEMLAB_HAVE_PMD_PFNMAP	0
#endif

/*
 * dma-buf's symbols live in the DMA_BUF namespace. A namespace is a
 * string literal since 6.13 and a bare token before; the top Kbuild looks
 * at MODULE_IMPORT_NS() to tell which (MEMLAB_NS_IS_STRING).
 */
#ifdef MEMLAB_NS_IS_STRING
#define MEMLAB_IMPORT_DMA_BUF_NS()	MODULE_IMPORT_NS("DMA_BUF")
#else
#define MEMLAB_IMPORT_DMA_BUF_NS()	MODULE_IMPORT_NS(DMA_BUF)
#endif

#endif
