#!/bin/bash
# daemon.sh - `oomkit daemon` against real memory hogs in v1 memory cgroups
# (each with a limit: never the host's memory). The kernel is the oracle:
# the cgroup's oom_kill counter and the kernel log say whether the kernel's
# memcg OOM killer had to act; /proc says who is still alive.
cd "$(dirname "$0")/../.." || exit 1
source tests/e2e/lib.sh

needs_memcg_v1 daemon

WORK=$(mktemp -d /tmp/oomkit-e2e-daemon.XXXXXX)
HOG=$WORK/daemon_hog
build_daemon_hog "$HOG" daemon
DAEMON_PID=
LOG=
trap 'stop_daemon; e2e_cleanup; rm -rf "$WORK"' EXIT
MiB=$((1 << 20))

# start_daemon NAME ARGS...: runs the daemon in the background, logs to $LOG
start_daemon() {
	local name=$1; shift
	LOG=$WORK/$name.log
	# -p: nice -20, as a deployment should run it (earlyoom's -p); the
	# log as the journal gets it: JOURNAL_STREAM names it, "<N>" prefixes
	: > "$LOG"
	JOURNAL_STREAM=$(stat -c %d:%i "$LOG") \
		"$OOMKIT" daemon --no-mlockall -p --psi off --psi-sustained off "$@" 2>>"$LOG" &
	DAEMON_PID=$!
	for _ in $(seq 100); do
		grep -q "oomkit daemon:" "$LOG" && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}

stop_daemon() {
	[ -n "$DAEMON_PID" ] || return 0
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID"
	local rc=$?
	DAEMON_PID=
	return $rc
}

alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
oom_kills() { awk '$1 == "oom_kill" { print $2 }' "$1/memory.oom_control"; }
kernel_oomed() { dmesg 2>/dev/null | grep -q "oom_memcg=/$(basename "$1")"; }
# wait_dead PID SECONDS
wait_dead() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do alive "$1" || return 0; sleep 0.05; done
	return 1
}
# run_hog CGROUP NAME ARGS...: a copy of the hog named NAME (comm) in CGROUP;
# sets PID. Not through $(...): the job and the cleanup list must belong to
# this shell.
run_hog() {
	local cg=$1 name=$2; shift 2
	cp "$HOG" "$WORK/$name"
	( echo "$BASHPID" > "$cg/cgroup.procs" && exec "$WORK/$name" "$@" ) </dev/null >/dev/null 2>&1 &
	PID=$!
	E2E_PIDS+=("$PID")
}
# new_cg NAME LIMIT: sets CG (registered for cleanup in this shell)
new_cg() {
	memcg_new "$1" "$2" > "$WORK/cg" || return 1
	CG=$(<"$WORK/cg")
}
# ends a hog of ours and reaps it, so that it does not stay a zombie
reap() { kill -KILL "$1" 2>/dev/null; wait "$1" 2>/dev/null; true; }

# 1. A hog at full speed (400 MiB into a 256 MiB limit) is killed by the
#    daemon, through the v1 usage-threshold eventfd, before the kernel acts.
full_speed() {
	local name=$1; shift
	local cg pid
	new_cg "$name" $((256 * MiB)); cg=$CG
	start_daemon "$name" --cgroup "$cg" --set memory.enabled=no "$@" || { not_ok "$name: daemon did not start: $(cat "$LOG")"; return; }
	run_hog "$cg" hog 400; pid=$PID
	if wait_dead "$pid" 10 && [ "$(oom_kills "$cg")" = 0 ] && ! kernel_oomed "$cg" &&
		grep -q "out of memory\( (TERM)\)\?: Killed process $pid (hog)" "$LOG"; then
		ok "$name"
	else
		not_ok "$name: alive=$(alive "$pid" && echo yes || echo no) oom_kill=$(oom_kills "$cg") log: $(tail -5 "$LOG")"
	fi
	reap "$pid"
	stop_daemon || not_ok "$name: daemon exit status $?"
}
full_speed "daemon-kills-full-speed-hog-before-kernel"
full_speed "daemon-oom-handler-kills-full-speed-hog" --set cgroup.oom_kill_disable=yes --set cgroup.headroom_term_percent=0 --set cgroup.headroom_kill_percent=0

