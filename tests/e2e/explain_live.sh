#!/bin/bash
# The running kernel is the oracle: cause a real memory-cgroup OOM (v1,
# 64 MiB limit, the hog never runs outside it), then `oomkit explain` must
# find it in /dev/kmsg (no argument) and `--follow` must report it as it
# is printed, with the pid that really died and the cgroup whose limit hit.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
needs_memcg_v1 explain_live
work=$(mktemp -d)
cg=
# memcg_new and spawn_in run in $(...): lib.sh's cleanup lists never see
# their cgroup and pid, so this test removes them itself.
cleanup() {
	kill "$follower" 2>/dev/null
	[ -n "$hog" ] && kill -KILL "$hog" 2>/dev/null
	if [ -n "$cg" ] && [ -d "$cg" ]; then
		for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		for _ in $(seq 30); do rmdir "$cg" 2>/dev/null && break; sleep 0.1; done
	fi
	rm -rf "$work"
	e2e_cleanup
}
hog=
trap cleanup EXIT

"$OOMKIT" explain --follow --jsonl >"$work/follow" 2>"$work/follow.err" &
follower=$!
cg=$(memcg_new explain 67108864) || { not_ok "explain live: cannot make a memory cgroup"; exit 1; }
hog=$(spawn_in "$cg" python3 -c 'import time
a = []
while True:
    a.append(bytearray(4 << 20)); time.sleep(0.01)')
for _ in $(seq 100); do kill -0 "$hog" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$hog" 2>/dev/null; then
	not_ok "explain live: the hog was not OOM-killed within 10 s"
	exit 1
fi
name=${cg##*/}

# has_event FILE: an event for our hog in FILE's JSON lines
has_event() {
	python3 - "$1" "$hog" "$name" <<'PY'
import json, sys
path, pid, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for line in open(path):
    e = json.loads(line)
    v = e.get("victim") or {}
    if v.get("pid") == pid and (e.get("memcg") or "").endswith("/" + name):
        ok = e["constraint"] == "CONSTRAINT_MEMCG" and e["invoker"]["pid"] == pid \
             and e["memcg_usage"]["memory"]["limit_kb"] == 65536 and v["anon_rss_kb"] > 0
        sys.exit(0 if ok else 2)
sys.exit(1)
PY
}
"$OOMKIT" explain --jsonl >"$work/kmsg" 2>"$work/kmsg.err"
rc=$?
if [ $rc -ne 0 ]; then
	not_ok "explain live: exit $rc reading /dev/kmsg: $(cat "$work/kmsg.err")"
else
	check "explain live: /dev/kmsg has the OOM of pid $hog in $name" has_event "$work/kmsg"
fi
for _ in $(seq 50); do has_event "$work/follow" && break; sleep 0.1; done
check "explain live: --follow reported pid $hog as it was printed" has_event "$work/follow"
"$OOMKIT" explain >"$work/text" 2>&1
check "explain live: the human report names the victim" grep -q "Killed: .*(pid $hog)" "$work/text"
exit $E2E_FAILED
