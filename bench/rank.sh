#!/bin/bash
# rank.sh BUILD - CPU time of victim selection with 100, 1,000 and 10,000
# spawned sleepers, oomkit beside earlyoom in the same run:
#  * one full `oomkit rank` (process start, scanner set-up, top 20 table),
#    per scanner (bpf, procfs);
#  * repeated selection with a kept scanner (the daemon's steady state:
#    build/bench/rank_bench), per scanner, and the naive open+read+close
#    snapshot for reference;
#  * earlyoom --dryrun selecting continuously (-m 99,99 -s 99,99): its
#    utime+stime over a window divided by the "sending SIGKILL" lines.
# The sleepers live in a v1 memory cgroup (limit 4 GiB) and are killed at
# the end. Needs root. Prints a markdown table (bench/rank.md).
set -u
BUILD=${1:-build}
OOMKIT=$BUILD/oomkit
BENCH=$BUILD/bench/rank_bench
LEVELS=${LEVELS:-"100 1000 10000"}
EO_WINDOW=${EO_WINDOW:-10}
CG=/sys/fs/cgroup/memory/oomkit-bench-rank-$$
SPAWNER=

cleanup() {
	[ -n "$SPAWNER" ] && kill "$SPAWNER" 2>/dev/null
	if [ -d "$CG" ]; then
		for _ in 1 2 3; do
			xargs -r kill -KILL < "$CG/cgroup.procs" 2>/dev/null
			sleep 0.5
		done
		rmdir "$CG" 2>/dev/null
	fi
}
trap cleanup EXIT

mkdir "$CG" && echo $((4 << 30)) > "$CG/memory.limit_in_bytes" || { echo "needs root and a v1 memory cgroup" >&2; exit 1; }

sleepers() { wc -l < "$CG/cgroup.procs"; }
# grow_to N: spawn sleepers in the cgroup until it holds N processes.
grow_to() {
	local want=$1 have
	have=$(sleepers)
	[ "$have" -ge "$want" ] && return
	bash -c 'echo $$ > "$1/cgroup.procs"; for ((i = 0; i < $2; i++)); do sleep 100000 & done; wait' \
		_ "$CG" $((want - have)) &
	SPAWNER=$!
	while [ "$(sleepers)" -lt $((want + 1)) ]; do sleep 0.5; done
}

# one_shot SCANNER: median CPU ms (user+sys, getrusage of the child) of 5
# runs of `oomkit rank`.
one_shot() {
	/usr/bin/python3 - "$OOMKIT" "$1" <<'EOF'
import resource, subprocess, sys
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r.ru_utime + r.ru_stime) * 1000
runs = []
for _ in range(5):
    c = cpu()
    subprocess.run([sys.argv[1], "rank", "--scanner", sys.argv[2]], stdout=subprocess.DEVNULL, check=True)
    runs.append(cpu() - c)
print("%.1f" % sorted(runs)[2])
EOF
}

# earlyoom: CPU ms per selection over EO_WINDOW seconds after a warm-up.
source "$(dirname "$0")/opponent.sh"
earlyoom_cpu() {
	local log pid t0 t1 n0 n1 tck
	log=$(mktemp)
	"$(opponent_earlyoom)" --dryrun -m 99,99 -s 99,99 -r 0 > "$log" 2>&1 &
	pid=$!
	tck=$(getconf CLK_TCK)
	sleep 2
	t0=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat"); n0=$(grep -c 'sending SIG' "$log")
	sleep "$EO_WINDOW"
	t1=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat"); n1=$(grep -c 'sending SIG' "$log")
	kill "$pid"; wait "$pid" 2>/dev/null
	rm -f "$log"
	awk -v t=$((t1 - t0)) -v n=$((n1 - n0)) -v hz="$tck" \
		'BEGIN { if (n > 0) printf "%.2f (%d selections)", t * 1000 / hz / n, n; else print "n/a" }'
}

scans_for() { case $1 in 100) echo 400 ;; 1000) echo 100 ;; *) echo 30 ;; esac; }
naive_for() { case $1 in 100) echo 40 ;; 1000) echo 10 ;; *) echo 3 ;; esac; }
field() { awk -v f="$2" '{ print $f }' <<<"$1"; }

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); kernel $(uname -r); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); $(free -g | awk '/^Mem:/ { print $2 }') GiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| sleepers | processes | rank once bpf | rank once procfs | repeated bpf | repeated procfs | repeated naive snapshot | earlyoom per selection | bpf vs earlyoom |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in $LEVELS; do
	grow_to "$n"
	procs=$(ls /proc | grep -c '^[0-9]')
	o_bpf=$(one_shot bpf)
	o_proc=$(one_shot procfs)
	r_bpf=$("$BENCH" bpf "$(scans_for "$n")")
	r_proc=$("$BENCH" procfs "$(scans_for "$n")")
	r_naive=$("$BENCH" snapshot "$(naive_for "$n")")
	eo=$(earlyoom_cpu)
	ratio=$(awk -v a="$(field "$r_bpf" 4)" -v b="${eo%% *}" 'BEGIN { if (b + 0 > 0) printf "1/%.0f", b / a; else print "n/a" }')
	echo "| $n | $procs | ${o_bpf} ms | ${o_proc} ms | $(field "$r_bpf" 4) ms | $(field "$r_proc" 4) ms | $(field "$r_naive" 4) ms | $eo ms | $ratio |"
done
