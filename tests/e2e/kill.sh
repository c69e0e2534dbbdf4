#!/bin/bash
# oomkit kill against real processes in v1 memory cgroups: the top process
# dies, the protected / -1000 ones live even when biggest, CLONE_VM sharers
# die together, threads and zombie leaders, --unit pgroup|cgroup, dry run,
# hostile names, exit codes. Every hog runs under a memory limit.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/helpers/kill_e2e.sh

needs_memcg_v1 kill
[ -x "$KILL_HOG" ] || { not_ok "kill: $KILL_HOG not built (make check-unit)"; exit 1; }

# 1. the biggest killable process of the cgroup dies; protected and -1000
#    ones survive although bigger
newcg top $((600 << 20)); cg=$CG
hog "$cg" --mb 20; small=$P
hog "$cg" --mb 60; mid=$P
hog "$cg" --mb 120 --name keepme; keep=$P
adjmin=
if can_adj_min; then hog "$cg" --mb 160 --adj -1000; adjmin=$P; fi
"$OOMKIT" kill --cgroup "$cg" --dry-run --protect keepme 2> "$KT/dry.txt"; rc=$?
check kill_dry_run_exit_0 [ "$rc" = 0 ]
check kill_dry_run_kills_nothing alive "$mid"
check kill_dry_run_says_so grep -q "out of memory (dry run): Killed process $mid (kill_hog)" "$KT/dry.txt"
"$OOMKIT" kill --cgroup "$cg" --protect 'comm:^keepme$' 2> "$KT/top.txt"; rc=$?
check kill_top_exit_0 [ "$rc" = 0 ]
check kill_top_victim_dead gone "$mid"
check kill_top_small_alive alive "$small"
check kill_protected_alive alive "$keep"
check kill_report_names_victim grep -q "^Memory cgroup out of memory: Killed process $mid (kill_hog) total-vm:[0-9]*kB, anon-rss:[0-9]*kB" "$KT/top.txt"
check kill_report_summary grep -q "^oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),oom_memcg=/$(basename "$cg"),task_memcg=/$(basename "$cg"),task=kill_hog,pid=$mid,uid=0$" "$KT/top.txt"
check kill_report_tasks grep -q "^\[ *$keep\] " "$KT/top.txt"
check kill_report_exit_time grep -q "^oomkit: process $mid exited [0-9.]* ms after the signal" "$KT/top.txt"
if [ -n "$adjmin" ]; then
	check kill_adj_min_alive alive "$adjmin"
	"$OOMKIT" kill --cgroup "$cg" --protect 'comm:^keepme$' 2>/dev/null
	check kill_adj_min_second_kill_takes_small gone "$small"
	check kill_adj_min_still_alive alive "$adjmin"
else
	echo "# kill_adj_min_alive: covered by tests/e2e/vm.sh (guest scenario kill-adj), this host lacks CAP_SYS_RESOURCE"
fi
"$OOMKIT" kill --cgroup "$cg" --protect 'comm:^keepme$' --ignore 'comm:^kill_hog$' 2> "$KT/none.txt"; rc=$?
check kill_no_victim_exit_6 [ "$rc" = 6 ]
check kill_no_victim_report grep -q "^Out of memory and no killable processes" "$KT/none.txt"
check kill_no_victim_keeps alive "$keep"

# 2. prefer beats size; avoid loses to it
newcg prefer $((300 << 20)); cg=$CG
hog "$cg" --mb 80 --name big; big=$P
hog "$cg" --mb 20 --name pick; pick=$P
"$OOMKIT" kill --cgroup "$cg" --prefer '^pick$' --avoid big 2>/dev/null
check kill_prefer_victim gone "$pick"
check kill_prefer_big_alive alive "$big"

