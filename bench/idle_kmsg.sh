#!/bin/bash
# bench/idle_kmsg.sh - the daemon's idle CPU with the kernel log reader on
# ([log] kernel_oom, the default), beside the same daemon with it off and
# earlyoom, all three running in the same window on the same machine.
# usage: bench/idle_kmsg.sh [OOMKIT] [SECONDS]
#   Each is started, left 2 s to settle, then its CPU time, every thread's
#   (/proc/PID/task/*/schedstat, ns: utime+stime's 10 ms ticks are too coarse
#   here), is read at the start and the end of a SECONDS window (default 60). The
#   daemons run with --observe (the same sampling and evaluation, never a
#   kill on the bench machine) and publish nothing; earlyoom 1.7 runs with
#   --dryrun -r 0 (its own defaults otherwise). LOG_RATE=N (records per
#   second, default 0) writes N lines a second to /dev/kmsg during the
#   window: the reader's cost on a busy log. Prints one table row each, and
#   the number of records the kernel log gained in the window.
set -u
OOMKIT=${1:-build/oomkit}
SECS=${2:-60}
LOG_RATE=${LOG_RATE:-0}
tmp=$(mktemp -d /tmp/oomkit-idle.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT

cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d\n", s }'; }
last_seq() { timeout 1 dd if=/dev/kmsg iflag=nonblock bs=8192 2>/dev/null | tail -c 8192 | awk -F'[,;]' 'NF > 2 { s = $2 } END { print s + 0 }'; }

start() { # NAME CMD...: runs CMD in the background, its pid in pids[]
	local name=$1
	shift
	"$@" >"$tmp/$name.log" 2>&1 &
	pids+=("$!")
	names+=("$name")
}
names=()
start "oomkit, kernel_oom on" "$OOMKIT" daemon --observe --set publish.status_dir="$tmp/s1" --set log.kernel_oom=yes
start "oomkit, kernel_oom off" "$OOMKIT" daemon --observe --set publish.status_dir="$tmp/s2" --set log.kernel_oom=no
if command -v earlyoom >/dev/null; then
	start "earlyoom $(earlyoom -v 2>&1 | head -1 | grep -o '[0-9][0-9.]*' | head -1) --dryrun" earlyoom --dryrun -r 0
fi
sleep 2
grep -q "watching the kernel's own OOM kills" "$tmp/oomkit, kernel_oom on.log" ||
	{ echo "the kmsg reader is not on: $(head -3 "$tmp/oomkit, kernel_oom on.log")" >&2; exit 1; }
seq0=$(last_seq)
declare -a t0
for i in "${!pids[@]}"; do t0[i]=$(cpu_ns "${pids[i]}"); done
if [ "$LOG_RATE" -gt 0 ]; then
	python3 - "$LOG_RATE" "$SECS" <<'PYEOF' &
import os, sys, time
rate, secs = int(sys.argv[1]), float(sys.argv[2])
end, n = time.time() + secs, 0
while time.time() < end:
    fd = os.open("/dev/kmsg", os.O_WRONLY)  # the rate limit is per open file: 10
    for _ in range(min(10, rate)):
        os.write(fd, b"oomkit bench/idle_kmsg.sh: a line of a busy kernel log %d\n" % n)
        n += 1
    os.close(fd)
    time.sleep(min(10, rate) / rate)
PYEOF
	pids+=("$!")
fi
sleep "$SECS"
seq1=$(last_seq)
echo "| daemon | CPU in ${SECS} s | per minute | % of one CPU |"
echo "|---|---|---|---|"
for i in "${!names[@]}"; do
	d=$(($(cpu_ns "${pids[i]}") - t0[i]))
	awk -v n="${names[i]}" -v d="$d" -v s="$SECS" \
		'BEGIN { ms = d / 1e6; printf "| %s | %.1f ms | %.1f ms | %.4f%% |\n", n, ms, ms * 60 / s, ms / 10 / s }'
done
echo "kernel log records in the window: $((seq1 - seq0)) (LOG_RATE=$LOG_RATE)"
