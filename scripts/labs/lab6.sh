#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# lab6.sh check|solve [DIR]: lab 6, the Rock 5B+ memory map
# (docs/labs/lab6-memory-map.rst). The physical map from /proc/iomem, the
# pool where the device tree put it, the kernel's virtual layout, and the
# pool walked through its linear-map alias. On any machine it checks that
# these agree with each other; it checks the board's own addresses on a
# Rock 5B+ and QEMU virt's on QEMU.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

# machine: rock-5b-plus, qemu-virt or other, from the device tree.
machine() {
	c=$(tr '\0' ' ' </proc/device-tree/compatible 2>/dev/null)
	case $c in
	*radxa,rock-5b-plus*) echo rock-5b-plus ;;
	*linux,dummy-virt*) echo qemu-virt ;;
	*) echo other ;;
	esac
}

# iomem_has START NAME: a line of iomem.txt for START's range named NAME.
iomem_has() {
	grep -Eiq "^ *0*${1#0x}-[0-9a-f]+ : $2" "$L/iomem.txt"
}

lab_check() {
	start='' bytes=''
	if have stats.txt 3 "the default pool's stats"; then
		# shellcheck disable=SC2046
		set -- $(sed -n 's/^chunk 0 \(0x[0-9a-f]*\) \([0-9]*\)$/\1 \2/p' "$L/stats.txt")
		if [ $# -eq 2 ]; then
			start=$1 bytes=$2
			[ "$(key "$L/stats.txt" source)" = reserved-memory ] ||
				wrong "stats.txt: the pool is not from reserved-memory: load memlab_alloc with its defaults (step 3)"
		else
			wrong "stats.txt: no \"chunk 0\" line: the default pool's stats (step 3)"
		fi
	fi
	if have iomem.txt 1 "/proc/iomem, read as root"; then
		grep -q 'System RAM' "$L/iomem.txt" ||
			wrong "iomem.txt: no System RAM: read /proc/iomem as root (step 1)"
		grep -q '^00000000-00000000 ' "$L/iomem.txt" &&
			wrong "iomem.txt: every address is 0: read /proc/iomem as root (step 1)"
	fi
	if have boot-log.txt 2 "the boot log's lines of the pool" && [ -n "$start" ]; then
		# memlab_alloc's line; the kernel's own (6.12 on) must agree too.
		kib=$((bytes / 1024))
		end=$(printf '%x' $((start + bytes - 1)))
		grep -q "memlab_alloc: default pool: /reserved-memory/.* at $start, $kib KiB" \
			"$L/boot-log.txt" ||
			wrong "boot-log.txt: no \"memlab_alloc: default pool: /reserved-memory/... at $start, $kib KiB\" line (step 2)"
		grep 'reserved mem: 0x.*memlab-pool' "$L/boot-log.txt" |
			grep -Eiqv "reserved mem: 0x0*${start#0x}\\.\\.0x0*$end " &&
			wrong "boot-log.txt: the kernel reserved memlab-pool elsewhere than at $start..0x$end (step 2)"
	fi
	have layout.txt 4 "memlab_pt's layout"
	have walk-pool.txt 5 "the walk of the pool's linear-map address"
	if [ -s "$L/layout.txt" ] && [ -s "$L/walk-pool.txt" ] && [ -n "$start" ]; then
		w=$L/walk-pool.txt
		va=$(sed -n 's/^query kernel //p' "$w")
		got=$(sed -n 's/^result mapped phys \(0x[0-9a-f]*\).*/\1/p' "$w")
		lm=$(awk '$1 == "region" && $2 == "linear-map" { print $3, $4 }' "$L/layout.txt")
		if [ -z "$va" ]; then
			wrong "walk-pool.txt: not a walk of a kernel address (step 5)"
		elif [ "$(hex16 "$va")" != "$(hex16 "$(va_of "$start" "$L/layout.txt")")" ]; then
			wrong "walk-pool.txt: walks $va; the pool's linear-map address is page_offset + $start - phys_offset (step 5)"
		elif ! hex_le "${lm% *}" "$va" || hex_le "${lm#* }" "$va"; then
			wrong "walk-pool.txt: $va is outside the linear map ($lm) (step 5)"
		elif [ "$(hex16 "${got:-0}")" != "$(hex16 "$start")" ]; then
			wrong "walk-pool.txt: maps ${got:-nothing}, the pool starts at $start (step 5)"
		fi
	fi

	# The facts of the machine itself.
	if [ ! -s "$L/iomem.txt" ] || [ -z "$start" ]; then
		return
	fi
	case $(machine) in
	qemu-virt)
		note "QEMU virt: checking RAM from 0x40000000, the PL061 at 0x09030000, a 16 MiB pool"
		iomem_has 40000000 'System RAM' ||
			wrong "iomem.txt: no System RAM from 0x40000000, where QEMU virt's RAM starts (step 1)"
		iomem_has 09030000 'pl061|9030000' ||
			wrong "iomem.txt: no range of the PL061 at 0x09030000 (step 1)"
		[ "$bytes" -eq 16777216 ] ||
			wrong "stats.txt: the pool is $bytes bytes, not the QEMU overlay's 16 MiB (step 3)"
		;;
	rock-5b-plus)
		note "Rock 5B+: checking GPIO1 at 0xfec20000 and the overlay's 64 MiB pool below 0xf0000000"
		iomem_has fec20000 'gpio' ||
			wrong "iomem.txt: no range of GPIO1 at 0xfec20000 (step 1)"
		if [ "$bytes" -ne 67108864 ] || ! hex_le "$start" 0xebffffff; then
			wrong "stats.txt: the pool is $bytes bytes at $start, not the overlay's 64 MiB below 0xf0000000 (step 3)"
		fi
		;;
	*) note "neither QEMU virt nor a Rock 5B+: only the checks above apply" ;;
	esac
}

lab_solve() {
	cd "$L" || return 1
	echo "step 1: the physical map"
	cat /proc/iomem >iomem.txt
	grep -v '^ ' iomem.txt
	echo "step 2: the pool the device tree reserved"
	dmesg | grep -E 'reserved mem:.*memlab|memlab_alloc: default pool' | tee boot-log.txt
	echo "step 3: the pool memlab_alloc took"
	cat $P/stats >stats.txt
	grep -E '^(source|chunk)' stats.txt
	echo "step 4: the kernel's virtual layout"
	cat $D/pt/layout | tee layout.txt
	echo "step 5: the pool's first page through the linear map"
	# The shell's arithmetic wraps at 64 bits as the kernel's does; the
	# checker works it out on its own (va_of).
	start=$(sed -n 's/^chunk 0 \(0x[0-9a-f]*\) .*/\1/p' stats.txt)
	va=$(printf '0x%x' $(($(key layout.txt page_offset) + start - $(key layout.txt phys_offset))))
	pt walk "kernel $va" | tee walk-pool.txt
}

lab_main 6 "the Rock 5B+ memory map" "$@"
