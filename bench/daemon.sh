#!/bin/bash
# bench/daemon.sh - the daemon's selection cost, measured the way earlyoom's
# is: a dry run whose trigger always holds (-m 100: MemAvailable is always
# at or below 100%) selects again every pass; CPU time / passes over a
# window after start-up = the cost of one sample + scan + choice for this
# machine's process count.
# usage: bench/daemon.sh [OOMKIT] [SECONDS]
#   Without PROCS: one daemon (default scanner) on the machine as it is,
#   over SECONDS after a 1 s start-up.
#   PROCS=N (root, v1 memory and pids cgroups): N extra processes that only
#   wait (build/bench/pause_procs, static, forked into a memory cgroup
#   limited to MEM_BUDGET_MB and a pids cgroup): N - DISTINCT identical
#   small ones (or, with TIED_MIB, identical ones of TIED_MIB RSS each,
#   shared copy-on-write: the biggest processes, all tied) and DISTINCT
#   (default 32) of distinct sizes above them. Their cost is measured on
#   1,000 first; N is lowered to what fits in 90% of MEM_BUDGET_MB (default
#   8192). Then, on one table:
#     growth: daemons started before the N processes appear (the
#       scanner's arrays are sized for the processes at start-up), VmRSS and
#       VmData at start, once the N are there, and PASSES passes later;
#     steady: a daemon started with the N there, per scanner (SCANNERS,
#       default "bpf procfs", [daemon] scanner): CPU per pass, VmRSS and VmData over PASSES passes
#       (default 1000);
#     earlyoom --dryrun -m 99,99 -s 99,99 -r 0 in the same run: CPU per
#       "sending SIG" line over EO_SELECTIONS selections (EARLYOOM=0: not).
#   Every window also ends after MAX_SECS. Cleanup (trap): pids.max=0,
#   SIGKILL over cgroup.procs until empty, rmdir, pid_max restored.
set -u
OOMKIT=${1:-build/oomkit}
SECS=${2:-5}
PROCS=${PROCS:-0}
SCANNERS=${SCANNERS:-"bpf procfs"}
PASSES=${PASSES:-1000}
MAX_SECS=${MAX_SECS:-120}
MEM_BUDGET_MB=${MEM_BUDGET_MB:-8192}
DISTINCT=${DISTINCT:-32}
TIED_MIB=${TIED_MIB:-0}
EO_SELECTIONS=${EO_SELECTIONS:-10}
PAUSE=${PAUSE:-$(dirname "$OOMKIT")/bench/pause_procs}
TCK=$(getconf CLK_TCK)
DAEMONS=() LOGS=()

# start_daemon SCANNER: a dry-run daemon whose trigger always holds; sets
# DPID and DLOG.
start_daemon() {
	DLOG=$(mktemp)
	"$OOMKIT" daemon --config /dev/null --dry-run -m 100,0 --psi off --psi-sustained off \
		--no-mlockall --set daemon.interval_min=1ms --set daemon.scanner="$1" 2>"$DLOG" &
	DPID=$!
	DAEMONS+=("$DPID") LOGS+=("$DLOG")
}
# stop_daemon PID [LOG]: and forget it (its pid may be reused by the time of
# cleanup); LOG's lines other than would-be kills go to stderr.
stop_daemon() {
	local keep=() p
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	if [ -n "${2:-}" ]; then
		grep -v -e "would send" -e "sending SIG" -e "dryrun" "$2" | sort | uniq -c | sort -rn | head -8 >&2
	fi
	for p in "${DAEMONS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	DAEMONS=("${keep[@]}")
}
# utime + stime in ticks (the comm may hold spaces: fields after ") ")
cpu() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
passes() { grep -c "$2" "$1"; }
procs_now() { find /proc -maxdepth 1 -name '[0-9]*' | wc -l; }
method() { grep -o "scanner [a-z]*" "$1" | head -1 | cut -d' ' -f2; }

