#!/bin/bash
# first_run.sh - README's first command on a fresh Debian 12: a minbase root
# made by mmdebstrap from Debian's packages (nothing else installed), this
# tree copied in, then `tests/deps.sh && make && ./build/oomkit rank` in a
# chroot with the host's /proc. It must end with oomkit ranking the host's
# processes and with no other OOM killer installed or enabled (earlyoom,
# nohang and systemd-oomd are enabled at boot by their Debian packages).
# OOMKIT_FIRST_RUN_SUITES: the Debian suites to try (default bookworm;
# trixie works the same way). The root tar is cached beside the distro
# guest's (OOMKIT_VM_CACHE).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/distro/distro-lib.sh

have_root || { skip "first_run: needs root (chroot, apt-get)"; exit 0; }
for c in mmdebstrap chroot git; do
	command -v "$c" >/dev/null || { skip "first_run: $c not installed (tests/deps.sh test)"; exit 0; }
done
ROOT=
MOUNTS=()
cleanup() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTS[i]}" 2>/dev/null; done
	MOUNTS=()
	# never into a bind mount that failed to go: the host's /dev is there
	[ -n "$ROOT" ] && rm -rf --one-file-system "$ROOT"
	ROOT=
}
trap 'cleanup; e2e_cleanup' EXIT
KILLERS='earlyoom|nohang|nohang-desktop|systemd-oomd|oomd'

bind() { mkdir -p "$ROOT$1" && mount --bind "$1" "$ROOT$1" && MOUNTS+=("$ROOT$1"); }

# fresh_root SUITE: $ROOT, a new minbase root of SUITE with this tree in /src
fresh_root() {
	DISTRO_SUITE=$1 DISTRO_PKGS=ca-certificates distro_rootfs || return 1
	ROOT=$(mktemp -d /tmp/oomkit-first-run.XXXXXX)
	tar -xf "$DISTRO_TAR" -C "$ROOT" || return 1
	mkdir -p "$ROOT/src"
	git ls-files -z | tar --null -T - -c | tar -x -C "$ROOT/src" || return 1
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
	bind /proc && bind /dev && bind /sys
}

# killers_left: what a boot would start beside oomkit (installed packages,
# enabled units), one a line
killers_left() {
	chroot "$ROOT" dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' 2>/dev/null |
		awk -v re="^($KILLERS)\$" '$1 ~ re && $2 ~ /^i/ { print "installed " $1 }'
	find "$ROOT/etc/systemd/system" "$ROOT/etc/init.d" -regextype egrep \
		-regex ".*/($KILLERS)(\.service)?" 2>/dev/null | sed "s|^$ROOT|enabled |"
}

for suite in ${OOMKIT_FIRST_RUN_SUITES:-bookworm}; do
	n=first_run_$suite
	if ! fresh_root "$suite"; then
		not_ok "${n}_root: no fresh $suite root (mmdebstrap from $DISTRO_MIRROR, see above)"
		cleanup
		continue
	fi
	t0=$(date +%s)
	out=$(chroot "$ROOT" /bin/sh -c 'cd /src && tests/deps.sh && make && ./build/oomkit rank' 2>&1)
	rc=$?
	echo "# $suite: README's first command took $(($(date +%s) - t0)) s (exit $rc)"
	# the host's processes, seen through its /proc, not only the chroot's shell
	nr=$(sed -n 's/^\([0-9][0-9]*\) processes (.*/\1/p' <<<"$out")
	if [ "$rc" = 0 ] && grep -qE '^ +PID USER +NAME' <<<"$out" && [ "${nr:-0}" -ge 10 ]; then
		ok "${n}_command"
	else
		not_ok "${n}_command: exit $rc, last lines: $(tail -5 <<<"$out" | tr '\n' '|')"
	fi
	left=$(killers_left)
	if [ -z "$left" ]; then ok "${n}_no_other_oom_killer"; else not_ok "${n}_no_other_oom_killer: $(tr '\n' ' ' <<<"$left")"; fi
	cleanup
done
exit "$E2E_FAILED"
