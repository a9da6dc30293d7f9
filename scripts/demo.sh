#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# demo.sh demo|shell|bench|bench-trace|pictures
#
#   demo   boot Debian's stock arm64 6.12 kernel in QEMU, load every memlab
#          module, print each debugfs report, run the examples, power off
#   shell  the same guest, left at an interactive prompt (Ctrl-A X quits)
#   bench  the benchmarks (allocators, /dev/memlab, memlab_pt, memlab_gpio
#          against gpio-pl061), in one boot of the same kernel
#   bench-trace
#          memlab_bench's page and slab rows with memlab_alloc's
#          tracepoints compiled in (events off) and compiled out
#          (MEMLAB_NOTRACE=1), loaded in turn in one boot of the stock 6.1
#          kernel, under the bench boot's parameters
#   pictures  memlabctl map and walk's SVGs from the same guest, written
#          to docs/img/map.svg and docs/img/walk.svg
#
# Everything it needs is installed or fetched on first use and cached.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-demo}
kernel=${MEMLAB_DEMO_KERNEL:-6.12-stock}
[ "$mode" = bench-trace ] && kernel=${MEMLAB_DEMO_KERNEL:-6.1}

"$MEMLAB_TOP/scripts/deps.sh" build qemu dt
kd=$("$MEMLAB_TOP/scripts/kernel.sh" dir "$kernel")
out=$("$MEMLAB_TOP/scripts/build.sh" "$kernel")
ml_step "$MEMLAB_OUT/userspace.log" "cross-build userspace programs" \
	make -C "$MEMLAB_TOP/userspace" OUT="$MEMLAB_OUT/userspace"
"$MEMLAB_TOP/scripts/rootfs.sh" initrd "$kd" "$out/initrd.cpio"
if [ "$mode" = bench-trace ]; then
	# The other build, for the guest's /memlab/notrace.
	notrace=$(MEMLAB_NOTRACE=1 MEMLAB_ONLY="alloc bench" "$MEMLAB_TOP/scripts/build.sh" "$kernel")
	ml_initrd_notrace "$out/initrd.cpio" "$notrace"
	text() { "${CROSS_COMPILE:-aarch64-linux-gnu-}size" -A "$1/src/modules/alloc/memlab_alloc.ko" |
		awk '$1 == ".text" { print $2 }'; }
	ml_say "memlab_alloc.ko .text: $(text "$out") bytes with tracepoints, $(text "$notrace") without"
fi
ml_say "booting $(cat "$kd/release") in QEMU ($mode)"
case $mode in
shell)
	exec "$MEMLAB_TOP/scripts/qemu.sh" "$kd" "$out/initrd.cpio" "$out/$mode" shell quiet
	;;
*)
	extra=quiet
	if [ "$mode" = bench ] || [ "$mode" = bench-trace ]; then
		# Hundreds of timed runs of 10^6 operations under emulation. Debian
		# zeroes every page and object it allocates (init_on_alloc); memlab
		# zeroes only on __GFP_ZERO, so the kernel's allocators are measured
		# without it too.
		: "${MEMLAB_QEMU_TIMEOUT:=3600}"
		# MEMLAB_BENCH_ARGS adds kernel parameters, such as
		# "memlab_bench.ops=100000 memlab_bench.runs=3" for a quick run.
		extra="init_on_alloc=0 ${MEMLAB_BENCH_ARGS:-}"
		# bench-trace loads memlab_bench 12 times: short runs, and five of
		# them, so a run the host disturbs does not move a load's median
		# (the guest's memlab.trace_runs=N sets the loads per build, 6).
		[ "$mode" = bench-trace ] &&
			extra="init_on_alloc=0 ${MEMLAB_BENCH_ARGS:-memlab_bench.ops=50000 memlab_bench.runs=5}"
		# A 128 MiB pool, so a 64 MiB /dev/memlab buffer fits beside the
		# shared one.
		export MEMLAB_POOL_SIZE=0x8000000
		# The PL061 stays an AMBA device for the stock gpio-pl061 driver,
		# which the GPIO bench hands over to memlab_gpio and back.
		export MEMLAB_DT_VARIANT=bench
	fi
	MEMLAB_VERBOSE=1 MEMLAB_QEMU_TIMEOUT=${MEMLAB_QEMU_TIMEOUT:-300} \
		"$MEMLAB_TOP/scripts/qemu.sh" "$kd" "$out/initrd.cpio" "$out/$mode" "$mode" "$extra"
	grep -q '^@@ DONE' "$out/$mode/console.log" ||
		ml_die "the guest did not finish; console: $out/$mode/console.log"
	! grep '^@@ RESULT not ok' "$out/$mode/console.log" ||
		ml_die "a self-check failed; console: $out/$mode/console.log"
	;;
esac

if [ "$mode" = pictures ]; then
	# Each picture is printed between "@@ BEGIN svg NAME" and "@@ END svg NAME".
	for name in map walk; do
		svg=$(sed -n "/^@@ BEGIN svg $name/,/^@@ END svg $name/p" "$out/$mode/console.log" |
			tr -d '\r' | sed '1d;$d')
		case $svg in
		'<?xml'*'</svg>') ;;
		*) ml_die "no $name picture in $out/$mode/console.log" ;;
		esac
		printf '%s\n' "$svg" >"$MEMLAB_TOP/docs/img/$name.svg"
		ml_say "wrote docs/img/$name.svg"
	done
fi
