/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_dev's differences between kernel versions: VMA flags, and the
 * dma-buf namespace (for dmabuf.c and its KUnit suite).
 */
#ifndef MEMLAB_DEV_COMPAT_H
#define MEMLAB_DEV_COMPAT_H

#include <linux/mm.h>
#include <linux/module.h>

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
