#!/bin/bash
# json_schema.sh - every JSON document oomkit prints (rank, kill, explain,
# status, the daemon's event file) starts with an integer "schema", and
# every key in it is listed by its page doc/json-*.md: the documents are
# produced for real and checked by json_doc_check.py.
cd "$(dirname "$0")/../.." || exit 1
source tests/e2e/lib.sh
WORK=$(mktemp -d /tmp/oomkit-json.XXXXXX)
DAEMON=
trap '[ -n "$DAEMON" ] && kill "$DAEMON" 2>/dev/null; e2e_cleanup; rm -rf "$WORK"' EXIT
PY=${PYTHON:-python3}
command -v "$PY" >/dev/null || { skip "json_schema: python3 missing"; exit 0; }

# against NAME DOC [ARGS...] < JSON
against() {
	local name=$1 doc=$2 out
	shift 2
	if out=$("$PY" tests/e2e/json_doc_check.py "$doc" --also doc/kubernetes.md "$@" 2>&1); then
		ok "json_schema_$name"
	else
		not_ok "json_schema_$name: $(tr '\n' ' ' <<<"$out" | cut -c1-600)"
	fi
}

"$OOMKIT" rank --json > "$WORK/rank.json" 2>/dev/null
against rank doc/json-rank.md < "$WORK/rank.json"

cat tests/fixtures/*/*.log > "$WORK/reports.log"
"$OOMKIT" explain --json "$WORK/reports.log" > "$WORK/explain.json" 2>/dev/null
against explain doc/json-explain.md --map stats --map counters_pages < "$WORK/explain.json"
"$OOMKIT" explain --jsonl "$WORK/reports.log" > "$WORK/explain.jsonl" 2>/dev/null
against explain_jsonl doc/json-explain.md --map stats --map counters_pages < "$WORK/explain.jsonl"

if ! have_root || ! have_memcg_v1; then
	skip "json_schema_kill: needs root and a v1 memory cgroup"
	skip "json_schema_status: needs root"
	exit "$E2E_FAILED"
fi
cg=$(memcg_new json $((64 << 20)))
spawn_in "$cg" sleep 600 > /dev/null
for _ in $(seq 100); do [ -s "$cg/cgroup.procs" ] && break; sleep 0.02; done # in the cgroup before the kill
"$OOMKIT" kill --cgroup "$cg" --dry-run --json > "$WORK/kill-dry.json" 2>/dev/null
against kill_dry_run doc/json-kill.md < "$WORK/kill-dry.json"
"$OOMKIT" kill --cgroup "$cg" --json > "$WORK/kill.json" 2>/dev/null
against kill doc/json-kill.md < "$WORK/kill.json"

# the daemon: a floor that always holds (-m 100,0) makes a would-be kill of
# every pass; its event file and the status it publishes
"$OOMKIT" daemon --config /dev/null --dry-run -m 100,0 -s 100,0 --psi off --psi-sustained off \
	--no-mlockall --json-file "$WORK/events.json" --set publish.status_dir="$WORK/state" 2>"$WORK/daemon.log" &
DAEMON=$!
for _ in $(seq 100); do [ -s "$WORK/events.json" ] && [ -s "$WORK/state/status.json" ] && break; sleep 0.1; done
sleep 1.5 # the publisher's next pass lists the kill
"$OOMKIT" status --json --state "$WORK/state" > "$WORK/status.json" 2>/dev/null
kill "$DAEMON"; wait "$DAEMON" 2>/dev/null; DAEMON=
head -3 "$WORK/events.json" | against daemon_event_file doc/json-daemon.md
against status doc/json-status.md < "$WORK/status.json"
check json_schema_status_lists_the_kill "$PY" -c 'import json,sys; assert json.load(sys.stdin)["last_kills"]' < "$WORK/status.json"
exit "$E2E_FAILED"
