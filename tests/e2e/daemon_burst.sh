#!/bin/bash
# daemon_burst.sh - precision and recall of `oomkit daemon` in a v1 memory
# cgroup of 512 MiB, with the default floors (SIGTERM at 10% of the limit
# left, SIGKILL at 5%): bursts at full speed that stop at 60, 80 and 85% of
# the limit and hold are benign (85% leaves half the SIGTERM floor's
# headroom above it) and must live, three times each; a hog at full speed
# that would pass the limit must still die by the daemon's hand before the
# kernel's memcg OOM killer acts (memory.oom_control oom_kill stays 0).
# The kernel is the oracle: its oom_kill counter and /proc.
cd "$(dirname "$0")/../.." || exit 1
source tests/e2e/lib.sh

needs_memcg_v1 daemon_burst

WORK=$(mktemp -d /tmp/oomkit-e2e-burst.XXXXXX)
HOG=$WORK/burst
build_daemon_hog "$HOG" daemon_burst
DAEMON_PID=
trap '[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null; e2e_cleanup; rm -rf "$WORK"' EXIT
MiB=$((1 << 20))
LIMIT=$((512 * MiB))

alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
oom_kills() { awk '$1 == "oom_kill" { print $2 }' "$1/memory.oom_control"; }

memcg_new burst "$LIMIT" > "$WORK/cg" || { not_ok "daemon_burst: memory cgroup"; exit 1; }
CG=$(<"$WORK/cg")
LOG=$WORK/daemon.log
# -p: nice -20, as a deployment runs it; the machine's floors off (the host
# is not what this test measures)
"$OOMKIT" daemon --no-mlockall -p --psi off --psi-sustained off --cgroup "$CG" \
	--set memory.enabled=no --set daemon.interval_max=20ms 2>"$LOG" &
DAEMON_PID=$!
for _ in $(seq 100); do grep -q "oomkit daemon:" "$LOG" && break; sleep 0.05; done

# run_hog MiB: the hog at full speed in $CG, holding what it took; sets PID
run_hog() {
	( echo "$BASHPID" > "$CG/cgroup.procs" && exec "$HOG" "$1" ) </dev/null >/dev/null 2>&1 &
	PID=$!
	E2E_PIDS+=("$PID")
}
# peak_percent: the cgroup's peak usage since the last reset, in % of the limit
peak_percent() { echo $(( $(<"$CG/memory.max_usage_in_bytes") * 100 / LIMIT )); }

# burst PERCENT REP: a hog that takes PERCENT of the limit (less the ~2 MiB
# its binary and stack take) at full speed and holds it for 1 s (a loaded
# machine may take seconds to get there: wait for it, up to 20 s)
burst() {
	local pct=$1 rep=$2 mib pid kills i
	mib=$(( 512 * pct / 100 - 2 ))
	kills=$(grep -c "Killed process" "$LOG")
	echo 0 > "$CG/memory.max_usage_in_bytes"
	run_hog "$mib"; pid=$PID
	for ((i = 0; i < 2000; i++)); do
		[ "$(<"$CG/memory.usage_in_bytes")" -lt $((mib * MiB)) ] && alive "$pid" || break
		sleep 0.01
	done
	sleep 1
	if alive "$pid" && [ "$(grep -c "Killed process" "$LOG")" = "$kills" ]; then
		ok "daemon-burst-to-${pct}pct-lives (run $rep, peak $(peak_percent)%)"
	else
		not_ok "daemon-burst-to-${pct}pct-lives (run $rep, peak $(peak_percent)%): alive=$(alive "$pid" && echo yes || echo no); $(grep -m1 "invoked oom-killer" "$LOG" | tail -c 300)"
	fi
	kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	sleep 0.3 # (the cgroup's usage back down before the next one)
}
for rep in 1 2 3; do
	for pct in 60 80 85; do burst "$pct" "$rep"; done
done

# the full-speed hog: 700 MiB into 512, killed before the kernel's OOM killer
run_hog 700; pid=$PID
for _ in $(seq 200); do alive "$pid" || break; sleep 0.05; done
if ! alive "$pid" && [ "$(oom_kills "$CG")" = 0 ] &&
	grep -q "out of memory\( (TERM)\)\?: Killed process $pid (burst)" "$LOG"; then
	ok "daemon-burst-full-speed-hog-killed-before-kernel ($(grep -o "invoked oom-killer: trigger=[^,]*" "$LOG" | tail -1))"
else
	not_ok "daemon-burst-full-speed-hog-killed-before-kernel: alive=$(alive "$pid" && echo yes || echo no) oom_kill=$(oom_kills "$CG"); $(tail -3 "$LOG")"
fi
kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
kill -TERM "$DAEMON_PID"; wait "$DAEMON_PID" || not_ok "daemon_burst: daemon exit status $?"
DAEMON_PID=
exit $E2E_FAILED
