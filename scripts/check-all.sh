#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check-all.sh: `make check-all`, every test memlab has: `make check`
# (scripts/check.sh, the kernel matrix) and `make rehearse`
# (scripts/rehearse.sh, docs/board.rst's steps on Debian arm64), side by
# side. .ci/run runs it. make check's output is shown as it runs, the
# rehearsal's goes to a log and its summary follows; the last line adds both
# up: "N passed, N failed, N skipped". Exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=$MEMLAB_OUT/check-all
rm -rf "$out"
mkdir -p "$out"
R=$out/results.txt

# Both install what they need; one apt-get on the host at a time.
"$MEMLAB_TOP/scripts/deps.sh" all ||
	ml_die "cannot install host packages"

# The rehearsal runs beside make check. Its boot runs at the lowest
# priority: make check's boots keep about one core busy and its timeouts
# are its own, and the rehearsal's guest (two vCPUs compiling under TCG)
# takes what they leave, then both cores once make check is done. On a
# cold cache its image is built first at the usual priority, beside make
# check's kernel builds: the boot cannot start before it.
ml_say "make rehearse, beside make check (log: $out/rehearse.log)"
MEMLAB_REHEARSE_NICE=19 "$MEMLAB_TOP/scripts/rehearse.sh" >"$out/rehearse.log" 2>&1 &
rehearse_pid=$!

"$MEMLAB_TOP/scripts/check.sh"
check_rc=$?

kill -0 "$rehearse_pid" 2>/dev/null &&
	ml_say "make check done; waiting for make rehearse (log: $out/rehearse.log)"
wait "$rehearse_pid"
rehearse_rc=$?

echo
echo "make rehearse ($out/rehearse.log):"
sed -n '/^timings (seconds):/,/^TAP version/p' "$out/rehearse.log" | sed '$d'
grep '^not ok' "$out/rehearse.log"
# A rehearsal that died before recording anything still counts as a failure.
if [ -s "$MEMLAB_OUT/rehearse/results.txt" ]; then
	cp "$MEMLAB_OUT/rehearse/results.txt" "$out/results-rehearse.txt"
else
	: >"$out/results-rehearse.txt"
fi
if [ "$rehearse_rc" -ne 0 ] && ! grep -q '^FAIL ' "$out/results-rehearse.txt"; then
	"$MEMLAB_TOP/scripts/results.py" "$out/results-rehearse.txt" record rehearse fail \
		"make rehearse exited with status $rehearse_rc" "see $out/rehearse.log"
fi
cat "$MEMLAB_OUT/check/results.txt" "$out/results-rehearse.txt" >"$R" 2>/dev/null
if [ "$check_rc" -ne 0 ] && ! grep -q '^FAIL ' "$MEMLAB_OUT/check/results.txt" 2>/dev/null; then
	"$MEMLAB_TOP/scripts/results.py" "$R" record check fail \
		"make check exited with status $check_rc" "see its output above"
fi
echo
echo "memlab check-all summary:"
"$MEMLAB_TOP/scripts/results.py" "$R" summary