# oom_kill_disable is handed back to the kernel when the daemon exits
new_cg handback $((64 * MiB)); cg=$CG
start_daemon handback --cgroup "$cg" --set cgroup.oom_kill_disable=yes --set memory.enabled=no
a=$(awk '$1 == "oom_kill_disable" { print $2 }' "$cg/memory.oom_control")
stop_daemon
b=$(awk '$1 == "oom_kill_disable" { print $2 }' "$cg/memory.oom_control")
check "daemon-oom-kill-disable-restored-on-exit" [ "$a" = 1 ] && [ "$b" = 0 ]

# 2. A protected (--ignore) process survives, and a -1000 one where we may
#    set it; the hog dies.
new_cg protect $((256 * MiB)); cg=$CG
start_daemon protect --cgroup "$cg" --set memory.enabled=no --ignore '^keeper$'
run_hog "$cg" keeper 120; keeper=$PID
sleep 0.5
if echo -1000 2>/dev/null > "/proc/$keeper/oom_score_adj"; then adj_ok=1; else adj_ok=0; fi
echo 0 > "/proc/$keeper/oom_score_adj" 2>/dev/null
keeper2=
if [ $adj_ok = 1 ]; then
	run_hog "$cg" immortal 60; keeper2=$PID
	sleep 0.3
	echo -1000 > "/proc/$keeper2/oom_score_adj"
fi
run_hog "$cg" hog 300 200; pid=$PID
wait_dead "$pid" 10
if ! alive "$pid" && alive "$keeper"; then ok "daemon-protected-process-survives"; else not_ok "daemon-protected-process-survives: $(tail -3 "$LOG")"; fi
if [ $adj_ok = 1 ]; then
	check "daemon-oom-score-adj-1000-survives" alive "$keeper2"
else
	# without CAP_SYS_RESOURCE no process of ours can be -1000: the guest
	# scenario `protected` (a -1000 biggest process) and the unit test
	# test_daemon (fixture /proc) cover the rule
	echo "# daemon-oom-score-adj-1000-survives: covered by tests/e2e/vm.sh (protected), this host lacks CAP_SYS_RESOURCE"
fi
check "daemon-protect-no-kernel-oom" [ "$(oom_kills "$cg")" = 0 ]
reap "$pid"
stop_daemon

# 2b. --prefer chooses a small preferred process over a bigger one (the
#     policy sees every task, not only the top by points).
new_cg prefer $((256 * MiB)); cg=$CG
start_daemon prefer --cgroup "$cg" --set memory.enabled=no --prefer '^smallfry$'
run_hog "$cg" bigone 150; big=$PID
run_hog "$cg" smallfry 20; small=$PID
sleep 0.5
run_hog "$cg" pusher 70 100; pusher=$PID
wait_dead "$small" 10
if ! alive "$small" && alive "$big"; then ok "daemon-prefer-small-process-chosen"; else not_ok "daemon-prefer-small-process-chosen: $(tail -3 "$LOG")"; fi
reap "$big"; reap "$small"; reap "$pusher"
stop_daemon

# 3. A SIGTERM-ignoring hog parked between the SIGTERM and SIGKILL floors is
#    SIGKILLed when the grace (1 s) ends: it dies 1 to 3 s after the SIGTERM,
#    as the daemon measured it from its own signal (the hog's start-up, slow
#    on a loaded machine, is not part of the grace). It fills at 100 MiB/s:
#    at full speed the limit comes before a SIGTERM's exit could, and the
#    daemon rightly sends SIGKILL at once.
new_cg ignterm $((256 * MiB)); cg=$CG
start_daemon ignterm --cgroup "$cg" --set memory.enabled=no --grace 1s
run_hog "$cg" stubborn 236 100 ignore-term; pid=$PID
if wait_dead "$pid" 15; then
	sleep 0.2 # (the exit line follows the death)
	ms=$(sed -nE "s/^(<[0-9]>)?process $pid \(stubborn\) exited ([0-9]+) ms after SIGTERM, escalated to SIGKILL.*/\2/p" "$LOG")
	if grep -q "escalating to SIGKILL for $pid" "$LOG" && [ -n "$ms" ] && [ "$ms" -ge 1000 ] && [ "$ms" -lt 3000 ]; then
		ok "daemon-sigterm-ignoring-hog-sigkilled-within-grace (${ms} ms after the SIGTERM)"
	else
		not_ok "daemon-sigterm-ignoring-hog-sigkilled-within-grace: '${ms}' ms after the SIGTERM; $(tail -3 "$LOG")"
	fi
else
	not_ok "daemon-sigterm-ignoring-hog-sigkilled-within-grace: still alive; $(tail -3 "$LOG")"
fi
reap "$pid"
stop_daemon

