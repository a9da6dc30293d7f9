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

# ml_need_space DIR MIB: fail clearly when DIR's filesystem is short.
ml_need_space() {
	local dir=$1 mib=$2 avail
	mkdir -p "$dir"
	avail=$(df -Pm "$dir" | awk 'NR == 2 { print $4 }')
	if [ "${avail:-0}" -lt "$mib" ]; then
		ml_die "$dir has ${avail} MiB free, $mib MiB are needed"
	fi
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
