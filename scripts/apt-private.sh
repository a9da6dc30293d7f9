#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# apt-private.sh NAME ARCH SUITE... -- APT-GET-ARGS...
# apt-private.sh --mirror          print the Debian mirror it uses
#
# Run apt-get against a private apt state directory under the cache, with
# the given suites of the host's Debian mirror and the given architecture.
# The host's own apt configuration and dpkg database are never touched, so
# arm64 packages can be downloaded on an amd64 host without installing them,
# and suites the host does not use (unstable) can be read. Callers of one
# state directory take turns (a lock in it): apt's own locking is off.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The mirror the host already uses for Debian (a .sources or a .list file).
mirror_of() {
	local want=$1
	if [ -n "${MEMLAB_DEBIAN_MIRROR:-}" ]; then
		case $want in
		security) echo "${MEMLAB_DEBIAN_SECURITY_MIRROR:-${MEMLAB_DEBIAN_MIRROR%/debian}/debian-security}" ;;
		*) echo "$MEMLAB_DEBIAN_MIRROR" ;;
		esac
		return
	fi
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -oE '(https?|file)://[^ ]+/debian(-security)?/?( |$)' |
		tr -d ' ' | sed 's,/$,,' |
		awk -v want="$want" '
			want == "security" && /-security$/ { print; exit }
			want != "security" && !/-security$/ { print; exit }' || true
}

if [ "${1:-}" = --mirror ]; then
	main=$(mirror_of main)
	[ -n "$main" ] || ml_die "no Debian mirror found in /etc/apt; set MEMLAB_DEBIAN_MIRROR"
	echo "$main"
	exit 0
fi

name=$1 arch=$2
shift 2
suites=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	suites+=("$1")
	shift
done
[ "${1:-}" = "--" ] && shift

dir=$MEMLAB_CACHE/apt/$name
mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/etc/parts" "$dir/etc/prefs"
# Held until apt-get exits (exec keeps the descriptor): the sources list
# below is rewritten only between two callers' runs.
exec 9>"$dir/.lock"
flock 9
: >"$dir/status"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
main=$(mirror_of main)
sec=$(mirror_of security)
[ -n "$main" ] || ml_die "no Debian mirror found in /etc/apt; set MEMLAB_DEBIAN_MIRROR"
{
	for s in "${suites[@]}"; do
		case $s in
		*-security)
			[ -n "$sec" ] && echo "deb [arch=$arch signed-by=$keyring check-valid-until=no] $sec $s main"
			;;
		*)
			echo "deb [arch=$arch signed-by=$keyring check-valid-until=no] $main $s main"
			;;
		esac
	done
} >"$dir/etc/sources.list"

exec "${MEMLAB_APT_TOOL:-apt-get}" \
	-o Dir::Etc::SourceList="$dir/etc/sources.list" \
	-o Dir::Etc::SourceParts="$dir/etc/parts" \
	-o Dir::Etc::Preferences="$dir/etc/preferences" \
	-o Dir::Etc::PreferencesParts="$dir/etc/prefs" \
	-o Dir::State="$dir" \
	-o Dir::State::Lists="$dir/lists" \
	-o Dir::State::status="$dir/status" \
	-o Dir::Cache="$dir" \
	-o Dir::Cache::Archives="$dir/archives" \
	-o Dir::Cache::pkgcache="" -o Dir::Cache::srcpkgcache="" \
	-o APT::Architecture="$arch" -o APT::Architectures="$arch" \
	-o Acquire::Languages=none \
	-o Debug::NoLocking=1 \
	-o APT::Sandbox::User=root \
	"$@"
