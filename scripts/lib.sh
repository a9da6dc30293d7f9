# SPDX-License-Identifier: GPL-2.0-only
# Common helpers for memlab's build and test scripts. Source, do not run.

MEMLAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MEMLAB_CACHE=${MEMLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memlab}
MEMLAB_OUT=${MEMLAB_OUT:-$MEMLAB_TOP/.out}
MEMLAB_JOBS=${MEMLAB_JOBS:-$(nproc)}
export MEMLAB_TOP MEMLAB_CACHE MEMLAB_OUT MEMLAB_JOBS

ml_t0=${ml_t0:-$(date +%s)}

ml_elapsed() {
	local s=$(($(date +%s) - ml_t0))
	printf '%d:%02d' $((s / 60)) $((s % 60))
}

ml_say() {
	printf '[memlab %s] %s\n' "$(ml_elapsed)" "$*" >&2
}

ml_die() {
	printf '[memlab %s] error: %s\n' "$(ml_elapsed)" "$*" >&2
	exit 1
}

# ml_step LOG DESCRIPTION CMD...: run CMD with its output in LOG, printing a
# heartbeat while it runs and the log's tail and path when it fails.
ml_step() {
	local log=$1 what=$2 pid rc start
	shift 2
	mkdir -p "$(dirname "$log")"
	start=$(date +%s)
	ml_say "$what (log: $log)"
	("$@") >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if [ $((($(date +%s) - start) % 30)) -eq 0 ] && kill -0 "$pid" 2>/dev/null; then
			ml_say "  ... $what: $(($(date +%s) - start))s"
		fi
	done
	wait "$pid"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		tail -n 25 "$log" >&2
		ml_say "FAILED: $what (exit $rc); full log: $log"
		return "$rc"
	fi
	ml_say "  done: $what in $(($(date +%s) - start))s"
}

# ml_tap_step LOG DESCRIPTION TAP CMD...: ml_step for a command that prints
# TAP, which goes to TAP; a failing point is the TAP's to report, so the
# step itself does not fail.
ml_tap_step() {
	local log=$1 what=$2 tap=$3
	shift 3
	ml_step "$log" "$what" bash -c '"$@" >"$0" || :' "$tap" "$@"
}

# ml_need_space DIR MIB: fail clearly when DIR's filesystem is short.
ml_need_space() {
	local dir=$1 mib=$2 avail
	mkdir -p "$dir"
	avail=$(df -Pm "$dir" | awk 'NR == 2 { print $4 }')
	if [ "${avail:-0}" -lt "$mib" ]; then
		ml_die "$dir has ${avail} MiB free, $mib MiB are needed"
	fi
}

# ml_initrd_notrace INITRD BUILD: append to the guest initramfs INITRD
# (scripts/rootfs.sh initrd) the modules of BUILD, a scripts/build.sh output
# built with MEMLAB_NOTRACE=1, in /memlab/notrace: a cpio archive of its own
# after the others, as the kernel unpacks them in turn.
ml_initrd_notrace() {
	local initrd=$1 build=$2 stage=$2/initrd-stage
	rm -rf "$stage"
	mkdir -p "$stage/memlab/notrace"
	find "$build/src/modules" -name '*.ko' -exec install -m 0644 {} "$stage/memlab/notrace/" \;
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0) >>"$initrd"
}

ml_sudo() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		ml_die "need root to run: $* (install sudo or run as root)"
	fi
}

# TAP from a script: ml_ok 0|1 DESCRIPTION [DIAGNOSTIC], with DIAGNOSTIC a file
# whose first lines are shown, or a line of text; ml_tap_end prints the plan
# and fails when any point did.
ml_tap_n=0
ml_tap_failed=0
ml_ok() {
	ml_tap_n=$((ml_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $ml_tap_n - $2"
		return
	fi
	echo "not ok $ml_tap_n - $2"
	ml_tap_failed=$((ml_tap_failed + 1))
	if [ -n "${3:-}" ] && [ -f "$3" ]; then
		[ -s "$3" ] && sed 's/^/# /' "$3" | cut -c1-300 | head -n 15
	elif [ -n "${3:-}" ]; then
		echo "# $3"
	fi
}

ml_tap_end() {
	echo "1..$ml_tap_n"
	[ "$ml_tap_failed" -eq 0 ]
}
