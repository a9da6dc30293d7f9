#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# lab3.sh check|solve [DIR]: lab 3, slab caches and their debug mode
# (docs/labs/lab3-slab.rst). The size classes' layout without and with
# slab_debug=1, the check walk, a write after free planted through
# memlab_alloc's plant file (lab_bugs=1) and the walk that finds it.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

# slab_row FILE CACHE: "objsize objperslab flags" of CACHE in a slabinfo.
slab_row() {
	awk -v c="$2" '$1 == c && $7 == ":" { o = $4 " " $5 }
		$1 == c && NF == 21 { f = $11 }
		END { if (o != "" && f != "") print o, f }' "$L/$1"
}

lab_check() {
	plain='' debug=''
	if have slabinfo-plain.txt 1 "slabinfo of the default pool as loaded"; then
		plain=$(slab_row slabinfo-plain.txt kmalloc-64)
		case $plain in
		'') wrong "slabinfo-plain.txt: no kmalloc-64 row and detail line (step 1)" ;;
		*D*) wrong "slabinfo-plain.txt: kmalloc-64 is a debug cache (flags D): save it before reloading with slab_debug=1 (step 1)" ;;
		esac
	fi
	if have slabinfo-debug.txt 2 "slabinfo with slab_debug=1"; then
		debug=$(slab_row slabinfo-debug.txt kmalloc-64)
		case $debug in
		'') wrong "slabinfo-debug.txt: no kmalloc-64 row and detail line (step 2)" ;;
		*D*) ;;
		*) wrong "slabinfo-debug.txt: kmalloc-64 has no D flag: load memlab_alloc with slab_debug=1 (step 2)" ;;
		esac
	fi
	if [ -n "$plain" ] && [ -n "$debug" ]; then
		# shellcheck disable=SC2086
		set -- $plain $debug
		if [ "$4" -le "$1" ] || [ "$5" -ge "$2" ]; then
			wrong "slabinfo-debug.txt: kmalloc-64's slot ($4 bytes, $5 a slab) is not larger than without debug ($1 bytes, $2 a slab) (step 2)"
		fi
	fi
	if have check-debug.txt 3 "the check walk of the debug pool" && ! grep -qx 'result: ok' "$L/check-debug.txt"; then
		wrong "check-debug.txt: no \"result: ok\": the check of the debug pool (step 3)"
	fi
	if have plant.txt 4 "the plant file after planting" &&
		! grep -q '^uaf cache lab-uaf ' "$L/plant.txt"; then
		wrong "plant.txt: no \"uaf cache lab-uaf\": write uaf to plant, with memlab_alloc loaded with lab_bugs=1 (step 4)"
	fi
	if have check-uaf.txt 5 "the check walk with the bug planted" &&
		! { grep -q 'written after free' "$L/check-uaf.txt" &&
			grep -q '^cache lab-uaf: FAILED' "$L/check-uaf.txt" &&
			grep -qx 'result: FAILED' "$L/check-uaf.txt"; }; then
		wrong "check-uaf.txt: the walk did not find the write after free in lab-uaf (step 5)"
	fi
	if have check-clear.txt 6 "the check walk after clear" && ! grep -qx 'result: ok' "$L/check-clear.txt"; then
		wrong "check-clear.txt: no \"result: ok\": write clear to plant, then walk again (step 6)"
	fi
}

lab_solve() {
	cd "$L" || return 1
	echo "step 1: the size classes as they are"
	cat $P/slabinfo >slabinfo-plain.txt
	grep -E '^(# name|kmalloc-64 )' slabinfo-plain.txt
	echo "step 2: memlab_alloc slab_debug=1 lab_bugs=1"
	lab_unload memlab_dev memlab_alloc || return 1
	lab_load memlab_alloc slab_debug=1 lab_bugs=1 || return 1
	lab_load memlab_dev || return 1
	cat $P/slabinfo >slabinfo-debug.txt
	grep -E '^(# name|# detail|kmalloc-64 )' slabinfo-debug.txt
	echo "step 3: the check walk"
	cat $P/check | tee check-debug.txt
	echo "step 4: plant a write after free"
	echo uaf >$P/plant || return 1
	tee plant.txt <$P/plant
	echo "step 5: the check walk finds it"
	tee check-uaf.txt <$P/check
	echo "step 6: clear it, walk again"
	echo clear >$P/plant || return 1
	tee check-clear.txt <$P/check
	echo "step 7: the default pool again"
	lab_unload memlab_dev memlab_alloc || return 1
	lab_load memlab_alloc && lab_load memlab_dev
}

lab_main 3 "slab caches and their debug mode" "$@"
