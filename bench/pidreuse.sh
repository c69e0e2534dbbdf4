#!/bin/bash
# bench/pidreuse.sh [TRIALS]: TRIALS (default 10000) deterministic PID-reuse
# trials against `oomkit kill` (tests/helpers/pidreuse_trials.sh), split over
# both hooks (before pidfd_open, before the start-time check) and two victim
# ages (same clock tick as the scan, 30 ms older). Prints one line per
# configuration and the total of wrong kills, which must be 0.
# Needs root, a v1 memory controller and unshare; uses build/oomkit.
set -u
cd "$(dirname "$0")/.." || exit 1
total=${1:-10000}
per=$((total / 4))
oomkit=$PWD/build/oomkit
hog=$PWD/build/tests/kill_hog
[ -x "$oomkit" ] && [ -x "$hog" ] || { echo "build first: make check-unit" >&2; exit 2; }
cg=/sys/fs/cgroup/memory/oomkit-bench-pidreuse-$$
mkdir "$cg" && echo $((64 << 20)) > "$cg/memory.limit_in_bytes" || exit 2
trap 'for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -KILL "$p"; done; sleep 0.2; rmdir "$cg"' EXIT
wrong=0
start=$(date +%s)
for pause in before-pidfd before-verify; do
	for age in 0 0.03; do
		out=$(unshare --pid --fork --mount-proc tests/helpers/pidreuse_trials.sh "$oomkit" "$hog" "$cg" "$per" "$pause" "$age" 2>/dev/null | tail -1)
		echo "pause=$pause age=${age}s $out"
		w=${out##*wrong_kills=}; w=${w%% *}
		wrong=$((wrong + ${w:-1}))
	done
done
echo "total trials=$((per * 4)) wrong_kills=$wrong seconds=$(( $(date +%s) - start ))"
[ "$wrong" = 0 ]
