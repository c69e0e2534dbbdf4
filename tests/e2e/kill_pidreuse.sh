#!/bin/bash
# PID reuse between selection and signal: in a new pid namespace the victim
# exits and its pid is handed (ns_last_pid) to a new process in the same
# cgroup while `oomkit kill` is stopped at a test hook; the new process must
# survive. A few hundred trials at both hooks (bench/pidreuse.sh: 10,000).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/helpers/kill_e2e.sh

if ! have_root || ! have_memcg_v1 || ! command -v unshare > /dev/null; then
	skip "kill_pidreuse: needs root, the v1 memory controller and unshare"
	exit 0
fi
newcg pidreuse $((64 << 20)); cg=$CG
trial() { # NAME OOMKIT N PAUSE AGE
	local out
	out=$(unshare --pid --fork --mount-proc tests/helpers/pidreuse_trials.sh "$2" "$KILL_HOG" "$cg" "$3" "$4" "$5" 2>/dev/null | tail -1)
	case $out in
	"trials=$3 reused=$3 wrong_kills=0 refused=$3 "*) ok "$1 ($out)" ;;
	*wrong_kills=0*) not_ok "$1: not every trial reused the pid or was refused: $out" ;;
	*) not_ok "$1: $out" ;;
	esac
}
trial kill_pidreuse_before_pidfd_same_tick "$OOMKIT_FAST" 100 before-pidfd 0
trial kill_pidreuse_before_pidfd_aged "$OOMKIT_FAST" 60 before-pidfd 0.03
trial kill_pidreuse_before_verify_same_tick "$OOMKIT_FAST" 100 before-verify 0
trial kill_pidreuse_before_verify_aged "$OOMKIT_FAST" 60 before-verify 0.03
trial kill_pidreuse_sanitizer_build "$OOMKIT" 10 before-pidfd 0.03
exit $E2E_FAILED