# 4. Two hogs that together overflow the limit: one kill frees enough, the
#    other one lives.
new_cg twohogs $((256 * MiB)); cg=$CG
start_daemon twohogs --cgroup "$cg" --set memory.enabled=no --json-file "$WORK/two.json"
run_hog "$cg" hoga 150; a=$PID
sleep 0.5
run_hog "$cg" hogb 150 300; b=$PID
sleep 3
kills=$(grep -c '"event":"kill"' "$WORK/two.json" 2>/dev/null)
if [ "$kills" = 1 ] && { alive "$a" || alive "$b"; } && [ "$(oom_kills "$cg")" = 0 ]; then
	ok "daemon-two-hogs-exactly-one-kill"
else
	not_ok "daemon-two-hogs-exactly-one-kill: kills=$kills a=$(alive "$a" && echo alive) b=$(alive "$b" && echo alive)"
fi
reap "$a"; reap "$b"
stop_daemon

# 5. A slow leak (40 MiB/s) is caught by the headroom rule, and the report
#    names the leak as invoker with the trigger that fired.
new_cg leak $((256 * MiB)); cg=$CG
start_daemon leak --cgroup "$cg" --set memory.enabled=no
run_hog "$cg" idle 30; idle=$PID
sleep 0.3
run_hog "$cg" leaker 400 40; pid=$PID
if wait_dead "$pid" 15 && [ "$(oom_kills "$cg")" = 0 ] && grep -q "trigger=memcg $cg" "$LOG"; then
	ok "daemon-slow-leak-caught-by-headroom-rule"
else
	not_ok "daemon-slow-leak-caught-by-headroom-rule: $(tail -3 "$LOG")"
fi
check "daemon-report-names-grower-as-invoker" grep -q "^<4>leaker invoked oom-killer: trigger=memcg" "$LOG"
reap "$pid"
stop_daemon

# 6. SIGHUP: a broken file keeps the old configuration; a good one is taken.
new_cg hup $((256 * MiB)); cg=$CG
conf=$WORK/oomkit.conf
printf '[memory]\nenabled = no\n[cgroup]\npath = %s\n' "$cg" > "$conf"
start_daemon hup --config "$conf"
printf '[memory]\nenabled = no\n[kill]\ngrace = whenever\n' > "$conf"
kill -HUP "$DAEMON_PID"; sleep 0.5
if grep -q "$conf:4: grace: 'whenever' is not a duration.*keeping the running configuration" "$LOG" &&
	alive "$DAEMON_PID"; then
	run_hog "$cg" hog 400; pid=$PID
	if wait_dead "$pid" 10; then ok "daemon-sighup-broken-config-keeps-old"; else not_ok "daemon-sighup-broken-config-keeps-old: no kill after reload"; fi
	reap "$pid"
else
	not_ok "daemon-sighup-broken-config-keeps-old: $(tail -3 "$LOG")"
fi
printf '[memory]\nenabled = no\n[kill]\ngrace = 3s\n[cgroup]\npath = %s\n' "$cg" > "$conf"
kill -HUP "$DAEMON_PID"; sleep 0.5
check "daemon-sighup-good-config-reloaded" grep -q "configuration reloaded" "$LOG"
stop_daemon
check "daemon-sigterm-exits-cleanly" grep -q "SIGTERM: exiting" "$LOG"

# 7. --dry-run is one episode while the trigger holds: one would-be kill,
#    the post_kill hook once, a reminder line at most every 5 s, one JSON
#    event with the real scope and the unknowable facts null; nothing killed.
new_cg dry $((256 * MiB)); cg=$CG
printf '#!/bin/sh\necho "$OOMKIT_DRY_RUN" >> %s/dry-hook.out\n' "$WORK" > "$WORK/dry-hook.sh"
chmod +x "$WORK/dry-hook.sh"
start_daemon dry --cgroup "$cg" --set memory.enabled=no --dry-run -N "$WORK/dry-hook.sh" --json-file "$WORK/dry.json"
run_hog "$cg" hog 240; pid=$PID
for _ in $(seq 100); do grep -q "dry-run: would send" "$LOG" && break; sleep 0.1; done
sleep 6 # one reminder (at 5 s), not two (at 10 s)
n=$(grep -c "dry-run: would send SIG.* to process $pid (hog)" "$LOG")
held=$(grep -c "dry-run: .* still holds; would have sent SIG.* to process $pid (hog)" "$LOG")
check "daemon-dry-run-kills-nothing" alive "$pid"
check "daemon-dry-run-one-would-be-kill ($n lines)" [ "$n" = 1 ]
check "daemon-dry-run-reminder ($held lines in 6 s)" [ "$held" = 1 ]
check "daemon-dry-run-hook-once" [ "$(cat "$WORK/dry-hook.out" 2>/dev/null)" = 1 ]
check "daemon-dry-run-json-one-event" [ "$(wc -l < "$WORK/dry.json")" = 1 ]
check "daemon-dry-run-json-scope" grep -q "\"constraint\":\"CONSTRAINT_MEMCG\",\"memcg\":\"/$(basename "$cg")\"" "$WORK/dry.json"
check "daemon-dry-run-json-unknown-is-null" grep -q '"exited":null,"reaped":null,"ms_to_exit":null,.*"avail_after_kb":null' "$WORK/dry.json"
kill -KILL "$pid"; reap "$pid"
stop_daemon

