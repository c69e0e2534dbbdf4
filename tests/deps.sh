#!/bin/sh
# Installs, with apt-get, everything the build, the tests and the benchmarks
# need on a fresh Debian 12 machine. Run as root. Idempotent.
set -eu
PKGS="build-essential pkg-config libcmocka-dev libinih-dev libsystemd-dev
libseccomp-dev clang libclang-rt-14-dev python3 python3-prometheus-client
dbus earlyoom nohang busybox-static qemu-system-x86 xz-utils util-linux
procps cpio kmod libbpf-dev time e2fsprogs
systemd man-db python3-yaml libcap2-bin
mmdebstrap podman"
if [ "$(id -u)" != 0 ]; then
	echo "tests/deps.sh: must run as root (apt-get install)" >&2
	exit 1
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
export DEBIAN_FRONTEND=noninteractive
# earlyoom and nohang are benchmark opponents, never services on this host.
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
