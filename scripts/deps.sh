#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# deps.sh [GROUP...]: install the host (amd64 Debian) packages memlab needs,
# only those missing, with apt (through sudo when not root). Groups:
#   build               cross compiler and kernel build tools
#   qemu                qemu-system-aarch64
#   dt                  dtc, fdtoverlay, dt-schema
#   check               sparse, clang/libFuzzer with sanitizers
#   host-kernel-source  linux-source-6.12 (the debug 6.12 kernel's source)
#   rehearse            what make rehearse builds its Debian image with
# With no group, make check's: all but rehearse. "all" is every group (make
# check-all). arm64 packages are never installed here: the guest's are
# fetched with apt-get download by the other scripts.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs_build="make gcc libc6-dev dwarves gcc-aarch64-linux-gnu libc6-dev-arm64-cross bc bison flex libssl-dev libelf-dev cpio gzip xz-utils kmod python3 python3-docutils perl rsync file ca-certificates debian-archive-keyring"
pkgs_qemu="qemu-system-arm"
pkgs_dt="device-tree-compiler dt-schema"
pkgs_check="sparse clang lld llvm libclang-rt-14-dev"
pkgs_host_kernel_source="linux-source-6.12"
pkgs_rehearse="debootstrap e2fsprogs dpkg-dev git"

check_groups=(build qemu dt check host-kernel-source)
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=("${check_groups[@]}")
[ "${groups[*]}" != all ] || groups=("${check_groups[@]}" rehearse)
want=()
for g in "${groups[@]}"; do
	v=pkgs_${g//-/_}
	[ -n "${!v+x}" ] || ml_die "deps.sh: unknown group '$g'"
	for p in ${!v}; do
		if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
			want+=("$p")
		fi
	done
done
[ ${#want[@]} -eq 0 ] && exit 0

ml_say "installing host packages: ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$MEMLAB_CACHE/logs/apt-install.log
mkdir -p "$(dirname "$log")"
ml_step "$log" "apt-get update" ml_sudo apt-get update
ml_step "$log.2" "apt-get install ${#want[@]} packages" \
	ml_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${want[@]}"
