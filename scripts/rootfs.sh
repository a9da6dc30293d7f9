#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rootfs.sh base            print the path of the guest's base userland cpio
#                           (Debian arm64 packages, unpacked; cached)
# rootfs.sh initrd KDIR OUT build the guest initramfs OUT: the base cpio
#                           followed by memlab's own, with the modules built
#                           in KDIR's build directory, the userspace programs,
#                           scripts/selftest.sh, the guest init and, for a
#                           stock kernel, vgem, vivid and the modules they
#                           need (dev_dmabuf_test's and dev_vivid_test's
#                           importers), the kernel's own loop.ko when it is
#                           a module (the O_DIRECT tests; the debug kernels
#                           build it in), and the labs' scripts
#                           (scripts/labs/).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The guest's Debian packages; their dependencies come along. trace-cmd
# records memlab's events for dev_trace_test.
PACKAGES="busybox-static libc6 gpiod stress-ng trace-cmd"

base() {
	local key dir debs f
	# Keyed by the packages and this function, not by the rest of the file.
	key=$( (echo "$PACKAGES"; sed -n '/^base() {$/,/^}$/p' "$0") | sha256sum | cut -c1-12)
	dir=$MEMLAB_CACHE/rootfs/base-$key
	if [ ! -e "$dir/.done" ]; then
		ml_need_space "$MEMLAB_CACHE" 300
		rm -rf "$dir"
		debs=$dir/debs
		mkdir -p "$debs/partial" "$dir/root"
		ml_step "$MEMLAB_CACHE/logs/rootfs-apt-update.log" "apt update (bookworm arm64)" \
			"$MEMLAB_TOP/scripts/apt-private.sh" bookworm-arm64 arm64 bookworm bookworm-security -- update
		ml_step "$MEMLAB_CACHE/logs/rootfs-download.log" "download guest packages ($PACKAGES)" \
			"$MEMLAB_TOP/scripts/apt-private.sh" bookworm-arm64 arm64 bookworm bookworm-security -- \
			install --download-only --no-install-recommends -y \
			-o Dir::Cache::Archives="$debs/" $PACKAGES
		for f in "$debs"/*.deb; do
			dpkg-deb -x "$f" "$dir/root"
		done
		rm -rf "$debs" "$dir"/root/usr/share/{doc,man,info,locale,lintian,bug}
		mkdir -p "$dir"/root/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,root,etc}
		echo "root:x:0:0:root:/root:/bin/sh" >"$dir/root/etc/passwd"
		echo "root:x:0:" >"$dir/root/etc/group"
		(cd "$dir/root" && find . -mindepth 1 | LC_ALL=C sort |
			cpio --quiet -o -H newc -R 0:0) >"$dir/base.cpio"
		touch "$dir/.done"
	fi
	echo "$dir/base.cpio"
}

# importer_add NAME: module NAME of the stock kernel's tree in $mods, after
# the modules it depends on, into $dir (decompressed); its name joins $order.
importer_add() {
	local name=$1 f dep
	case " $order " in *" $name "*) return 0 ;; esac
	f=$(find "$mods" \( -name "$name.ko" -o -name "$name.ko.xz" -o -name "${name//_/-}.ko" \
		-o -name "${name//_/-}.ko.xz" \) -print -quit)
	[ -n "$f" ] || return 1
	case $f in
	*.xz) xz -dc "$f" >"$dir/$name.ko" ;;
	*) cp "$f" "$dir/$name.ko" ;;
	esac
	for dep in $(modinfo -F depends "$dir/$name.ko" | tr , ' '); do
		importer_add "$dep" || return 1
	done
	order="$order $name"
}

# importers KDIR DIR: the dma-buf importers of a stock kernel and what they
# need into DIR: vgem's modules in load order in DIR/load-order
# (dev_dmabuf_test), vivid's in DIR/vivid-load-order (dev_vivid_test).
# Nothing for a kernel without a module tree of its own (the debug kernels
# build neither DRM nor V4L2).
importers() {
	local mods dir=$2 order=
	mods=$1/root/lib/modules/$(cat "$1/release")/kernel
	[ -d "$mods" ] || return 0
	mkdir -p "$dir"
	importer_add vgem && echo $order >"$dir/load-order"
	order=
	importer_add vivid && echo $order >"$dir/vivid-load-order"
	rmdir "$dir" 2>/dev/null || :
}

initrd() {
	local kdir=$1 out=$2 build stage
	build=$(dirname "$out")
	stage=$build/initrd-stage
	rm -rf "$stage"
	mkdir -p "$stage/memlab/modules" "$stage/memlab/kunit" "$stage/memlab/bin" \
		"$stage/memlab/tests" "$stage/memlab/examples" "$stage/memlab/labs"
	install -m 0755 "$MEMLAB_TOP/scripts/guest/init" "$stage/init"
	install -m 0755 "$MEMLAB_TOP"/scripts/labs/*.sh "$stage/memlab/labs/"
	install -m 0755 "$MEMLAB_TOP/scripts/selftest.sh" "$stage/memlab/selftest.sh"
	find "$build/src/modules" -name '*.ko' -exec install -m 0644 {} "$stage/memlab/modules/" \;
	find "$build/src/kunit" -name '*.ko' -exec install -m 0644 {} "$stage/memlab/kunit/" \; 2>/dev/null || true
	find "$MEMLAB_OUT/userspace/bin" -type f -exec install -m 0755 {} "$stage/memlab/bin/" \; 2>/dev/null || true
	find "$MEMLAB_OUT/userspace/tests" -type f -exec install -m 0755 {} "$stage/memlab/tests/" \; 2>/dev/null || true
	find "$MEMLAB_OUT/userspace/examples" -type f -exec install -m 0755 {} "$stage/memlab/examples/" \; 2>/dev/null || true
	importers "$kdir" "$stage/memlab/importers"
	cat "$kdir/release" >"$stage/memlab/kernel-release"
	for f in "$kdir"/root/lib/modules/*/kernel/drivers/block/loop.ko*; do
		[ -e "$f" ] || continue
		mkdir -p "$stage/memlab/kmod"
		case $f in
		*.xz) xz -dc "$f" ;;
		*.zst) zstd -qdc "$f" ;;
		*) cat "$f" ;;
		esac >"$stage/memlab/kmod/loop.ko"
	done
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0) >"$build/memlab.cpio"
	cat "$(locked_base)" "$build/memlab.cpio" >"$out"
}

# base, one caller at a time per cache: the others wait, then find it built
locked_base() {
	mkdir -p "$MEMLAB_CACHE/rootfs"
	exec 8>"$MEMLAB_CACHE/rootfs/.lock"
	flock 8
	base
	flock -u 8
}

case ${1:-} in
base) locked_base ;;
initrd) initrd "$2" "$3" ;;
*) sed -n '3,9s/^# \{0,1\}//p' "$0"; exit 2 ;;
esac
