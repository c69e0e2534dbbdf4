#!/bin/bash
# vm-compare.sh - the pressure scenarios of tests/e2e/vm/ with no userspace
# killer (the kernel alone), earlyoom, nohang and oomkit (each with its
# defaults), then REPS runs of hog-fast with oomkit counting kernel OOM kills.
# Prints a markdown table (also written to bench/out/vm-compare-DATE.md).
# --idle instead: the cost at rest of earlyoom and oomkit (scenario idle:
# nothing happens for 60 s after the killer started), REPS boots each (1):
# the killer's CPU from its start to the window (start-up), over the window
# (every thread's schedstat), context switches per second, threads and
# VmRSS at the end; TCG inflates CPU times, compare the killers.
#
#   bench/vm-compare.sh [-r REPS] [-k "KILLERS"] [SCENARIO...]
#   bench/vm-compare.sh --idle [-r REPS] [-k "KILLERS"]
#
# Per scenario and killer: kernel kills (/proc/vmstat oom_kill), false kills
# (benign bursts killed: scenario burst, a task that stopped with half the
# SIGTERM floor's headroom left and would have fit), who died
# and how (signal), seconds from the start of the pressure to that death,
# the heartbeat's worst lateness during the pressure, MemAvailable before
# the pressure and 1 s after it ended, the killer's CPU (utime + stime) at
# the end of the pressure (in brackets: at its start, the killer's start-up
# and 2 s or more of waiting; then its read syscalls and voluntary context
# switches during the pressure, counts the host's load does not inflate as
# it does CPU times under TCG). TCG (software emulation): timings are
# relative to each other, not to real hardware. Needs what run.sh needs.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/e2e/vm/vm-lib.sh

reps= killers= idle=0
while [ $# -gt 0 ]; do
	case $1 in
	-r) reps=$2; shift 2 ;;
	-k) killers=$2; shift 2 ;;
	--idle) idle=1; shift ;;
	-*) echo "usage: $0 [--idle] [-r REPS] [-k KILLERS] [SCENARIO...]" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ "$idle" = 1 ]; then
	: "${reps:=1}" "${killers:=earlyoom oomkit}"
else
	: "${reps:=20}" "${killers:=none earlyoom nohang oomkit}"
fi
# shellcheck disable=SC2086
[ $# -gt 0 ] || set -- $VM_PRESSURE
mkdir -p "$VM_OUT" bench/out
vm_kernel || exit 77
vm_build || exit 1

# idle_rows KILLER: the table rows of its REPS idle boots
idle_rows() {
	local k=$1 t u
	boot_idle() { VM_RUN_TAG=$1 vm_boot idle "$k"; }
	vm_parallel boot_idle $(seq 1 "$reps")
	for t in $(seq 1 "$reps"); do
		u=$VM_OUT/$(VM_RUN_TAG=$t vm_name idle "$k").user
		awk -v k="$k" -v t="$t" '/^@@IDLE / {
			for (i = 2; i <= NF; i++) { split($i, a, "="); f[a[1]] = a[2] }
			printf "| %s | %d | %s | %s | %s | %.1f | %.2f | %s | %s kB |\n", k, t, f["start_cpu_ms"],
				f["window_s"], f["cpu_ms"], f["cpu_ms"] * 60 / f["window_s"], f["switches"] / f["window_s"],
				f["threads"], f["vmrss_kb"]; found = 1 }
			END { if (!found) printf "| %s | %d | (no @@IDLE line: see %s) |\n", k, t, FILENAME }' "$u"
	done
}
if [ "$idle" = 1 ]; then
	echo "guest: $(cat "$VM_KDIR/version"), qemu TCG, $VM_MEM, 2 vCPUs; $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "| killer | boot | start-up CPU ms | window s | CPU ms | CPU ms/min | wakeups/s | threads | VmRSS |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for k in $killers; do idle_rows "$k"; done
	exit 0
fi

