#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# check.sh [KERNEL...]: every memlab test. `make check` runs it; with no
# kernels named, the whole matrix (6.1 6.12 7.2).
#
#   host      host-side allocator tests (ASan/UBSan), a bounded fuzz run,
#             and make selftest refusing to run arm64 programs here
#   static    checkpatch --strict, the userspace build
#   docs      every debugfs file, ioctl, module parameter and make target
#             of the code is documented; every ioctl and parameter the
#             docs name exists
#   dt        bindings, overlays applied to RK3588 and QEMU trees, dt-validate
#   install   make install into a staging tree, depmod, modprobe, modinfo
#   x86_64    a W=1 build of memlab_alloc, memlab_bench and memlab_dev
#             against Debian's amd64 6.1 headers (no boot)
#   <kernel>  a W=1 build, and one of memlab_alloc and memlab_bench with
#             the tracepoints compiled out (MEMLAB_NOTRACE=1), then in
#             QEMU: insmod/rmmod twice, the untraced build once (no memlab
#             events), KUnit through kunit.py parse, the userspace TAP
#             tests, a kmemleak scan and a scan of the console for
#             splats; on MEMLAB_EDGE_KERNEL (6.12) also six short boots
#             of unusual machines (guest init's edge mode): pool regions
#             marked reusable (with swiotlb=force),
#             shared-dma-pool and no-map, no memlab,memlab node,
#             memlab_gpio nodes naming their bank by memlab,bank, and
#             memlab_gpio sharing PL061 lines with gpio-pl061
#
# The groups before the kernels run in the background, beside the kernels'
# builds and boots; the summary lists them first. Each kernel is prepared
# (built, memlab built against it, its initramfs made) while the one
# before it boots.
# It ends with "N passed, N failed, N skipped" and exits non-zero on any failure.
# MEMLAB_INJECT=kunit,tap,warn makes the guest fail on purpose, to show the
# harness notices. MEMLAB_FUZZ_SECONDS bounds each fuzzer (default 15).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12 7.2)
out=$MEMLAB_OUT/check
rm -rf "$out"
mkdir -p "$out"
R=$out/results.txt
: >"$R"
res() { "$MEMLAB_TOP/scripts/results.py" "$R" "$@"; }

"$MEMLAB_TOP/scripts/deps.sh" || ml_die "cannot install host packages"

# The 6.12 tree supplies kunit.py and checkpatch.pl for every kernel.
ksrc=$("$MEMLAB_TOP/scripts/kernel.sh" dir 6.12)/src || ml_die "cannot prepare the 6.12 kernel"
kunit_py=$ksrc/tools/testing/kunit/kunit.py

# --- userspace --------------------------------------------------------
# First: the guests' initramfs carries the programs.
userspace_ok=0
ml_step "$out/userspace.log" "cross-build userspace programs" \
	make -C "$MEMLAB_TOP/userspace" OUT="$MEMLAB_OUT/userspace" all harness || userspace_ok=1

