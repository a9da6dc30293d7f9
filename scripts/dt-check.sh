#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dt-check.sh OUTDIR: prove memlab's device-tree pieces without a board,
# printing TAP:
#   - dt-doc-validate on every binding in dts/bindings;
#   - every overlay compiles with dtc -@ and no warning;
#   - the Rock 5B+ overlay applies with fdtoverlay to rk3588-rock-5b-plus.dtb
#     and rk3588-rock-5b.dtb, built with symbols from the 7.2 kernel source,
#     and the QEMU overlay to the DTB QEMU dumps for the harness's machine;
#   - dt-validate finds no error in memlab's nodes of each merged tree with
#     memlab's bindings, and with the kernel's own bindings (7.2) the Rock
#     5B+ tree gains no report but the unregistered "memlab" vendor prefix;
#   - fdtget reads back what the drivers need.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=$1
mkdir -p "$out"

echo "TAP version 13"
ksrc=$("$MEMLAB_TOP/scripts/kernel.sh" dir 7.2)/src
bindings=$MEMLAB_TOP/dts/bindings

for y in $(cd "$bindings" && find . -name '*.yaml' | sort); do
	dt-doc-validate -u "$bindings" "$bindings/$y" >"$out/doc.log" 2>&1
	ml_ok $? "dt-doc-validate ${y#./}" "$out/doc.log"
done

