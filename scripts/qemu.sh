#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# qemu.sh KERNEL_DIR INITRD OUTDIR MODE [EXTRA_CMDLINE]
#
# Boot a prepared kernel (scripts/kernel.sh) on QEMU's arm64 virt machine
# with memlab's overlay applied to the machine's own device tree. MODE is
# the guest init's memlab.mode (check, demo, bench, shell). In every mode
# but shell the console goes to OUTDIR/console.log (and, with
# MEMLAB_VERBOSE=1, to the terminal) and the run is killed after
# MEMLAB_QEMU_TIMEOUT seconds (default 900). A QMP socket is at
# OUTDIR/qmp.sock. While QEMU runs (every mode but shell), each console line
# "@@ QMP <command> [json-arguments]" is sent to it with scripts/qmp.py, so a
# guest test can press the power button by printing "@@ QMP system_powerdown";
# requests and replies are logged in OUTDIR/qmp.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=$1 initrd=$2 out=$3 mode=$4 extra=${5:-}
timeout_s=${MEMLAB_QEMU_TIMEOUT:-900}
mkdir -p "$out"

# The DTB is dumped with exactly these options, so it matches the run.
# shellcheck disable=SC2207
MACHINE=($(cat "$MEMLAB_TOP/scripts/qemu-machine"))
# MEMLAB_QEMU_MEM=MiB gives the guest that much RAM instead.
# MEMLAB_QEMU_ICOUNT=N runs QEMU with -icount shift=N: the guest's clock
# advances 2^N ns per instruction executed, whatever the host is doing, so
# a guest timing is an exact instruction count (shift=0: 1 ns each).
if [ -n "${MEMLAB_QEMU_MEM:-}" ]; then
	for ((i = 0; i < ${#MACHINE[@]}; i++)); do
		[ "${MACHINE[$i]}" = -m ] && MACHINE[i + 1]=$MEMLAB_QEMU_MEM
	done
fi

"$MEMLAB_TOP/scripts/dtb.sh" "${MACHINE[@]}" -- "$out/virt-memlab.dtb"

cmdline="console=ttyAMA0 panic=-1 log_buf_len=4M memlab.mode=$mode $extra"
args=("${MACHINE[@]}" -nographic -no-reboot
	-kernel "$kdir/Image" -initrd "$initrd" -dtb "$out/virt-memlab.dtb"
	-append "$cmdline"
	-qmp "unix:$out/qmp.sock,server=on,wait=off")
[ -z "${MEMLAB_QEMU_ICOUNT:-}" ] || args+=(-icount "shift=$MEMLAB_QEMU_ICOUNT")

if [ "$mode" = shell ]; then
	exec qemu-system-aarch64 "${args[@]}"
fi

log=$out/console.log
qmplog=$out/qmp.log

# Follow the console and send its "@@ QMP" requests. tail --pid ends the
# watcher within a second of this script's exit, however that happens, and
# every request is bounded by a timeout, so the watcher can neither hang nor
# outlive QEMU; it is also killed as soon as QEMU is done.
qmp_watch() {
	local line req cmd args
	tail -n +1 -F --pid=$$ "$log" 2>/dev/null |
		grep --line-buffered '^@@ QMP ' |
		while IFS= read -r line; do
			req=${line#@@ QMP }
			cmd=${req%% *}
			args=
			[ "$cmd" = "$req" ] || args=${req#* }
			echo "> $req"
			timeout -k 1 10 python3 "$MEMLAB_TOP/scripts/qmp.py" \
				"$out/qmp.sock" "$cmd" ${args:+"$args"} ||
				echo "! $cmd failed ($?)"
		done
}
# A console log left by an earlier run must not replay its requests.
: >"$log"
: >"$qmplog"
qmp_watch </dev/null >>"$qmplog" 2>&1 &
watcher=$!
trap 'kill "$watcher" 2>/dev/null || true' EXIT

# QEMU's own status, not the pipeline's: PIPESTATUS right after it.
set +e
if [ "${MEMLAB_VERBOSE:-0}" = 1 ]; then
	timeout --foreground -k 5 "$timeout_s" qemu-system-aarch64 "${args[@]}" </dev/null |
		sed -u 's/\r$//' | tee "$log"
	rc=${PIPESTATUS[0]}
else
	timeout -k 5 "$timeout_s" qemu-system-aarch64 "${args[@]}" </dev/null 2>&1 |
		sed -u 's/\r$//' >"$log"
	rc=${PIPESTATUS[0]}
fi
set -e
kill "$watcher" 2>/dev/null || true
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	ml_say "QEMU timed out after ${timeout_s}s ($(basename "$kdir"), $mode); console: $log"
	echo "@@ TIMEOUT after ${timeout_s}s" >>"$log"
	exit 124
fi
exit "$rc"