# 3. a CLONE_VM child shares the mm: both die, both reported
newcg clonevm $((300 << 20)); cg=$CG
hog "$cg" --mb 10; other=$P
hog "$cg" --mb 80 --clone-vm; leader=$P
sleep 0.1
child=$(grep -vx -e "$other" -e "$leader" "$cg/cgroup.procs" | head -1)
"$OOMKIT" kill --cgroup "$cg" 2> "$KT/clone.txt"; rc=$?
check kill_clone_vm_exit_0 [ "$rc" = 0 ]
check kill_clone_vm_leader_dead gone "$leader"
check kill_clone_vm_child_dead gone "$child"
check kill_clone_vm_other_alive alive "$other"
check kill_clone_vm_reported grep -Eq "^Kill process ($leader|$child) \(kill_hog\) sharing same memory$" "$KT/clone.txt"

# 4. multi-threaded victim; 5. zombie leader whose threads live on
newcg threads $((300 << 20)); cg=$CG
hog "$cg" --mb 80 --threads 8; mt=$P
"$OOMKIT" kill --cgroup "$cg" --timeout 5 2>/dev/null; rc=$?
check kill_threads_exit_0 [ "$rc" = 0 ]
check kill_threads_dead gone "$mt"
newcg zombie $((300 << 20)); cg=$CG
hog "$cg" --mb 80 --zombie-leader; zl=$P
sleep 0.2
"$OOMKIT" kill --cgroup "$cg" --timeout 5 2> "$KT/zombie.txt"; rc=$?
check kill_zombie_leader_exit_0 [ "$rc" = 0 ]
check kill_zombie_leader_reported grep -q "out of memory: Killed process $zl (kill_hog) total-vm:[1-9]" "$KT/zombie.txt"
check kill_zombie_leader_threads_dead [ -z "$(ls "/proc/$zl/task" 2>/dev/null | grep -vx "$zl")" ]
check kill_zombie_leader_cgroup_empty [ -z "$(cat "$cg/cgroup.procs")" ]

# 6. --unit pgroup: the victim's process group dies, nothing else
newcg pgroup $((300 << 20)); cg=$CG
hog "$cg" --mb 10; outside=$P
spawn_in "$cg" setsid sh -c "\"$KILL_HOG\" --mb 60 & \"$KILL_HOG\" --mb 5 & wait" > "$KT/pid"
read -r sess < "$KT/pid"
sleep 0.5
members=$(awk -v s="$sess" '{ sub(/.*\) /, ""); split($0, f, " "); if (f[3] == s) print FILENAME }' /proc/[0-9]*/stat 2>/dev/null | cut -d/ -f3)
"$OOMKIT" kill --cgroup "$cg" --unit pgroup 2> "$KT/pgroup.txt"; rc=$?
check kill_pgroup_exit_0 [ "$rc" = 0 ]
dead=0; for m in $members; do gone "$m" && dead=$((dead + 1)); done
check kill_pgroup_all_members_dead [ "$dead" -ge 3 -a "$dead" = "$(echo "$members" | wc -w)" ]
check kill_pgroup_outside_alive alive "$outside"
check kill_pgroup_reported grep -q "^Tasks in process group $sess are going to be killed" "$KT/pgroup.txt"

# 7. --unit cgroup: the victim's whole (leaf) cgroup dies, its sibling lives
newcg unit $((400 << 20)); cg=$CG
mkdir "$cg/a" "$cg/b" && E2E_CGROUPS+=("$cg/a" "$cg/b")
hog "$cg/a" --mb 60; a1=$P
hog "$cg/a" --mb 5; a2=$P
hog "$cg/b" --mb 30; b1=$P
"$OOMKIT" kill --cgroup "$cg" --unit cgroup 2> "$KT/cg.txt"; rc=$?
check kill_cgroup_exit_0 [ "$rc" = 0 ]
check kill_cgroup_victim_dead gone "$a1"
check kill_cgroup_member_dead gone "$a2"
check kill_cgroup_sibling_alive alive "$b1"
check kill_cgroup_member_reported grep -q "out of memory: Killed process $a2 (kill_hog)" "$KT/cg.txt"

