#!/bin/bash
# daemon_syslog.sh - `oomkit daemon --syslog` sends its lines to /dev/log
# (facility daemon, tag oomkit[pid]) and not to stderr (the report's syslog
# form is unit-tested in tests/unit/core/test_report.c). A listener of our own stands in for the syslog daemon: bound in
# a private mount namespace over an existing /dev/log, or linked there when
# the machine has none (connect() follows the link), removed afterwards.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

PY=/usr/bin/python3
if ! have_root || [ ! -x "$PY" ] || ! command -v unshare >/dev/null; then
	skip "daemon_syslog: needs root, $PY and unshare"
	exit 0
fi
tmp=$(mktemp -d /tmp/oomkit-syslog.XXXXXX)
linked=
trap '[ -n "$linked" ] && rm -f /dev/log; rm -rf "$tmp"; e2e_cleanup' EXIT
: > "$tmp/empty.conf"

"$PY" - "$tmp/log" "$tmp/got" <<'PYEOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(10)
with open(sys.argv[2], "w") as out:
    while True:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        out.write(d.decode("utf-8", "replace").rstrip("\n") + "\n")
        out.flush()
PYEOF
listener=$!
for _ in $(seq 50); do [ -S "$tmp/log" ] && break; sleep 0.1; done

# the trigger always holds (-m 100,0): every pass selects and reports a would-be kill
run=(timeout -s TERM 3 "$OOMKIT" daemon --config "$tmp/empty.conf" --syslog --dry-run -m 100,0)
if [ -e /dev/log ]; then
	unshare -m bash -c 'mount --bind "$1" /dev/log && shift && exec "$@"' _ "$tmp/log" "${run[@]}" 2> "$tmp/stderr"
else
	ln -s "$tmp/log" /dev/log && linked=1
	"${run[@]}" 2> "$tmp/stderr"
	rm -f /dev/log; linked=
fi
wait "$listener"

check daemon_syslog_tagged_lines grep -Eq '^<[0-9]+>oomkit\[[0-9]+\]: ' "$tmp/got"
# facility daemon (3) * 8 + LOG_NOTICE (5): the start line and each would-be kill
check daemon_syslog_start_line grep -Eq '^<29>oomkit\[[0-9]+\]: oomkit daemon: .*DRY RUN' "$tmp/got"
check daemon_syslog_dry_run_kill grep -Eq '^<29>oomkit\[[0-9]+\]: dry-run: would send SIGTERM to process [0-9]+ ' "$tmp/got"
check daemon_syslog_not_on_stderr bash -c '! grep -q "dry-run:" "$1"' _ "$tmp/stderr"
if [ "$E2E_FAILED" = 1 ]; then
	echo "# received:"; head -20 "$tmp/got" | sed 's/^/#   /'
	echo "# stderr:"; head -20 "$tmp/stderr" | sed 's/^/#   /'
fi
exit "$E2E_FAILED"
