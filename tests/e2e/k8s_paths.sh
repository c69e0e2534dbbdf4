#!/bin/bash
# k8s_paths.sh - Kubernetes pod cgroups as the kubelet names them (cgroupfs
# and systemd drivers), recreated in the v1 memory hierarchy with real
# processes in them: rank, kill and daemon show the pod UID, QoS class,
# container ID and runtime, read from /proc/PID/cgroup, in human and JSON
# output; explain does the same from the reports the running kernel printed
# for OOMs in such cgroups (tests/fixtures/k8s/).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

build=$(dirname "$OOMKIT_FAST")
tmp=$(mktemp -d /tmp/oomkit-k8s.XXXXXX)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
ROOT=$MEMCG_V1_ROOT/oomkit-k8s-$$
DIRS=()
reap_ours() { local p; for p in "${E2E_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
rm_tree() { local i; for ((i = ${#DIRS[@]} - 1; i >= 0; i--)); do rmdir "${DIRS[i]}" 2>/dev/null; done; }
trap 'reap_ours; rm_tree; [ -n "$KEEP" ] || rm -rf "$tmp"; e2e_cleanup' EXIT

needs_memcg_v1 k8s_paths
UID_=0f3b7e8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b
CID=3b1c9e2f0a4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f
# mkpath RELATIVE/PATH: creates every level below ROOT, remembers each for
# removal (in this shell: not in a $(...) subshell) and sets made=the leaf
mkpath() {
	local p=$ROOT part parts
	[ -d "$p" ] || { mkdir "$p" && DIRS+=("$p"); }
	IFS=/ read -ra parts <<<"$1"
	for part in "${parts[@]}"; do p=$p/$part; mkdir "$p" && DIRS+=("$p"); done
	made=$p
}
mkpath "kubepods/burstable/pod$UID_/$CID"
fs=$made
mkpath "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_//-/_}.slice/crio-$CID.scope"
sd=$made
echo $((96 << 20)) > "$fs/memory.limit_in_bytes"
spawn_in "$fs" "$build/tests/kill_hog" --mb 8 --ready "$tmp/fs.ready" >/dev/null; pfs=${E2E_PIDS[-1]}
spawn_in "$sd" "$build/tests/kill_hog" --mb 8 --ready "$tmp/sd.ready" >/dev/null; psd=${E2E_PIDS[-1]}
for _ in $(seq 100); do [ -e "$tmp/fs.ready" ] && [ -e "$tmp/sd.ready" ] && break; sleep 0.05; done

"$OOMKIT" rank --json >"$tmp/rank.json" 2>&1
if "$PY" - "$tmp/rank.json" "$pfs" "$psd" "$UID_" "$CID" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
rows = {p["pid"]: p for p in d["processes"]}
fs, sd = rows[int(sys.argv[2])]["k8s"], rows[int(sys.argv[3])]["k8s"]
assert fs == {"qos": "Burstable", "pod_uid": sys.argv[4], "container_id": sys.argv[5], "runtime": None,
              "cgroup_driver": "cgroupfs", "conmon": False}, fs
assert sd == {"qos": "BestEffort", "pod_uid": sys.argv[4], "container_id": sys.argv[5], "runtime": "cri-o",
              "cgroup_driver": "systemd", "conmon": False}, sd
assert all(p["k8s"] is None for p in d["processes"] if p["pid"] not in (int(sys.argv[2]), int(sys.argv[3]))
           and "kubepods" not in (p["memcg"] or "") and "docker" not in (p["memcg"] or ""))
PYEOF
then ok k8s_rank_json; else not_ok k8s_rank_json: "$(tail -1 "$tmp/rank.json")"; fi
"$OOMKIT" rank --all >"$tmp/rank.txt" 2>&1
check k8s_rank_human grep -qE "^ *$pfs .* pod 0f3b7e8a Burstable\$" "$tmp/rank.txt"

"$OOMKIT" kill --dry-run --cgroup "$fs" >"$tmp/kill.out" 2>"$tmp/kill.err"
check k8s_kill_report_line grep -q "oomkit: process $pfs runs in pod $UID_ (Burstable) container 3b1c9e2f0a4d" "$tmp/kill.err"
"$OOMKIT" kill --dry-run --json --cgroup "$sd" >"$tmp/kill.json" 2>/dev/null
check k8s_kill_json "$PY" -c 'import json,sys; v=json.load(open(sys.argv[1]))["victim"]; assert v["k8s"]["qos"] == "BestEffort" and v["k8s"]["runtime"] == "cri-o", v' "$tmp/kill.json"

for drv in cgroupfs systemd; do
	f=tests/fixtures/k8s/memcg-oom-$drv-6.18.log
	"$OOMKIT" explain "$f" >"$tmp/explain.txt" 2>&1
	check "k8s_explain_human_$drv" grep -q "^  Pod:       pod $UID_ (B[a-zA-Z]*) container 3b1c9e2f0a4d" "$tmp/explain.txt"
	"$OOMKIT" explain --json "$f" >"$tmp/explain.json" 2>&1
	check "k8s_explain_json_$drv" "$PY" -c 'import json,sys; e=json.load(open(sys.argv[1]))["events"][0]; assert e["k8s"]["pod_uid"] == sys.argv[2] and e["k8s"]["cgroup_driver"] == sys.argv[3], e["k8s"]' "$tmp/explain.json" "$UID_" "$drv"
done

if "$OOMKIT" daemon --help 2>&1 | grep -q 'not built yet'; then
	skip k8s_daemon: oomkit daemon not merged yet
	exit $E2E_FAILED
fi
printf '[memory]\nenabled = no\n[psi]\ntrigger = off\nsustained = off\n[publish]\nstatus_dir =\n' >"$tmp/c.conf"
"$OOMKIT_FAST" daemon --config "$tmp/c.conf" --dry-run --cgroup "$fs" --json-file "$tmp/events.json" >"$tmp/daemon.out" 2>&1 &
D=$!
E2E_PIDS+=("$D")
for _ in $(seq 100); do grep -q '^watching' "$tmp/daemon.out" && break; sleep 0.1; done
# 8 + 80 MiB of 96: headroom 8% < the default 10% SIGTERM floor
spawn_in "$fs" "$build/tests/kill_hog" --mb 80 >/dev/null
for _ in $(seq 100); do grep -q 'runs in pod' "$tmp/daemon.out" && [ -s "$tmp/events.json" ] && break; sleep 0.1; done
kill "$D"
wait "$D" 2>/dev/null
check k8s_daemon_report_line grep -q "oomkit: process [0-9]* runs in pod $UID_ (Burstable)" "$tmp/daemon.out"
check k8s_daemon_json_event "$PY" -c 'import json,sys; e=json.loads(open(sys.argv[1]).readline()); assert e["victim"]["k8s"]["pod_uid"] == sys.argv[2], e["victim"]' "$tmp/events.json" "$UID_"
exit $E2E_FAILED
