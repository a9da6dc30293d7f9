#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dt-check.sh OUTDIR: prove memlab's device-tree pieces without a board,
# printing TAP:
#   - dt-doc-validate on every binding in dts/bindings;
#   - every overlay compiles with dtc -@ and no warning;
#   - the Rock 5B+ overlay applies with fdtoverlay to rk3588-rock-5b-plus.dtb
#     and rk3588-rock-5b.dtb, built with symbols from the 7.2 kernel source,
#     to rk3588-rock-5b-plus built again against a clock header numbered as
#     Rockchip's vendor kernels number it (GPIO1's clocks 125/126), and the
#     QEMU overlay to the DTB QEMU dumps for the harness's machine;
#   - dt-validate finds no error in memlab's nodes of each merged tree with
#     memlab's bindings, and with the kernel's own bindings (7.2) the Rock
#     5B+ tree gains no report but the unregistered "memlab" vendor prefix;
#   - fdtget reads back what the drivers need: memlab's GPIO node resolves
#     to the gpio1 node, whose window is gpio1's and whose clocks are
#     PCLK_GPIO1 and DBCLK_GPIO1 as the header that tree was built with
#     numbers them;
#   - the share overlay (rk3588-rock-5b-plus-memlab-share.dtso) applies to
#     the same trees, validates, and shares gpio1 line 10 (GPIO1_B2),
#     which nothing in the base tree uses.
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
# build_dtb NAME DTS [INCLUDE_DIR]: INCLUDE_DIR's headers win over the
# kernel's own.
dts=$ksrc/arch/arm64/boot/dts
build_dtb() {
	cpp -nostdinc ${3:+-I "$3"} -I "$ksrc/include" -I "$dts" -I "$dts/rockchip" \
		-I "$ksrc/scripts/dtc/include-prefixes" -undef -D__DTS__ \
		-x assembler-with-cpp -P "$2" >"$out/$1.pre.dts" 2>"$out/cpp.log" &&
		dtc -q -@ -I dts -O dtb -o "$out/$1.dtb" "$out/$1.pre.dts" 2>>"$out/cpp.log"
}

# The vendor numbering: Rockchip's BSP header gives PCLK_GPIO1/DBCLK_GPIO1
# 125/126, mainline's 115/116. The copy renumbers only those two and
# swaps them with the clocks mainline has at 125/126 (SCMI clocks
# untouched), so no two clocks share a number and 115/116 name another
# block's clocks, as they do in the vendor header.
cru_h=dt-bindings/clock/rockchip,rk3588-cru.h
vinc=$out/vendor-include
mkdir -p "$vinc/$(dirname $cru_h)"
awk 'BEGIN { swap[115] = 125; swap[116] = 126; swap[125] = 115; swap[126] = 116 }
	/scmi-clocks indices/ { scmi = 1 }
	!scmi && $1 == "#define" && ($3 in swap) { sub(/[0-9]+$/, swap[$3]) }
	{ print }' "$ksrc/include/$cru_h" >"$vinc/$cru_h"
clk_num() { # clk_num HEADER NAME
	awk -v n="$2" '$1 == "#define" && $2 == n { print $3 }' "$1"
}
[ "$(clk_num "$vinc/$cru_h" PCLK_GPIO1) $(clk_num "$vinc/$cru_h" DBCLK_GPIO1)" = "125 126" ] &&
	[ "$(clk_num "$ksrc/include/$cru_h" PCLK_GPIO1) $(clk_num "$ksrc/include/$cru_h" DBCLK_GPIO1)" = "115 116" ]
ml_ok $? "clock headers: mainline's GPIO1 clocks are 115/116, the vendor-numbered copy's 125/126"