# The host-side groups run beside the kernels' builds and boots: a boot
# keeps about one core busy, and these use the other. Their results go to
# a file of their own, put before the kernels' at the end.
host_groups() {
	local R=$out/results-host.txt
	: >"$R"
	# --- host -------------------------------------------------------------
	ml_say "host-side allocator tests"
	if ml_step "$out/host-build.log" "build host tests" make -C "$MEMLAB_TOP/userspace/hosttest" \
		OUT="$out/hosttest" all fuzz; then
		for t in buddy_test slab_test pcs_test abi_test; do
			"$out/hosttest/$t" >"$out/$t.tap" 2>&1
			res tap host "$out/$t.tap"
		done
		if ml_step "$out/fuzz.log" "fuzz the allocator cores, ${MEMLAB_FUZZ_SECONDS:-15}s each" \
			make -j"$MEMLAB_JOBS" -C "$MEMLAB_TOP/userspace/hosttest" OUT="$out/hosttest" \
			FUZZ_SECONDS="${MEMLAB_FUZZ_SECONDS:-15}" run-fuzz; then
			res record host pass "buddy_fuzz, slab_fuzz: no crash in ${MEMLAB_FUZZ_SECONDS:-15}s each"
		else
			res record host fail "fuzzers" "see $out/fuzz.log"
		fi
	else
		res record host fail "host tests build" "see $out/host-build.log"
	fi
	# make selftest runs the TAP programs on the running kernel; here they are
	# arm64 programs on an x86_64 machine, which it must refuse in one line.
	if [ "$(uname -m)" != aarch64 ]; then
		make -C "$MEMLAB_TOP" selftest >"$out/selftest-refusal.log" 2>&1
		rc=$?
		reason=$(grep '^selftest.sh: ' "$out/selftest-refusal.log")
		if [ "$rc" -ne 0 ] && [ "$(echo "$reason" | wc -l)" -eq 1 ] &&
			echo "$reason" | grep -q "built for aarch64 and this machine is $(uname -m): they cannot run here"; then
			res record host pass "make selftest on $(uname -m): refused in one line, status $rc"
		else
			res record host fail "make selftest on $(uname -m): refused in one line" \
				"status $rc; see $out/selftest-refusal.log"
		fi
	fi
	res summary host

	# --- static -----------------------------------------------------------
	ml_say "static checks"
	# checkpatch, one process a file and MEMLAB_JOBS at once; recorded in order.
	cp=$out/checkpatch
	mkdir -p "$cp"
	(cd "$MEMLAB_TOP" && git ls-files --cached --others --exclude-standard 'modules/*.[ch]' 'kunit/*.[ch]' 'include/*.h' 2>/dev/null ||
		find modules kunit include -name '*.[ch]') >"$cp/files"
	# shellcheck disable=SC2016
	xargs -P "$MEMLAB_JOBS" -I{} sh -c 'l=$3/$(echo "$1" | tr / _); perl "$2/scripts/checkpatch.pl" \
		--no-tree --strict --quiet --terse -f "$4/$1" >"$l.log" 2>&1; echo $? >"$l.rc"' \
		sh {} "$ksrc" "$cp" "$MEMLAB_TOP" <"$cp/files"
	while IFS= read -r f; do
		l=$cp/$(echo "$f" | tr / _)
		if [ "$(cat "$l.rc" 2>/dev/null)" = 0 ]; then
			res record static pass "checkpatch --strict $f"
		else
			res record static fail "checkpatch --strict $f" "$(head -n 3 "$l.log")"
			cat "$l.log" >>"$out/checkpatch.log"
		fi
	done <"$cp/files"
	if [ "$userspace_ok" -eq 0 ]; then
		res record static pass "userspace builds with -Wall -Wextra -Werror"
	else
		res record static fail "userspace build" "see $out/userspace.log"
	fi
	res summary static

	# --- docs -------------------------------------------------------------
	ml_tap_step "$out/docs.log" "documentation checks" "$out/docs.tap" \
		"$MEMLAB_TOP/scripts/docs-check.sh"
	res tap docs "$out/docs.tap"
	res summary docs

	# --- device tree ------------------------------------------------------
	ml_tap_step "$out/dt.log" "device-tree checks" "$out/dt.tap" \
		"$MEMLAB_TOP/scripts/dt-check.sh" "$out/dt"
	res tap dt "$out/dt.tap"
	res summary dt

	# --- install ----------------------------------------------------------
	ml_tap_step "$out/install.log" "install into a staging tree" "$out/install.tap" \
		"$MEMLAB_TOP/scripts/install-check.sh" 6.12 "$out/install"
	res tap install "$out/install.tap"
	res summary install

	# --- x86_64 -----------------------------------------------------------
	ml_say "x86_64 build of the architecture-independent modules"
	if "$MEMLAB_TOP/scripts/build.sh" 6.1-amd64 >/dev/null; then
		res record x86_64 pass "memlab_alloc, memlab_bench, memlab_dev: W=1 build for x86_64, no warnings"
	else
		res record x86_64 fail "W=1 build for x86_64" "see $MEMLAB_OUT/6.1-amd64/build.log"
	fi
	res summary x86_64
}

host_groups &
host_pid=$!

