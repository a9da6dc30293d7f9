#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# lab3.sh check|solve [DIR]: lab 3, slab caches and their debug mode
# (docs/labs/lab3-slab.rst). The size classes' layout without and with
# slab_debug=1, the check walk, and, on a kernel with KUnit, the suite case
# that plants a write after free and the walk that finds it.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

KUNIT_KO=${MEMLAB_KUNIT_DIR:-/memlab/kunit}/memlab_slab_kunit.ko
UAF_CASE=memlab_slab_test_use_after_free

# slab_row FILE CACHE: "objsize objperslab flags" of CACHE in a slabinfo.
slab_row() {
	awk -v c="$2" '$1 == c && $7 == ":" { o = $4 " " $5 }
		$1 == c && NF == 19 { f = $11 }
		END { if (o != "" && f != "") print o, f }' "$L/$1"
}

# kunit_here: this kernel runs KUnit suites and the guest has memlab's.
kunit_here() {
	[ -d /sys/kernel/debug/kunit ] && [ -e "$KUNIT_KO" ]
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
	if ! kunit_here; then
		note "no KUnit on this kernel (or no $KUNIT_KO): steps 4 and 5 are not checked"
		return
	fi
	if have kunit-uaf.txt 4 "the KUnit results of $UAF_CASE" &&
		! grep -Eq "^ *ok [0-9]+ $UAF_CASE\$" "$L/kunit-uaf.txt"; then
		wrong "kunit-uaf.txt: no \"ok N $UAF_CASE\" (step 4)"
	fi
	if have kunit-log.txt 5 "the kernel log lines of cache uaf" && ! grep -q 'memlab_alloc: cache uaf: ' "$L/kunit-log.txt"; then
		wrong "kunit-log.txt: no \"memlab_alloc: cache uaf:\" line: what the walk found (step 5)"
	fi
}

lab_solve() {
	cd "$L" || return 1
	echo "step 1: the size classes as they are"
	cat $P/slabinfo >slabinfo-plain.txt
	grep -E '^(# name|kmalloc-64 )' slabinfo-plain.txt
	echo "step 2: memlab_alloc slab_debug=1"
	lab_unload memlab_dev memlab_alloc || return 1
	lab_load memlab_alloc slab_debug=1 || return 1
	lab_load memlab_dev || return 1
	cat $P/slabinfo >slabinfo-debug.txt
	grep -E '^(# name|# detail|kmalloc-64 )' slabinfo-debug.txt
	echo "step 3: the check walk"
	cat $P/check | tee check-debug.txt
	if kunit_here; then
		echo "step 4: KUnit's planted write after free"
		f=/sys/module/kunit/parameters/filter_glob
		old=$(cat $f)
		# No newline: the parameter keeps it, and it would be in the glob.
		printf '%s' "memlab_slab.$UAF_CASE" >$f
		insmod "$KUNIT_KO"
		tee kunit-uaf.txt </sys/kernel/debug/kunit/memlab_slab/results
		rmmod memlab_slab_kunit
		case $old in '(null)' | '') old='*.*' ;; esac
		printf '%s' "$old" >$f
		echo "step 5: what the walk found"
		dmesg | grep 'memlab_alloc: cache uaf: ' | tee kunit-log.txt
	fi
	echo "step 6: the default pool again"
	lab_unload memlab_dev memlab_alloc || return 1
	lab_load memlab_alloc && lab_load memlab_dev
}

lab_main 3 "slab caches and their debug mode" "$@"
