#!/bin/bash
# vm-idle.sh - what a userspace killer costs at rest in the qemu guest of
# tests/e2e/vm/ (the `idle` scenario: nothing happens for 60 s after the
# killer started), earlyoom and oomkit each with its defaults, REPS boots
# each. Prints one markdown row per boot: the killer's CPU from its start to
# the window (start-up), over the window (every thread's schedstat), its
# context switches per second, threads and VmRSS at the end. TCG (software
# emulation): CPU times are inflated against real hardware; compare the
# killers with each other. Needs what tests/e2e/vm/run.sh needs.
#
#   bench/vm-idle.sh [-r REPS] [-k "KILLERS"]
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/e2e/vm/vm-lib.sh

reps=1 killers="earlyoom oomkit"
while [ $# -gt 0 ]; do
	case $1 in
	-r) reps=$2; shift 2 ;;
	-k) killers=$2; shift 2 ;;
	*) echo "usage: $0 [-r REPS] [-k KILLERS]" >&2; exit 2 ;;
	esac
done
mkdir -p "$VM_OUT"
vm_kernel || exit 77
vm_build || exit 1

echo "guest: $(cat "$VM_KDIR/version"), qemu TCG, $VM_MEM, 2 vCPUs; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "| killer | boot | start-up CPU ms | window s | CPU ms | CPU ms/min | wakeups/s | threads | VmRSS |"
echo "|---|---|---|---|---|---|---|---|---|"
boot_rep() { VM_RUN_TAG=$1 vm_boot idle "$k"; }
for k in $killers; do
	vm_parallel boot_rep $(seq 1 "$reps")
	for t in $(seq 1 "$reps"); do
		u=$VM_OUT/$(VM_RUN_TAG=$t vm_name idle "$k").user
		awk -v k="$k" -v t="$t" '/^@@IDLE / {
			for (i = 2; i <= NF; i++) { split($i, a, "="); f[a[1]] = a[2] }
			printf "| %s | %d | %s | %s | %s | %.1f | %.2f | %s | %s kB |\n", k, t, f["start_cpu_ms"],
				f["window_s"], f["cpu_ms"], f["cpu_ms"] * 60 / f["window_s"], f["switches"] / f["window_s"],
				f["threads"], f["vmrss_kb"]; found = 1 }
			END { if (!found) printf "| %s | %d | (no @@IDLE line: see %s) |\n", k, t, FILENAME }' "$u"
	done
done
