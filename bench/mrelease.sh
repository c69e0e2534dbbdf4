#!/bin/bash
# bench/mrelease.sh [REPS] [MB] [TIMEOUT]: a MB (default 2048) MiB victim alone in a v1
# memory cgroup (limit MB + 512 MiB), killed REPS (default 5) times by
# `oomkit kill --cgroup` with process_mrelease() and REPS times with
# --no-reap, in two scenes:
#   idle     the victim sleeps on an idle machine and dies at once;
#   starved  the victim is SCHED_IDLE on CPU 0 while a busy loop holds CPU 0
#            (a thrashing machine), oomkit runs on CPU 1.
# Per run: ms from the signal until the victim's pidfd reported its exit (its
# mm is torn down before that), ms until process_mrelease() returned, and the
# memcg headroom that came back. Uses build/oomkit.
set -u
cd "$(dirname "$0")/.." || exit 1
reps=${1:-5}
mb=${2:-2048}
timeout=${3:-20}
oomkit=$PWD/build/oomkit
hog=$PWD/build/tests/kill_hog
[ -x "$oomkit" ] && [ -x "$hog" ] || { echo "build first: make check-unit" >&2; exit 2; }
cg=/sys/fs/cgroup/memory/oomkit-bench-mrelease-$$
mkdir "$cg" && echo $(((mb + 512) << 20)) > "$cg/memory.limit_in_bytes" || exit 2
tmp=$(mktemp -d)
trap 'for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -KILL "$p"; done; sleep 0.3; rmdir "$cg"; rm -rf "$tmp"' EXIT

run() { # SCENE MODE-ARGS...: one kill, prints "exit_ms reaped_ms freed_kb reaped"
	local scene=$1 spin= pin=
	shift
	rm -f "$tmp/ready"
	[ "$scene" = starved ] && pin="taskset -c 0 chrt --idle 0"
	( echo "$BASHPID" > "$cg/cgroup.procs" && exec $pin "$hog" --mb "$mb" --ready "$tmp/ready" ) &
	local v=$!
	while [ ! -e "$tmp/ready" ]; do sleep 0.05; done
	sleep 0.05 # one clock tick at least: the victim must be older than the scan's tick
	if [ "$scene" = starved ]; then
		taskset -c 0 sh -c 'while :; do :; done' &
		spin=$!
	fi
	taskset -c 1 "$oomkit" kill --cgroup "$cg" --json --timeout "$timeout" "$@" 2>/dev/null > "$tmp/ev.json"
	[ -n "$spin" ] && kill "$spin"
	wait "$v" 2>/dev/null
	python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))
t = e["timing_us"]
ms = lambda us: (us or 0) / 1000.0
print("%.2f %.2f %d %s %s" % (ms(t["signal_to_exit"]), ms(t["signal_to_reaped"]), e["memory"]["freed_kb"], e["reaped"], e["exited"]))
' "$tmp/ev.json"
}

summary() { # LABEL FILE
	python3 - "$1" "$2" <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[2]) if l.strip()]
ex = [float(r[0]) for r in rows if r[4] == "True"]; rp = [float(r[1]) for r in rows if r[3] == "True"]
fr = [int(r[2]) for r in rows]
# memory is back when the reaper returned or the victim exited, whichever first
back = [min([float(r[1])] * (r[3] == "True") + [float(r[0])] * (r[4] == "True")) for r in rows
        if r[3] == "True" or r[4] == "True"]
med = lambda v: ("%.1f" % st.median(v)) if v else "-"
print("%-17s runs=%d exited=%d reaped=%d  exit_ms median=%s max=%s  mrelease_ms median=%s  memory_back_ms median=%s  freed_MiB median=%d" % (
    sys.argv[1], len(rows), len(ex), len(rp), med(ex), ("%.1f" % max(ex)) if ex else "-",
    med(rp), med(back), st.median(fr) // 1024))
PY
}

echo "victim ${mb} MiB, ${reps} runs each, timeout ${timeout} s; $(uname -r); $(nproc) CPUs; $(date -u +%FT%TZ)"
for scene in idle starved; do
	: > "$tmp/reap"; : > "$tmp/noreap"
	for i in $(seq "$reps"); do
		run "$scene" >> "$tmp/reap"
		run "$scene" --no-reap >> "$tmp/noreap"
	done
	summary "$scene/mrelease" "$tmp/reap"
	summary "$scene/no-reap" "$tmp/noreap"
	echo "  raw (exit_ms mrelease_ms freed_kb reaped exited | same --no-reap):"
	paste "$tmp/reap" "$tmp/noreap" | sed 's/^/    /'
done
