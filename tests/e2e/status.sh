#!/bin/bash
# status.sh - `oomkit status`: exit 10 and one clear line when no daemon
# runs; usage errors exit 2; with a running daemon (when `oomkit daemon` is
# built) its state: triggers, thresholds, headroom, kills, as text and JSON;
# a default daemon's fits 80 columns.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

tmp=$(mktemp -d /tmp/oomkit-status.XXXXXX)
DAEMON_PID=
trap '[ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null; rm -rf "$tmp"; e2e_cleanup' EXIT
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

"$OOMKIT" status --state "$tmp/none" >"$tmp/out" 2>"$tmp/err"
rc=$?
check status_no_daemon_exit_10 test $rc -eq 10
check status_no_daemon_one_line test "$(wc -l <"$tmp/err")" -eq 1 -a ! -s "$tmp/out"
"$OOMKIT" status --bogus >/dev/null 2>&1
check status_bad_option_exit_2 test $? -eq 2
"$OOMKIT" status --max-age 0 >/dev/null 2>&1
check status_bad_max_age_exit_2 test $? -eq 2
check status_help grep -q "^usage: oomkit status" <("$OOMKIT" status --help)

# A daemon with its defaults (a dry run): every line of its status fits
# 80 columns (the trigger table grows with long cgroup paths only).
fits_80() {
	local long
	"$OOMKIT" daemon --config /dev/null --dry-run --no-mlockall --set "publish.status_dir=$tmp/default" \
		2>"$tmp/default.log" &
	DAEMON_PID=$!
	for _ in $(seq 50); do [ -s "$tmp/default/status.txt" ] && break; sleep 0.1; done
	long=$("$OOMKIT" status --state "$tmp/default" | awk 'length($0) > 80')
	kill "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=
	[ -s "$tmp/default/status.txt" ] && [ -z "$long" ] || { echo "longer than 80: $long" >&2; return 1; }
}
if have_root; then check status_default_fits_80_columns fits_80; else skip status_default_fits_80_columns: needs root; fi

needs_memcg_v1 status_publisher_late
# A live daemon whose publisher thread is held up: its system bus accepts
# and never answers (a hostile local user can do that to a session bus).
# After a kill the publisher emits the D-Bus signal; meanwhile `oomkit
# status` must never call the daemon dead (it was 90 s of "not running",
# exit 10, and a stale "stage: kill").
python3 - "$tmp/mute" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(16)
held = []
while True: held.append(s.accept()[0])
PY
E2E_PIDS+=("$!")
cg=$(memcg_new status $((64 << 20)))
for _ in $(seq 50); do [ -S "$tmp/mute" ] && break; sleep 0.1; done
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/mute "$OOMKIT" daemon --no-mlockall --psi off --psi-sustained off \
	--cgroup "$cg" --set memory.enabled=no --set log.notify_dbus=yes --set publish.notify_desktop=no \
	--set "publish.status_dir=$tmp/state" 2>"$tmp/daemon.log" &
DAEMON_PID=$!
for _ in $(seq 50); do [ -s "$tmp/state/status.txt" ] && break; sleep 0.1; done
hog=$(spawn_in "$cg" python3 -c 'import time; b = bytearray(60 << 20); time.sleep(600)')
for _ in $(seq 100); do grep -q "Killed process $hog" "$tmp/daemon.log" && break; sleep 0.1; done
check status_publisher_late_kill_happened grep -q "Killed process $hog" "$tmp/daemon.log"
bad=
# --max-age 6: above the daemon's 5 s publishing period at rest, so that over
# these 10 s the state written before the kill goes stale while the loop's
# heartbeat stays fresh
for _ in $(seq 20); do
	"$OOMKIT" status --state "$tmp/state" --max-age 6 >"$tmp/live.out" 2>"$tmp/live.err" || bad="$bad $?"
	sleep 0.5
done
check "status_publisher_late_daemon_never_dead${bad:+ (exit$bad: $(tail -1 "$tmp/live.err"))}" test -z "$bad"
kill "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
exit $E2E_FAILED
