#!/bin/bash
# The protect rule holds for every kill unit, with real kills in v1 memory
# cgroups: a protected process that shares the victim's mm, or is in its
# process group, its memory cgroup or its swarm (namesakes) lives, and the
# report says why; an ignored member still dies with the group (as with
# earlyoom's --ignore, it is only never chosen). The same with oom_score_adj
# -1000 members needs CAP_SYS_RESOURCE: the guest's kill-unit-protect case
# (tests/e2e/vm.sh).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/helpers/kill_e2e.sh

needs_memcg_v1 kill_protect
[ -x "$KILL_HOG" ] || { not_ok "kill_protect: $KILL_HOG not built (make check-unit)"; exit 1; }

# spared OUT PID COMM WHERE: the report names PID as spared, protected
spared() {
	grep -qx "oomkit: spared process $2 ($3) $4: protected" "$1"
}

# 1. sharers: the CLONE_VM child named keepme shares the victim's mm
newcg sharers $((300 << 20)); cg=$CG
hog "$cg" --mb 80 --clone-name keepme; leader=$P
sleep 0.1
child=$(grep -vx "$leader" "$cg/cgroup.procs" | head -1)
"$OOMKIT" kill --cgroup "$cg" --protect 'comm:^keepme$' 2> "$KT/sharers.txt"; rc=$?
check kill_protect_sharer_exit_0 [ "$rc" = 0 ]
check kill_protect_sharer_victim_dead gone "$leader"
check kill_protect_sharer_alive alive "$child"
check kill_protect_sharer_reported spared "$KT/sharers.txt" "$child" keepme "sharing same memory"

# 2. --unit pgroup: a protected member lives, an ignored one dies
newcg pgroup $((300 << 20)); cg=$CG
spawn_in "$cg" setsid sh -c "\"$KILL_HOG\" --mb 60 & \"$KILL_HOG\" --mb 5 --name keepme & \"$KILL_HOG\" --mb 5 --name ignoreme & wait" > "$KT/pid"
read -r sess < "$KT/pid"
for _ in $(seq 40); do [ "$(pgrep -s "$sess" | wc -l)" -ge 4 ] && break; sleep 0.05; done
sleep 0.3
keep=$(pgrep -x -s "$sess" keepme); ign=$(pgrep -x -s "$sess" ignoreme); big=$(pgrep -x -s "$sess" kill_hog)
E2E_PIDS+=("$keep")
"$OOMKIT" kill --cgroup "$cg" --unit pgroup --protect 'comm:^keepme$' --ignore 'comm:^ignoreme$' 2> "$KT/pgroup.txt"; rc=$?
check kill_protect_pgroup_exit_0 [ "$rc" = 0 ]
check kill_protect_pgroup_victim_dead gone "$big"
check kill_protect_pgroup_ignored_dead gone "$ign"
check kill_protect_pgroup_leader_dead gone "$sess"
check kill_protect_pgroup_alive alive "$keep"
check kill_protect_pgroup_reported spared "$KT/pgroup.txt" "$keep" keepme "in the group"

# three_hogs NAME UNIT RULE COMM ARGS...: in a new cgroup a big hog, one
# started with ARGS (named COMM) that RULE protects, and a small one;
# `oomkit kill --unit UNIT --protect RULE`: the protected one lives.
three_hogs() {
	local name=$1 unit=$2 rule=$3 comm=$4 big keep small
	shift 4
	newcg "$name" $((300 << 20)); cg=$CG
	hog "$cg" --mb 60; big=$P
	hog "$cg" --mb 5 "$@"; keep=$P
	hog "$cg" --mb 5; small=$P
	"$OOMKIT" kill --cgroup "$cg" --unit "$unit" --protect "$rule" 2> "$KT/$name.txt"; rc=$?
	check "kill_protect_${name}_exit_0" [ "$rc" = 0 ]
	check "kill_protect_${name}_victim_dead" gone "$big"
	check "kill_protect_${name}_member_dead" gone "$small"
	check "kill_protect_${name}_alive" alive "$keep"
	check "kill_protect_${name}_reported" spared "$KT/$name.txt" "$keep" "$comm" "in the group"
}
# 3. --unit cgroup (v1: member by member through pidfds)
three_hogs cgroup cgroup 'comm:^keepme$' keepme --name keepme
# 4. --unit swarm: a namesake protected by its command line
three_hogs swarm swarm 'cmdline:keepme' kill_hog --tag keepme

# 5. the daemon with earlyoom's -g: its SIGKILL step (after the grace of a
#    SIGTERM-ignoring hog) kills the victim's process group member by
#    member; the protected member lives
newcg daemon_g $((256 << 20)); cg=$CG
"$OOMKIT" daemon --no-mlockall --psi off --psi-sustained off --cgroup "$cg" --set memory.enabled=no \
	--grace 1s -g --set 'kill.protect=comm:^keepme$' > "$KT/daemon.txt" 2>&1 &
dpid=$!
E2E_PIDS+=("$dpid")
for _ in $(seq 100); do grep -q "oomkit daemon:" "$KT/daemon.txt" && break; sleep 0.05; done
spawn_in "$cg" setsid sh -c "\"$KILL_HOG\" --mb 5 --name keepme & \"$KILL_HOG\" --mb 5 & exec \"$KILL_HOG\" --mb 220 --ignore-term" > "$KT/pid"
read -r big < "$KT/pid"
for _ in $(seq 40); do [ "$(pgrep -s "$big" | wc -l)" -ge 3 ] && break; sleep 0.05; done
keep=$(pgrep -x -s "$big" keepme); small=$(pgrep -x -s "$big" kill_hog | grep -vx "$big")
E2E_PIDS+=("$keep")
for _ in $(seq 100); do alive "$big" || break; sleep 0.1; done
sleep 0.3
check kill_protect_daemon_g_victim_dead gone "$big"
check kill_protect_daemon_g_member_dead gone "$small"
check kill_protect_daemon_g_alive alive "$keep"
check kill_protect_daemon_g_unit grep -q "Tasks in process group $big are going to be killed due to oomkit --unit pgroup$" "$KT/daemon.txt"
check kill_protect_daemon_g_reported grep -q "oomkit: spared process $keep (keepme) in the group: protected$" "$KT/daemon.txt"
kill "$dpid" 2>/dev/null
wait "$dpid" 2>/dev/null

[ "$E2E_FAILED" = 0 ] || for f in sharers pgroup cgroup swarm daemon; do sed "s/^/# $f: /" "$KT/$f.txt" | grep -v '^# [a-z]*: \[' | tail -8; done
exit "$E2E_FAILED"
