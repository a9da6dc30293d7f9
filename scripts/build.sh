#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# build.sh KERNEL: build memlab's modules (and KUnit modules when the kernel
# has KUnit) with W=1 against kernel KERNEL (a scripts/kernel.sh name), in a
# copy of the sources under $MEMLAB_OUT/KERNEL/src, so several kernels can be
# built side by side. Any compiler or modpost warning fails the build.
# MEMLAB_ONLY="alloc pt" builds only those module directories and their
# KUnit suites (kunit/memlab_<dir>[_<part>]_kunit.c; alloc's are buddy and
# slab, dev's is dmabuf). The harness's self-test suite
# (kunit/memlab_harness_kunit.c) is built every time, here and nowhere
# else, and so is the parsers' suite (memlab_parse_kunit), which tests a
# header every module uses.
# A KERNEL named *-amd64 is an x86_64 build of the architecture-independent
# modules (core, alloc, bench, dev), so that their portability does not
# rot. memlab_core, which the others need, is always built.
# MEMLAB_NOTRACE=1 builds with memlab's tracepoints compiled out (the top
# Kbuild's MEMLAB_NOTRACE) into $MEMLAB_OUT/KERNEL-notrace instead, so both
# builds of one kernel stand side by side.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=$1
kdir=$("$MEMLAB_TOP/scripts/kernel.sh" dir "$name")
karch=arm64
case $name in
*-amd64)
	karch=x86
	MEMLAB_ONLY=${MEMLAB_ONLY:-alloc bench dev}
	;;
esac
out=$MEMLAB_OUT/$name${MEMLAB_NOTRACE:+-notrace}
mkdir -p "$out/src"
# Sources only: objects and modpost's lists of an in-tree build would mislead
# this one.
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	--exclude '*.mod' --exclude '*.mod.c' --exclude 'modules.order' \
	--exclude 'Module.symvers' --exclude '.*.d' \
	--include '/Kbuild' --include '/modules/***' --include '/kunit/***' \
	--include '/include/***' --exclude '*' \
	"$MEMLAB_TOP/" "$out/src/"
if [ -n "${MEMLAB_ONLY:-}" ]; then
	keep='memlab_harness_kunit|modules/core/'
	for m in $MEMLAB_ONLY; do
		keep="$keep|modules/$m/|memlab_${m}(_[a-z]+)?_kunit"
		[ "$m" = alloc ] && keep="$keep|memlab_buddy_kunit|memlab_slab_kunit"
		[ "$m" = dev ] && keep="$keep|memlab_dmabuf_kunit"
	done
	keep="$keep|memlab_parse_kunit"
	grep -E -v 'modules/' "$MEMLAB_TOP/Kbuild" >"$out/src/Kbuild"
	grep -E "$keep" "$MEMLAB_TOP/Kbuild" >>"$out/src/Kbuild" || true
	awk -v keep="$keep" '!/obj-m/ || $0 ~ keep' "$MEMLAB_TOP/kunit/Kbuild" >"$out/src/kunit/Kbuild"
fi
# Modules whose source is gone (a renamed KUnit suite) must not linger for
# the initramfs to pick up; the rest relink from their objects.
find "$out/src" -name '*.ko' -delete

mk=(make -C "$kdir/kdir" M="$out/src" ARCH=$karch W=1 MEMLAB_HARNESS=1 -j"$MEMLAB_JOBS")
[ -n "${MEMLAB_NOTRACE:-}" ] && mk+=(MEMLAB_NOTRACE=1)
if [ $karch = x86 ]; then
	# The host's own compiler; make exports the arm64 prefix.
	mk+=(CROSS_COMPILE=)
elif [ -n "${LLVM:-}" ]; then
	mk+=(LLVM="$LLVM")
else
	mk+=(CROSS_COMPILE="${CROSS_COMPILE:-aarch64-linux-gnu-}")
fi
log=$out/build.log
ml_step "$log" "build memlab against $name (W=1${MEMLAB_NOTRACE:+, tracepoints compiled out})" \
	"${mk[@]}" modules
if grep -E -i 'warning:|error:' "$log" >/dev/null; then
	grep -E -i -A3 'warning:|error:' "$log" >&2
	ml_die "build against $name has warnings; see $log"
fi
echo "$out"