for d in "$MEMLAB_TOP"/dts/*.dtso; do
	b=$(basename "$d" .dtso)
	dtc -@ -I dts -O dtb -o "$out/$b.dtbo" "$d" >"$out/dtc.log" 2>&1
	rc=$?
	[ $rc -eq 0 ] && [ ! -s "$out/dtc.log" ]
	ml_ok $? "dtc -@ $b.dtso: compiles without a warning" "$out/dtc.log"
done

# Base trees from the 7.2 source, with symbols, as the kernel builds them.
dts=$ksrc/arch/arm64/boot/dts
for b in rk3588-rock-5b-plus rk3588-rock-5b; do
	cpp -nostdinc -I "$ksrc/include" -I "$dts" -I "$dts/rockchip" \
		-I "$ksrc/scripts/dtc/include-prefixes" -undef -D__DTS__ \
		-x assembler-with-cpp -P "$dts/rockchip/$b.dts" >"$out/$b.pre.dts" 2>"$out/cpp.log" &&
		dtc -q -@ -I dts -O dtb -o "$out/$b.dtb" "$out/$b.pre.dts" 2>>"$out/cpp.log"
	ml_ok $? "$b.dtb builds with symbols from the 7.2 source" "$out/cpp.log"
	fdtoverlay -i "$out/$b.dtb" -o "$out/$b-memlab.dtb" \
		"$out/rk3588-rock-5b-plus-memlab.dtbo" >"$out/apply.log" 2>&1
	ml_ok $? "rk3588-rock-5b-plus-memlab.dtbo applies to $b.dtb" "$out/apply.log"
done

# shellcheck disable=SC2046
"$MEMLAB_TOP/scripts/dtb.sh" $(cat "$MEMLAB_TOP/scripts/qemu-machine") -- "$out/virt-memlab.dtb" \
	>"$out/apply.log" 2>&1
ml_ok $? "qemu-virt-memlab.dtbo applies to QEMU's dumped virt DTB" "$out/apply.log"
cp "$out/virt.dtb" "$out/virt-base.dtb" 2>/dev/null

# memlab's bindings: no error in any node the overlays add or change.
dt-mk-schema -j -o "$out/memlab-schema.json" "$bindings" >"$out/mk.log" 2>&1
ml_ok $? "dt-mk-schema processes memlab's bindings" "$out/mk.log"
nodes='memlab|memlab-pool|memlab-gpio@[0-9a-f]+|pl061@9030000|reserved-memory|gpio-keys'
for t in rk3588-rock-5b-plus-memlab rk3588-rock-5b-memlab virt-memlab; do
	dt-validate -s "$out/memlab-schema.json" "$out/$t.dtb" >"$out/val.log" 2>&1
	grep -E "^[^ ].*: ($nodes)[:,]? " "$out/val.log" >"$out/val-memlab.log"
	[ ! -s "$out/val-memlab.log" ]
	ml_ok $? "dt-validate $t.dtb: memlab's nodes match memlab's bindings" "$out/val-memlab.log"
done

# The kernel's own bindings: processing them takes a while, so they are
# cached per source tree. The overlay may add only vendor-prefix reports.
kschema=$MEMLAB_CACHE/dt/kernel-schema-$(basename "$(readlink -f "$ksrc")").json
if [ ! -s "$kschema" ]; then
	mkdir -p "$(dirname "$kschema")"
	dt-mk-schema -j -o "$kschema.tmp" "$ksrc/Documentation/devicetree/bindings" "$bindings" \
		>"$out/kmk.log" 2>&1 && mv "$kschema.tmp" "$kschema"
fi
if [ -s "$kschema" ]; then
	# One board is enough here; the base tree's own report is cached.
	b=rk3588-rock-5b-plus
	base=$MEMLAB_CACHE/dt/kvalidate-$(sha256sum "$out/$b.dtb" "$kschema" | sha256sum | cut -c1-12).log
	if [ ! -s "$base" ]; then
		dt-validate -s "$kschema" "$out/$b.dtb" 2>&1 | grep -E '^[^	]' |
			sed 's/^[^:]*: //' | sort >"$base.tmp" && mv "$base.tmp" "$base"
	fi
	dt-validate -s "$kschema" "$out/$b-memlab.dtb" 2>&1 | grep -E '^[^	]' |
		sed 's/^[^:]*: //' | sort >"$out/k-merged.log"
	comm -13 "$base" "$out/k-merged.log" |
		grep -v -E "^(memlab|memlab-gpio@fec20000): '(memlab,[a-z-]+)' does not match any of the regexes" \
		>"$out/k-new.log"
	[ ! -s "$out/k-new.log" ]
	ml_ok $? "dt-validate $b-memlab.dtb with the 7.2 bindings: nothing new but memlab's vendor prefix" \
		"$out/k-new.log"
else
	ml_ok 1 "dt-mk-schema processes the 7.2 kernel's bindings" "$out/kmk.log"
fi

# Read back what the drivers need.
get() { fdtget "$@" 2>/dev/null; }
check_tree() { # check_tree DTB POOL_SIZE GPIO_NODE GPIO_COMPAT
	local t=$1 pool size ph rph
	[ "$(get -t s "$out/$t" /memlab compatible)" = memlab,memlab ]
	ml_ok $? "$t: /memlab is compatible memlab,memlab"
	ph=$(get -t u "$out/$t" /memlab memory-region)
	pool=/reserved-memory/memlab-pool
	rph=$(get -t u "$out/$t" $pool phandle)
	[ -n "$ph" ] && [ "$ph" = "$rph" ]
	ml_ok $? "$t: memory-region points at $pool"
	size=$(get -t x "$out/$t" $pool size)
	[ "$size" = "0 $2" ] && [ "$(get -t x "$out/$t" $pool alignment)" = "0 400000" ] &&
		[ -z "$(get -t x "$out/$t" $pool reg)" ]
	ml_ok $? "$t: the pool is dynamic, size 0x$2, 4 MiB aligned (size: $size)"
	[ "$(get -t u "$out/$t" /memlab memlab,shared-buffer-size)" = 2097152 ]
	ml_ok $? "$t: memlab,shared-buffer-size is 2 MiB"
	[ "$(get -t s "$out/$t" "$3" compatible)" = "$4" ]
	ml_ok $? "$t: $3 is compatible $4"
}
for b in rk3588-rock-5b-plus rk3588-rock-5b; do
	t=$b-memlab.dtb
	check_tree "$t" 4000000 /memlab-gpio@fec20000 memlab,rk3588-gpio
	cru=$(get -t u "$out/$t" /clock-controller@fd7c0000 phandle)
	[ "$(get -t u "$out/$t" /memlab-gpio@fec20000 clocks)" = "$cru 115 $cru 116" ]
	ml_ok $? "$t: memlab-gpio has PCLK_GPIO1 and DBCLK_GPIO1 of the CRU"
	get "$out/$t" /memlab-gpio@fec20000 memlab,observe >/dev/null
	ml_ok $? "$t: memlab-gpio observes (memlab,observe)"
	[ "$(get -t x "$out/$t" /memlab-gpio@fec20000 reg)" = "0 fec20000 0 100" ]
	ml_ok $? "$t: memlab-gpio maps gpio1's 0x100 bytes at 0xfec20000"
done
check_tree virt-memlab.dtb 1000000 /pl061@9030000 memlab,pl061-gpio
[ "$(get -t s "$out/virt-memlab.dtb" /gpio-keys status)" = disabled ]
ml_ok $? "virt-memlab.dtb: gpio-keys is disabled, so line 3 stays free"

ml_tap_end
