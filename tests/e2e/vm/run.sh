#!/bin/bash
# run.sh - builds the qemu guest and runs OOM scenarios in it.
#
#   tests/e2e/vm/run.sh [-k KILLER] [--save-fixtures] [--pressure] [SCENARIO...]
#
# With no SCENARIO: every fixture scenario (the kernel alone); --pressure:
# every pressure scenario; --list: both lists. -k KILLER
# (none, earlyoom, nohang, oomkit) starts that userspace killer in the guest
# first; the pressure scenarios are meant for it. --save-fixtures copies each
# passing fixture's kernel console to tests/fixtures/vm/SCENARIO.log and its
# facts to SCENARIO.facts. Prints "ok vm/NAME" / "not ok vm/NAME: why" (with
# the guest's logs) per scenario; exit status 0 when all passed, 1 when one
# failed, 77 when the guest cannot be built (no qemu, no kernel package).
# Environment: OOMKIT_VM_CACHE (downloads, default tests/e2e/vm/cache),
# OOMKIT_VM_OUT (logs, default build/vm), OOMKIT_VM_JOBS (guests at a time,
# at most 2), OOMKIT_VM_TIMEOUT (seconds per guest), OOMKIT_VM_BIN (the
# oomkit copied in, default build/oomkit).
set -u
. "$(dirname "$0")/vm-lib.sh"

killer=none save=0
while [ $# -gt 0 ]; do
	case $1 in
	-k) killer=$2; shift 2 ;;
	--save-fixtures) save=1; shift ;;
	--pressure) shift; set -- $VM_PRESSURE "$@"; break ;;
	--list) echo "fixtures: $VM_FIXTURES"; echo "pressure: $VM_PRESSURE"; exit 0 ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
# shellcheck disable=SC2086
[ $# -gt 0 ] || set -- $VM_FIXTURES

command -v qemu-system-x86_64 >/dev/null || { echo "vm: qemu-system-x86_64 not installed" >&2; exit 77; }
mkdir -p "$VM_OUT"
vm_kernel || exit 77
vm_build || exit 1
vm_run_all "$killer" "$@"
rc=$?
if [ "$save" = 1 ]; then
	fx=$VM_ROOT/tests/fixtures/vm
	mkdir -p "$fx"
	for sc in "$@"; do
		[ -z "$(vm_check "$sc" none)" ] || continue
		cp "$VM_OUT/$sc.log" "$fx/$sc.log"
		cp "$VM_OUT/$sc.facts" "$fx/$sc.facts"
		vm_log "saved $fx/$sc.{log,facts}"
	done
fi
exit $rc