# 8. Hooks get the victim's facts as argv/env, never through a shell, even
#    with a hostile process name.
new_cg hook $((256 * MiB)); cg=$CG
hook=$WORK/hook.sh
# written aside, then renamed: the test never reads half a file
printf '#!/bin/sh\n{ echo "argv=$1|$2|$3"; env | grep "^OOMKIT_\\|^EARLYOOM_" | sort; } > %s/hook.tmp\nmv %s/hook.tmp %s/hook.out\n' "$WORK" "$WORK" "$WORK" > "$hook"
chmod +x "$hook"
evil='a b;$(touch x)'
start_daemon hook --cgroup "$cg" --set memory.enabled=no -N "$hook"
run_hog "$cg" "$evil" 400; pid=$PID
wait_dead "$pid" 10
for _ in $(seq 40); do [ -s "$WORK/hook.out" ] && break; sleep 0.05; done
if grep -qxF "argv=post_kill|$pid|a b;\$(touch x)" "$WORK/hook.out" &&
	grep -qxF "OOMKIT_COMM=a b;\$(touch x)" "$WORK/hook.out" &&
	grep -qxF "EARLYOOM_PID=$pid" "$WORK/hook.out" && [ ! -e x ] && [ ! -e "$WORK/x" ]; then
	ok "daemon-post-kill-hook-gets-facts-without-shell"
else
	not_ok "daemon-post-kill-hook-gets-facts-without-shell: $(cat "$WORK/hook.out" 2>&1)"
fi
reap "$pid"
stop_daemon

# 9. Configuration errors: file:line: what was expected; exit code 8.
printf '[memory]\navailable_term_percent = 10\navailable_kill_percent = lots\n' > "$WORK/bad.conf"
out=$("$OOMKIT" daemon --config "$WORK/bad.conf" --check-config 2>&1); rc=$?
check "daemon-check-config-names-file-line" [ $rc = 8 ] && grep -qF "$WORK/bad.conf:3: available_kill_percent: 'lots' is not a percentage" <<<"$out"
out=$("$OOMKIT" daemon --config /nonexistent.conf --check-config 2>&1); rc=$?
check "daemon-check-config-missing-explicit-file" [ $rc = 8 ]

# 10. earlyoom's flags, same meaning: -m 20 means SIGKILL at 10.
out=$("$OOMKIT" daemon --config /dev/null -m 20 -s 100,50 -M 1048576 --prefer '^chrome$' --check-config 2>&1)
if grep -qx "available_term_percent = 20%" <<<"$out" && grep -qx "available_kill_percent = 10%" <<<"$out" &&
	grep -qx "swap_free_kill_percent = 50%" <<<"$out" && grep -qx "available_kill_size = 524288K" <<<"$out" &&
	grep -qxF 'prefer = ^chrome$' <<<"$out"; then
	ok "daemon-earlyoom-flags"
else
	not_ok "daemon-earlyoom-flags: $out"
fi
# earlyoom's -g kills the victim's process group, not its memory cgroup
out=$("$OOMKIT" daemon --config /dev/null -g --check-config 2>&1)
check "daemon-earlyoom-g-is-the-process-group" grep -qx "kill_pgroup = yes" <<<"$out"
check "daemon-earlyoom-g-not-the-cgroup" grep -qx "kill_group = no" <<<"$out"
check "daemon-help-lists-g" grep -qE '^  -g +' <("$OOMKIT" daemon --help)

