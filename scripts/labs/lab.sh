#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# lab.sh check N [DIR]   lab N's checker: "pass", or what is missing or wrong
# lab.sh solve N [DIR]   lab N's steps as a script (what make check runs)
# lab.sh list            the labs
#
# The labs are docs/labs/; lab N keeps its work in DIR (default
# $HOME/memlab-lab-N). POSIX sh: busybox runs it in the QEMU guest, where
# it is on the PATH; on a board, run it as root from the tree
# (sudo sh scripts/labs/lab.sh check 1).

here=$(cd "$(dirname "$0")" && pwd)

case ${1:-} in
list)
	for f in "$here"/lab[0-9].sh; do
		sed -n '4s/^# lab\([0-9]\)\.sh check|solve \[DIR\]: lab [0-9], /\1  /p' "$f"
	done
	;;
check | solve)
	case ${2:-} in
	[1-6]) ;;
	*)
		echo "lab.sh: no lab '${2:-}' (lab.sh list)" >&2
		exit 2
		;;
	esac
	exec sh "$here/lab$2.sh" "$1" ${3:+"$3"}
	;;
*)
	sed -n '4,6s/^# \{0,1\}//p' "$0" >&2
	exit 2
	;;
esac
