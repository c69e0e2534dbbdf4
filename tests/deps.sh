#!/bin/sh
# tests/deps.sh [build|test]: installs, with apt-get, what oomkit needs on
# Debian 12, Debian 13 or Ubuntu 24.04. Run as root. Idempotent.
#   build (the default, `make deps`): what building and running oomkit
#         needs: the compiler, make, pkg-config, inih; libbpf and clang for
#         the BPF scanner; libsystemd for D-Bus.
#   test  (`make deps-test`): the above and what the test suite and the
#         benchmarks need besides.
# tests/deps.sh --list [build|test] prints the packages asked for, one a
# line, and installs nothing (no root needed; tests/e2e/deps.sh).
# No other OOM killer is ever installed: the tests and benchmarks that run
# earlyoom or nohang unpack their .deb into a private folder (dpkg-deb -x).
set -eu
list=
[ "${1:-}" = --list ] && { list=1; shift; }
mode=${1:-build}
BUILD_PKGS="build-essential pkg-config libinih-dev libbpf-dev clang libsystemd-dev"
TEST_PKGS="libcmocka-dev libseccomp-dev python3 python3-prometheus-client
python3-yaml dbus busybox-static qemu-system-x86 xz-utils util-linux procps
cpio kmod time e2fsprogs universal-ctags systemd man-db libcap2-bin
mmdebstrap podman"
case $mode in
build) pkgs=$BUILD_PKGS ;;
test) pkgs="$BUILD_PKGS $TEST_PKGS" ;;
*) echo "tests/deps.sh: unknown mode '$mode'" >&2
   echo "usage: tests/deps.sh [build|test]" >&2
   exit 2 ;;
esac
export DEBIAN_FRONTEND=noninteractive

# clang_rt: libclang-rt-N-dev (libFuzzer) for the N that `clang` points at
# (14 on Debian 12, 19 on Debian 13, 18 on Ubuntu 24.04).
clang_rt() {
	v=$(apt-cache depends clang 2>/dev/null | sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -1)
	[ -n "$v" ] && apt-cache show "libclang-rt-$v-dev" >/dev/null 2>&1 && echo "libclang-rt-$v-dev"
}

if [ -n "$list" ]; then
	# shellcheck disable=SC2086
	printf '%s\n' $pkgs
	[ "$mode" = test ] && { clang_rt || { echo "tests/deps.sh: apt has no libclang-rt-N-dev for its clang" >&2; exit 1; }; }
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "tests/deps.sh: must run as root (apt-get install)" >&2
	exit 1
fi

missing_of() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || printf '%s ' "$p"
	done
}

# shellcheck disable=SC2086
missing=$(missing_of $pkgs)
if [ "$mode" = test ]; then
	rt=$(clang_rt) || { apt-get update -qq && rt=$(clang_rt); } ||
		{ echo "tests/deps.sh: apt has no libclang-rt-N-dev for its clang" >&2; exit 1; }
	missing="$missing$(missing_of "$rt")"
fi
# An earlier version of this script installed earlyoom and nohang, and
# Debian enables their services at boot: say so, never change it here.
for k in earlyoom nohang nohang-desktop systemd-oomd; do
	if command -v systemctl >/dev/null && systemctl is-enabled --quiet "$k" 2>/dev/null; then
		echo "tests/deps.sh: note: $k.service is enabled and would run beside oomkit" \
			"(systemctl disable --now $k; the tests and benchmarks do not need it)" >&2
	fi
done
[ -z "$missing" ] && exit 0
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
