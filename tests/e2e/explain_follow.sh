#!/bin/bash
# --follow on a growing file explains each report as it is appended (as on
# /dev/kmsg, see explain_live.sh); several FILE arguments are read in turn.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
work=$(mktemp -d)
trap 'kill "$follower" 2>/dev/null; rm -rf "$work"; e2e_cleanup' EXIT
a=tests/fixtures/linux-6.18/memcg-v1-simple.log
b=tests/fixtures/linux-6.18/memcg-v1-preferred.log

: >"$work/grow.log"
"$OOMKIT" explain --follow --jsonl "$work/grow.log" >"$work/out" 2>"$work/err" &
follower=$!
sleep 0.5
cat "$a" >>"$work/grow.log"
for _ in $(seq 50); do [ -s "$work/out" ] && break; sleep 0.1; done
check "follow: the appended report is explained" grep -q '"pid":6960' "$work/out"
cat "$b" >>"$work/grow.log"
for _ in $(seq 50); do [ "$(wc -l <"$work/out")" -ge 3 ] && break; sleep 0.1; done
check "follow: two more events after a second append" [ "$(wc -l <"$work/out")" -eq 3 ]
check "follow: still running" kill -0 "$follower"

n=$("$OOMKIT" explain --jsonl "$a" "$b" | wc -l)
check "two files: 1 + 2 events" [ "$n" -eq 3 ]
"$OOMKIT" explain "$a" "$b" >"$work/text"
check "two files: the closing list has 3 lines" [ "$(grep -c '^ *[0-9]\. ' "$work/text")" -eq 3 ]
"$OOMKIT" explain --json "$a" "$b" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["schema"] == 1 and len(d["events"]) == 3' \
	&& ok "--json: schema 1, 3 events" || not_ok "--json: not one object with 3 events"
exit $E2E_FAILED