# row SCENARIO KILLER: one table row from the run's user channel
row() {
	local u=$VM_OUT/$(vm_name "$1" "$2").user
	awk -v sc="$1" -v k="$2" '
		/^@@MEMAVAIL before=/ { split($2, a, "="); before = a[2] }
		/^@@MEMAVAIL after=/ { split($2, a, "="); after = a[2] }
		/^@@VMSTAT oom_kill/ { kk = $3 }
		/^@@BENIGN / { benign++; if ($3 == "killed") fk++ }
		function field(k,   i, a) { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] } return "" }
		/^@@KILLER_CPU / { cpu = field("ms"); r1 = field("reads"); w1 = field("wakes") }
		/^@@KILLER_CPU_START / { cpu0 = field("ms"); r0 = field("reads"); w0 = field("wakes") }
		/^@@HEARTBEAT/ { split($2, a, "="); stall = a[2] }
		/^@@END / {
			label = $2; sub("label=", "", label); how = $4; secs = $5; sub("secs=", "", secs)
			if (how == "timeout") { if (died == "") died = "nothing (" label " alive at " int(secs) " s)" }
			else if (first == "") { first = secs; died = label " (" how ")" }
		}
		/^@@ASSERT fail .* died$/ && !/^@@ASSERT fail burst / { x = $0; sub(/^@@ASSERT fail /, "", x); sub(/ died$/, "", x); extra = extra ", " x }
		/^@@ASSERT ok exactly one hog died/ { died = "one hog" }
		/^@@DONE/ { done = 1 }
		END {
			if (died == "") { died = "-" }
			if (!done) { died = died " (guest did not finish)" }
			printf "| %s | %s | %s | %s | %s%s | %s | %s ms | %s -> %s MiB | %s |\n", sc, k,
				(kk > 0 ? "yes (" kk ")" : "no"), (benign ? (fk + 0) " of " benign : "-"), died, extra,
				(first == "" ? "-" : first " s"), (stall == "" ? "-" : stall), before, after,
				(cpu == "" ? "-" : cpu " ms" (cpu0 == "" ? "" : " (" cpu0 " before; during: " r1 - r0 " reads, " w1 - w0 " wakes)"))
		}' "$u"
}

out=bench/out/vm-compare-$(date -u +%Y%m%dT%H%M).md
{
	echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -r); guest: $(cat "$VM_KDIR/version"), qemu TCG, $VM_MEM, 2 vCPUs; $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "| scenario | killer | kernel had to kill | false kills | who died | time to the kill | heartbeat worst stall | MemAvailable before -> after | killer CPU |"
	echo "|---|---|---|---|---|---|---|---|---|"
} | tee "$out"
for k in $killers; do vm_boot_all "$k" "$@"; done
for sc in "$@"; do for k in $killers; do row "$sc" "$k"; done; done | tee -a "$out"

if [ "$reps" -gt 0 ]; then
	tags=$(seq 1 "$reps")
	boot_rep() { VM_RUN_TAG=$1 vm_boot hog-fast oomkit; }
	vm_parallel boot_rep $tags
	kills=0 runs=0 victims=0
	for t in $tags; do
		u=$VM_OUT/$(VM_RUN_TAG=$t vm_name hog-fast oomkit).user
		k=$(awk '/^@@VMSTAT oom_kill/ {print $3}' "$u" 2>/dev/null)
		# a guest that did not get to the scenario (no @@VMSTAT) is no run
		[ -n "$k" ] || { echo "run $t: no outcome (guest did not finish)" >&2; continue; }
		runs=$((runs + 1))
		kills=$((kills + k))
		grep -q '^@@ASSERT ok hog .* killed by signal' "$u" && victims=$((victims + 1))
	done
	printf '\n%s runs of hog-fast with oomkit: kernel OOM kills %s in total; hog killed before the timeout in %s runs\n' \
		"$runs" "$kills" "$victims" | tee -a "$out"
fi
echo "written: $out" >&2
