#!/bin/bash
# run.sh - builds the Debian 12 guest (systemd as PID 1, cgroup v2, oomkit
# installed with `make install PREFIX=/usr`) and runs tests in it.
#
#   tests/e2e/distro/run.sh [MODE...]     default: install container
#   tests/e2e/distro/run.sh --shell       a root shell on the serial console
#
# MODE: install (the unit's checks), container (packaging/Containerfile's
# image run as the DaemonSet runs it). Prints the guest's "ok distro/..." /
# "not ok distro/...: why" lines; exit status 0 when all passed, 1 when one
# failed, 77 when the guest cannot be built (no qemu, mmdebstrap or kernel).
# Environment: OOMKIT_VM_CACHE (downloads; the root tar goes to its distro/),
# OOMKIT_DISTRO_OUT (image and logs, default build/distro), OOMKIT_DISTRO_MEM
# (default 1024M), OOMKIT_DISTRO_TIMEOUT (seconds per boot, default 900),
# OOMKIT_DISTRO_NOBUILD=1 (boot the image already built).
set -u
. "$(dirname "$0")/distro-lib.sh"

if [ "${1:-}" = --shell ]; then
	distro_build || exit $?
	echo "distro: root shell on the serial console; 'poweroff' (or Ctrl-a x) to leave" >&2
	exec qemu-system-x86_64 -accel tcg -m "$DISTRO_MEM" -smp 2 \
		-kernel "$(vm_kernel_image)" -initrd "$DISTRO_OUT/initrd.gz" \
		-append "console=ttyS0 panic=-1 oomkit.test=shell" \
		-drive "file=$DISTRO_OUT/disk.img,if=virtio,format=raw,snapshot=on" \
		-nic none -vga none -display none -no-reboot -serial mon:stdio
fi
[ $# -gt 0 ] || set -- install container
if [ -z "${OOMKIT_DISTRO_NOBUILD:-}" ]; then
	t0=$(date +%s)
	distro_build
	rc=$?
	[ "$rc" = 0 ] || exit "$rc"
	distro_log "image built in $(( $(date +%s) - t0 )) s"
else
	vm_kernel || exit 77
fi
fails=0
for mode in "$@"; do
	name=${mode//:/-}
	distro_boot "$name" "$mode"
	distro_result "$name" || fails=$((fails + 1))
	echo "# distro/$name: qemu $(cat "$DISTRO_OUT/$name.rc")"
done
[ "$fails" = 0 ]
