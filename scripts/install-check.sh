#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# install-check.sh KERNEL OUTDIR: run `make install` for kernel KERNEL into
# a staging tree (INSTALL_MOD_PATH) and check the result, printing TAP:
# every module under updates/, depmod's view of the dependencies as
# modprobe resolves them, modinfo of every module (description, license, a
# description for every parameter, dependencies), make uninstall, and the
# board's overlay installer in staging roots for Radxa OS and Armbian.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

k=$1 out=$2

echo "TAP version 13"
kd=$("$MEMLAB_TOP/scripts/kernel.sh" dir "$k")
rel=$(cat "$kd/release")
stage=$out/stage
tree=$out/tree
rm -rf "$stage" "$tree"
mkdir -p "$stage" "$tree"
# A copy of the tree: kbuild's clean would sweep .out/ as well.
rsync -a --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	--exclude '*.mod' --exclude '*.mod.c' --exclude 'modules.order' \
	--exclude 'Module.symvers' --exclude '.*.d' \
	--include '/Makefile' --include '/Kbuild' --include '/dkms.conf' \
	--include '/modules/***' --include '/kunit/***' --include '/include/***' \
	--exclude '*' "$MEMLAB_TOP/" "$tree/"
make -C "$tree" KDIR="$kd/kdir" INSTALL_MOD_PATH="$stage" install >"$out/install.log" 2>&1
ml_ok $? "make install INSTALL_MOD_PATH=... against $k" "see $out/install.log"

mods=$stage/lib/modules/$rel
for m in memlab_core memlab_alloc memlab_dev memlab_gpio memlab_pt memlab_bench; do
	ko=$(find "$mods/updates" -name "$m.ko*" 2>/dev/null | head -n 1)
	[ -n "$ko" ]
	ml_ok $? "$m installed under lib/modules/$rel/updates"
	[ -n "$ko" ] || continue
	desc=$(modinfo -F description "$ko")
	[ -n "$desc" ]
	ml_ok $? "$m: modinfo description ($desc)"
	[ "$(modinfo -F license "$ko")" = GPL ]
	ml_ok $? "$m: license GPL"
	bad=$(modinfo -F parm "$ko" | awk -F: '{ d = $0; sub(/^[^:]*:/, "", d); sub(/ \([a-z]+\)$/, "", d);
		if (d ~ /^[ ]*$/) print $1 }')
	[ -z "$bad" ]
	ml_ok $? "$m: every parameter has a description" "undescribed: $bad"
	deps=$(modinfo -F depends "$ko")
	# memlab_gpio and memlab_pt stand alone: no pool is taken for them.
	deps=$(echo "$deps" | tr , '\n' | sort | paste -sd ,)
	case $m in
	memlab_core) [ -z "$deps" ] ;;
	memlab_alloc | memlab_gpio | memlab_pt) [ "$deps" = memlab_core ] ;;
	memlab_dev) [ "$deps" = memlab_alloc,memlab_core ] ;;
	*) [ "$deps" = memlab_alloc ] ;;
	esac
	ml_ok $? "$m: depends on '${deps}'"
done
grep -q 'memlab_dev.ko.*: .*memlab_alloc.ko' "$mods/modules.dep" 2>/dev/null
ml_ok $? "depmod: modules.dep has memlab_dev needing memlab_alloc"
loads=$(modprobe -d "$stage" -S "$rel" --show-depends memlab_dev 2>&1 | sed -n 's|.*/\([a-z_]*\)\.ko.*|\1|p' | paste -sd ' ')
[ "$loads" = "memlab_core memlab_alloc memlab_dev" ]
ml_ok $? "modprobe --show-depends memlab_dev loads memlab_core, memlab_alloc, memlab_dev in that order" "$loads"
for m in memlab_gpio memlab_pt; do
	loads=$(modprobe -d "$stage" -S "$rel" --show-depends $m 2>&1 | sed -n 's|.*/\([a-z_]*\)\.ko.*|\1|p' | paste -sd ' ')
	[ "$loads" = "memlab_core $m" ]
	ml_ok $? "modprobe --show-depends $m loads memlab_core and $m, not memlab_alloc" "$loads"
done

make -C "$tree" KDIR="$kd/kdir" INSTALL_MOD_PATH="$stage" uninstall >"$out/uninstall.log" 2>&1 &&
	[ -z "$(find "$mods/updates" -name 'memlab_*.ko*' 2>/dev/null)" ] &&
	! grep -q memlab "$mods/modules.dep"
ml_ok $? "make uninstall: no memlab module left, none in modules.dep" "see $out/uninstall.log"

# The board's overlay installer, into staging roots for both OSes.
for os in radxa armbian; do
	root=$out/root-$os
	rm -rf "$root"
	# What each image has: Radxa OS its overlay directory, Armbian its env.
	mkdir -p "$root/boot"
	if [ $os = radxa ]; then
		mkdir -p "$root/boot/dtbo"
	else
		echo "overlay_prefix=rockchip" >"$root/boot/armbianEnv.txt"
	fi
	"$MEMLAB_TOP/scripts/board/install-overlay.sh" --root "$root" >"$out/overlay-$os.log" 2>&1
	ml_ok $? "install-overlay.sh recognises $os and installs" "$(tail -n 1 "$out/overlay-$os.log")"
done
f=$out/root-radxa/boot/dtbo/rk3588-rock-5b-plus-memlab.dtbo
[ "$(fdtget -t s "$f" /metadata compatible 2>/dev/null)" = radxa,rock-5b-plus ]
ml_ok $? "Radxa OS: /boot/dtbo/rk3588-rock-5b-plus-memlab.dtbo with its metadata"
f=$out/root-armbian/boot/overlay-user/rk3588-rock-5b-plus-memlab.dtbo
[ -s "$f" ] && grep -qx 'user_overlays=rk3588-rock-5b-plus-memlab' "$out/root-armbian/boot/armbianEnv.txt"
ml_ok $? "Armbian: overlay-user/ and user_overlays= in armbianEnv.txt"
"$MEMLAB_TOP/scripts/board/install-overlay.sh" --root "$out/root-armbian" >/dev/null 2>&1
[ "$(grep -c rk3588-rock-5b-plus-memlab "$out/root-armbian/boot/armbianEnv.txt")" = 1 ]
ml_ok $? "Armbian: installing twice lists the overlay once"

ml_tap_end
