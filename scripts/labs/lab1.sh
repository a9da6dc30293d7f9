#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# lab1.sh check|solve [DIR]: lab 1, virtual memory and page tables
# (docs/labs/lab1-vm.rst). memlab_heap grows its heap and waits; memlab_pt
# walks one of the new pages untouched, after a read (the zero page) and
# after a write (a page of its own), and counts the heap's present pages
# before and after.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

# walk_of FILE STEP WHAT: FILE is memlab_pt's walk of a page memlab_heap grew;
# sets w_result, w_phys, w_leaf (the level line the walk ended at), w_kind.
walk_of() {
	w_result='' w_phys='' w_leaf='' w_kind=''
	have "$1" "$2" "$3" || return 1
	q=$(sed -n 's/^query //p' "$L/$1")
	if [ -z "$q" ]; then
		wrong "$1: no \"query\" line, so not a walk answer (step $2)"
		return 1
	fi
	if [ -n "$pid" ]; then
		qpid=${q%% *} qva=${q#* }
		if [ "$qpid" != "$pid" ]; then
			wrong "$1: the walk asks about pid $qpid; memlab_heap is pid $pid (step $2)"
			return 1
		fi
		if ! hex_le "$lo" "$qva" || hex_le "$hi" "$qva"; then
			wrong "$1: $qva is not one of memlab_heap's pages $lo-$hi (step $2)"
			return 1
		fi
	fi
	w_result=$(sed -n 's/^result \([a-z-]*\).*/\1/p' "$L/$1")
	w_phys=$(sed -n 's/^result mapped phys \(0x[0-9a-f]*\).*/\1/p' "$L/$1")
	w_leaf=$(grep -E '^(pgd|p4d|pud|pmd|pte) +[0-9]' "$L/$1" | tail -n 1)
	w_kind=$(sed -n 's/^page .* kind \([a-z]*\).*/\1/p' "$L/$1")
}

# heap_present FILE STEP WHAT: the present pages of [heap] in a vmas answer.
heap_present() {
	have "$1" "$2" "$3" || return 1
	if [ -n "$pid" ] && ! grep -q "^pid $pid comm memlab_heap " "$L/$1"; then
		wrong "$1: not the vmas answer for memlab_heap (pid $pid) (step $2)"
		return 1
	fi
	hp=$(awk '$NF == "[heap]" { print $5 }' "$L/$1")
	[ -n "$hp" ] && return 0
	wrong "$1: no [heap] line (step $2)"
	return 1
}

lab_check() {
	pid='' lo='' hi='' pages=''
	if have heap.txt 2 "what memlab_heap -w prints"; then
		# shellcheck disable=SC2046
		set -- $(sed -n 's/^pid \([0-9]*\) heap \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\): \([0-9]*\) pages.*/\1 \2 \3 \4/p' "$L/heap.txt")
		if [ $# -eq 4 ]; then
			pid=$1 lo=$2 hi=$3 pages=$4
		else
			wrong "heap.txt: no \"pid N heap 0x...-0x...: N pages\" line: memlab_heap -w's output (step 2)"
		fi
	fi

	before='' after=''
	heap_present vmas-before.txt 3 "memlab_pt's vmas of memlab_heap, untouched" && before=$hp

	if walk_of walk-before.txt 4 "memlab_pt's walk of the first page, untouched" && [ "$w_result" != invalid ]; then
		wrong "walk-before.txt: result $w_result; before any access the page is not mapped (result invalid) (step 4)"
	fi

	read_phys=''
	if walk_of walk-read.txt 5 "the walk after SIGUSR2 (a read)"; then
		if [ "$w_result" != mapped ]; then
			wrong "walk-read.txt: result $w_result; after the read the page is mapped (step 5)"
		elif ! echo "$w_leaf" | grep -q ' ro '; then
			wrong "walk-read.txt: the entry is not read-only (ro): is it the walk after the read, before the write? (step 5)"
		else
			read_phys=$w_phys
		fi
	fi

	if walk_of walk-write.txt 6 "the walk after SIGUSR1 (a write)"; then
		if [ "$w_result" != mapped ]; then
			wrong "walk-write.txt: result $w_result; after the write the page is mapped (step 6)"
		elif ! echo "$w_leaf" | grep -q ' RW .* dirty'; then
			wrong "walk-write.txt: the entry is not RW and dirty: is it the walk after the write? (step 6)"
		elif [ "$w_kind" != anon ]; then
			wrong "walk-write.txt: the page is kind ${w_kind:-?}, not anon (step 6)"
		elif [ -n "$read_phys" ] && [ "$w_phys" = "$read_phys" ]; then
			wrong "walk-write.txt: the same physical page as after the read ($w_phys): the write gives the page one of its own (step 6)"
		fi
	fi

	heap_present vmas-after.txt 7 "the vmas after the write" && after=$hp
	if [ -n "$before" ] && [ -n "$after" ] && [ -n "$pages" ] &&
		[ "$after" -lt $((before + pages)) ]; then
		wrong "vmas-after.txt: [heap] has $after present pages, $before before: the $pages written pages are not all there (step 7)"
	fi
}

lab_solve() {
	cd "$L" || return 1
	echo "step 2: memlab_heap -w"
	memlab_heap -w >heap.txt &
	mh=$!
	wait_for heap.txt '^waiting' || { echo "memlab_heap did not start"; return 1; }
	cat heap.txt
	addr=$(sed -n 's/.* heap \(0x[0-9a-f]*\)-.*/\1/p' heap.txt)
	echo "step 3: vmas $mh"
	pt vmas "$mh" >vmas-before.txt
	grep -F '[heap]' vmas-before.txt
	echo "step 4: walk $mh $addr"
	pt walk "$mh $addr" >walk-before.txt
	grep -E '^(pte|pmd|result)' walk-before.txt
	echo "step 5: read the pages, walk again"
	kill -USR2 $mh
	wait_for heap.txt '^read' || return 1
	pt walk "$mh $addr" >walk-read.txt
	grep -E '^(pte|result|page)' walk-read.txt
	echo "step 6: write the pages, walk again"
	kill -USR1 $mh
	wait_for heap.txt '^wrote' || return 1
	pt walk "$mh $addr" >walk-write.txt
	grep -E '^(pte|result|page)' walk-write.txt
	echo "step 7: vmas $mh"
	pt vmas "$mh" >vmas-after.txt
	grep -F '[heap]' vmas-after.txt
	kill $mh
	wait $mh
	cat heap.txt
}

lab_main 1 "virtual memory and page tables" "$@"
