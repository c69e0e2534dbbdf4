#!/bin/bash
# Round trip: `oomkit explain` reads the report `oomkit kill` printed back
# into the facts `oomkit kill --json` states for the same kill (victim,
# figures, scene, sharers, reaping), and agrees the victim was the top of
# the printed table. Gated on a working `oomkit explain`.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/helpers/kill_e2e.sh

if ! "$OOMKIT" explain --help > /dev/null 2>&1; then
	skip "kill_roundtrip: oomkit explain is not built in this tree"
	exit 0
fi
needs_memcg_v1 kill_roundtrip

# compare KILL_JSON EXPLAIN_JSON: prints what differs, fails if anything does
compare() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
k = json.load(open(sys.argv[1]))
evs = [e for e in json.load(open(sys.argv[2]))["events"] if e["source"] == "oomkit"]
bad = []
def esc(s):  # text_escape(): what the report prints for a name
    return "".join(c if 32 <= ord(c) < 127 and c != "\\" else ("\\\\" if c == "\\" else "\\x%02x" % ord(c)) for c in s)
def eq(what, a, b):
    if a != b:
        bad.append("%s: kill says %r, explain read %r" % (what, a, b))
eq("oomkit events", 1, len(evs))
if evs:
    e = evs[0]
    v, ev = k["victim"], e["victim"]
    eq("invoker comm", k["invoker"]["comm"], e["invoker"]["comm"])
    eq("order", k["order"], e["invoker"]["order"])
    eq("trigger", k["trigger"], e["invoker"]["trigger"])
    eq("invoker oom_score_adj", k["invoker"]["oom_score_adj"], e["invoker"]["oom_score_adj"])
    eq("constraint", k["constraint"], e["constraint"])
    eq("oom_memcg", k["oom_memcg"], e["memcg"])
    eq("task_memcg", v["memcg"], e["task_memcg"])
    eq("global_oom", k["oom_memcg"] is None, e["global_oom"])
    eq("victim comm (escaped)", esc(v["comm"]), esc(ev["comm"]) if ev["comm"] == v["comm"] else ev["comm"])
    for a, b in [("pid", "pid"), ("uid", "uid"), ("total_vm_kb", "total_vm_kb"),
                 ("rss_anon_kb", "anon_rss_kb"), ("rss_file_kb", "file_rss_kb"),
                 ("rss_shmem_kb", "shmem_rss_kb"), ("pgtables_kb", "pgtables_kb"),
                 ("oom_score_adj", "oom_score_adj")]:
        eq("victim " + a, v[a], ev[b])
    eq("sharers", sorted(m["pid"] for m in k["members"] if m["why"] == "shares_mm" and m["signalled"]),
       sorted(o["pid"] for o in e["also_killed"] if o["reason"] == "shared_mm"))
    eq("group members", sorted(m["pid"] for m in k["members"] if m["why"] in ("cgroup", "pgroup") and m["signalled"]),
       sorted(o["pid"] for o in e["also_killed"] if o["reason"] == "oom_group"))
    if k["unit"] == "cgroup" and not k["dry_run"]:
        eq("killed group", v["memcg"], e["oom_group"])
    if not k["dry_run"]:
        eq("reaped", k["reaped"], bool(e["reaped"]))
    eq("victim in the table", True, any(t["pid"] == v["pid"] for t in e["tasks"]))
    eq("verdict", "top", e["ranking"]["verdict"])
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
}

roundtrip() { # NAME KILL-ARGS...
	local name=$1; shift
	"$OOMKIT" kill --json "$@" > "$KT/$name.json" 2> "$KT/$name.txt"
	"$OOMKIT" explain --json "$KT/$name.txt" > "$KT/$name.explain.json" 2>/dev/null
	if out=$(compare "$KT/$name.json" "$KT/$name.explain.json" 2>&1); then
		ok "$name"
	else
		not_ok "$name: $(echo "$out" | tr '\n' ';')"
	fi
}

newcg roundtrip $((300 << 20)); cg=$CG
hog "$cg" --mb 20
hog "$cg" --mb 90 --clone-vm
hog "$cg" --mb 40 --threads 3
roundtrip kill_roundtrip_memcg_sharers --cgroup "$cg"
roundtrip kill_roundtrip_memcg_second --cgroup "$cg"
hog "$cg" --mb 15
roundtrip kill_roundtrip_unit_cgroup --cgroup "$cg" --unit cgroup
hog "$cg" --mb 30 --name $'x)\n$(touch pwn)'
roundtrip kill_roundtrip_hostile_comm_dry_run --cgroup "$cg" --dry-run
roundtrip kill_roundtrip_global_dry_run --dry-run
exit $E2E_FAILED