# tree name, board DTS, include directory first searched, clock header
trees="rk3588-rock-5b-plus $dts/rockchip/rk3588-rock-5b-plus.dts - $ksrc/include/$cru_h
rk3588-rock-5b $dts/rockchip/rk3588-rock-5b.dts - $ksrc/include/$cru_h
rk3588-rock-5b-plus-vendorclk $dts/rockchip/rk3588-rock-5b-plus.dts $vinc $vinc/$cru_h"
while read -r b src inc hdr; do
	[ "$inc" = - ] && inc=
	build_dtb "$b" "$src" "$inc"
	ml_ok $? "$b.dtb builds with symbols from the 7.2 source${inc:+ (vendor clock numbers)}" "$out/cpp.log"
	fdtoverlay -i "$out/$b.dtb" -o "$out/$b-memlab.dtb" \
		"$out/rk3588-rock-5b-plus-memlab.dtbo" >"$out/apply.log" 2>&1
	ml_ok $? "rk3588-rock-5b-plus-memlab.dtbo applies to $b.dtb" "$out/apply.log"
	fdtoverlay -i "$out/$b.dtb" -o "$out/$b-memlab-share.dtb" \
		"$out/rk3588-rock-5b-plus-memlab-share.dtbo" >"$out/apply.log" 2>&1
	ml_ok $? "rk3588-rock-5b-plus-memlab-share.dtbo applies to $b.dtb" "$out/apply.log"
done <<<"$trees"

# shellcheck disable=SC2046
"$MEMLAB_TOP/scripts/dtb.sh" $(cat "$MEMLAB_TOP/scripts/qemu-machine") -- "$out/virt-memlab.dtb" \
	>"$out/apply.log" 2>&1
ml_ok $? "qemu-virt-memlab.dtbo applies to QEMU's dumped virt DTB" "$out/apply.log"
cp "$out/virt.dtb" "$out/virt-base.dtb" 2>/dev/null

# memlab's bindings: no error in any node the overlays add or change.
dt-mk-schema -j -o "$out/memlab-schema.json" "$bindings" >"$out/mk.log" 2>&1
ml_ok $? "dt-mk-schema processes memlab's bindings" "$out/mk.log"
nodes='memlab|memlab-pool|memlab-gpio[0-9]*(@[0-9a-f]+)?|pl061@9030000|reserved-memory|gpio-keys'
for t in rk3588-rock-5b-plus-memlab rk3588-rock-5b-memlab rk3588-rock-5b-plus-vendorclk-memlab \
	rk3588-rock-5b-plus-memlab-share rk3588-rock-5b-memlab-share \
	rk3588-rock-5b-plus-vendorclk-memlab-share virt-memlab; do
	dt-validate -s "$out/memlab-schema.json" "$out/$t.dtb" >"$out/val.log" 2>&1
	grep -E "^[^ ].*: ($nodes)[:,]? " "$out/val.log" >"$out/val-memlab.log"
	[ ! -s "$out/val-memlab.log" ]
	ml_ok $? "dt-validate $t.dtb: memlab's nodes match memlab's bindings" "$out/val-memlab.log"
done

# The kernel's own bindings: processing them takes a while, so they are
# cached per source tree and version of memlab's bindings (processed with
# them). The overlay may add only vendor-prefix reports.
bhash=$(cd "$bindings" && find . -name '*.yaml' | sort | xargs cat | sha256sum | cut -c1-12)
kschema=$MEMLAB_CACHE/dt/kernel-schema-$(basename "$(readlink -f "$ksrc")")-$bhash.json
if [ ! -s "$kschema" ]; then
	mkdir -p "$(dirname "$kschema")"
	dt-mk-schema -j -o "$kschema.tmp" "$ksrc/Documentation/devicetree/bindings" "$bindings" \
		>"$out/kmk.log" 2>&1 && mv "$kschema.tmp" "$kschema"
