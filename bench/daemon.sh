#!/bin/bash
# bench/daemon.sh - the daemon's selection cost, measured the way earlyoom's
# is: a dry run whose trigger always holds (-m 100: MemAvailable is always
# at or below 100%) selects again every pass; CPU time / passes over a
# window after start-up = the cost of one sample + scan + choice for this
# machine's process count.
# usage: bench/daemon.sh [OOMKIT] [SECONDS]
set -u
OOMKIT=${1:-build/oomkit}
SECS=${2:-5}
LOG=$(mktemp)
"$OOMKIT" daemon --config /dev/null --dry-run -m 100,0 --psi off --psi-sustained off \
	--no-mlockall --set daemon.interval_min=1ms 2>"$LOG" &
pid=$!
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
passes() { grep -c "dry-run: would send" "$LOG"; }
sleep 1 # start-up (BPF iterator load, first scan) is not the steady state
c0=$(cpu); p0=$(passes)
sleep "$SECS"
c1=$(cpu); p1=$(passes)
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
method=$(grep -o "scanner [a-z]*" "$LOG" | head -1)
kill -TERM "$pid"; wait "$pid"
procs=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)
awk -v c="$((c1 - c0))" -v n="$((p1 - p0))" -v t="$(getconf CLK_TCK)" -v p="$procs" -v r="$rss" -v secs="$SECS" 'BEGIN {
	printf "processes %d: %d passes in %d s, %.3f ms cpu per pass, VmRSS %d kB\n", p, n, secs, n ? 1000 * c / t / n : 0, r
}'
rm -f "$LOG"
