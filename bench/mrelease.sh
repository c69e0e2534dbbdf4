#!/bin/bash
# bench/mrelease.sh [REPS] [MB]: a MB (default 2048) MiB victim alone in a v1
# memory cgroup (limit MB + 512 MiB), killed REPS (default 5) times by
# `oomkit kill --cgroup` with process_mrelease() and REPS times with
# --no-reap. Per run: ms from the signal until the victim's pidfd reported
# its exit (its mm is torn down before that), ms until process_mrelease()
# returned, and the memcg headroom that came back. Uses build/oomkit.
set -u
cd "$(dirname "$0")/.." || exit 1
reps=${1:-5}
mb=${2:-2048}
oomkit=$PWD/build/oomkit
hog=$PWD/build/tests/kill_hog
[ -x "$oomkit" ] && [ -x "$hog" ] || { echo "build first: make check-unit" >&2; exit 2; }
cg=/sys/fs/cgroup/memory/oomkit-bench-mrelease-$$
mkdir "$cg" && echo $(((mb + 512) << 20)) > "$cg/memory.limit_in_bytes" || exit 2
tmp=$(mktemp -d)
trap 'for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -KILL "$p"; done; sleep 0.3; rmdir "$cg"; rm -rf "$tmp"' EXIT

run() { # MODE-ARGS...: one kill, prints "exit_ms reaped_ms freed_kb reaped"
	rm -f "$tmp/ready"
	( echo "$BASHPID" > "$cg/cgroup.procs" && exec "$hog" --mb "$mb" --ready "$tmp/ready" ) &
	local v=$!
	while [ ! -e "$tmp/ready" ]; do sleep 0.05; done
	sleep 0.05 # one clock tick at least: the victim must be older than the scan's tick
	"$oomkit" kill --cgroup "$cg" --json "$@" 2>/dev/null > "$tmp/ev.json"
	wait "$v" 2>/dev/null
	python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))
t = e["timing_ms"]
print("%.2f %.2f %d %s" % (t["signal_to_exit"], t["signal_to_reaped"], e["memory"]["freed_kb"], e["reaped"]))
' "$tmp/ev.json"
}

summary() { # LABEL FILE
	python3 - "$1" "$2" <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[2]) if l.strip()]
ex = [float(r[0]) for r in rows]; rp = [float(r[1]) for r in rows if r[3] == "True"]
fr = [int(r[2]) for r in rows]
back = [min(float(r[0]), float(r[1])) if r[3] == "True" else float(r[0]) for r in rows]
print("%-16s runs=%d reaped=%d exit_ms median=%.1f min=%.1f max=%.1f  mrelease_ms median=%s  memory_back_ms median=%.1f  freed_MiB median=%d" % (
    sys.argv[1], len(rows), len(rp), st.median(ex), min(ex), max(ex),
    ("%.1f" % st.median(rp)) if rp else "-", st.median(back), st.median(fr) // 1024))
PY
}

: > "$tmp/reap"; : > "$tmp/noreap"
for i in $(seq "$reps"); do
	run >> "$tmp/reap"
	run --no-reap >> "$tmp/noreap"
done
echo "victim ${mb} MiB, ${reps} runs each; $(uname -r); $(nproc) CPUs"
summary with-mrelease "$tmp/reap"
summary without "$tmp/noreap"
echo "raw (exit_ms mrelease_ms freed_kb reaped):"
paste "$tmp/reap" "$tmp/noreap" | sed 's/^/  /'