# 13. The SIGKILL step kills what shares the victim's mm, as the kernel does
#     (kill's oom_kill_process): a CLONE_VM child dies with its leader.
KILL_HOG=$(dirname "$OOMKIT_FAST")/tests/kill_hog
if [ -x "$KILL_HOG" ]; then
	new_cg sharers $((256 * MiB)); cg=$CG
	start_daemon sharers --cgroup "$cg" --set memory.enabled=no --set cgroup.headroom_term_percent=0 \
		--set cgroup.headroom_kill_percent=8
	( echo "$BASHPID" > "$cg/cgroup.procs" && exec "$KILL_HOG" --mb 180 --clone-vm ) </dev/null >/dev/null 2>&1 &
	leader=$!; E2E_PIDS+=("$leader")
	# the CLONE_VM child first, then a second hog pushes past the floor
	for _ in $(seq 100); do [ "$(wc -l < "$cg/cgroup.procs")" -ge 2 ] && break; sleep 0.05; done
	run_hog "$cg" pusher 60 100; pusher=$PID
	wait_dead "$leader" 10
	for _ in $(seq 100); do grep -qvx "$pusher" "$cg/cgroup.procs" || break; sleep 0.05; done
	# either may be chosen (same mm, same points): the other must be a sharer
	if ! alive "$leader" && ! grep -qvx "$pusher" "$cg/cgroup.procs" &&
		grep -q "^<3>Kill process [0-9]* (kill_hog) sharing same memory" "$LOG"; then
		ok "daemon-sigkill-takes-mm-sharers"
	else
		not_ok "daemon-sigkill-takes-mm-sharers: left $(tr '\n' ' ' < "$cg/cgroup.procs") $(tail -4 "$LOG")"
	fi
	reap "$pusher"
	reap "$leader"
	stop_daemon
else
	skip "daemon-sigkill-takes-mm-sharers: $KILL_HOG not built (make check-unit)"
fi

# 12. systemd Type=notify: READY=1, WATCHDOG=1 at half of WATCHDOG_USEC,
#     STOPPING=1 on SIGTERM, over a datagram socket we listen on; and the
#     daemon locks itself in memory (plain build: ASan cannot mlockall).
sock=$WORK/notify.sock
python3 - "$sock" > "$WORK/notify.out" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(5)
end = time.time() + 5
try:
    while time.time() < end:
        m = s.recv(4096).decode()
        print(m, flush=True)
        if m.startswith("STOPPING=1"):
            break
except socket.timeout:
    pass
PY
listener=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.05; done
NOTIFY_SOCKET=$sock WATCHDOG_USEC=200000 "$OOMKIT_FAST" daemon -p --psi off --psi-sustained off --set memory.enabled=no 2>"$WORK/notify.log" &
np=$!
for _ in $(seq 100); do grep -qx "READY=1" "$WORK/notify.out" && break; sleep 0.05; done
sleep 0.3
vmlck=$(awk '/^VmLck:/ { print $2 }' "/proc/$np/status")
kill -TERM "$np"; wait "$np"; nrc=$?
wait "$listener"
if [ $nrc = 0 ] && grep -qx "READY=1" "$WORK/notify.out" && [ "$(grep -cx "WATCHDOG=1" "$WORK/notify.out")" -ge 2 ] &&
	grep -qx "STOPPING=1" "$WORK/notify.out"; then
	ok "daemon-sd-notify-ready-watchdog-stopping"
else
	not_ok "daemon-sd-notify-ready-watchdog-stopping: rc=$nrc $(tr '\n' ' ' < "$WORK/notify.out")"
fi
if grep -q "mlockall:" "$WORK/notify.log"; then
	skip "daemon-mlockall: $(grep mlockall: "$WORK/notify.log")"
else
	check "daemon-mlockall (VmLck ${vmlck} kB)" [ "${vmlck:-0}" -gt 0 ]
fi

# 11. The shipped default configuration is valid and says the defaults,
#     commented and uncommented alike.
def=$("$OOMKIT" daemon --config /dev/null --check-config 2>&1)
com=$("$OOMKIT" daemon --config packaging/oomkit.conf --check-config 2>&1)
sed 's/^#\([a-z_]* =\)/\1/; s/^#\[cgroup\]/[cgroup]/' packaging/oomkit.conf > "$WORK/uncommented.conf"
unc=$("$OOMKIT" daemon --config "$WORK/uncommented.conf" --check-config 2>&1 | sed '/^\[cgroup\]/,$d' | sed '$d')
check "daemon-shipped-config-is-the-defaults" [ "$def" = "$com" ] && [ "$def" = "$unc" ]

exit $E2E_FAILED