# 8. hostile names: newline, parentheses and $(...) in comm and cmdline
newcg hostile $((200 << 20)); cg=$CG
name=$'a)\n$(touch pwn)'
ln -s "$KILL_HOG" "$KT/$name"
rm -f /tmp/pwned "$KT/pwn"
spawn_in "$cg" "$KT/$name" --mb 30 --tag '$(touch /tmp/pwned)' --ready "$KT/hostile.ready" > "$KT/pid"
read -r hp < "$KT/pid"
for _ in $(seq 100); do [ -e "$KT/hostile.ready" ] && break; sleep 0.05; done
(cd "$KT" && "$OOMKIT" kill --cgroup "$cg" --json > "$KT/hostile.json" 2> "$KT/hostile.err"
 "$OOMKIT" kill --cgroup "$cg" --dry-run 2> "$KT/hostile.txt"); rc=$?
check kill_hostile_nothing_executed [ ! -e /tmp/pwned -a ! -e "$KT/pwn" ]
check kill_hostile_dead gone "$hp"
check kill_hostile_json_comm python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))
assert e["victim"]["comm"] == sys.argv[2], e["victim"]["comm"]
assert e["outcome"] == "killed" and e["killed"] is True
' "$KT/hostile.json" "$name"
hog "$cg" --mb 10 --name "$name"
"$OOMKIT" kill --cgroup "$cg" --dry-run 2> "$KT/hostile.txt"
check kill_hostile_one_line_per_field grep -q '^Memory cgroup out of memory (dry run): Killed process [0-9]* (a)\\x0a$(touch pwn)) total-vm:' "$KT/hostile.txt"
check kill_hostile_no_stray_line [ -z "$(grep -Ev '^(oomkit|Memory cgroup|memory:|Tasks|\[|oom-kill:|Kill|[a-z_]+ [0-9]+$)' "$KT/hostile.txt")" ]

# 9. a first stage with SIGTERM: a task that ignores it outlives the timeout
newcg term $((200 << 20)); cg=$CG
hog "$cg" --mb 20 --ignore-term; deaf=$P
"$OOMKIT" kill --cgroup "$cg" --signal TERM --timeout 1 2> "$KT/term.txt"; rc=$?
check kill_term_timeout_exit_7 [ "$rc" = 7 ]
check kill_term_timeout_reported grep -q "^oomkit: process $deaf did not exit within 1000 ms after TERM" "$KT/term.txt"
check kill_term_message grep -q "^Memory cgroup out of memory (TERM): Killed process $deaf " "$KT/term.txt"
check kill_term_not_reaped [ -z "$(grep '^oom_reaper' "$KT/term.txt")" ]
check kill_term_survivor_alive alive "$deaf"
"$OOMKIT" kill --cgroup "$cg" 2>/dev/null; rc=$?
check kill_term_then_kill [ "$rc" = 0 ]
check kill_term_then_kill_dead gone "$deaf"

# 10. not root: root's victim cannot be signalled; say EPERM, exit 7 (not
#     "already exiting", exit 6), and the victim lives
newcg eperm $((100 << 20)); cg=$CG
hog "$cg" --mb 5; root_hog=$P
setpriv --reuid=65534 --regid=65534 --clear-groups -- "$OOMKIT" kill --cgroup "$cg" 2> "$KT/eperm.txt"; rc=$?
check kill_not_root_exit_7 [ "$rc" = 7 ]
check kill_not_root_says_eperm grep -q "^Memory cgroup out of memory: signal to process $root_hog (kill_hog) failed: Operation not permitted" "$KT/eperm.txt"
check kill_not_root_not_exiting [ -z "$(grep 'already exiting' "$KT/eperm.txt")" ]
check kill_not_root_victim_alive alive "$root_hog"

# 11. usage errors and a bad cgroup
"$OOMKIT" kill --cgroup /no/such/cgroup 2>/dev/null; rc=$?
check kill_bad_cgroup_exit_3 [ "$rc" = 3 ]
"$OOMKIT" kill --avoid 'cmdlin:x' 2> "$KT/usage.txt"; rc=$?
check kill_bad_rule_exit_2 [ "$rc" = 2 ]
check kill_bad_rule_says_why grep -q "unknown field in 'cmdlin:x'" "$KT/usage.txt"
exit $E2E_FAILED
