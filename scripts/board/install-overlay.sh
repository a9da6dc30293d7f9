#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# install-overlay.sh [--root DIR] [--os radxa|armbian]
#
# Compile dts/rk3588-rock-5b-plus-memlab.dtso and install it where the
# board's OS looks for overlays, then say how to enable it:
#   radxa    Radxa OS: /boot/dtbo/, enabled in rsetup (Overlays) or by
#            u-boot-update, which regenerates the boot menu
#   armbian  Armbian: /boot/overlay-user/, listed in /boot/armbianEnv.txt
#            as user_overlays
# Without --os the OS is recognised from the root. --root installs into a
# staging tree instead of / (and then runs nothing on the host).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
root=/
os=
while [ $# -gt 0 ]; do
	case $1 in
	--root) root=$2; shift 2 ;;
	--os) os=$2; shift 2 ;;
	*) echo "usage: $0 [--root DIR] [--os radxa|armbian]" >&2; exit 2 ;;
	esac
done
name=rk3588-rock-5b-plus-memlab

if [ -z "$os" ]; then
	if [ -e "$root/boot/armbianEnv.txt" ]; then
		os=armbian
	elif [ -d "$root/boot/dtbo" ] || [ -e "$root/usr/sbin/u-boot-update" ]; then
		os=radxa
	else
		echo "$0: neither Radxa OS (/boot/dtbo) nor Armbian (/boot/armbianEnv.txt) found;" \
			"use --os" >&2
		exit 1
	fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dtc -@ -I dts -O dtb -o "$tmp/$name.dtbo" "$top/dts/$name.dtso"

case $os in
radxa)
	install -D -m 0644 "$tmp/$name.dtbo" "$root/boot/dtbo/$name.dtbo"
	echo "installed $root/boot/dtbo/$name.dtbo"
	if [ "$root" = / ] && command -v u-boot-update >/dev/null; then
		u-boot-update
	fi
	echo "enable it with rsetup: Overlays > Manage overlays > $name, then reboot"
	;;
armbian)
	install -D -m 0644 "$tmp/$name.dtbo" "$root/boot/overlay-user/$name.dtbo"
	env=$root/boot/armbianEnv.txt
	touch "$env"
	if grep -q '^user_overlays=' "$env"; then
		grep -q "^user_overlays=.*\b$name\b" "$env" ||
			sed -i "s/^user_overlays=\(.*\)/user_overlays=\1 $name/" "$env"
	else
		echo "user_overlays=$name" >>"$env"
	fi
	echo "installed $root/boot/overlay-user/$name.dtbo and enabled it in $env; reboot"
	;;
*)
	echo "$0: unknown OS '$os'" >&2
	exit 2
	;;
esac