# wait_passes LOG PATTERN N: until N more lines match, or MAX_SECS.
wait_passes() {
	local want=$(($(passes "$1" "$2") + $3)) end=$((SECONDS + MAX_SECS))
	while [ "$(passes "$1" "$2")" -lt "$want" ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.5; done
}

# window PID LOG PATTERN N: prints "passes cpu_per_pass rss0 rss1 data0 data1";
# cpu_per_pass is "X_ms", or "none:Y%_CPU" when no pass printed anything.
window() {
	local c0 c1 p0 p1 r0 r1 d0 d1 s0=$SECONDS
	c0=$(cpu "$1"); p0=$(passes "$2" "$3"); r0=$(status_kb "$1" VmRSS); d0=$(status_kb "$1" VmData)
	wait_passes "$2" "$3" "$4"
	c1=$(cpu "$1"); p1=$(passes "$2" "$3"); r1=$(status_kb "$1" VmRSS); d1=$(status_kb "$1" VmData)
	awk -v c=$((c1 - c0)) -v n=$((p1 - p0)) -v t="$TCK" -v s=$((SECONDS - s0)) -v r="$r0 $r1 $d0 $d1" \
		'BEGIN { if (n) printf "%d %.2f_ms %s\n", n, 1000 * c / t / n, r
			 else printf "0 none:%.0f%%_CPU %s\n", s ? 100 * c / t / s : 0, r }'
}

if [ "$PROCS" -eq 0 ]; then
	start_daemon bpf
	sleep 1 # start-up (BPF iterator load, first scan) is not the steady state
	read -r n ms _ r1 _ < <(MAX_SECS=$SECS window "$DPID" "$DLOG" "dry-run: would send" 1000000)
	m=$(method "$DLOG")
	stop_daemon "$DPID"
	echo "processes $(procs_now): $n passes in $SECS s, ${ms//_/ } cpu per pass, VmRSS $r1 kB, scanner $m"
	rm -f "$DLOG"
	exit 0
fi

# ---- PROCS=N ---------------------------------------------------------------
NAME=oomkit-bench-daemon-$$
MCG=/sys/fs/cgroup/memory/$NAME PCG=/sys/fs/cgroup/pids/$NAME
PID_MAX0=$(cat /proc/sys/kernel/pid_max)
SPAWNER=

kill_procs() {
	[ -d "$PCG" ] && echo 0 > "$PCG/pids.max"
	[ -n "$SPAWNER" ] && kill -KILL "$SPAWNER" 2>/dev/null && wait "$SPAWNER" 2>/dev/null
	SPAWNER=
	for _ in $(seq 100); do
		[ -n "$(head -c1 "$MCG/cgroup.procs")" ] || break # cgroup files have size 0
		xargs -r kill -KILL < "$MCG/cgroup.procs" 2>/dev/null
		sleep 0.2
	done
}
cleanup() {
	for p in "${DAEMONS[@]}"; do stop_daemon "$p"; done
	[ -d "$MCG" ] && kill_procs
	rmdir "$MCG" "$PCG" 2>/dev/null
	echo "$PID_MAX0" > /proc/sys/kernel/pid_max
	rm -f "${LOGS[@]}"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# spawn N: N pause processes (DISTINCT, TIED_MIB) in the cgroups; waits
# until they are there.
spawn() {
	local out
	echo $(($1 + 10)) > "$PCG/pids.max"
	out=$(mktemp)
	sh -c 'echo $$ > "$1/cgroup.procs" && echo $$ > "$2/cgroup.procs" && exec "$3" "$4" "$5" "$6"' \
		_ "$MCG" "$PCG" "$PAUSE" "$1" "$DISTINCT" "$TIED_MIB" > "$out" &
	SPAWNER=$!
	while ! grep -q forked "$out"; do sleep 0.2; done
	cat "$out" >&2
	rm -f "$out"
}

[ -x "$PAUSE" ] || { echo "$PAUSE: build it first (make bench-daemon)" >&2; exit 1; }
mkdir "$MCG" "$PCG" || { echo "needs root and v1 memory + pids cgroups" >&2; exit 1; }
echo $((MEM_BUDGET_MB << 20)) > "$MCG/memory.limit_in_bytes"
threads=$(cat /proc/sys/kernel/threads-max)
[ "$threads" -gt $((PROCS + 2000)) ] || { echo "threads-max $threads < PROCS" >&2; exit 1; }
[ "$PID_MAX0" -gt $((PROCS * 2)) ] || echo $((PROCS * 2 + 65536)) > /proc/sys/kernel/pid_max

spawn 1000
per_kb=$((($(cat "$MCG/memory.usage_in_bytes") / 1024 - (TIED_MIB + DISTINCT) * 1024) / 1000))
kill_procs
fit=$(((MEM_BUDGET_MB * 9 / 10 - TIED_MIB - DISTINCT) * 1024 / per_kb))
echo "one process costs $per_kb kB (memory.usage_in_bytes / 1000, kernel memory included):" \
	"$PROCS need $((PROCS * per_kb / 1024)) MiB, $fit fit in 90% of $MEM_BUDGET_MB MiB" >&2
[ "$PROCS" -gt "$fit" ] && PROCS=$fit

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); kernel $(uname -r); $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); $(free -g | awk '/^Mem:/ { print $2 }') GiB; load $(cut -d' ' -f1-3 /proc/loadavg); RLIMIT_NOFILE hard $(ulimit -Hn); pause process $per_kb kB; DISTINCT=$DISTINCT TIED_MIB=$TIED_MIB"
echo
echo "| run | scanner | processes | passes | CPU per pass | VmRSS kB (start -> end) | VmData kB (start -> end) |"
echo "|---|---|---|---|---|---|---|"
SEND="dry-run: would send"

