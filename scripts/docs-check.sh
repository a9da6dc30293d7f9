#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# docs-check.sh: the documentation names what the code has, printing TAP.
# Names are read from the code, never listed here:
#
#   debugfs   every debugfs_create_file() name in modules/ has an entry in
#             docs/*.rst (a line starting with ``name``: a heading or a
#             definition-list term), and every debugfs_create_dir() name
#             appears in a /sys/kernel/debug/memlab/... path there;
#   ioctls    every MEMLAB_IOC_* macro of include/uapi/memlab.h appears as
#             ``MEMLAB_IOC_...`` in docs/*.rst, and every MEMLAB_IOC_* the
#             docs or README.md name is defined there;
#   params    every module_param*() of modules/<dir>/ (module name from the
#             directory's Kbuild) has an entry ``name`` in a "Module
#             parameters" section of docs/*.rst whose introduction names
#             ``memlab_<module>``, and every entry of such a section is a
#             parameter of that module;
#   targets   every rule of the top Makefile appears as ``make <target>``
#             in docs/*.rst or README.md ("make" alone for "all");
#   memlabctl every command of userspace/memlabctl.c's table has an entry
#             (``name`` or ``name ARGS``) in docs/*.rst, and so has every
#             check memlabctl doctor prints (userspace/doctor.c);
#   rst       every .rst file under docs/ parses as reStructuredText
#             (docutils) without a warning: a heading's underline, a
#             list, a table or a literal block a merge or an edit broke;
#   labs      every lab script scripts/labs/labN.sh has a page
#             docs/labs/labN-*.rst that docs/labs/index.rst links, and the
#             page names (``file``) every file the script reads or writes;
#   events    every trace event of modules/*/trace.h has an entry in
#             docs/*.rst (``name``, or one of ``a``, ``b``), and every
#             TP_printk() format is quoted there as it is.
#
# Directories named at run time (debugfs_create_dir(pool->name, ...),
# dev_name()) are not names and are skipped: the docs give them as
# <pool> and <device>.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cd "$MEMLAB_TOP" || exit 1
docs=(docs/*.rst)
echo "TAP version 13"

# ``name`` at the start of a line: an entry, not a mention.
has_entry() {
	grep -q -E "^\`\`$1\`\`( |$)" "${docs[@]}"
}

# --- debugfs ------------------------------------------------------------
while read -r name; do
	has_entry "$name"
	ml_ok $? "debugfs file $name: an entry in docs/"
done < <(grep -rhoE 'debugfs_create_file\("[^"]+"' modules | sed 's/.*("//; s/"$//' | sort -u)

while read -r name; do
	grep -q -E "/sys/kernel/debug/(memlab/)?$name(/|\`|\$)" "${docs[@]}"
	ml_ok $? "debugfs directory $name: in a /sys/kernel/debug/memlab path in docs/"
done < <(grep -rhoE 'debugfs_create_dir\("[^"]+"' modules | sed 's/.*("//; s/"$//' | sort -u)

# --- ioctls -------------------------------------------------------------
uapi=include/uapi/memlab.h
code_ioc=$(sed -n 's/^#define[[:space:]]\+\(MEMLAB_IOC_[A-Z0-9_]*\).*/\1/p' "$uapi" | sort -u)
for name in $code_ioc; do
	grep -q "\`\`$name\`\`" "${docs[@]}"
	ml_ok $? "ioctl $name: documented in docs/"
done
while read -r name; do
	grep -qx "$name" <<<"$code_ioc"
	ml_ok $? "ioctl $name named in the docs: defined in $uapi"
done < <(grep -hoE 'MEMLAB_IOC_[A-Z0-9_]+' "${docs[@]}" README.md | sort -u)

# --- module parameters --------------------------------------------------
# "<module> <param>" for every parameter in the code.
code_params=$(
	for kb in modules/*/Kbuild; do
		d=$(dirname "$kb")
		m=$(sed -n 's/^obj-m[[:space:]]*+\?=[[:space:]]*\([a-z0-9_]*\)\.o.*/\1/p' "$kb" | head -n 1)
		grep -hoE 'module_param(_named|_cb|_array)?\([a-z0-9_]+' "$d"/*.c |
			sed "s/.*(/$m /"
	done | sort -u
)
# "<module> <param> <file>" for every entry of a "Module parameters"
# section: the module is the first ``memlab_*`` of the section, which
# must come before its first entry ("?" when none does, which fails).
doc_params=$(awk '
	FNR == 1 { sec = 0 }
	# A title is a line followed by one of = - ~ ^ as long as it.
	{ if (prev != "" && $0 ~ /^[=~^-]+$/ && length($0) == length(prev) && prev !~ /^[=~^ -]+$/) {
		sec = (prev ~ /^Module parameters/); mod = ""; }
	  prev = $0 }
	!sec { next }
	mod == "" && match($0, /``memlab_[a-z0-9]+``/) {
		mod = substr($0, RSTART + 2, RLENGTH - 4); next }
	/^``[a-z0-9_]+``/ {
		p = $0; sub(/^``/, "", p); sub(/``.*/, "", p)
		print (mod == "" ? "?" : mod), p, FILENAME }
