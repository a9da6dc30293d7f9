/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_dev's VMA differences between kernel versions.
 */
#ifndef MEMLAB_DEV_COMPAT_H
#define MEMLAB_DEV_COMPAT_H

#include <linux/mm.h>

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

#endif