# growth: daemons started on the bare machine, then PROCS appear.
BESIDE=
[ "$(wc -w <<<"$SCANNERS")" -gt 1 ] && BESIDE=" (beside the other daemon)"
declare -A GPID GLOG G0
for s in $SCANNERS; do
	start_daemon "$s"; GPID[$s]=$DPID; GLOG[$s]=$DLOG
done
sleep 2
for s in $SCANNERS; do
	G0[$s]="$(procs_now) $(status_kb "${GPID[$s]}" VmRSS) $(status_kb "${GPID[$s]}" VmData)"
done
spawn "$PROCS"
for s in $SCANNERS; do wait_passes "${GLOG[$s]}" "$SEND" 20; done
for s in $SCANNERS; do
	read -r n0 r0 d0 <<<"${G0[$s]}"
	read -r n ms r1 r2 d1 d2 < <(window "${GPID[$s]}" "${GLOG[$s]}" "$SEND" "$PASSES")
	echo "| growth: started at $n0 processes | $(method "${GLOG[$s]}") | $(procs_now) | $n | ${ms//_/ }$BESIDE | $r0 -> $r1 -> $r2 | $d0 -> $d1 -> $d2 |"
	stop_daemon "${GPID[$s]}" "${GLOG[$s]}"
done

for s in $SCANNERS; do
	start_daemon "$s"
	wait_passes "$DLOG" "$SEND" 20
	read -r n ms r1 r2 d1 d2 < <(window "$DPID" "$DLOG" "$SEND" "$PASSES")
	echo "| steady: started at $(procs_now) processes | $(method "$DLOG") | $(procs_now) | $n | ${ms//_/ } | $r1 -> $r2 | $d1 -> $d2 |"
	stop_daemon "$DPID" "$DLOG"
done

source "$(dirname "$0")/opponent.sh"
if [ "${EARLYOOM:-1}" = 1 ] && eo_bin=$(opponent_earlyoom); then
	EOLOG=$(mktemp); LOGS+=("$EOLOG")
	"$eo_bin" --dryrun -m 99,99 -s 99,99 -r 0 > "$EOLOG" 2>&1 &
	EOPID=$!; DAEMONS+=("$EOPID")
	wait_passes "$EOLOG" "sending SIG" 2
	read -r n ms r1 r2 d1 d2 < <(window "$EOPID" "$EOLOG" "sending SIG" "$EO_SELECTIONS")
	echo "| earlyoom $("$eo_bin" -v 2>&1 | head -1 | cut -d' ' -f2) --dryrun -m 99,99 -s 99,99 -r 0 | /proc | $(procs_now) | $n | ${ms//_/ } | $r1 -> $r2 | $d1 -> $d2 |"
	stop_daemon "$EOPID"
fi
