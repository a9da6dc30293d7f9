/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memlab_core: what every memlab module shares and none should own, the
 * debugfs root. See modules/core/core.c.
 */
#ifndef _MEMLAB_CORE_H
#define _MEMLAB_CORE_H

struct dentry;

struct dentry *memlab_debugfs_root(void);

#endif /* _MEMLAB_CORE_H */
