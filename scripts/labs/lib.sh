# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
#
# What every lab script (labN.sh) shares: the verdict, module loading, the
# memlab_pt queries, parsing. Source, do not run. POSIX sh, for busybox.

D=/sys/kernel/debug/memlab
# shellcheck disable=SC2034 # the labs' scripts use it
P=$D/alloc/default
# The guest keeps the modules here; elsewhere modprobe finds installed ones.
KO=${MEMLAB_KO_DIR:-/memlab/modules}

problems=0

# What a checker finds: each line names a file of the lab's directory and
# the step that makes it, so the learner knows what to redo.
missing() {
	echo "missing: $*"
	problems=$((problems + 1))
}

wrong() {
	echo "wrong: $*"
	problems=$((problems + 1))
}

note() {
	echo "note: $*"
}

# have FILE STEP WHAT: FILE is in the lab's directory and not empty, else
# say which step makes it, and what it holds.
have() {
	[ -s "$L/$1" ] && return 0
	missing "$1 (step $2: $3)"
	return 1
}

# lab_load MODULE [PARAM=VALUE...]: from $KO when it is there, else modprobe.
lab_load() {
	if [ -e "$KO/$1.ko" ]; then
		m=$1
		shift
		insmod "$KO/$m.ko" "$@"
	else
		modprobe "$@"
	fi
}

lab_unload() {
	for m in "$@"; do
		[ -e /sys/module/"$m" ] && { rmmod "$m" || return 1; }
	done
	return 0
}

# pt FILE QUERY: memlab_pt's answer to QUERY on its FILE (walk, vmas), with
# one descriptor for both, as pt.rst shows.
pt() {
	(
		exec 3<>"$D/pt/$1" || exit 1
		shift
		echo "$*" >&3
		cat <&3
	)
}

# wait_for FILE PATTERN: until a line of FILE matches PATTERN (10 s at most).
wait_for() {
	n=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		n=$((n + 1))
		[ $n -le 100 ] || return 1
		sleep 0.1 2>/dev/null || sleep 1
	done
}

# key FILE KEY: the value of a "key value" line of FILE (stats, layout).
key() {
	sed -n "s/^$2 //p" "$1" | head -n 1
}

# hex16 0xADDR: the address as 16 lower-case hex digits, no 0x, so that
# addresses compare as strings.
hex16() {
	printf '%s\n' "${1#0x}" | tr 'A-F' 'a-f' |
		awk '{ s = $0; while (length(s) < 16) s = "0" s; print s }'
}

# hex_le A B: address A is at or below B (any width, up to 64 bits).
hex_le() {
	a=$(hex16 "$1")
	b=$(hex16 "$2")
	[ "$a" = "$b" ] || [ "$(printf '%s\n%s\n' "$a" "$b" | sort | head -n 1)" = "$a" ]
}

# va_of PHYS LAYOUT: the linear-map address of PHYS from memlab_pt's
# layout (PAGE_OFFSET + PHYS - PHYS_OFFSET, modulo 2^64), in 32-bit
# halves: awk's numbers are doubles, and its printf's integers may be 32
# bits.
va_of() {
	awk -v p="$(hex16 "$1")" -v po="$(hex16 "$(key "$2" page_offset)")" \
		-v pho="$(hex16 "$(key "$2" phys_offset)")" '
		function h(s,   i, v) { v = 0
			for (i = 1; i <= length(s); i++)
				v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v }
		function x8(v,   s, d, i) { s = ""
			for (i = 0; i < 8; i++) {
				d = v % 16
				s = substr("0123456789abcdef", d + 1, 1) s
				v = (v - d) / 16 }
			return s }
		BEGIN { T = 4294967296
			lo = h(substr(po, 9)) + h(substr(p, 9)) - h(substr(pho, 9))
			hi = h(substr(po, 1, 8)) + h(substr(p, 1, 8)) - h(substr(pho, 1, 8))
			while (lo < 0) { lo += T; hi-- }
			while (lo >= T) { lo -= T; hi++ }
			while (hi < 0) hi += T
			while (hi >= T) hi -= T
			print "0x" x8(hi) x8(lo) }'
}

# lab_main N TITLE check|solve [DIR]: run the lab's lab_check or lab_solve
# on its directory (default $HOME/memlab-lab-N).
lab_main() {
	n=$1 title=$2
	shift 2
	case ${1:-} in
	check | solve) ;;
	*)
		echo "usage: lab$n.sh check|solve [DIR]   ($title)" >&2
		exit 2
		;;
	esac
	L=${2:-${HOME:-/root}/memlab-lab-$n}
	if [ "$1" = solve ]; then
		mkdir -p "$L" || exit 1
		echo "lab $n: $title: the steps, into $L"
		lab_solve
		exit $?
	fi
	echo "lab $n: $title: checking $L"
	[ -d "$L" ] || note "there is no $L yet: step 1 makes it"
	lab_check
	if [ "$problems" -eq 0 ]; then
		echo "pass"
		exit 0
	fi
	echo "not pass: $problems thing(s) missing or wrong"
	exit 1
}