' "${docs[@]}")

while read -r m p; do
	grep -q -E -e "^$m $p " <<<"$doc_params"
	ml_ok $? "parameter $m.$p: an entry under \"Module parameters\" in docs/"
done <<<"$code_params"
while read -r m p f; do
	[ -n "$m" ] || continue
	grep -qxF -e "$m $p" <<<"$code_params"
	ml_ok $? "parameter $m.$p documented in $f: the module has it"
done <<<"$doc_params"

# --- make targets -------------------------------------------------------
while read -r t; do
	if [ "$t" = all ]; then
		pat='make(`| |$)'
	else
		pat="make $t(\`| |$)"
	fi
	grep -q -E "$pat" "${docs[@]}" README.md
	ml_ok $? "make target $t: documented"
done < <(sed -n 's/^\([a-z][a-z0-9_-]*\):.*/\1/p' Makefile | sort -u)

# --- memlabctl ------------------------------------------------------------
while read -r name; do
	grep -q -E '^``'"$name"'( [^`]*)?``( |$)' "${docs[@]}"
	ml_ok $? "memlabctl $name: an entry in docs/"
done < <(sed -n 's/^[[:space:]]*{ "\([a-z]*\)", cmd_.*/\1/p' userspace/memlabctl.c | sort -u)
while read -r name; do
	has_entry "$name"
	ml_ok $? "memlabctl doctor check $name: an entry in docs/"
done < <(grep -hoE 'say\((OK|WARN|FAIL), "[a-z-]+"' userspace/doctor.c | sed 's/.*"\(.*\)"/\1/' | sort -u)

# --- rst ----------------------------------------------------------------
rst_check='
import io
import sys

import docutils.core

out = io.StringIO()
docutils.core.publish_doctree(open(sys.argv[1]).read(), source_path=sys.argv[1],
                              settings_overrides={"report_level": 2, "halt_level": 5,
                                                  "warning_stream": out})
sys.stdout.write(out.getvalue())
'
while IFS= read -r f; do
	msg=$(python3 -c "$rst_check" "$f" 2>&1)
	[ -z "$msg" ]
	ml_ok $? "$f: reStructuredText without a warning" "$(echo "$msg" | head -n 2)"
done < <(find docs -name '*.rst' | LC_ALL=C sort)

# --- labs ----------------------------------------------------------------
for f in scripts/labs/lab[0-9].sh; do
	n=${f#scripts/labs/lab}
	n=${n%.sh}
	page=$(find docs/labs -name "lab$n-*.rst" | head -n 1)
	[ -n "$page" ] && grep -qF "${page#docs/labs/}" docs/labs/index.rst
	ml_ok $? "lab $n: a page docs/labs/lab$n-*.rst, linked from docs/labs/index.rst"
	[ -n "$page" ] || continue
	while read -r file; do
		grep -qF "\`\`$file\`\`" "$page"
		ml_ok $? "lab $n: $page names $file, which the lab keeps"
	done < <(grep -oE '[$]?\b[a-z0-9-]+\.txt\b' "$f" | grep -v '^[$]' | sort -u)
done

# --- trace events -----------------------------------------------------------
while read -r name; do
	grep -q -E '^(``[a-z0-9_]+``, )*``'"$name"'``(,| |$)' "${docs[@]}"
	ml_ok $? "trace event $name: an entry in docs/"
done < <(sed -n -E 's/^(TRACE_EVENT(_CONDITION)?\(|DEFINE_EVENT(_CONDITION)?\([a-z0-9_]+, *)([a-z0-9_]+),.*/\4/p' \
	modules/*/trace.h | sort -u)
while read -r fmt; do
	grep -q -F -e "$fmt" "${docs[@]}"
	ml_ok $? "trace format \"$fmt\": quoted in docs/"
done < <(sed -n 's/.*TP_printk("\([^"]*\)".*/\1/p' modules/*/trace.h | sort -u)

ml_tap_end
