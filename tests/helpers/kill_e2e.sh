# Helpers for tests/e2e/kill*.sh (sourced after tests/e2e/lib.sh): start
# kill_hog processes in memory cgroups and wait until they are ready.
KILL_HOG=${KILL_HOG:-$(dirname "$OOMKIT_FAST")/tests/kill_hog}
KT=$(mktemp -d /tmp/oomkit-kill-e2e.XXXXXX)
trap 'e2e_cleanup; rm -rf "$KT"' EXIT
KT_N=0

# newcg NAME LIMIT: memcg_new in this shell (through $(...) its cleanup
# registration would be lost in the subshell); sets $CG.
newcg() {
	memcg_new "$@" > "$KT/cg" || return 1
	read -r CG < "$KT/cg"
	E2E_CGROUPS+=("$CG")
}

# hog CGROUP ARGS...: starts kill_hog ARGS in CGROUP, sets $P to its pid and
# returns once it has filled its memory (non-zero if it died or stalled).
hog() {
	local cg=$1; shift
	KT_N=$((KT_N + 1))
	local ready="$KT/ready.$KT_N"
	spawn_in "$cg" "$KILL_HOG" "$@" --ready "$ready" > "$KT/pid"
	read -r P < "$KT/pid"
	E2E_PIDS+=("$P")
	for _ in $(seq 100); do
		[ -e "$ready" ] && return 0
		[ -d "/proc/$P" ] || return 1
		sleep 0.05
	done
	return 1
}

# alive PID: the process exists and is not a zombie.
alive() {
	local s
	s=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 1
	[ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]
}

# gone PID: dead (or a zombie) within 2 s.
gone() {
	for _ in $(seq 40); do
		alive "$1" || return 0
		sleep 0.05
	done
	return 1
}

# can_adj_min: may this test set oom_score_adj -1000 (CAP_SYS_RESOURCE)?
can_adj_min() {
	sh -c 'echo -1000 > /proc/self/oom_score_adj' 2>/dev/null
}
