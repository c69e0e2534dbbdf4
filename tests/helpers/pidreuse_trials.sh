#!/bin/bash
# pidreuse_trials.sh OOMKIT KILL_HOG CGROUP N PAUSE [AGE]: N PID-reuse trials, run
# as pid 1 of a new pid namespace (unshare --pid --fork --mount-proc), so that
# /proc/sys/kernel/ns_last_pid makes the reuse deterministic. Each trial:
# a victim V starts in CGROUP; `oomkit kill --cgroup CGROUP` selects it and
# stops itself (OOMKIT_TEST_PAUSE=PAUSE: before-pidfd | before-verify); V is
# killed and reaped; a new process is forked into the same cgroup with pid V;
# oomkit continues. A wrong kill is the new process dying. AGE (seconds,
# default 0) lets the victim age before the scan: 0 exercises the same-tick
# rule (KILL_TOO_YOUNG), 0.03 the start-time comparison itself.
# Prints: trials=N reused=R wrong_kills=W refused=F (F: oomkit exit 6) and
# the outcomes oomkit reported (too_young, pid_reused, victim_gone, ...).
oomkit=$1 hog=$2 cg=$3 n=$4 pause=$5 age=${6:-0}
wrong=0 reused=0 refused=0
declare -A outcomes=()
ev=$(mktemp)

state() { # state letter of $1 without forking
	local line
	read -r line < "/proc/$1/stat" 2>/dev/null || { echo X; return; }
	line=${line##*) }
	echo "${line:0:1}"
}

in_cgroup() {
	local p
	while read -r p; do [ "$p" = "$1" ] && return 0; done < "$cg/cgroup.procs"
	return 1
}

# wait_in_cgroup PID: until PID is a member (false if it died first)
wait_in_cgroup() {
	until in_cgroup "$1"; do
		[ -d "/proc/$1" ] || return 1
	done
}

for ((i = 0; i < n; i++)); do
	( echo "$BASHPID" > "$cg/cgroup.procs" && exec "$hog" ) &
	v=$!
	if ! wait_in_cgroup "$v"; then
		echo "trial $i: victim $v died before joining the cgroup" >&2
		wait "$v"; continue
	fi
	[ "$age" = 0 ] || sleep "$age"
	OOMKIT_TEST_PAUSE=$pause "$oomkit" kill --cgroup "$cg" --json > "$ev" 2> /dev/null &
	k=$!
	# stopped at the hook, or already done (refused before it: too young)
	while s=$(state "$k"); [ "$s" != T ] && [ "$s" != X ] && [ "$s" != Z ]; do :; done
	kill -KILL "$v"; wait "$v" 2>/dev/null
	echo $((v - 1)) > /proc/sys/kernel/ns_last_pid
	( echo "$BASHPID" > "$cg/cgroup.procs" && exec "$hog" ) &
	nw=$!
	wait_in_cgroup "$nw" || echo "trial $i: new process $nw died before joining the cgroup" >&2
	[ "$nw" = "$v" ] && reused=$((reused + 1))
	kill -CONT "$k" 2>/dev/null; wait "$k"; rc=$?
	[ "$rc" = 6 ] && refused=$((refused + 1))
	line=
	read -r line < "$ev"
	o=no_event
	[[ $line =~ \"outcome\":\"([a-z_]+)\" ]] && o=${BASH_REMATCH[1]}
	[ "$rc" = 6 ] || o="$o(exit $rc)"
	outcomes[$o]=$((${outcomes[$o]:-0} + 1))
	s=$(state "$nw")
	[ "$s" != Z ] && [ "$s" != X ] || wrong=$((wrong + 1))
	kill -KILL "$nw"; wait "$nw" 2>/dev/null
done
rm -f "$ev"
o=
for k in "${!outcomes[@]}"; do o="$o $k=${outcomes[$k]}"; done
echo "trials=$n reused=$reused wrong_kills=$wrong refused=$refused outcomes:$o"
