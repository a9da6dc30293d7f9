#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# kernel.sh prepare NAME   fetch or build kernel NAME into the cache
# kernel.sh dir NAME       prepare it if needed, then print its cache directory
# kernel.sh list           the kernel names this script knows
#
# NAME is one of:
#   6.1         Debian's stock arm64 6.1 kernel and headers (no KUnit)
#   6.12        debug kernel built from linux-source-6.12 (KUnit, KASAN, ...)
#   7.2         debug kernel built from Debian unstable's linux-source-7.2
#   6.12-stock  Debian's stock arm64 6.12 kernel and headers (the demo's)
#   6.1-amd64   Debian's stock amd64 6.1 headers (a build, no boot)
#
# A prepared kernel directory holds:
#   Image     the kernel QEMU boots
#   kdir      the tree out-of-tree modules are built against (symlink)
#   src       a full source tree when one exists (kunit.py, checkpatch.pl)
#   release   the kernel release string
#   kind      "debug" or "stock"
# A debug kernel is allnoconfig plus scripts/kernel/debug.config, then the
# series' own scripts/kernel/debug-SERIES.config (its page-table geometry).
# Builds are cached under $MEMLAB_CACHE/kernels, keyed by the source package
# version, both config fragments and the compiler; NAME is a symlink to the
# current one, so a cached kernel is used without touching the network.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ARCH=arm64
CROSS_COMPILE=${CROSS_COMPILE:-aarch64-linux-gnu-}
KROOT=$MEMLAB_CACHE/kernels
FRAGMENTS=()
mkdir -p "$KROOT"

apt_arm64() { "$MEMLAB_TOP/scripts/apt-private.sh" bookworm-arm64 arm64 bookworm bookworm-security -- "$@"; }
apt_amd64() { "$MEMLAB_TOP/scripts/apt-private.sh" bookworm-amd64 amd64 bookworm bookworm-security -- "$@"; }
apt_sid() { "$MEMLAB_TOP/scripts/apt-private.sh" sid-amd64 amd64 sid -- "$@"; }

# Refresh a private apt state at most once a day.
apt_fresh() {
	local fn=$1 name=$2 stamp
	stamp=$MEMLAB_CACHE/apt/$name/updated
	if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		ml_step "$MEMLAB_CACHE/logs/apt-$name.log" "apt update ($name)" "$fn" update
		touch "$stamp"
	fi
}

depends_of() {
	# depends_of APTFN PKG PATTERN: the first dependency of PKG matching PATTERN
	MEMLAB_APT_TOOL=apt-cache "$1" depends "$2" 2>/dev/null |
		awk -v pat="$3" '$1 == "Depends:" && $2 ~ pat { print $2; exit }'
}

has_pkg() {
	MEMLAB_APT_TOOL=apt-cache "$1" show "$2" >/dev/null 2>&1
}

# download APTFN DIR PKG...: fetch .debs into DIR
download() {
	local fn=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	(cd "$dir" && "$fn" download "$@")
}

