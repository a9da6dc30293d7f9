#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# lab4.sh check|solve [DIR]: lab 4, mmap and cache modes
# (docs/labs/lab4-mmap.rst). A cached and a write-combine /dev/memlab
# buffer, held mapped; memlab_pt walks each mapping to its memory type and
# physical address; memlabctl bench measures each mode's bandwidth.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

# mode_walk MODE TYPE STEP1 STEP2: MODE.txt is memlabctl alloc -c MODE's
# report and walk-MODE.txt memlab_pt's walk of the address it was mapped
# at, which must end in a page of memory type TYPE at the buffer's phys.
mode_walk() {
	mode=$1 type=$2
	phys='' va=''
	if have "$mode.txt" "$3" "what memlabctl alloc -c $mode -t 600 64K prints"; then
		grep -q "^cache  *$mode\$" "$L/$mode.txt" ||
			wrong "$mode.txt: not a \"memlabctl alloc -c $mode\" report (step $3)"
		phys=$(sed -n 's/^phys  *\(0x[0-9a-f]*\)$/\1/p' "$L/$mode.txt")
		va=$(sed -n 's/^mapped at  *\(0x[0-9a-f]*\),.*/\1/p' "$L/$mode.txt")
		[ -n "$phys" ] ||
			wrong "$mode.txt: no physical address: run memlabctl as root (step $3)"
		[ -n "$va" ] || wrong "$mode.txt: no \"mapped at\" line (step $3)"
	fi
	have "walk-$mode.txt" "$4" "memlab_pt's walk of the $mode mapping" || return
	w=$L/walk-$mode.txt
	q=$(sed -n 's/^query [0-9]* //p' "$w")
	if [ -n "$va" ] && [ "$(hex16 "${q:-0}")" != "$(hex16 "$va")" ]; then
		wrong "walk-$mode.txt: walks ${q:-nothing}, not $va where the $mode buffer is mapped (step $4)"
		return
	fi
	got=$(sed -n 's/^result mapped phys \(0x[0-9a-f]*\).*/\1/p' "$w")
	if [ -z "$got" ]; then
		wrong "walk-$mode.txt: the address is not mapped: was memlabctl still holding it? (step $4)"
	elif [ -n "$phys" ] && [ "$(hex16 "$got")" != "$(hex16 "$phys")" ]; then
		wrong "walk-$mode.txt: maps $got, the buffer is at $phys (step $4)"
	elif ! grep -E '^(pte|pmd|pud) +[0-9]' "$w" | tail -n 1 | grep -q " $type\\( \\|\$\\)"; then
		wrong "walk-$mode.txt: the entry's memory type is not $type (step $4)"
	fi
}

lab_check() {
	mode_walk cached MEM/NORMAL 1 2
	mode_walk wc MEM/NORMAL-NC 1 2
	if have buffers.txt 3 "the buffers report while both are held"; then
		for mode in cached wc; do
			awk -v m="$mode" '$1 != 0 && $4 == m && $6 >= 1 { f = 1 } END { exit !f }' \
				"$L/buffers.txt" ||
				wrong "buffers.txt: no mapped $mode buffer: save it while both are held (step 3)"
		done
	fi
	if have bench.txt 4 "what memlabctl bench -s 1M -r 3 prints"; then
		for mode in cached wc uncached; do
			grep -Eq "^memlab $mode +[0-9]+ +[0-9]+ " "$L/bench.txt" ||
				wrong "bench.txt: no \"memlab $mode\" bandwidth row (step 4)"
		done
	fi
}

lab_solve() {
	cd "$L" || return 1
	echo "step 1: a cached and a write-combine buffer, held"
	memlabctl alloc -c cached -t 600 64K >cached.txt &
	c=$!
	memlabctl alloc -c wc -t 600 64K >wc.txt &
	w=$!
	wait_for cached.txt '^holding' && wait_for wc.txt '^holding' || return 1
	cat wc.txt
	echo "step 2: walk both mappings"
	pt walk "$c $(sed -n 's/^mapped at *\(0x[0-9a-f]*\),.*/\1/p' cached.txt)" >walk-cached.txt
	pt walk "$w $(sed -n 's/^mapped at *\(0x[0-9a-f]*\),.*/\1/p' wc.txt)" >walk-wc.txt
	grep -E '^(pte|result)' walk-cached.txt walk-wc.txt
	echo "step 3: the buffers report"
	cat $D/dev/buffers | tee buffers.txt
	kill $c $w
	wait
	echo "step 4: the bandwidth of each mode"
	memlabctl bench -s 1M -r 3 | tee bench.txt
}

lab_main 4 "mmap and cache modes" "$@"
