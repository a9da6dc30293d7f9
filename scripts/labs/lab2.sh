#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# lab2.sh check|solve [DIR]: lab 2, the buddy allocator and fragmentation
# (docs/labs/lab2-buddy.rst). A 128 KiB pool is filled with one-page
# /dev/memlab buffers, every other one is freed (free pages, but no two
# together: an 8 KiB buffer fails), then the rest, and the buddies merge.
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

# stat_of FILE COLUMN ORDER: a column of the per-order table of stats
# (2 allocs ... 7 free 8 unusable 9 fragindex).
stat_of() {
	awk -v c="$2" -v o="$3" 'go && $1 == o { print $c }
		$1 == "order" { go = 1 }' "$L/$1"
}

lab_check() {
	total=''
	if have stats-small.txt 1 "the stats of the 128 KiB pool"; then
		total=$(key "$L/stats-small.txt" total_pages)
		if [ -z "$total" ]; then
			wrong "stats-small.txt: not a stats file (step 1)"
		elif [ "$total" -gt 64 ]; then
			wrong "stats-small.txt: the pool has $total pages; load memlab_alloc with use_dt=0 pool_size=128K (step 1)"
		fi
	fi

	if have buddyinfo-full.txt 2 "buddyinfo with every page held"; then
		# shellcheck disable=SC2046
		set -- $(sed 's/.*memlab//' "$L/buddyinfo-full.txt")
		for c in "$@"; do
			[ "$c" = 0 ] && continue
			wrong "buddyinfo-full.txt: free blocks left ($*): fill the pool (step 2)"
			break
		done
	fi

	frag_free=''
	if have buddyinfo-fragmented.txt 3 "buddyinfo after freeing every other buffer"; then
		# shellcheck disable=SC2046
		set -- $(sed 's/.*memlab//' "$L/buddyinfo-fragmented.txt")
		if [ $# -lt 2 ] || [ "$1" -lt 4 ]; then
			wrong "buddyinfo-fragmented.txt: fewer than 4 free order-0 blocks ($*): free every other buffer (step 3)"
		else
			shift
			for c in "$@"; do
				[ "$c" = 0 ] && continue
				wrong "buddyinfo-fragmented.txt: free blocks above order 0 ($*): free every other buffer by address (step 3)"
				break
			done
		fi
	fi
	if have map-fragmented.txt 3 "the map then" &&
		! grep -v '^#' "$L/map-fragmented.txt" | grep -q '0\.0\.0\.'; then
		wrong "map-fragmented.txt: no run of \"0.0.0.\" (used, free, used, free) (step 3)"
	fi
	if have stats-fragmented.txt 3 "the stats then"; then
		frag_free=$(key "$L/stats-fragmented.txt" free_pages)
		lfo=$(key "$L/stats-fragmented.txt" largest_free_order)
		un1=$(stat_of stats-fragmented.txt 8 1)
		fi1=$(stat_of stats-fragmented.txt 9 1)
		if [ "$lfo" != 0 ]; then
			wrong "stats-fragmented.txt: largest_free_order is ${lfo:-?}, not 0 (step 3)"
		elif [ "$un1" != 1.000 ] || [ "${fi1#-}" != "$fi1" ]; then
			wrong "stats-fragmented.txt: order 1's unusable ${un1:-?} and fragindex ${fi1:-?}: all free memory unusable (1.000) and a failing request (not -1.000) (step 3)"
		fi
	fi
	if have alloc-8K.txt 4 "what memlabctl alloc 8K says" && ! grep -q 'MEMLAB_IOC_ALLOC: ENOMEM' "$L/alloc-8K.txt"; then
		wrong "alloc-8K.txt: no \"MEMLAB_IOC_ALLOC: ENOMEM\": the 8 KiB buffer must fail while the pool is fragmented (step 4)"
	fi

	if have stats-recovered.txt 5 "the stats with every buffer freed"; then
		free=$(key "$L/stats-recovered.txt" free_pages)
		lfo=$(key "$L/stats-recovered.txt" largest_free_order)
		max=$(key "$L/stats-recovered.txt" max_order)
		if [ -z "$lfo" ] || [ -z "$max" ] || [ "$lfo" -lt $((max - 1)) ]; then
			wrong "stats-recovered.txt: largest_free_order ${lfo:-?} of max_order ${max:-?}: free every buffer and let the buddies merge (step 5)"
		elif [ -n "$frag_free" ] && [ "$free" -le "$frag_free" ]; then
			wrong "stats-recovered.txt: $free free pages, no more than when fragmented (step 5)"
		fi
	fi
	if have alloc-64K.txt 5 "memlabctl alloc 64K then" && ! grep -q '^mapped at .*all zero' "$L/alloc-64K.txt"; then
		wrong "alloc-64K.txt: the 64 KiB buffer was not allocated and mapped (step 5)"
	fi
	if [ -e /sys/module/memlab_alloc/parameters/use_dt ] &&
		[ "$(cat /sys/module/memlab_alloc/parameters/use_dt)" != Y ]; then
		wrong "memlab_alloc still has use_dt=0: reload it and memlab_dev without parameters (step 6)"
	fi
}

# holders: the pids of the processes holding private buffers, by physical
# address, one a line (the buffers report: pid is column 7, phys column 9).
holders() {
	awk '$1 != "handle" && $1 != 0 { print $9, $7 }' $D/dev/buffers | sort | awk '{ print $2 }'
}

# settle N: until N private buffers are left.
settle() {
	i=0
	while [ "$(holders | wc -l)" -ne "$1" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || return 1
		sleep 0.1 2>/dev/null || sleep 1
	done
}

lab_solve() {
	cd "$L" || return 1
	echo "step 1: a 128 KiB pool, a 4 KiB shared buffer"
	lab_unload memlab_dev memlab_alloc || return 1
	lab_load memlab_alloc use_dt=0 pool_size=128K || return 1
	lab_load memlab_dev shared_size=4K || return 1
	cat $P/stats >stats-small.txt
	grep -E '^(total_pages|free_pages|max_order|percpu_high)' stats-small.txt
	cat $P/buddyinfo
	echo "step 2: one 4 KiB buffer per free page, each held by a memlabctl"
	n=$(key stats-small.txt free_pages)
	i=0
	while [ $i -lt "$n" ]; do
		memlabctl alloc -t 600 4K >/dev/null &
		i=$((i + 1))
	done
	settle "$n" || { echo "the buffers did not all appear"; return 1; }
	cat $P/buddyinfo | tee buddyinfo-full.txt
	echo "step 3: free every other buffer by physical address"
	# shellcheck disable=SC2046
	kill $(holders | awk 'NR % 2 == 0')
	settle $((n - n / 2)) || return 1
	cat $P/buddyinfo | tee buddyinfo-fragmented.txt
	cat $P/map | tee map-fragmented.txt
	cat $P/stats >stats-fragmented.txt
	grep -E '^(free_pages|largest_free_order)' stats-fragmented.txt
	sed -n '/^order /,$p' stats-fragmented.txt
	echo "step 4: an 8 KiB buffer"
	memlabctl alloc 8K >alloc-8K.txt 2>&1
	cat alloc-8K.txt
	echo "step 5: free the rest"
	# shellcheck disable=SC2046
	kill $(holders)
	settle 0 || return 1
	wait
	cat $P/stats >stats-recovered.txt
	grep -E '^(free_pages|largest_free_order)' stats-recovered.txt
	sed -n '/^order /,$p' stats-recovered.txt
	cat $P/buddyinfo
	memlabctl alloc 64K >alloc-64K.txt 2>&1
	grep -E '^(size|mapped)' alloc-64K.txt
	echo "step 6: the default pool again"
	lab_unload memlab_dev memlab_alloc || return 1
	lab_load memlab_alloc && lab_load memlab_dev
}

lab_main 2 "the buddy allocator and fragmentation" "$@"
