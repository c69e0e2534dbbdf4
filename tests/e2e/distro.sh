#!/bin/bash
# distro.sh - oomkit as users run it: a Debian 12 guest with systemd as PID 1
# (tests/e2e/distro/, doc/distro.md). `make install PREFIX=/usr`, `systemctl
# enable --now oomkit` and the unit's checks under real kills (mode
# install), then packaging/Containerfile's image run as the DaemonSet runs
# it (mode container). Skips when qemu or mmdebstrap is missing (a failure
# with CI=true, tests/run.sh). OOMKIT_DISTRO_PRESSURE: seconds of pressure
# for the watchdog check (default 120). OOMKIT_DISTRO_MODES: the modes
# (`make check` runs install, to stay in its time; `make check-distro` both).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
command -v qemu-system-x86_64 >/dev/null || { skip "distro: qemu-system-x86_64 not installed"; exit 0; }
command -v mmdebstrap >/dev/null || { skip "distro: mmdebstrap not installed (tests/deps.sh)"; exit 0; }
export DISTRO_APPEND="oomkit.pressure=${OOMKIT_DISTRO_PRESSURE:-120}"
# shellcheck disable=SC2086
tests/e2e/distro/run.sh ${OOMKIT_DISTRO_MODES:-install}
rc=$?
if [ "$rc" = 77 ]; then
	skip "distro: the guest cannot be built (kernel package or Debian mirror unreachable, see above)"
	exit 0
fi
exit "$rc"
