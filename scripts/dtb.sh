#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dtb.sh QEMU_MACHINE_OPTIONS... -- OUT.dtb
#
# Dump QEMU virt's device tree for exactly these machine options and apply
# dts/qemu-virt-memlab.dtso to it with fdtoverlay.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

opts=()
while [ "$1" != "--" ]; do
	opts+=("$1")
	shift
done
out=$2
dir=$(dirname "$out")
mkdir -p "$dir"

# -M virt[,props] gains dumpdtb=; everything else is passed as it is.
dump=()
for ((i = 0; i < ${#opts[@]}; i++)); do
	if [ "${opts[$i]}" = -M ]; then
		dump+=(-M "${opts[$((i + 1))]},dumpdtb=$dir/virt.dtb")
		i=$((i + 1))
	else
		dump+=("${opts[$i]}")
	fi
done
qemu-system-aarch64 "${dump[@]}" -nographic >"$dir/dumpdtb.log" 2>&1 ||
	ml_die "QEMU could not dump its DTB; see $dir/dumpdtb.log"
# The kernel's dtbs build disables avoid_unnecessary_addr_size by default: an
# overlay's root must state #address-cells for reserved-memory's sake.
dtc -@ -Wno-avoid_unnecessary_addr_size -I dts -O dtb \
	-o "$dir/qemu-virt-memlab.dtbo" "$MEMLAB_TOP/dts/qemu-virt-memlab.dtso"
fdtoverlay -i "$dir/virt.dtb" -o "$out" "$dir/qemu-virt-memlab.dtbo"