fi
# kvalidate DTB: dt-validate's report of DTB against the kernel's schema,
# sorted, as a file; cached by the tree, the schema and dt-schema's version,
# which decide it, since one run of the 7.2 schema takes minutes.
kvalidate() {
	local log
	# Contents only: the trees are built under each checkout's own .out.
	log=$MEMLAB_CACHE/dt/kvalidate-$( (sha256sum <"$1"; sha256sum <"$kschema"
		dt-validate --version 2>&1) | sha256sum | cut -c1-12).log
	if [ ! -e "$log" ]; then
		dt-validate -s "$kschema" "$1" 2>&1 | grep -E '^[^	]' |
			sed 's/^[^:]*: //' | sort >"$log.tmp" && mv "$log.tmp" "$log"
	fi
	echo "$log"
}
if [ -s "$kschema" ]; then
	# One board is enough here.
	b=rk3588-rock-5b-plus
	base=$(kvalidate "$out/$b.dtb")
	cp "$(kvalidate "$out/$b-memlab.dtb")" "$out/k-merged.log"
	comm -13 "$base" "$out/k-merged.log" |
		grep -v -E "^(memlab|memlab-gpio1): 'memlab,[a-z-]+'(, 'memlab,[a-z-]+')* do(es)? not match any of the regexes" \
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
# The GPIO node names gpio1; the driver takes that node's reg and clocks.
g=/memlab-gpio1
while read -r b src inc hdr; do
	t=$b-memlab.dtb
	check_tree "$t" 4000000 $g memlab,rk3588-gpio
	bank=$(get -t s "$out/$t" /__symbols__ gpio1)
	ph=$(get -t u "$out/$t" $g memlab,bank)
	[ -n "$bank" ] && [ -n "$ph" ] && [ "$ph" = "$(get -t u "$out/$t" "$bank" phandle)" ] &&
		[ "$(get -t s "$out/$t" "$bank" compatible)" = rockchip,gpio-bank ]
	ml_ok $? "$t: memlab,bank resolves to gpio1 ($bank), a rockchip,gpio-bank"
	[ -z "$(get -t x "$out/$t" $g reg)" ] && [ -z "$(get -t x "$out/$t" $g clocks)" ]
	ml_ok $? "$t: $g has no reg or clocks of its own (no clock numbers in the overlay)"
	[ "$(get -t x "$out/$t" "$bank" reg)" = "0 fec20000 0 100" ]
	ml_ok $? "$t: the window memlab_gpio maps is gpio1's 0x100 bytes at 0xfec20000"
	cru=$(get -t u "$out/$t" /clock-controller@fd7c0000 phandle)
	want="$cru $(clk_num "$hdr" PCLK_GPIO1) $cru $(clk_num "$hdr" DBCLK_GPIO1)"
	clks=$(get -t u "$out/$t" "$bank" clocks)
	[ -n "$cru" ] && [ "$clks" = "$want" ]
	ml_ok $? "$t: the clocks memlab_gpio enables are the CRU's PCLK_GPIO1 and DBCLK_GPIO1 of the header the tree was built with ($clks)" \
		"want <$want>"
	get "$out/$t" $g memlab,observe >/dev/null
	ml_ok $? "$t: $g observes (memlab,observe)"

	# The share variant: one line of gpio1, GPIO1_B2, for which the board's
	# tree has no GPIO specifier (its enabled pinctrl-0 groups leave it
	# alone too; docs/board.rst).
	t=$b-memlab-share.dtb
	gph=$(get -t u "$out/$t" "$bank" phandle)
	[ "$(get -t u "$out/$t" $g memlab,bank)" = "$gph" ] &&
		[ "$(get -t u "$out/$t" $g memlab,lines-gpios)" = "$gph 10 0" ] &&
		! get "$out/$t" $g memlab,observe >/dev/null
	ml_ok $? "$t: $g shares gpio1 line 10 (GPIO1_B2) and does not observe"
	dtc -q -I dtb -O dts "$out/$b.dtb" 2>/dev/null |
		awk -v ph="$(printf '0x%x' "$gph")" '
			/(^|[\t -])gpios? = / { gsub(/[<>,;]/, " ")
				for (i = 1; i < NF; i++)
					if ($i == ph && $(i + 1) == "0x0a")
						print }' >"$out/b2.log"
	[ ! -s "$out/b2.log" ]
	ml_ok $? "$b.dtb: no GPIO specifier names gpio1 line 10 (GPIO1_B2)" "$out/b2.log"
done <<<"$trees"
# What a literal <&cru 115>, <&cru 116> would have named on a vendor tree
lit=$(awk '/scmi-clocks indices/ { exit } $1 == "#define" && ($3 == 115 || $3 == 116) { print $2 }' "$vinc/$cru_h" | paste -sd ' ')
[ -n "$lit" ] && ! echo "$lit" | grep -q GPIO1
ml_ok $? "vendor numbering: a literal <&cru 115>, <&cru 116> would name ${lit:-nothing}, not GPIO1's clocks"
check_tree virt-memlab.dtb 1000000 /pl061@9030000 memlab,pl061-gpio
[ "$(get -t s "$out/virt-memlab.dtb" /gpio-keys status)" = disabled ]
ml_ok $? "virt-memlab.dtb: gpio-keys is disabled, so line 3 stays free"

ml_tap_end
