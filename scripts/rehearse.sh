#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# rehearse.sh: `make rehearse`. docs/board.rst's "Step by step", run as a
# user runs it on a board, on a Debian arm64 system in QEMU: native make
# against the running kernel's headers, make install, make dkms, the
# overlay installer with /boot laid out as Radxa OS and as Armbian, a
# reboot into the installed modules, make install-udev, modprobe, make
# userspace, make selftest and memlabctl doctor. Prints TAP and ends with
# "N passed, N failed, N skipped"; exits non-zero on any failure.
#
#   rehearse.sh          the whole rehearsal (builds the image when needed)
#   rehearse.sh plan     print what it would run, one line per doc line
#   rehearse.sh image    build the image if needed, print its directory
#
# The commands are read from the page (scripts/rehearse/board-steps.py),
# never copied here; the rule lines below list every line not run as written, and
# why. The image is Debian bookworm arm64 built from Debian's packages
# (debootstrap's first stage on the host, its second stage in a QEMU boot
# of Debian's stock kernel), with the packages the page installs in a
# local apt repository inside it: the guest has no network. The page's
# step 1 is then run in it once and the result cached under
# $MEMLAB_CACHE/rehearse, keyed by the packages, the files that build it
# and step 1's commands. Each rehearsal boots a throwaway snapshot of it
# (QEMU's snapshot=on), reboots it once where the page says "Reboot", and
# leaves the cached image as it was.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

KERNEL=6.1                      # scripts/kernel.sh's name for Debian's stock arm64 kernel
REHEARSE_USER=rock              # the board's user, with sudo
# The image before the user's step 1 (debootstrap's minbase and these):
# what a board's image has that the page relies on.
BASE_PACKAGES="systemd-sysv udev kmod sudo initramfs-tools zstd"
QEMU_GPIO=9030000.pl061         # memlab_gpio's device on QEMU virt: its PL061
TIMEOUT=${MEMLAB_REHEARSE_TIMEOUT:-3600}
HERE=$MEMLAB_TOP/scripts/rehearse
out=$MEMLAB_OUT/rehearse
R=$out/results.txt

# --- what differs from the page ---------------------------------------------
# rule DOC ACTION COMMAND WHY: the page's line DOC (its comment removed) is
# run as COMMAND (run), once per /boot layout (overlay) or not at all
# (skip). Every other command line runs exactly as the page writes it; a
# commented command with no rule, or a rule whose line the page no longer
# has, fails the plan.
RULE_DOC=() RULE_ACT=() RULE_CMD=() RULE_WHY=()
rule() {
	RULE_DOC+=("$1") RULE_ACT+=("$2") RULE_CMD+=("$3") RULE_WHY+=("$4")
}
rule "# Armbian: sudo armbian-config (Software > Headers), or" skip "" \
	"Armbian's menu tool; this is Debian, where the line above installs the headers"
rule "# sudo apt-get install linux-headers-current-rockchip64" skip "" \
	"Armbian's headers package for its own kernel; Debian's is linux-headers-\$(uname -r), installed above"
rule "git clone <this repository> memlab && cd memlab" run \
	"git clone /mnt/memlab/memlab.bundle memlab && cd memlab" \
	"no network: the host's tree (HEAD with its changes to tracked files), a git bundle on the 9p share"
rule "sudo make install-overlay" overlay "sudo make install-overlay" \
	"with /boot laid out as Radxa OS, then as Armbian; QEMU boots no overlay from /boot: its device tree has memlab's QEMU overlay"
rule "sudo cat /sys/kernel/debug/memlab/gpio/memlab-gpio1/regs" run \
	"sudo cat /sys/kernel/debug/memlab/gpio/$QEMU_GPIO/regs" \
	"QEMU's PL061 in place of the Rock 5B+'s GPIO bank 1"
rule "sudo taskset -c 4 modprobe memlab_bench && sudo rmmod memlab_bench" run \
	"sudo taskset -c 1 modprobe memlab_bench ops=2000 runs=1 carve_mib=4 && sudo rmmod memlab_bench" \
	"QEMU has CPUs 0-1, not the board's Cortex-A76 cores 4-7, and the default run takes many minutes under TCG: make check's smoke run"

