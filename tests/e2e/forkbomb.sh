#!/bin/bash
# Fork bombs on the host, bounded (255 copies named "bomb", 7 generations of
# tests/e2e/vm/guest/forkbomb.c) and in v1 memory cgroups: `oomkit kill
# --unit swarm` kills every copy of its cgroup and nothing else;
# `oomkit daemon` finds the bomb, stops its process group, and kills it
# whole when the group holds only copies (else copy by copy, and the rest
# of the group runs again); a bystander in the same cgroup lives; a dry
# run stops nothing.
# The unbounded bomb against a whole machine is tests/e2e/vm.sh `forkbomb`.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

needs_memcg_v1 forkbomb
WORK=$(mktemp -d)
trap 'e2e_cleanup; rm -rf "$WORK"' EXIT
BOMB=$WORK/forkbomb
cc -O2 -o "$BOMB" tests/e2e/vm/guest/forkbomb.c || { not_ok "forkbomb: build"; exit 1; }
COPIES=255

# copies CGROUP: how many live "bomb" processes the cgroup holds
copies() {
	local n=0 p
	for p in $(cat "$1/cgroup.procs" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = bomb ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && n=$((n + 1))
	done
	echo "$n"
}
# wait_copies CGROUP N: until the cgroup holds N copies (10 s at most)
wait_copies() {
	local i
	for i in $(seq 100); do [ "$(copies "$1")" -ge "$2" ] && return 0; sleep 0.1; done
	return 1
}
alive() { [ -d "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
# running PID: alive and not stopped (SIGCONT takes effect when it runs: 1 s)
running() {
	local i
	for i in $(seq 10); do
		alive "$1" || return 1
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != T ] && return 0
		sleep 0.1
	done
	return 1
}
# stopped_in CGROUP: how many of its processes are stopped (state T)
stopped_in() {
	local n=0 p
	for p in $(cat "$1/cgroup.procs" 2>/dev/null); do
		[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = T ] && n=$((n + 1))
	done
	echo "$n"
}

# 1. oomkit kill --unit swarm: the copies of the victim's cgroup die; a
#    bystander there and a namesake in another cgroup live
cg=$(memcg_new swarm $((1 << 30)))
other=$(memcg_new other $((64 << 20)))
sleeper=$(spawn_in "$cg" sleep 600)
namesake=$(spawn_in "$other" "$BOMB" 0)
spawn_in "$cg" "$BOMB" 7 > /dev/null
wait_copies "$cg" $COPIES || not_ok "forkbomb: only $(copies "$cg") of $COPIES copies started"
"$OOMKIT" kill --cgroup "$cg" --unit swarm 2> "$WORK/kill.txt"; rc=$?
check forkbomb_kill_swarm_exit_0 [ "$rc" = 0 ]
sleep 0.5
check forkbomb_kill_swarm_all_copies_dead [ "$(copies "$cg")" = 0 ]
check forkbomb_kill_swarm_bystander_alive alive "$sleeper"
check forkbomb_kill_swarm_other_cgroup_alive alive "$namesake"
check forkbomb_kill_swarm_report grep -q "^Tasks in /$(basename "$cg") named bomb of uid 0 are going to be killed due to oomkit --unit swarm" "$WORK/kill.txt"
"$OOMKIT" explain --json "$WORK/kill.txt" > "$WORK/explain.json" 2>&1
check forkbomb_kill_swarm_explain grep -q "\"oom_group\": *\"/$(basename "$cg") named bomb of uid 0\"" "$WORK/explain.json"

# (the first bomb's copies may linger as zombies until init reaps them)
kill -KILL "$namesake" 2>/dev/null
for i in $(seq 50); do pgrep -x bomb > /dev/null || break; sleep 0.1; done

# 2. oomkit daemon: the bomb (its own process group, as a shell's job) fills
#    the cgroup to its SIGTERM floor; it is found, stopped, and killed whole
#    at once
cg2=$(memcg_new daemon $((128 << 20))) # below the bomb's ~150 MiB: it stays full
bystander=$(spawn_in "$cg2" sleep 600)
: > "$WORK/daemon.txt" # read as the journal: "<N>" prefixes
JOURNAL_STREAM=$(stat -c %d:%i "$WORK/daemon.txt") \
	"$OOMKIT_FAST" daemon --cgroup "$cg2" --set log.debug=yes >> "$WORK/daemon.txt" 2>&1 &
dpid=$!
E2E_PIDS+=("$dpid")
sleep 1
( echo "$BASHPID" > "$cg2/cgroup.procs" && exec setsid "$BOMB" 7 ) &
for i in $(seq 100); do grep -q "Tasks in process group" "$WORK/daemon.txt" && break; sleep 0.1; done
sleep 0.5
check forkbomb_daemon_found_the_bomb grep -q "fork bomb: [0-9]* bomb started in 10s" "$WORK/daemon.txt"
check forkbomb_daemon_killed_the_group grep -q "^<6>Tasks in process group [0-9]* are going to be killed due to oomkit --unit pgroup (stopped, at once)$" "$WORK/daemon.txt"
check forkbomb_daemon_all_copies_dead [ "$(copies "$cg2")" = 0 ]
check forkbomb_daemon_bystander_alive alive "$bystander"
check forkbomb_daemon_alive alive "$dpid"
kill "$dpid" 2>/dev/null
wait "$dpid" 2>/dev/null
[ "$E2E_FAILED" = 0 ] || sed 's/^/# /' "$WORK/daemon.txt" | grep -v "^# <6>\[" | head -40
for i in $(seq 50); do [ "$(copies "$cg2")" = 0 ] && break; sleep 0.1; done

# 3. a protected member in the bomb's process group: a copy of sleep named
#    "bomb" in a folder named keepme, started by the session's first shell
#    before it becomes the bomb. `kill.protect=cmdline:keepme` must hold:
#    the group is stopped for its check, no kill(-pgid); every copy dies by
#    its own pidfd (opened while the group is stopped), the protected one
#    is spared, lives and runs again (SIGCONT).
cg3=$(memcg_new keep $((128 << 20)))
mkdir -p "$WORK/keepme"
cp "$(command -v sleep)" "$WORK/keepme/bomb"
: > "$WORK/daemon3.txt" # read as the journal: "<N>" prefixes
JOURNAL_STREAM=$(stat -c %d:%i "$WORK/daemon3.txt") \
	"$OOMKIT_FAST" daemon --cgroup "$cg3" --set 'kill.protect=cmdline:keepme' --set log.debug=yes >> "$WORK/daemon3.txt" 2>&1 &
dpid=$!
E2E_PIDS+=("$dpid")
sleep 1
( echo "$BASHPID" > "$cg3/cgroup.procs" &&
	exec setsid sh -c '"$1" 600 & echo $! > "$3"; exec "$2" 7' _ "$WORK/keepme/bomb" "$BOMB" "$WORK/keep.pid" ) &
for i in $(seq 100); do grep -q "Tasks in " "$WORK/daemon3.txt" && break; sleep 0.1; done
sleep 0.5
keep=$(cat "$WORK/keep.pid")
E2E_PIDS+=("$keep")
keep_pgid=$(awk '{print $5}' "/proc/$keep/stat")
# (pgrp = session: the group of the session's first process, the bomb's)
check forkbomb_protect_in_the_bombs_group awk '{ exit !($5 == $6 && $5 > 1) }' "/proc/$keep/stat"
check forkbomb_protect_found_the_bomb grep -q "fork bomb: [0-9]* bomb started in 10s" "$WORK/daemon3.txt"
check forkbomb_protect_no_group_kill_at_once test -z "$(grep "unit pgroup (.*at once)" "$WORK/daemon3.txt")"
check forkbomb_protect_member_alive alive "$keep"
check forkbomb_protect_member_running running "$keep"
check forkbomb_protect_stop_reported grep -q "^<6>oomkit: process group $keep_pgid was stopped while it was checked, then continued" "$WORK/daemon3.txt"
check forkbomb_protect_copies_dead [ "$(copies "$cg3")" = 1 ]
check forkbomb_protect_reported grep -q "^<6>Tasks in process group $keep_pgid are going to be killed due to oomkit --unit pgroup (stopped, its copies one by one)$" "$WORK/daemon3.txt"
check forkbomb_protect_spared_reported grep -q "^<6>oomkit: spared process $keep (bomb) in the group: protected$" "$WORK/daemon3.txt"
kill "$dpid" 2>/dev/null
wait "$dpid" 2>/dev/null
[ "$E2E_FAILED" = 0 ] || sed 's/^/# /' "$WORK/daemon3.txt" | grep -v "^# <6>\[" | head -40
kill -KILL "$keep" 2>/dev/null
for i in $(seq 50); do [ "$(copies "$cg3")" = 0 ] && break; sleep 0.1; done

# 4. the same bomb as 2 with `kill.dry_run=yes`: told, and nothing touched:
#    every copy alive, none stopped. (A dry run's episode sends nothing and
#    so never searches again; its first search misses the bomb in about one
#    run in three: then the copy is told as an ordinary victim, and the run
#    says what the search found.)
cg4=$(memcg_new dry $((128 << 20)))
: > "$WORK/daemon4.txt"
JOURNAL_STREAM=$(stat -c %d:%i "$WORK/daemon4.txt") \
	"$OOMKIT_FAST" daemon --cgroup "$cg4" --set kill.dry_run=yes --set log.debug=yes >> "$WORK/daemon4.txt" 2>&1 &
dpid=$!
E2E_PIDS+=("$dpid")
sleep 1
( echo "$BASHPID" > "$cg4/cgroup.procs" && exec setsid "$BOMB" 7 ) &
for i in $(seq 100); do grep -q "fork bomb: " "$WORK/daemon4.txt" && break; sleep 0.1; done
stopped=0
for i in $(seq 5); do stopped=$((stopped + $(stopped_in "$cg4"))); sleep 0.1; done
check forkbomb_dry_run_told grep -q "^<5>dry-run: would send SIG[A-Z]* to process [0-9]* (bomb)" "$WORK/daemon4.txt"
grep -q "fork bomb: [0-9]* bomb started in 10s" "$WORK/daemon4.txt" ||
	echo "# forkbomb_dry_run: the first search missed the bomb (told as an ordinary victim):" \
		"$(grep -m1 -o "no fork bomb (.*\|young copies of .*" "$WORK/daemon4.txt" || echo "no thread surge seen")"
check forkbomb_dry_run_stops_nothing [ "$stopped" = 0 ]
check forkbomb_dry_run_kills_nothing test -z "$(grep "^<6>Tasks in process group" "$WORK/daemon4.txt")"
kill "$dpid" 2>/dev/null
wait "$dpid" 2>/dev/null
[ "$E2E_FAILED" = 0 ] || sed 's/^/# /' "$WORK/daemon4.txt" | grep -v "^# <6>\[" | head -40
exit "$E2E_FAILED"
