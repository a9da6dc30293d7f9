#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dtb.sh QEMU_MACHINE_OPTIONS... -- OUT.dtb
#
# Dump QEMU virt's device tree for exactly these machine options, give it
# the empty /reserved-memory node every real board's tree has, and apply
# dts/qemu-virt-memlab.dtso to it with fdtoverlay.
#
# MEMLAB_DT_VARIANT=bench (make bench) gives the PL061 back QEMU's own
# compatible ("arm,pl061", "arm,primecell"): an AMBA device the stock
# gpio-pl061 driver binds at boot, for the bench to hand over to
# memlab_gpio and back. Everything else of the overlay stays, gpio-keys
# disabled included, so no consumer holds a line during the swap.
# MEMLAB_DT_VARIANT=reusable, dma-pool or no-map gives the pool region that
# property ("reusable"; compatible "shared-dma-pool"; "no-map"), for the
# boots that check memlab_alloc refuses or maps it accordingly (the no-map
# one also above 4 GiB, in a guest given RAM there); no-node
# disables the memlab,memlab node, so memlab_dev binds a device of its own.
# MEMLAB_DT_VARIANT=bank adds memlab_gpio nodes that name a controller by
# memlab,bank, as the Rock 5B+ overlay names &gpio1: one observing the
# PL061, one naming a disabled node, one a phandle no node has.
# MEMLAB_DT_VARIANT=share gives the PL061 back to gpio-pl061, as bench
# does, and adds /memlab-gpio-share, which shares its lines 3 (the power
# button), 5 and 6 through memlab,lines-gpios, plus four nodes that must
# fail with EINVAL: memlab,observe as well, line 8, line 4 twice, and a
# line of a controller other than memlab,bank.
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
fdtput -c "$dir/virt.dtb" /reserved-memory
fdtput -t i "$dir/virt.dtb" /reserved-memory '#address-cells' 2
fdtput -t i "$dir/virt.dtb" /reserved-memory '#size-cells' 2
fdtput "$dir/virt.dtb" /reserved-memory ranges
dtc -@ -I dts -O dtb -o "$dir/qemu-virt-memlab.dtbo" "$MEMLAB_TOP/dts/qemu-virt-memlab.dtso"
fdtoverlay -i "$dir/virt.dtb" -o "$out" "$dir/qemu-virt-memlab.dtbo"
pl061=/pl061@9030000
case ${MEMLAB_DT_VARIANT:-} in
"") ;;
bench)
	# shellcheck disable=SC2046
	fdtput -t s "$out" $pl061 compatible $(fdtget "$dir/virt.dtb" $pl061 compatible)
	;;
reusable) fdtput "$out" /reserved-memory/memlab-pool reusable ;;
no-map)
	# Above 4 GiB too, where a guest of more than 3 GiB has RAM
	# (MEMLAB_QEMU_MEM): the pool then serves no MEMLAB_ALLOC_DMA32.
	fdtput "$out" /reserved-memory/memlab-pool no-map
	fdtput -t x "$out" /reserved-memory/memlab-pool alloc-ranges 1 0 0 10000000
	;;
dma-pool) fdtput -t s "$out" /reserved-memory/memlab-pool compatible shared-dma-pool ;;
no-node) fdtput -t s "$out" /memlab status disabled ;;
bank)
	# Phandles far above QEMU's (0x8000 on) and the overlay's (from 1)
	fdtput -c "$out" /memlab-disabled-bank
	fdtput -t s "$out" /memlab-disabled-bank status disabled
	fdtput -t x "$out" /memlab-disabled-bank phandle 7fff0001
	for n in observer:"$(fdtget -t x "$out" $pl061 phandle)" disabled:7fff0001 dangling:7fff0002; do
		fdtput -c "$out" "/memlab-gpio-${n%%:*}"
		fdtput -t s "$out" "/memlab-gpio-${n%%:*}" compatible memlab,pl061-gpio
		fdtput -t x "$out" "/memlab-gpio-${n%%:*}" memlab,bank "${n#*:}"
		fdtput "$out" "/memlab-gpio-${n%%:*}" memlab,observe
	done
	;;
share)
	# shellcheck disable=SC2046
	fdtput -t s "$out" $pl061 compatible $(fdtget "$dir/virt.dtb" $pl061 compatible)
	pl=$(fdtget -t x "$out" $pl061 phandle)
	share=/memlab-gpio-share
	for n in share:"$pl 3 0 $pl 5 0 $pl 6 0" share-observe:"$pl 4 0" \
		share-range:"$pl 8 0" share-twice:"$pl 4 0 $pl 4 0" \
		share-mismatch:"7fff0003 0 0"; do
		node=/memlab-gpio-${n%%:*}
		fdtput -c "$out" $node
		fdtput -t s "$out" $node compatible memlab,pl061-gpio
		fdtput -t x "$out" $node memlab,bank "$pl"
		# shellcheck disable=SC2086
		fdtput -t x "$out" $node memlab,lines-gpios ${n#*:}
		fdtput "$out" $node gpio-controller
		fdtput -t i "$out" $node '#gpio-cells' 2
	done
	fdtput -t x "$out" $share phandle 7fff0003
	fdtput "$out" /memlab-gpio-share-observe memlab,observe
	;;
*) ml_die "unknown MEMLAB_DT_VARIANT '$MEMLAB_DT_VARIANT' (known: bench reusable dma-pool no-map no-node bank share)" ;;
esac
# A run that needs a larger pool (make bench) sets MEMLAB_POOL_SIZE.
if [ -n "${MEMLAB_POOL_SIZE:-}" ]; then
	fdtput -t x "$out" /reserved-memory/memlab-pool size 0 "$MEMLAB_POOL_SIZE"
fi
