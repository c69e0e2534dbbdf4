#!/bin/bash
# daemon_publish.sh - `oomkit daemon` as the unit runs it (the unit's
# capability set and system-call filter, SystemCallErrorNumber=EPERM)
# watches a v1 memory cgroup and kills a hog in it; then everything it
# publishes is checked from outside: `oomkit status` (live, then exit 10
# once the daemon is gone), the textfile metrics parsed by prometheus_client,
# the same text on the loopback /metrics, and the D-Bus Killed signal on a
# private bus (libsystemd loaded for it at start-up). A reload (SIGHUP) that
# moves [publish] moves the metrics file and the listener, the counters kept.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

build=$(dirname "$OOMKIT_FAST")
tmp=$(mktemp -d /tmp/oomkit-dpub.XXXXXX)
chmod 755 "$tmp"
D= BUS=
reap_ours() { local p; for p in "${E2E_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap '[ -n "$D" ] && kill "$D" 2>/dev/null; [ -n "$BUS" ] && kill "$BUS" 2>/dev/null; reap_ours; rm -rf "$tmp"; e2e_cleanup' EXIT
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

needs_memcg_v1 daemon_publish
for t in systemd-analyze dbus-daemon dbus-monitor; do
	command -v $t >/dev/null || { skip "daemon_publish: $t missing"; exit 0; }
done

cg=$(memcg_new dpub $((64 << 20))) || { not_ok daemon_publish_cgroup; exit 1; }
E2E_CGROUPS+=("$cg")
port=$((20000 + $$ % 20000))
cat > "$tmp/oomkit.conf" <<EOC
[memory]
enabled = no
[psi]
trigger = off
sustained = off
[log]
notify_dbus = yes
[publish]
metrics_file = $tmp/oomkit.prom
metrics_listen = 127.0.0.1:$port
status_dir = $tmp/state
notify_desktop = no
EOC

info=$(dbus-daemon --session --address="unix:path=$tmp/bus" --print-address=1 --print-pid=1 --fork)
BUS=$(sed -n 2p <<<"$info")
addr=$(sed -n 1p <<<"$info")
dbus-monitor --address "$addr" "type='signal',interface='org.oomkit.Daemon1'" >"$tmp/sig.out" 2>&1 &
E2E_PIDS+=("$!")

tests/helpers/expand_syscalls.sh packaging/syscalls.list >"$tmp/allowed"
. tests/helpers/unit_sandbox.sh
# shellcheck disable=SC2086
DBUS_SYSTEM_BUS_ADDRESS=$addr sandbox_exec "$build/helpers/seccomp_exec" "$tmp/allowed" unit $UNIT_CAPS -- \
	"$OOMKIT_FAST" daemon --config "$tmp/oomkit.conf" --cgroup "$cg" >"$tmp/daemon.out" 2>&1 &
D=$!
for _ in $(seq 100); do [ -e "$tmp/state/status.txt" ] && break; sleep 0.1; done
"$OOMKIT" status --state "$tmp/state" >"$tmp/status.out" 2>&1
check daemon_status_live test $? -eq 0
check daemon_status_shows_memcg grep -q "^memcg .*$(basename "$cg")" "$tmp/status.out"
# libsystemd is loaded at start-up because notify_dbus is on (not linked)
check daemon_dbus_library_loaded grep -q '/libsystemd\.so' "/proc/$D/maps"

spawn_in "$cg" "$build/tests/kill_hog" --mb 60 >/dev/null
hog=${E2E_PIDS[-1]}
wait "$hog" 2>/dev/null
st=$?
check daemon_killed_hog test $st -eq 143 -o $st -eq 137
check daemon_no_kernel_oom_kill grep -qx 'oom_kill 0' "$cg/memory.oom_control"
for _ in $(seq 30); do grep -q '^last kills:' "$tmp/state/status.txt" 2>/dev/null && break; sleep 0.1; done
"$OOMKIT" status --state "$tmp/state" >"$tmp/status.out" 2>&1
check daemon_status_last_kill grep -qE "pid $hog \(kill_hog\) uid 0, .*memcg " "$tmp/status.out"
"$OOMKIT" status --json --state "$tmp/state" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); assert d["schema"] == 2 and isinstance(d["started"], int) and d["counters"]["kills"] == 1, d["counters"]' 2>"$tmp/json.err"
check daemon_status_json test $? -eq 0

if "$PY" tests/helpers/prom_check.py "$tmp/oomkit.prom" 'oomkit_kills_total{trigger=memcg,unit=process}=1' \
	"oomkit_cgroup_memory_limit_bytes{cgroup=$cg}=67108864" 'oomkit_selection_seconds_count=1' >"$tmp/prom.out" 2>&1; then
	ok daemon_metrics_file_parses
else
	not_ok daemon_metrics_file_parses: "$(grep MISSING "$tmp/prom.out" | head -2)"
fi
http_get() { # PATH: the response of the loopback server
	exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
	printf 'GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n' "$1" >&3
	cat <&3
	exec 3<&-
}
http_get /metrics >"$tmp/http.out" 2>&1
check daemon_http_metrics grep -q '^oomkit_kills_total{trigger="memcg",unit="process"} 1' "$tmp/http.out"
check daemon_http_404 grep -q '^HTTP/1.1 404 ' <(http_get /nope 2>&1)
for _ in $(seq 30); do grep -q 'member=Killed' "$tmp/sig.out" && break; sleep 0.1; done
check daemon_dbus_killed_signal grep -q "uint32 $hog" "$tmp/sig.out"

# a reload with another metrics file and port: published there, counters kept
sed -i "s|^metrics_file = .*|metrics_file = $tmp/moved.prom|; s|^metrics_listen = .*|metrics_listen = 127.0.0.1:$((port + 1))|" "$tmp/oomkit.conf"
kill -HUP "$D"
for _ in $(seq 50); do [ -s "$tmp/moved.prom" ] && break; sleep 0.1; done
check daemon_reload_moves_metrics_file grep -q '^oomkit_kills_total{trigger="memcg",unit="process"} 1' "$tmp/moved.prom"
check daemon_reload_says_publishing grep -q "reload: publishing anew: metrics_file $tmp/moved.prom, metrics_listen 127.0.0.1:$((port + 1))" "$tmp/daemon.out"
port=$((port + 1))
check daemon_reload_moves_listener grep -q '^oomkit_kills_total{trigger="memcg",unit="process"} 1' <(http_get /metrics 2>&1)

kill "$D"
wait "$D"
check daemon_sigterm_exit_0 test $? -eq 0
D=
"$OOMKIT" status --state "$tmp/state" >/dev/null 2>&1
check daemon_gone_status_10 test $? -eq 10
exit $E2E_FAILED
