#!/bin/bash
# bench/idle.sh - what a killer costs while nothing happens: oomkit's daemon
# and earlyoom side by side at rest, over SECONDS (default 600) after a
# WARMUP (default 10 s) start-up. Both run as deployed but as dry runs (a
# floor that the machine reaches would only be logged): oomkit with its
# defaults (--config /dev/null), earlyoom with its own (unpacked from its
# .deb, bench/opponent.sh). Prints one markdown row per killer:
#   CPU: user + system time of every thread over the window, from
#     /proc/PID/task/*/schedstat (nanoseconds; the tick counts of
#     /proc/PID/stat round a quiet daemon to 0), and per minute;
#   wakeups/s: voluntary + involuntary context switches of every thread;
#   VmRSS, RssAnon, RssFile, Pss (smaps_rollup), VmLck at the end.
# usage: bench/idle.sh [OOMKIT] [SECONDS]   (root: the daemon locks memory,
# raises its priority and watches /proc/pressure)
set -u
OOMKIT=${1:-build/oomkit}
SECS=${2:-600}
WARMUP=${WARMUP:-10}
source "$(dirname "$0")/opponent.sh"
EO=$(opponent_earlyoom) || { echo "bench/idle.sh: no earlyoom (.deb download failed)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/oomkit-idle.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait; rm -rf "$WORK"' EXIT

cpu_ns() { # PID: on-CPU nanoseconds of every thread
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d\n", s }'
}
switches() { # PID: context switches of every thread
	cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }'
}
kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/$3"; }

"$OOMKIT" daemon --config /dev/null --dry-run --set publish.status_dir="$WORK/state" 2>"$WORK/oomkit.log" &
PIDS+=($!)
"$EO" --dryrun > "$WORK/earlyoom.log" 2>&1 &
PIDS+=($!)
sleep "$WARMUP"
declare -A c0 s0
for p in "${PIDS[@]}"; do c0[$p]=$(cpu_ns "$p"); s0[$p]=$(switches "$p"); done
sleep "$SECS"
echo "| killer | window | CPU ms | CPU ms/min | wakeups/s | threads | VmRSS | RssAnon | RssFile | Pss | VmLck |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for p in "${PIDS[@]}"; do
	kill -0 "$p" 2>/dev/null || { echo "bench/idle.sh: pid $p died; logs in $WORK" >&2; trap - EXIT; exit 1; }
	name=$(cat "/proc/$p/comm")
	c=$(( $(cpu_ns "$p") - c0[$p] )); s=$(( $(switches "$p") - s0[$p] ))
	awk -v n="$name" -v secs="$SECS" -v c="$c" -v s="$s" -v th="$(ls /proc/$p/task | wc -l)" \
		-v rss="$(kb "$p" VmRSS status)" -v an="$(kb "$p" RssAnon status)" -v fi="$(kb "$p" RssFile status)" \
		-v pss="$(kb "$p" Pss smaps_rollup)" -v lck="$(kb "$p" VmLck status)" 'BEGIN {
		printf "| %s | %d s | %.1f | %.2f | %.2f | %d | %d kB | %d kB | %d kB | %d kB | %d kB |\n",
			n, secs, c / 1e6, c / 1e6 / (secs / 60), s / secs, th, rss, an, fi, pss, lck }'
done
