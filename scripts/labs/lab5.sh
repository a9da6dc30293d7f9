#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# lab5.sh check|solve [DIR]: lab 5, ioremap and GPIO registers
# (docs/labs/lab5-gpio.rst). A line driven high and then low with gpioset,
# memlab_gpio's regs read at each step, and the controller's ioremap
# mapping found in /proc/vmallocinfo and walked to its memory type.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

# QEMU's PL061, which memlab_gpio drives in the guest; on a board, the
# device under memlab/gpio/, the chip gpioset drives (the stock bank's in
# observe mode) and a line of your choice (lab5-gpio.rst).
GPIO_DEV=${LAB_GPIO_DEV:-9030000.pl061}
GPIO_CHIP=${LAB_GPIO_CHIP:-$GPIO_DEV}
GPIO_LINE=${LAB_GPIO_LINE:-5}

# line_row FILE LINE: "dir level" of LINE in a regs report.
line_row() {
	awk -v l="$2" 'go && $1 == l { print $2, $3 }
		$1 == "line" && $2 == "dir" { go = 1 }' "$L/$1"
}

# reg FILE NAME: a register's value in a regs report.
reg() {
	awk -v r="$2" '$1 == r && $2 ~ /^0x/ { print $3 }' "$L/$1"
}

lab_check() {
	phys=''
	if have regs-before.txt 1 "the controller's regs"; then
		phys=$(key "$L/regs-before.txt" phys)
		[ -n "$phys" ] || wrong "regs-before.txt: not a memlab_gpio regs report (step 1)"
	fi
	have regs-high.txt 2 "regs while gpioset holds the line at 1"
	have regs-low.txt 3 "regs after gpioset set it to 0"
	if [ -s "$L/regs-high.txt" ] && [ -s "$L/regs-low.txt" ]; then
		# The line that is an output at 1 in one and at 0 in the other.
		line=''
		# shellcheck disable=SC2013 # one number a line
		for l in $(awk '$1 ~ /^[0-9]+$/ && $2 == "out" && $3 == 1 { print $1 }' \
			"$L/regs-high.txt"); do
			[ "$(line_row regs-low.txt "$l")" = "out 0" ] && line=$l && break
		done
		if [ -z "$line" ]; then
			wrong "regs-high.txt, regs-low.txt: no line is an output at 1 in one and at 0 in the other (steps 2 and 3)"
		elif [ -n "$(reg regs-high.txt GPIODATA)" ]; then
			# PL061: the line's bit of GPIODIR and GPIODATA.
			b=$((1 << line))
			if [ $(($(reg regs-high.txt GPIODIR) & b)) -eq 0 ] ||
				[ $(($(reg regs-high.txt GPIODATA) & b)) -eq 0 ] ||
				[ $(($(reg regs-low.txt GPIODATA) & b)) -ne 0 ]; then
				wrong "regs-high.txt, regs-low.txt: GPIODIR and GPIODATA do not follow line $line (steps 2 and 3)"
			fi
		fi
	fi
	if have vmallocinfo.txt 4 "the ioremap line of /proc/vmallocinfo"; then
		if [ -n "$phys" ] && ! grep -q "phys=$phys ioremap" "$L/vmallocinfo.txt"; then
			wrong "vmallocinfo.txt: no ioremap of phys=$phys, the controller's window (step 4)"
		elif grep -q '^0x0*-' "$L/vmallocinfo.txt" || ! grep -q '^0xffff' "$L/vmallocinfo.txt"; then
			wrong "vmallocinfo.txt: the addresses are hidden or hashed: kptr_restrict=1 and root (step 4)"
		fi
	fi
	if have walk-ioremap.txt 5 "memlab_pt's walk of the ioremap address"; then
		w=$L/walk-ioremap.txt
		got=$(sed -n 's/^result mapped phys \(0x[0-9a-f]*\).*/\1/p' "$w")
		if ! grep -q '^space kernel ' "$w"; then
			wrong "walk-ioremap.txt: not a walk of a kernel address (step 5)"
		elif [ -z "$got" ]; then
			wrong "walk-ioremap.txt: the address is not mapped (step 5)"
		elif [ -n "$phys" ] && [ "$(hex16 "$got")" != "$(hex16 "$phys")" ]; then
			wrong "walk-ioremap.txt: maps $got, the controller is at $phys (step 5)"
		elif ! grep -E '^(pte|pmd|pud) +[0-9]' "$w" | tail -n 1 | grep -q ' DEVICE/'; then
			wrong "walk-ioremap.txt: the entry's memory type is not DEVICE/... (step 5)"
		fi
	fi
}

lab_solve() {
	cd "$L" || return 1
	G=$D/gpio/$GPIO_DEV
	echo "step 1: $GPIO_DEV's registers"
	cat "$G/regs" >regs-before.txt
	grep -E "^(phys|GPIODATA|GPIODIR) |^$GPIO_LINE " regs-before.txt
	echo "step 2: line $GPIO_LINE driven high"
	gpioset --mode=signal "$GPIO_CHIP" "$GPIO_LINE=1" &
	gs=$!
	i=0
	until grep -q "^$GPIO_LINE  *out  *1 " "$G/regs"; do
		i=$((i + 1))
		[ $i -le 100 ] || { echo "line $GPIO_LINE did not go high"; kill $gs; return 1; }
		sleep 0.1 2>/dev/null || sleep 1
	done
	cat "$G/regs" >regs-high.txt
	grep -E "^(GPIODATA|GPIODIR) |^$GPIO_LINE " regs-high.txt
	kill $gs
	wait $gs
	echo "step 3: line $GPIO_LINE driven low"
	gpioset "$GPIO_CHIP" "$GPIO_LINE=0"
	cat "$G/regs" >regs-low.txt
	grep -E "^(GPIODATA|GPIODIR) |^$GPIO_LINE " regs-low.txt
	echo "step 4: the ioremap in /proc/vmallocinfo"
	phys=$(key regs-before.txt phys)
	k=$(cat /proc/sys/kernel/kptr_restrict)
	echo 1 >/proc/sys/kernel/kptr_restrict
	grep "phys=$phys ioremap" /proc/vmallocinfo | tee vmallocinfo.txt
	echo "$k" >/proc/sys/kernel/kptr_restrict
	echo "step 5: walk it"
	va=$(sed -n 's/^\(0x[0-9a-f]*\)-.*/\1/p' vmallocinfo.txt | head -n 1)
	pt walk "kernel $va" | tee walk-ioremap.txt
}

lab_main 5 "ioremap and GPIO registers" "$@"
