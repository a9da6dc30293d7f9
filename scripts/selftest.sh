#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# selftest.sh [OPTIONS] [PROGRAM...]: memlab's userspace TAP programs on the
# running kernel, for kernels without KUnit. `make selftest` runs it on a
# board; the guest of `make check` runs it too. POSIX sh, so busybox runs it.
#
#   -t DIR    the test programs (default: .out/userspace/tests of this tree)
#   -M DIR    where the modules' .ko files are, searched below (default:
#             modules/ of this tree)
#   -l HOW    how to load the modules that are not loaded: insmod (from -M
#             DIR, in dependency order), modprobe (installed ones), none,
#             or auto (default: insmod when -M DIR has them, else modprobe)
#   -k        keep the modules it loaded; by default it unloads them after
#   -a NAME=ARGS   arguments for program NAME (alloc_debugfs_test: default,
#             dev_place_test: low)
#   -o DIR    each program's output, NAME.tap (default: .out/selftest)
#   -v        print each program's output as it runs
#   -n        only say whether the programs can run here, and exit
#   -G        the guest's console format (scripts/guest/init): each
#             program's output between "@@ BEGIN tap NAME" and "@@ END tap
#             NAME", then "@@ RESULT ok|not ok|skip NAME exit status"
#
# A program named <dir>_* tests memlab_<dir> and is skipped when that module
# is not loaded; harness_* programs always run. Exit status 0 (pass) and 4
# (skipped as a whole) are kselftest's. It prints a line per program and
# ends with "N passed, N failed, N skipped", counting TAP test points.
# Exit status: 0 when nothing failed, 1 when something did, 2 when it
# cannot run here (not root, programs built for another machine).

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out_base=${MEMLAB_OUT:-$top/.out}
tests=$out_base/userspace/tests
moddir=$top/modules
load=auto
keep=0
verbose=0
guest=0
check_only=0
logs=$out_base/selftest
args="alloc_debugfs_test=default
dev_place_test=low"
# In dependency order; a module this tree does not build is passed over.
MODULES="memlab_core memlab_alloc memlab_dev memlab_gpio memlab_pt"

usage() {
	sed -n '4,/^$/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

die() { # die STATUS MESSAGE
	echo "selftest.sh: $2" >&2
	exit "$1"
}

while getopts t:M:l:ka:o:vnGh opt; do
	case $opt in
	t) tests=$OPTARG ;;
	M) moddir=$OPTARG ;;
	l) load=$OPTARG ;;
	k) keep=1 ;;
	a) args="$args
$OPTARG" ;;
	o) logs=$OPTARG ;;
	v) verbose=1 ;;
	n) check_only=1 ;;
	G) guest=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
case $load in auto | insmod | modprobe | none) ;; *) usage ;; esac

# The arguments -a gave program $1 (the last -a wins).
args_of() {
	echo "$args" | sed -n "s/^$1=//p" | tail -n 1
}

# The machine an ELF file is for, as uname -m names it.
elf_machine() {
	case $(od -An -tx1 -j18 -N2 "$1" 2>/dev/null | tr -d ' \n') in
	b700) echo aarch64 ;;
	3e00) echo x86_64 ;;
	2800) echo arm ;;
	f300) echo riscv64 ;;
	*) echo unknown ;;
	esac
}

