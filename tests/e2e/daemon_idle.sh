#!/bin/bash
# daemon_idle.sh - `oomkit daemon` at rest, as bench/idle.sh measures it:
#  - with its defaults no D-Bus library is mapped: libsystemd (and libgcrypt,
#    libzstd... behind it) is loaded only when notify_dbus is on
#    (tests/e2e/daemon_publish.sh sees it mapped and its signal sent then),
#    and with the BPF scanner libbpf and libelf are gone once its program
#    is loaded;
#  - the state stays fresh at rest: after 12 s `oomkit status` finds it
#    alive, and the unchanged files were only touched (by the daemon's
#    loop, the publisher thread left asleep), not rewritten;
#  - far above the floors the loop samples every 2 s or so, not every
#    second (the adaptive interval beyond earlyoom's 1 s bound).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

tmp=$(mktemp -d /tmp/oomkit-idle.XXXXXX)
D=
trap '[ -n "$D" ] && kill "$D" 2>/dev/null; rm -rf "$tmp"; e2e_cleanup' EXIT

maps_lacks() { ! grep -q "/$2" "/proc/$1/maps"; }

"$OOMKIT_FAST" daemon --config /dev/null --dry-run --set publish.status_dir="$tmp/state" >"$tmp/daemon.log" 2>&1 &
D=$!
for _ in $(seq 100); do [ -e "$tmp/state/status.txt" ] && break; sleep 0.1; done
if ! kill -0 "$D" 2>/dev/null; then
	not_ok idle_daemon_started: "$(tail -2 "$tmp/daemon.log")"
	exit 1
fi
check idle_no_libsystemd_by_default maps_lacks "$D" 'libsystemd\.so'
check idle_no_libgcrypt_by_default maps_lacks "$D" 'libgcrypt\.so'
# the BPF scanner's libraries only load its program, then are closed
if grep -q 'scanner bpf' "$tmp/daemon.log"; then
	check idle_bpf_scanner_without_libbpf maps_lacks "$D" 'libbpf\.so'
	check idle_bpf_scanner_without_libelf maps_lacks "$D" 'libelf[-.]'
else
	skip idle_bpf_scanner_without_libbpf: the daemon chose the procfs scanner here
fi
kill "$D"
wait "$D"
check idle_sigterm_exit_0 test $? -eq 0

# At rest for real: a /proc whose meminfo, loadavg and PSI never move (and
# no kernel log), so the state never changes and only the loop keeps it
# fresh, and memory far above the floors lets samples space out.
mkdir -p "$tmp/proc/pressure" "$tmp/proc/sys/vm"
cat > "$tmp/proc/meminfo" <<EOM
MemTotal:       16000000 kB
MemFree:        12000000 kB
MemAvailable:   14000000 kB
SwapTotal:             0 kB
SwapFree:              0 kB
CommitLimit:     8000000 kB
Committed_AS:    2000000 kB
EOM
echo "0.00 0.00 0.00 1/200 4242" > "$tmp/proc/loadavg"
printf 'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n' > "$tmp/proc/pressure/memory"
"$OOMKIT_FAST" daemon --config /dev/null --dry-run --set publish.status_dir="$tmp/still" --set daemon.proc_root="$tmp/proc" \
	--set log.kernel_oom=no >"$tmp/still.log" 2>&1 &
D=$!
for _ in $(seq 100); do [ -e "$tmp/still/status.json" ] && break; sleep 0.1; done
ino=$(stat -c %i "$tmp/still/status.json" 2>/dev/null)
wakes() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$D/task/$D/status"; }
w0=$(wakes)
sleep 12
w1=$(wakes)
"$OOMKIT" status --state "$tmp/still" >"$tmp/status.out" 2>"$tmp/status.err"
rc=$?
# (a late publisher exits 0 too, with a warning)
if [ $rc -eq 0 ] && [ ! -s "$tmp/status.err" ]; then
	ok idle_status_fresh_after_12s
else
	not_ok idle_status_fresh_after_12s: "exit $rc: $(head -c 120 "$tmp/status.err")"
fi
check idle_unchanged_state_not_rewritten test "$(stat -c %i "$tmp/still/status.json" 2>/dev/null)" = "$ino"
# 14 GB above a 0.8 GB floor at earlyoom's 6000 MiB/s: a pass every 2.1 s
# (every second before: 12 or more), each one sleep of the loop's thread
# (a touch of the files that waits on the disk adds one)
check "idle_passes_spaced_out ($((w1 - w0)) in 12 s)" test $((w1 - w0)) -le 10
kill "$D"
wait "$D"
D=
exit $E2E_FAILED
