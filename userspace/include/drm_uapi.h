/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DRM ioctls the dma-buf tests use to reach vgem, from the kernel's UAPI
 * header <drm/drm.h>. Debian's arm64 linux-libc-dev leaves drm/ out (its
 * libdrm-dev has it as <libdrm/drm.h>), so a native build on a board has
 * none, while the cross toolchain's headers have it: the header where there
 * is one, else the three ioctls, as the kernel defines them.
 */
#ifndef MEMLAB_DRM_UAPI_H
#define MEMLAB_DRM_UAPI_H

#if __has_include(<drm/drm.h>)
#include <drm/drm.h>
#elif __has_include(<libdrm/drm.h>)
#include <libdrm/drm.h>
#else
#include <linux/ioctl.h>
#include <linux/types.h>

struct drm_version {
	int version_major;
	int version_minor;
	int version_patchlevel;
	__kernel_size_t name_len;
	char *name;
	__kernel_size_t date_len;
	char *date;
	__kernel_size_t desc_len;
	char *desc;
};

struct drm_gem_close {
	__u32 handle;
	__u32 pad;
};

struct drm_prime_handle {
	__u32 handle;
	__u32 flags;
	__s32 fd;
};

#define DRM_IOCTL_BASE			'd'
#define DRM_IOCTL_VERSION		_IOWR(DRM_IOCTL_BASE, 0x00, struct drm_version)
#define DRM_IOCTL_GEM_CLOSE		_IOW(DRM_IOCTL_BASE, 0x09, struct drm_gem_close)
#define DRM_IOCTL_PRIME_FD_TO_HANDLE	_IOWR(DRM_IOCTL_BASE, 0x2e, struct drm_prime_handle)
#endif

#endif /* MEMLAB_DRM_UAPI_H */