programs=
if [ $# -gt 0 ]; then
	for n in "$@"; do
		[ -x "$tests/$n" ] || die 2 "no test program $tests/$n"
		programs="$programs $n"
	done
else
	for t in "$tests"/*; do
		[ -f "$t" ] && [ -x "$t" ] && programs="$programs $(basename "$t")"
	done
fi
[ -n "$programs" ] || die 2 "no test programs in $tests; build them first (make userspace)"

set -- $programs
machine=$(uname -m)
built=$(elf_machine "$tests/$1")
case $machine in arm*) [ "$built" = arm ] && built=$machine ;; esac
if [ "$built" != "$machine" ]; then
	die 2 "the test programs are built for $built and this machine is $machine: they cannot run here (run make selftest on the board, or make check to run them in QEMU)"
fi
[ "$(id -u)" -eq 0 ] ||
	die 2 "needs root: it loads modules and reads debugfs (sudo make selftest, or sudo $0)"
[ $check_only -eq 0 ] || exit 0
mkdir -p "$logs" || die 2 "cannot create $logs"

# The .ko of module $1 below the module directory, or nothing.
ko_of() {
	find "$moddir" -name "$1.ko" 2>/dev/null | head -n 1
}

if [ "$load" = auto ]; then
	load=modprobe
	[ -n "$(ko_of memlab_alloc)" ] && load=insmod
fi

# Programs that reload a module (dev_rmmod_test, dev_doctor_test) find it
# in $MEMLAB_MODULES: one directory with every .ko, made here when the
# modules are spread over the build tree or installed.
stage=$logs/modules
rm -rf "$stage"
mkdir -p "$stage"
for m in $MODULES; do
	case $load in
	insmod) ko=$(ko_of $m) ;;
	*) ko=$(modinfo -n $m 2>/dev/null) ;;
	esac
	[ -n "$ko" ] && [ -e "$ko" ] && ln -sf "$ko" "$stage/$m.ko"
done
MEMLAB_MODULES=$stage
export MEMLAB_MODULES

loaded=
for m in $MODULES; do
	[ -e /sys/module/$m ] && continue
	case $load in
	insmod)
		ko=$(ko_of $m)
		[ -n "$ko" ] || continue
		insmod "$ko" || echo "selftest.sh: insmod $ko failed" >&2
		;;
	modprobe) modprobe $m 2>/dev/null || continue ;;
	none) continue ;;
	esac
	[ -e /sys/module/$m ] && loaded="$loaded $m"
done
have=
for m in $MODULES; do
	[ -e /sys/module/$m ] && have="$have $m"
done
echo "selftest: $(uname -r) $machine; memlab modules loaded:${have:- none}${loaded:+ (loaded now:$loaded)}"

result() { # result ok|"not ok"|skip NAME [REASON]: the guest's form
	[ $guest -eq 1 ] && echo "@@ RESULT $1 $2${3:+ # $3}"
}

# Run program $1 with arguments $2, its output in $logs/$1.tap.
run() {
	log=$logs/$1.tap
	rcf=$logs/$1.rc
	[ $guest -eq 1 ] && echo "@@ BEGIN tap $1"
	if [ $guest -eq 1 ] || [ $verbose -eq 1 ]; then
		# shellcheck disable=SC2086
		{ "$tests/$1" $2 </dev/null 2>&1; echo $? >"$rcf"; } | tee "$log"
	else
		# shellcheck disable=SC2086
		"$tests/$1" $2 </dev/null >"$log" 2>&1
		echo $? >"$rcf"
	fi
	[ $guest -eq 1 ] && echo "@@ END tap $1"
	rc=$(cat "$rcf")
	rm -f "$rcf"
}

# "passed failed skipped planned skip-reason" of a TAP log.
count() {
	awk '
		/^ok / { if (tolower($0) ~ /# skip/) s++; else p++ }
		/^not ok / { f++ }
		/^1\.\.[0-9]+/ { plan = 1 }
		/^1\.\.0/ && tolower($0) ~ /# skip/ { sub(/^1\.\.0[ \t]*#[ \t]*[Ss][Kk][Ii][Pp][ \t]*/, ""); why = $0 }
		/^Bail out!/ { f++ }
		END { printf "%d %d %d %d %s\n", p, f, s, plan, why }
	' "$1"
}

npass=0 nfail=0 nskip=0 ppass=0 pfail=0 pskip=0
for n in $programs; do
	mod=memlab_${n%%_*}
	if [ "${n%%_*}" != harness ] && [ ! -e /sys/module/$mod ]; then
		why="$mod is not loaded"
		[ "$load" = insmod ] && [ -z "$(ko_of $mod)" ] && why="$mod is not in this build"
		printf '%-5s %-22s %s\n' skip "$n" "$why"
		result skip "$n" "$why"
		pskip=$((pskip + 1))
		nskip=$((nskip + 1))
		continue
	fi
	run "$n" "$(args_of "$n")"
	count "$log" >"$logs/$n.count"
	read -r p f s plan why <"$logs/$n.count"
	rm -f "$logs/$n.count"
	if [ "$rc" -eq 4 ]; then
		verdict=skip
		[ $((p + f + s)) -eq 0 ] && s=1
		result skip "$n exit status" "4: skipped as a whole"
		detail=${why:-skipped as a whole}
	elif [ "$rc" -eq 0 ] && [ "$f" -eq 0 ] && [ "$plan" -eq 1 ]; then
		verdict=ok
		result ok "$n exit status"
		detail="$p passed, $f failed, $s skipped"
	else
		verdict=fail
		# A crash or a broken plan is a failure even when no point said so.
		[ "$f" -eq 0 ] && f=1
		result "not ok" "$n exit status" "$rc"
		detail="$p passed, $f failed, $s skipped (exit $rc$([ "$plan" -eq 1 ] || echo ', no plan')); see $log"
	fi
	printf '%-5s %-22s %s\n' $verdict "$n" "$detail"
	case $verdict in
	ok) ppass=$((ppass + 1)) ;;
	skip) pskip=$((pskip + 1)) ;;
	*) pfail=$((pfail + 1)) ;;
	esac
	npass=$((npass + p))
	nfail=$((nfail + f))
	nskip=$((nskip + s))
done

if [ $keep -eq 0 ]; then
	for m in $(echo $loaded | tr ' ' '\n' | sed -n '1!G;h;$p'); do
		[ -e /sys/module/$m ] && { rmmod $m || echo "selftest.sh: rmmod $m failed" >&2; }
	done
fi
echo "selftest: programs: $ppass passed, $pfail failed, $pskip skipped; output in $logs"
echo "$npass passed, $nfail failed, $nskip skipped"
[ $nfail -eq 0 ]
