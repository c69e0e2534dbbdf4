#!/bin/bash
# kernel_oom.sh - the daemon watches the kernel's own OOM kills (root, v1
# memory cgroups): a hog in a cgroup the daemon does not watch reaches its
# limit and the kernel's memcg OOM killer acts. Within 1 s of the kill the
# daemon's JSON file holds one "source":"kernel" event (explain's schema)
# naming the hog's pid and comm and the memcg path, its metrics file has
# oomkit_kernel_oom_kills_total for that cgroup at 1, its log a warning
# line; a second OOM makes it 2. Then a kmsg overrun made on purpose
# (records written to /dev/kmsg while the daemon is SIGSTOPped): it says
# how many records it lost and still sees the next OOM (3). The daemon
# runs with every trigger off: it cannot kill on this host. Other tests
# may OOM their own cgroups meanwhile: only this test's cgroup counts.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

have_root || { skip "kernel_oom: needs root"; exit 0; }
have_memcg_v1 || { skip "kernel_oom: no v1 memory cgroup at $MEMCG_V1_ROOT"; exit 0; }
[ -r /dev/kmsg ] || { skip "kernel_oom: /dev/kmsg not readable"; exit 0; }
HOG=$(dirname "$OOMKIT_FAST")/tests/kill_hog
[ -x "$HOG" ] || { skip "kernel_oom: $HOG not built (make check-unit)"; exit 0; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

tmp=$(mktemp -d /tmp/oomkit-kernel-oom.XXXXXX)
DPID=
trap '[ -n "$DPID" ] && kill -CONT $DPID 2>/dev/null && kill $DPID 2>/dev/null; wait $DPID 2>/dev/null; rm -rf "$tmp"; e2e_cleanup' EXIT

cg=$(memcg_new kernoom $((32 << 20))) || { not_ok kernel_oom_setup: memcg_new; exit 1; }
kcg=/${cg#"$MEMCG_V1_ROOT"/}   # the path as the kernel prints it
JSON=$tmp/events.json PROM=$tmp/oomkit.prom LOG=$tmp/daemon.log

"$OOMKIT" daemon --set memory.enabled=no --psi off --psi-sustained off --set kill.swarm_min=0 \
	--json-file "$JSON" --set publish.metrics_file="$PROM" --set publish.status_dir="$tmp/status" \
	>"$LOG" 2>&1 &
DPID=$!
for _ in $(seq 100); do grep -q "watching the kernel's own OOM kills" "$LOG" && break; sleep 0.05; done
if grep -q "watching the kernel's own OOM kills" "$LOG"; then ok kernel_oom_watching
else not_ok kernel_oom_watching: "$(head -c 600 "$LOG")"; exit 1; fi

# events_for: the kernel events of this test's cgroup in the JSON file
events_for() { grep '"source":"kernel"' "$JSON" 2>/dev/null | grep -F "\"memcg\":\"$kcg\""; }

# oom N: one hog OOM-killed by the kernel in $cg; checks the N-th event
# (JSON within 1 s of the kill, the counter at N, the warning line)
oom() {
	local n=$1 pid t0 t1 ms ev
	( echo "$BASHPID" > "$cg/cgroup.procs" && exec "$HOG" --mb 96 --tag kernel-oom-$n ) </dev/null >/dev/null 2>&1 &
	pid=$!
	wait $pid
	t0=$(date +%s%N)
	for _ in $(seq 60); do [ "$(events_for | wc -l)" -ge "$n" ] && break; sleep 0.05; done
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	ev=$(events_for | sed -n "${n}p")
	if [ "$(events_for | wc -l)" = "$n" ] && [ "$ms" -le 1000 ]; then
		ok "kernel_oom_${n}_json_within_1s (${ms} ms after the hog's death)"
	else
		not_ok "kernel_oom_${n}_json_within_1s: $(events_for | wc -l) event(s) for $kcg after ${ms} ms: $(tail -c 400 "$JSON")"
	fi
	if grep -q "\"victim\":{\"pid\":$pid,\"comm\":\"kill_hog\"" <<<"$ev" &&
		grep -q "\"constraint\":\"CONSTRAINT_MEMCG\",\"memcg\":\"$kcg\"" <<<"$ev" &&
		grep -q '"invoker":{"comm":"kill_hog"' <<<"$ev"; then
		ok "kernel_oom_${n}_event_names_victim (pid $pid, kill_hog, $kcg)"
	else
		not_ok "kernel_oom_${n}_event_names_victim: want pid $pid kill_hog in $kcg: $(head -c 600 <<<"$ev")"
	fi
	for _ in $(seq 40); do
		"$PY" tests/helpers/prom_check.py "$PROM" \
			"oomkit_kernel_oom_kills_total{constraint=memcg,cgroup=$kcg,pod_uid=,container_id=}=$n" \
			>"$tmp/prom.out" 2>&1 && break
		sleep 0.05
	done
	if grep -q MISSING "$tmp/prom.out" || ! [ -s "$tmp/prom.out" ]; then
		not_ok "kernel_oom_${n}_metric_at_$n: $(grep -E 'MISSING|kernel' "$tmp/prom.out" | head -5)"
	else
		ok "kernel_oom_${n}_metric_at_$n (oomkit_kernel_oom_kills_total{constraint=memcg,cgroup=$kcg})"
	fi
	if [ "$(grep -c "^<4>kernel OOM kill: the kernel killed kill_hog (pid $pid) in a memcg OOM of $kcg (limit 32MiB), invoked by kill_hog (pid $pid)" "$LOG")" = 1 ]; then
		ok "kernel_oom_${n}_warning_line"
	else
		not_ok "kernel_oom_${n}_warning_line: $(grep 'kernel OOM kill' "$LOG" | tail -2)"
	fi
}

oom 1
oom 2
# the events are explain's own objects, one per line
"$PY" - "$JSON" "$kcg" <<'PYEOF' && ok kernel_oom_json_lines_parse || not_ok kernel_oom_json_lines_parse
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
mine = [e for e in evs if e.get("source") == "kernel" and e.get("memcg") == sys.argv[2]]
assert len(mine) == 2, len(mine)
for e in mine:
    assert e["ranking"]["verdict"] in ("top", "not_top", "unknown")
    assert e["victim"]["comm"] == "kill_hog"
PYEOF

# --- a ring buffer overrun while the daemon is stopped
size=$("$PY" -c 'import ctypes; print(ctypes.CDLL(None).klogctl(10, None, 0))' 2>/dev/null)
[ -n "$size" ] && [ "$size" -gt 0 ] || size=$((1 << 20))
kill -STOP $DPID
# records of 200 bytes, 1.5 times the buffer; /dev/kmsg rate-limits each
# open file to a burst of 10 records, so a fresh open every 10
"$PY" - "$size" <<'PYEOF'
import os, sys
n = int(sys.argv[1]) * 3 // 2 // 200 + 1
for i in range(0, n, 10):
    fd = os.open("/dev/kmsg", os.O_WRONLY)
    for j in range(i, min(i + 10, n)):
        os.write(fd, ("oomkit kernel_oom.sh overrun %06d " % j).ljust(199, "x").encode() + b"\n")
    os.close(fd)
PYEOF
kill -CONT $DPID
for _ in $(seq 60); do grep -q "record(s) overwritten before oomkit read them" "$LOG" && break; sleep 0.05; done
lost=$(grep -o "kernel log: [0-9]* record(s) overwritten" "$LOG" | head -1 | grep -o '[0-9]*')
if [ -n "$lost" ] && [ "$lost" -gt 0 ]; then ok "kernel_oom_overrun_reported ($lost records lost)"
else not_ok "kernel_oom_overrun_reported: $(tail -3 "$LOG")"; fi
oom 3
if kill -0 $DPID 2>/dev/null; then ok kernel_oom_daemon_alive; else not_ok kernel_oom_daemon_alive; fi
kill -TERM $DPID; wait $DPID; rc=$?; DPID=
[ "$rc" = 0 ] && ok "kernel_oom_clean_exit" || not_ok "kernel_oom_clean_exit: status $rc: $(tail -3 "$LOG")"
exit $E2E_FAILED