# plan FILE: the page's steps as the guest runs them (scripts/rehearse/guest.sh
# reads the format), or fail.
plan() {
	local file=$1 steps step kind text i act cmd why used=() bad=0
	steps=$(python3 "$HERE/board-steps.py" "$MEMLAB_TOP/docs/board.rst") || return 1
	: >"$file"
	while IFS=$'\t' read -r step kind text; do
		act=run cmd=$text why=
		for ((i = 0; i < ${#RULE_DOC[@]}; i++)); do
			[ "${RULE_DOC[i]}" = "$text" ] || continue
			act=${RULE_ACT[i]} cmd=${RULE_CMD[i]} why=${RULE_WHY[i]}
			used[i]=1
		done
		case $kind in
		reboot)
			act=reboot why="the page says reboot here"
			;;
		comment)
			if [ "$act" = run ]; then
				# Output to expect, or a note; but a command needs a rule.
				if echo "$text" | grep -qE '(^|[ :])(sudo|apt-get|make|dtc|modprobe) '; then
					echo "rehearse: no rule for the commented command: $text" >&2
					bad=1
				fi
				continue
			fi
			;;
		esac
		printf '%s\t%s\t%s\t%s\t%s\n' "$act" "$step" "$text" "$cmd" "$why" >>"$file"
	done <<<"$steps"
	for ((i = 0; i < ${#RULE_DOC[@]}; i++)); do
		if [ -z "${used[i]:-}" ]; then
			echo "rehearse: the page has no line \"${RULE_DOC[i]}\" any more: update RULES" >&2
			bad=1
		fi
	done
	grep -q '^reboot' "$file" || { echo "rehearse: the page no longer says when to reboot" >&2; bad=1; }
	return $bad
}

# The packages the page installs (apt-get install lines, $(uname -r) the
# stock kernel's release), from a plan.
plan_packages() {
	sed -n 's/^run\t[0-9]*\t[^\t]*\t\([^\t]*\)\t.*/\1/p' "$1" |
		sed -n 's/.*apt-get install \(.*\)/\1/p' |
		sed "s/\$(uname -r)/$abi/g" | tr ' ' '\n' | grep -v '^-' | sort -u | paste -sd ' '
}

# --- the image ------------------------------------------------------------------
# Everything here is part of the image's key (image_key).

# image_boot DIR KERNEL INITRD CONSOLE SHARE SNAPSHOT CMDLINE [QEMU_ARG...]:
# boot the image DIR/disk.img; SHARE is the 9p share's directory or "".
image_boot() {
	local dir=$1 kernel=$2 initrd=$3 log=$4 share=$5 snap=$6 cmdline=$7 machine args i
	shift 7
	# shellcheck disable=SC2207
	machine=($(cat "$MEMLAB_TOP/scripts/qemu-machine"))
	# More memory than the tests' guests: compilers, apt and the page cache.
	for ((i = 0; i < ${#machine[@]}; i++)); do
		[ "${machine[$i]}" = -m ] && machine[i + 1]=2048
	done
	mkdir -p "$(dirname "$log")"
	"$MEMLAB_TOP/scripts/dtb.sh" "${machine[@]}" -- "$(dirname "$log")/virt-memlab.dtb" || return 1
	args=("${machine[@]}" -nographic
		-kernel "$kernel" -initrd "$initrd" -dtb "$(dirname "$log")/virt-memlab.dtb"
		-append "console=ttyAMA0 $cmdline"
		-drive "file=$dir/disk.img,if=none,id=hd0,format=raw,snapshot=$snap,cache=unsafe"
		-device "virtio-blk-pci,drive=hd0")
	if [ -n "$share" ]; then
		args+=(-fsdev "local,id=fs0,path=$share,security_model=none,readonly=on"
			-device "virtio-9p-pci,fsdev=fs0,mount_tag=memlab")
	fi
	args+=("$@")
	# snapshot=on keeps its writes in a temporary file, deleted at exit.
	# cache=unsafe ignores the guest's flushes (dpkg syncs every file):
	# a build boot's image counts only once it powered off cleanly, and
	# a rehearsal's writes are thrown away.
	TMPDIR=$(dirname "$log") timeout -k 5 "$TIMEOUT" qemu-system-aarch64 "${args[@]}" </dev/null 2>&1 |
		sed -u 's/\r$//' >"$log"
	local rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "@@ TIMEOUT after ${TIMEOUT}s" >>"$log"
	fi
	return "$rc"
}

# image_stage2_initrd DIR: an initramfs that mounts the image (the stock
# kernel has virtio and ext4 as modules) and runs scripts/rehearse/stage2.
image_stage2_initrd() {
	local dir=$1 kd stage mods order="" m
	kd=$("$MEMLAB_TOP/scripts/kernel.sh" dir "$KERNEL") || return 1
	mods=$kd/root/lib/modules/$abi/kernel
	stage=$dir/stage2-initrd
	rm -rf "$stage"
	mkdir -p "$stage/stage2"
	for m in virtio_pci virtio_blk crc32c_generic ext4; do
		image_stage2_module $m || return 1
	done
	echo "$order" >"$stage/stage2/load-order"
	install -m 0755 "$HERE/stage2" "$stage/init"
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >"$dir/stage2.cpio"
	cat "$("$MEMLAB_TOP/scripts/rootfs.sh" base)" "$dir/stage2.cpio" >"$dir/stage2-initrd.cpio"
	rm -rf "$stage" "$dir/stage2.cpio"
}

# image_stage2_module NAME: module NAME of $mods after those it needs into
# $stage/stage2, its name into $order
image_stage2_module() {
	local f dep
	case " $order " in *" $1 "*) return 0 ;; esac
	f=$(find "$mods" -name "$1.ko" -print -quit)
	[ -n "$f" ] || { echo "no module $1 in $mods" >&2; return 1; }
	for dep in $(modinfo -F depends "$f" | tr , ' '); do
		image_stage2_module "$dep" || return 1
	done
	cp "$f" "$stage/stage2/"
	order="$order $1"
}

# image_root DIR PACKAGES: debootstrap's first stage into DIR/root, the
# local repository with PACKAGES and what they need, and setup.sh's files.
image_root() {
	local dir=$1 pkgs=$2 mirror repo
	mirror=$("$MEMLAB_TOP/scripts/apt-private.sh" --mirror) || return 1
	ml_sudo rm -rf "$dir/root"
	ml_sudo debootstrap --foreign --arch=arm64 --variant=minbase \
		--include="${BASE_PACKAGES// /,}" \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		bookworm "$dir/root" "$mirror" || return 1
	# The repository: PACKAGES with their dependencies and recommends, as
	# apt resolves them on a system with nothing installed, from bookworm
	# and its security updates, where the stock kernel is.
	repo=$dir/repo
	rm -rf "$repo"
	mkdir -p "$repo/partial"
	"$MEMLAB_TOP/scripts/apt-private.sh" bookworm-arm64 arm64 bookworm bookworm-security -- update &&
		"$MEMLAB_TOP/scripts/apt-private.sh" bookworm-arm64 arm64 bookworm bookworm-security -- \
			install --download-only -y -o Dir::Cache::Archives="$repo/" \
			"linux-image-$abi" $BASE_PACKAGES $pkgs || return 1
	rm -rf "$repo/partial" "$repo/lock"
	(cd "$repo" && dpkg-scanpackages -m . >Packages 2>/dev/null) || return 1
	ml_sudo mkdir -p "$dir/root/srv" "$dir/root/memlab-setup"
	ml_sudo mv "$repo" "$dir/root/srv/memlab-repo"
	ml_sudo install -m 0644 "$HERE/memlab-rehearse.service" "$HERE/memlab-rehearse" \
		"$HERE/setup.sh" "$dir/root/memlab-setup/"
	printf 'ABI=%s\nUSERNAME=%s\n' "$abi" "$REHEARSE_USER" | ml_sudo tee "$dir/root/memlab-setup/env" >/dev/null
}

# image_mkfs DIR: DIR/root into DIR/disk.img, a sparse ext4 file system
image_mkfs() {
	local dir=$1
	rm -f "$dir/disk.img"
	truncate -s 8G "$dir/disk.img"
	ml_sudo mkfs.ext4 -q -F -L memlab-rehearse -d "$dir/root" "$dir/disk.img" || return 1
	ml_sudo rm -rf "$dir/root"
}

# image_boot_files DIR: the kernel and initramfs the image's /boot has,
# which its boots use, as a boot loader would.
image_boot_files() {
	local dir=$1
	debugfs -R "dump /boot/vmlinuz-$abi $dir/vmlinuz" "$dir/disk.img" 2>/dev/null &&
		debugfs -R "dump /boot/initrd.img-$abi $dir/initrd.img" "$dir/disk.img" 2>/dev/null &&
		[ -s "$dir/vmlinuz" ] && [ -s "$dir/initrd.img" ]
}

# The image's key: the packages, step 1 as the guest runs it, and
# everything that builds the image.
image_key() {
	{
		echo "$abi $BASE_PACKAGES $pkgs $REHEARSE_USER"
		grep -P '^[a-z]+\t1\t' "$1"
		cat "$HERE/stage2" "$HERE/setup.sh" "$HERE/memlab-rehearse" "$HERE/memlab-rehearse.service"
		sed -n '/^image_[a-z0-9_]*() {$/,/^}$/p' "$0"
	} | sha256sum | cut -c1-12
}

# image_build DIR PLAN: build the image in DIR and run the page's step 1
# in it; results into $R (group rehearse-image).
image_build() {
	local dir=$1 plan=$2 t0 log
	ml_need_space "$(dirname "$dir")" 4000
	rm -rf "$dir"
	mkdir -p "$dir"
	t0=$(date +%s)
	ml_step "$dir/logs/root.log" "image: debootstrap (first stage) and the local repository" \
		image_root "$dir" "$pkgs" || { res record rehearse-image fail "debootstrap and repository" "see $dir/logs/root.log"; return 1; }
	ml_step "$dir/logs/mkfs.log" "image: ext4 file system" image_mkfs "$dir" &&
		ml_step "$dir/logs/stage2-initrd.log" "image: initramfs of the build boot" image_stage2_initrd "$dir" ||
		{ res record rehearse-image fail "image file system" "see $dir/logs"; return 1; }
	res record rehearse-image pass "debootstrap first stage, repository, file system" "$(($(date +%s) - t0))s"
	echo "@@ TIME image: first stage, repository, file system $(($(date +%s) - t0))" >>"$out/timings"
	t0=$(date +%s)
	log=$dir/logs/stage2-console.log
	ml_step "$dir/logs/stage2.log" "image: second stage and setup in QEMU (console: $log)" \
		image_boot "$dir" "$(readlink -f "$("$MEMLAB_TOP/scripts/kernel.sh" dir "$KERNEL")/Image")" \
		"$dir/stage2-initrd.cpio" "$log" "" off "panic=-1" -no-reboot
	res guest rehearse-image "$log" /dev/null
	rm -f "$dir/stage2-initrd.cpio"
	echo "@@ TIME image: second stage boot $(($(date +%s) - t0))" >>"$out/timings"
	image_boot_files "$dir" || { res record rehearse-image fail "the image's /boot has vmlinuz and initrd.img"; return 1; }
	# The page's step 1, into the image, as the user: the cold run's
	# real installation; the rehearsal runs it again, with nothing to do.
	t0=$(date +%s)
	awk -F'\t' '$2 == 1' "$plan" >"$dir/step1.plan"
	share_boot "$out/share" "$dir/step1.plan"
	log=$dir/logs/step1-console.log
	ml_step "$dir/logs/step1.log" "image: the page's step 1 in QEMU (console: $log)" \
		image_boot "$dir" "$dir/vmlinuz" "$dir/initrd.img" "$log" "$out/share" off "root=/dev/vda rw quiet panic=-1"
	res guest rehearse-image "$log" /dev/null
	sed -n 's/^@@ TIME /@@ TIME image: /p' "$log" >>"$out/timings"
	echo "@@ TIME image: step 1 boot $(($(date +%s) - t0))" >>"$out/timings"
	grep -q '^@@ RESULT not ok' "$dir"/logs/*-console.log && return 1
	grep -q '^@@ DONE' "$log" || return 1
	touch "$dir/.done"
}

# image PLAN: the cached image's directory, built if needed
image() {
	local plan=$1 key dir
	key=$(image_key "$plan")
	dir=$MEMLAB_CACHE/rehearse/image-$key
	if [ ! -e "$dir/.done" ]; then
		ml_say "building the rehearsal image $(basename "$dir") (a cold run: about 15 minutes)"
		image_build "$dir" "$plan" >&2 || { ml_say "image build failed; logs in $dir/logs"; return 1; }
		# Images with another key are stale now.
		find "$MEMLAB_CACHE/rehearse" -maxdepth 1 -name 'image-*' ! -name "$(basename "$dir")" \
			-exec rm -rf {} +
	fi
	echo "$dir"
}

# --- the run ------------------------------------------------------------------

res() { "$MEMLAB_TOP/scripts/results.py" "$R" "$@"; }

# share DIR: what the guest reads: its runner, the settings, and the tree
# to clone: HEAD with the changes to tracked files (git stash create), as
# branch main of a bundle (a repository on the share would belong to
# another user than the guest's, which git refuses to clone from).
share() {
	local dir=$1 rev
	rm -rf "$dir"
	mkdir -p "$dir"
	install -m 0755 "$HERE/guest.sh" "$dir/guest.sh"
	rev=$(git -C "$MEMLAB_TOP" stash create 2>/dev/null)
	[ -n "$rev" ] || rev=$(git -C "$MEMLAB_TOP" rev-parse HEAD) || ml_die "$MEMLAB_TOP is not a git checkout"
	git init -q --bare "$dir/tmp.git" &&
		git -C "$MEMLAB_TOP" push -q "$dir/tmp.git" "$rev:refs/heads/main" &&
		git --git-dir="$dir/tmp.git" symbolic-ref HEAD refs/heads/main &&
		git --git-dir="$dir/tmp.git" bundle create "$dir/memlab.bundle" --all 2>/dev/null &&
		rm -rf "$dir/tmp.git"
}

# share_boot DIR PLAN: the share's settings and plan for one boot; a new
# RUN_ID makes the guest start PLAN from the top.
share_boot() {
	printf 'REHEARSE_USER=%s\nRUN_ID=%s\n' "$REHEARSE_USER" "$(date +%s.%N)" >"$1/env"
	cp "$2" "$1/plan"
}

# timings CONSOLE...: the "@@ TIME" lines as a table
timings() {
	cat "$@" 2>/dev/null | sed -n 's/^@@ TIME //p' | awk '
		{ s = $NF; $NF = ""; sub(/ $/, ""); printf "  %5ds  %s\n", s, $0 }'
}

main() {
	local dir log t0
	"$MEMLAB_TOP/scripts/deps.sh" build qemu dt rehearse || ml_die "cannot install host packages"
	abi=$(cat "$("$MEMLAB_TOP/scripts/kernel.sh" dir "$KERNEL")/release") || ml_die "cannot prepare kernel $KERNEL"
	mkdir -p "$out" "$MEMLAB_CACHE/rehearse"
	: >"$R"
	: >"$out/timings"
	exec 9>"$MEMLAB_CACHE/rehearse/.lock"
	flock 9
	plan "$out/plan" || ml_die "cannot make a plan of docs/board.rst's steps"
	pkgs=$(plan_packages "$out/plan")
	share "$out/share" || ml_die "cannot share the tree"
	t0=$(date +%s)
	dir=$(image "$out/plan") || { res summary; return 1; }
	echo "@@ TIME image (built or cached) $(($(date +%s) - t0))" >>"$out/timings"
	# The rehearsal's boot at lower priority than its image build, when
	# asked (make check-all): the boot fills what make check leaves.
	if [ -n "${MEMLAB_REHEARSE_NICE:-}" ]; then
		renice -n "$MEMLAB_REHEARSE_NICE" -p $$ >/dev/null || ml_die "renice -n $MEMLAB_REHEARSE_NICE failed"
	fi
	share_boot "$out/share" "$out/plan"
	log=$out/console.log
	t0=$(date +%s)
	ml_step "$out/qemu.log" "rehearse docs/board.rst in QEMU (console: $log)" \
		image_boot "$dir" "$dir/vmlinuz" "$dir/initrd.img" "$log" "$out/share" on "root=/dev/vda rw quiet panic=-1"
	echo "@@ TIME rehearsal (both boots, QEMU's wall clock) $(($(date +%s) - t0))" >>"$out/timings"
	res guest rehearse "$log" /dev/null
	echo "timings (seconds):"
	timings "$out/timings" "$log"
	tap
}

# tap: the results as TAP, then the summary line
tap() {
	echo "TAP version 13"
	awk '{
		st = $1; sub(/^[A-Z]+ /, "")
		n++
		if (st == "PASS") print "ok " n " - " $0
		else if (st == "SKIP") { sub(/ -- /, " # SKIP "); print "ok " n " - " $0 }
		else print "not ok " n " - " $0
	} END { print "1.." n }' "$R"
	res summary
}

case ${1:-} in
"") main ;;
plan)
	mkdir -p "$out"
	plan "$out/plan" && cat "$out/plan"
	;;
image)
	"$MEMLAB_TOP/scripts/deps.sh" build qemu dt rehearse || exit 1
	abi=$(cat "$("$MEMLAB_TOP/scripts/kernel.sh" dir "$KERNEL")/release") || exit 1
	mkdir -p "$out/share"
	: >"$R"
	plan "$out/plan" || exit 1
	pkgs=$(plan_packages "$out/plan")
	share "$out/share" && image "$out/plan"
	;;
*) sed -n '3,16s/^# \{0,1\}//p' "$0"; exit 2 ;;
esac
