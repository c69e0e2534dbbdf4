#!/bin/bash
# Bad input: a clear message on stderr, a documented exit code (5 bad
# input, 9 no OOM event, 2 usage), never a crash (the sanitizer build runs
# this), never garbage on stdout.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
work=$(mktemp -d)
trap 'rm -rf "$work"; e2e_cleanup' EXIT
fix=tests/fixtures/linux-6.18/memcg-v1-simple.log

# expect NAME RC STDERR-REGEX ARGS...: exit code and message
expect() {
	local name=$1 rc=$2 re=$3 got; shift 3
	"$OOMKIT" explain "$@" >"$work/out" 2>"$work/err"; got=$?
	if [ "$got" -ne "$rc" ]; then
		not_ok "$name: exit $got, expected $rc ($(head -c 300 "$work/err"))"
	elif [ "$re" = - ] && [ -s "$work/err" ]; then
		not_ok "$name: unexpected stderr '$(head -c 300 "$work/err")'"
	elif [ "$re" != - ] && ! grep -Eq "$re" "$work/err"; then
		not_ok "$name: stderr '$(head -c 300 "$work/err")' lacks /$re/"
	elif grep -q 'Sanitizer' "$work/err"; then
		not_ok "$name: sanitizer report"
	else
		ok "$name"
	fi
}

: >"$work/empty"
head -c 65536 /dev/urandom >"$work/garbage"
printf 'Jan 25 12:18:47 h kernel: perl invoked oom-killer: gfp_mask=0x14201ca(GFP_HIGHUSER_MOVABLE), nodemask=(null),  ord' >"$work/truncated"
{ head -c $((1 << 20)) /dev/zero | tr '\0' x; echo; cat "$fix"; } >"$work/longline"
{ head -c $((3 << 20)) /dev/zero | tr '\0' y; echo; cat "$fix"; } >"$work/verylongline"
{ cat "$fix"; printf 'abc\0def invoked oom-killer\n'; } >"$work/nul"

expect "empty file" 9 'no OOM event' "$work/empty"
expect "binary garbage" 5 'not a text log' "$work/garbage"
expect "directory" 5 'Is a directory' "$work"
expect "nonexistent file" 5 'No such file' "$work/nope"
expect "bad option" 2 'unknown option' --bogus
expect "truncated line" 0 - "$work/truncated"
expect "1 MiB line" 0 'longer than' "$work/longline"
expect "3 MiB line" 0 'longer than' "$work/verylongline"
expect "NUL bytes in a line" 0 'NUL' "$work/nul"

# the truncated header is still an event, marked as cut off
"$OOMKIT" explain --jsonl "$work/truncated" 2>/dev/null | python3 -c '
import json, sys
e = json.loads(sys.stdin.readline())
assert e["invoker"]["comm"] == "perl" and e["truncated_end"] and e["victim"] is None, e
' && ok "truncated line: reported as an event cut at the end" || not_ok "truncated line: not reported as cut"
# the report after a 1 MiB line is still found, the same as alone
a=$("$OOMKIT" explain --jsonl "$fix" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["victim"]["pid"])')
b=$("$OOMKIT" explain --jsonl "$work/verylongline" 2>/dev/null | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["victim"]["pid"])')
check "report after a 3 MiB line" [ -n "$a" ] && [ "$a" = "$b" ]
# stdin
check "stdin '-'" bash -c "\"$OOMKIT\" explain --jsonl - < '$fix' | grep -q '\"victim\"'"
exit $E2E_FAILED