# --- kernels ----------------------------------------------------------
# Each kernel is prepared (the kernel itself, memlab's W=1 builds, sparse,
# the initramfs) while the one before it boots: prepare_kernel K records
# into a results file of its own and leaves K's kernel directory in
# $out/kdir-K when K can boot.
prepare_kernel() {
	local k=$1 g=kernel-$1 kd notrace initrd
	local R=$out/results-prep-$1.txt
	: >"$R"
	rm -f "$out/kdir-$k"
	kd=$("$MEMLAB_TOP/scripts/kernel.sh" dir "$k") || {
		res record "$g" fail "prepare kernel $k" "see $MEMLAB_CACHE/logs"
		return
	}
	if ! "$MEMLAB_TOP/scripts/build.sh" "$k" >/dev/null; then
		res record "$g" fail "W=1 build, no warnings" "see $MEMLAB_OUT/$k/build.log"
		return
	fi
	res record "$g" pass "W=1 build, no warnings"
	# memlab_alloc and memlab_bench again with memlab's tracepoints compiled
	# out, as make bench-trace measures them; the guest loads them once.
	notrace=$MEMLAB_OUT/$k-notrace
	if MEMLAB_NOTRACE=1 MEMLAB_ONLY="alloc bench" "$MEMLAB_TOP/scripts/build.sh" "$k" >/dev/null; then
		res record "$g" pass "W=1 build with tracepoints compiled out (MEMLAB_NOTRACE=1), no warnings"
	else
		res record "$g" fail "W=1 build with tracepoints compiled out (MEMLAB_NOTRACE=1)" \
			"see $notrace/build.log"
		notrace=
	fi
	if [ "$k" = 6.12 ]; then
		# sparse on the debug kernel (C=2: every file)
		if make -C "$kd/kdir" M="$MEMLAB_OUT/$k/src" ARCH=arm64 \
			CROSS_COMPILE="${CROSS_COMPILE:-aarch64-linux-gnu-}" C=2 \
			MEMLAB_HARNESS=1 modules >"$out/sparse-$k.log" 2>&1 &&
			! grep -E 'warning:|error:' "$out/sparse-$k.log" >/dev/null; then
			res record "$g" pass "sparse (C=2) clean"
		else
			res record "$g" fail "sparse (C=2) clean" \
				"$(grep -E -m 2 'warning:|error:' "$out/sparse-$k.log")"
		fi
	fi
	initrd=$MEMLAB_OUT/$k/initrd.cpio
	{ "$MEMLAB_TOP/scripts/rootfs.sh" initrd "$kd" "$initrd" &&
		{ [ -z "$notrace" ] || ml_initrd_notrace "$initrd" "$notrace"; }; } ||
		{ res record "$g" fail "build initramfs"; return; }
	echo "$kd" >"$out/kdir-$k"
}

boot_kernel() {
	local k=$1 g=kernel-$1 kd initrd run extra need v args mem
	kd=$(cat "$out/kdir-$k")
	initrd=$MEMLAB_OUT/$k/initrd.cpio
	run=$MEMLAB_OUT/$k/run
	extra=
	[ -n "${MEMLAB_INJECT:-}" ] && extra="memlab.inject=$MEMLAB_INJECT"
	ml_say "boot $k in QEMU (console: $run/console.log)"
	"$MEMLAB_TOP/scripts/qemu.sh" "$kd" "$initrd" "$run" check "$extra"
	need=
	[ "$(cat "$kd/kind")" = debug ] && need=--need-kunit
	res guest "$g" "$run/console.log" "$kunit_py" $need
	res summary "$g"
	[ "$k" = "${MEMLAB_EDGE_KERNEL:-6.12}" ] || return 0
	for v in reusable:swiotlb=force dma-pool no-map no-node bank share; do
		args=${v#*:}
		[ "$args" = "$v" ] && args=
		v=${v%%:*}
		ml_say "boot $k, device-tree variant $v${args:+, with $args}"
		# RAM above 4 GiB for the no-map pool, which dtb.sh puts there
		mem=
		[ "$v" = no-map ] && mem=3328
		MEMLAB_DT_VARIANT=$v MEMLAB_QEMU_TIMEOUT=${MEMLAB_EDGE_TIMEOUT:-180} \
			MEMLAB_QEMU_MEM=$mem "$MEMLAB_TOP/scripts/qemu.sh" "$kd" "$initrd" "$run-$v" edge \
			"memlab.edge=$v $args"
		res guest "$g-$v" "$run-$v/console.log" "$kunit_py"
		res summary "$g-$v"
	done
}

ml_say "kernel ${kernels[0]}: prepare"
prepare_kernel "${kernels[0]}"
for ((i = 0; i < ${#kernels[@]}; i++)); do
	k=${kernels[i]}
	next=${kernels[i + 1]:-}
	prep_pid=
	if [ -n "$next" ]; then
		ml_say "kernel $next: prepare, beside $k's boot"
		prepare_kernel "$next" &
		prep_pid=$!
	fi
	cat "$out/results-prep-$k.txt" >>"$R"
	if [ -e "$out/kdir-$k" ]; then
		ml_say "kernel $k"
		boot_kernel "$k"
	else
		res summary "kernel-$k"
	fi
	[ -z "$prep_pid" ] || wait "$prep_pid"
done

wait "$host_pid"
cat "$out/results-host.txt" "$R" >"$R.all" && mv "$R.all" "$R"
echo
echo "memlab check summary:"
res summary
