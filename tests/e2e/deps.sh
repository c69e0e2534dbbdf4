#!/bin/bash
# deps.sh - what tests/deps.sh installs on a fresh system: apt-get's
# simulation (-s) of its install, with no package installed
# (Dir::State::status=/dev/null) and its --no-install-recommends, must
# resolve (the versioned names, libclang-rt-N-dev, found by what apt has)
# and bring no OOM killer other than oomkit: not earlyoom, nohang or
# systemd-oomd, which Debian enables at boot. `tests/deps.sh` (build) must
# also leave out what only the tests need (qemu, cmocka).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
trap e2e_cleanup EXIT

command -v apt-get >/dev/null || { skip "deps: no apt-get (tests/deps.sh is for Debian and Ubuntu)"; exit 0; }
# a machine whose package lists were never fetched knows no package
apt-cache show build-essential >/dev/null 2>&1 || apt-get update -qq >/dev/null 2>&1

KILLERS='^(earlyoom|nohang|nohang-desktop|systemd-oomd|oomd)$'

simulated() { # MODE: the packages a fresh system would get, one a line
	local pkgs
	pkgs=$(sh tests/deps.sh --list "$1") || return 1
	# shellcheck disable=SC2086
	apt-get -s -o Dir::State::status=/dev/null install --no-install-recommends $pkgs 2>&1 |
		awk '/^Inst / { print $2 }'
}

for mode in build test; do
	s=$(simulated "$mode")
	if [ -z "$s" ]; then
		not_ok "deps_${mode}_resolves: apt-get cannot install what tests/deps.sh --list $mode names"
		continue
	fi
	ok "deps_${mode}_resolves"
	k=$(grep -E "$KILLERS" <<<"$s" | tr '\n' ' ')
	if [ -z "$k" ]; then ok "deps_${mode}_no_other_oom_killer"; else not_ok "deps_${mode}_no_other_oom_killer: $k"; fi
	[ "$mode" = build ] || continue
	t=$(grep -E '^(qemu-system-x86|libcmocka-dev|busybox-static)$' <<<"$s" | tr '\n' ' ')
	if [ -z "$t" ]; then ok deps_build_not_test_packages; else not_ok "deps_build_not_test_packages: $t"; fi
done
exit "$E2E_FAILED"