prepare_stock() {
	local name=$1 meta abi image headers common kbuild dir tmp f apt=apt_arm64
	case $name in
	6.1) meta=linux-headers-arm64 ;;
	6.12-stock) meta=linux-headers-6.12-arm64 ;;
	6.1-amd64) meta=linux-headers-amd64 apt=apt_amd64 ;;
	esac
	apt_fresh apt_arm64 bookworm-arm64
	apt_fresh apt_amd64 bookworm-amd64
	headers=$(depends_of $apt "$meta" '^linux-headers-')
	[ -n "$headers" ] || ml_die "cannot resolve $meta in Debian's archive"
	abi=${headers#linux-headers-}
	# amd64 headers only build: no image to boot.
	image=
	if [ $apt = apt_arm64 ]; then
		image=linux-image-$abi-unsigned
		has_pkg apt_arm64 "$image" || image=linux-image-$abi
	fi
	common=$(depends_of $apt "$headers" '^linux-headers-.*-common')
	kbuild=$(depends_of $apt "$headers" '^linux-kbuild-')
	dir=$KROOT/stock-$abi
	if [ ! -e "$dir/.done" ]; then
		ml_need_space "$KROOT" 800
		rm -rf "$dir"
		tmp=$dir/debs
		ml_step "$MEMLAB_CACHE/logs/stock-$abi.log" "download stock kernel $abi" \
			download $apt "$tmp" ${image:+"$image"} "$headers" ${common:+"$common"}
		ml_step "$MEMLAB_CACHE/logs/stock-$abi-kbuild.log" "download $kbuild (amd64)" \
			download apt_amd64 "$tmp" "$kbuild"
		for f in "$tmp"/*.deb; do
			dpkg-deb -x "$f" "$dir/root"
		done
		rm -rf "$tmp"
		# The headers' Makefile includes the common tree by absolute path.
		sed -i "s,^include /usr/src/,include $dir/root/usr/src/," \
			"$dir/root/usr/src/linux-headers-$abi/Makefile"
		ln -sfn "root/usr/src/linux-headers-$abi" "$dir/kdir"
		ln -sfn "root/boot/vmlinuz-$abi" "$dir/Image"
		echo "$abi" >"$dir/release"
		echo stock >"$dir/kind"
		touch "$dir/.done"
	fi
	ln -sfn "$(basename "$dir")" "$KROOT/$name"
}

# source_tarball SERIES: set TARBALL to linux-source-SERIES's tarball and
# SRCVER to the package version.
source_tarball() {
	local series=$1 deb dl
	case $series in
	6.12)
		"$MEMLAB_TOP/scripts/deps.sh" host-kernel-source >&2
		SRCVER=$(dpkg-query -W -f '${Version}' linux-source-6.12)
		TARBALL=/usr/src/linux-source-6.12.tar.xz
		;;
	*)
		apt_fresh apt_sid sid-amd64
		SRCVER=$(MEMLAB_APT_TOOL=apt-cache apt_sid show "linux-source-$series" 2>/dev/null |
			awk '$1 == "Version:" { print $2; exit }')
		if [ -z "$SRCVER" ]; then
			ml_say "linux-source-$series is not in Debian unstable (any more)"
			return 1
		fi
		dl=$MEMLAB_CACHE/debs/linux-source-$series-$SRCVER
		if [ ! -e "$dl/.done" ]; then
			ml_need_space "$MEMLAB_CACHE" 400
			rm -rf "$dl"
			ml_step "$MEMLAB_CACHE/logs/source-$series.log" "download linux-source-$series $SRCVER" \
				download apt_sid "$dl" "linux-source-$series"
			deb=$(ls "$dl"/*.deb)
			dpkg-deb -x "$deb" "$dl/x"
			rm -f "$deb"
			touch "$dl/.done"
		fi
		TARBALL=$(ls "$dl"/x/usr/src/linux-source-"$series".tar.*)
		;;
	esac
}

unpack_source() {
	local series=$1 tarball=$2 src
	src=$MEMLAB_CACHE/src/linux-source-$series-$SRCVER
	if [ ! -e "$src/.done" ]; then
		ml_need_space "$MEMLAB_CACHE" 2500
		rm -rf "$src" "$src.tmp"
		mkdir -p "$src.tmp"
		ml_step "$MEMLAB_CACHE/logs/unpack-$series.log" "unpack linux-source-$series $SRCVER" \
			tar -C "$src.tmp" --strip-components=1 -xf "$tarball"
		mv "$src.tmp" "$src"
		touch "$src/.done"
	fi
	echo "$src"
}

# fragments SERIES: set FRAGMENTS to the debug config fragments, in merge
# order: the common one, then the series' own (later lines win).
fragments() {
	local own=$MEMLAB_TOP/scripts/kernel/debug-$1.config
	[ -e "$own" ] || ml_die "no config fragment $own for kernel $1"
	FRAGMENTS=("$MEMLAB_TOP/scripts/kernel/debug.config" "$own")
}

check_config() {
	# Every option of the fragments must have survived olddefconfig; where
	# two fragments name an option, the later one is what must hold.
	local cfg=$1 bad=0 line opt
	local -A want=()
	while read -r line; do
		case $line in
		CONFIG_*=*) want[${line%%=*}]=$line ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			want[${opt%% *}]=$line
			;;
		esac
	done < <(cat "${FRAGMENTS[@]}")
	for opt in "${!want[@]}"; do
		line=${want[$opt]}
		case $line in
		CONFIG_*)
			grep -qxF "$line" "$cfg" || { echo "config: $line was not kept" >&2; bad=1; } ;;
		*)
			grep -q "^$opt=" "$cfg" && { echo "config: $opt should be unset" >&2; bad=1; } ;;
		esac
	done
	return $bad
}

build_debug_kernel() {
	local src=$1 obj=$2
	local mk=(make -C "$src" O="$obj" ARCH=$ARCH CROSS_COMPILE="$CROSS_COMPILE" -j"$MEMLAB_JOBS")
	"${mk[@]}" allnoconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${FRAGMENTS[@]}"
	"${mk[@]}" olddefconfig
	check_config "$obj/.config"
	"${mk[@]}" Image modules
}

prepare_debug() {
	local series=$1 src key dir
	if ! source_tarball "$series"; then
		# Unstable moves on; a kernel built before still serves.
		[ -e "$KROOT/$series/.done" ] || ml_die "no source for kernel $series"
		ml_say "using the cached $series build: $(readlink "$KROOT/$series")"
		return 0
	fi
	fragments "$series"
	key=$( (echo "$SRCVER"; cat "${FRAGMENTS[@]}"; "${CROSS_COMPILE}gcc" --version | head -n 1) |
		sha256sum | cut -c1-12)
	dir=$KROOT/debug-$series-$SRCVER-$key
	if [ ! -e "$dir/.done" ]; then
		src=$(unpack_source "$series" "$TARBALL")
		ml_need_space "$KROOT" 1500
		rm -rf "$dir"
		mkdir -p "$dir"
		ml_step "$MEMLAB_CACHE/logs/build-$series.log" "build debug kernel $series ($SRCVER)" \
			build_debug_kernel "$src" "$dir/build"
		ln -sfn build "$dir/kdir"
		ln -sfn build/arch/arm64/boot/Image "$dir/Image"
		ln -sfn "$src" "$dir/src"
		cat "$dir/build/include/config/kernel.release" >"$dir/release"
		echo debug >"$dir/kind"
		touch "$dir/.done"
	fi
	ln -sfn "$(basename "$dir")" "$KROOT/$series"
	# Builds of this series with another key are stale now.
	find "$KROOT" -maxdepth 1 -name "debug-$series-*" ! -name "$(basename "$dir")" \
		-exec rm -rf {} +
}

prepare() {
	case $1 in
	6.1 | 6.12-stock | 6.1-amd64) prepare_stock "$1" ;;
	6.12 | 7.2) prepare_debug "$1" ;;
	*) ml_die "unknown kernel '$1' (known: $(list))" ;;
	esac
}

list() { echo "6.1 6.12 7.2 6.12-stock 6.1-amd64"; }

# One preparation of a kernel at a time per cache: a second caller of the
# same kernel waits for the first; other kernels go ahead (their downloads
# share only apt states, which apt-private.sh locks).
locked_prepare() {
	exec 9>"$KROOT/.lock-$1"
	flock 9
	prepare "$1"
	flock -u 9
}

case ${1:-} in
prepare) locked_prepare "$2" ;;
dir)
	# Cheap when cached, and rebuilds when the fragment or source changed.
	locked_prepare "$2" >&2
	readlink -f "$KROOT/$2"
	;;
list) list ;;
*)
	sed -n '3,10s/^# \{0,1\}//p' "$0"
	exit 2
	;;
esac
