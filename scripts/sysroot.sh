#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# sysroot.sh: print the path of an arm64 sysroot holding the target
# libraries the static userspace programs link (Debian bookworm's
# libgpiod-dev: gpiod.h and libgpiod.a), unpacked from the .debs, cached.
# The userspace Makefile uses it when it cross-compiles.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PACKAGES="libgpiod-dev"

key=$( (echo "$PACKAGES"; cat "$0") | sha256sum | cut -c1-12)
dir=$MEMLAB_CACHE/sysroot/arm64-$key
if [ ! -e "$dir/.done" ]; then
	ml_need_space "$MEMLAB_CACHE" 50
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$dir/root"
	apt=("$MEMLAB_TOP/scripts/apt-private.sh" bookworm-arm64 arm64 bookworm bookworm-security --)
	# Only the named packages: their run-time dependencies are not linked.
	download() { cd "$dir/debs" && "${apt[@]}" download $PACKAGES; }
	ml_step "$MEMLAB_CACHE/logs/sysroot-apt-update.log" "apt update (bookworm arm64)" \
		"${apt[@]}" update
	ml_step "$MEMLAB_CACHE/logs/sysroot-download.log" "download $PACKAGES (arm64)" download
	for f in "$dir"/debs/*.deb; do
		dpkg-deb -x "$f" "$dir/root"
	done
	rm -rf "$dir/debs" "$dir/root/usr/share"
	touch "$dir/.done"
fi
echo "$dir/root"
