#!/bin/bash
# knobs.sh - the kernel's OOM knobs in `oomkit rank` (doc/rank.md "The
# kernel's knobs"): on a fake /proc (tests/fixtures/proc with a
# sys/vm/ of chosen values) each value gives its line above the table and
# its JSON, nothing at the defaults but with --verbose; on this host, the
# JSON equals /proc/sys/vm/* and meminfo's CommitLimit and Committed_AS
# (the kernel is the oracle).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

fake=$(mktemp -d /tmp/oomkit-knobs.XXXXXX)
trap 'rm -rf "$fake"' EXIT
cp -r tests/fixtures/proc/. "$fake/"
printf 'CommitLimit:    12000000 kB\nCommitted_AS:    9800000 kB\n' >> "$fake/meminfo"
vm=$fake/sys/vm
set_knobs() { # panic alloc dump overcommit ratio kbytes
	echo "$1" > $vm/panic_on_oom; echo "$2" > $vm/oom_kill_allocating_task; echo "$3" > $vm/oom_dump_tasks
	echo "$4" > $vm/overcommit_memory; echo "$5" > $vm/overcommit_ratio; echo "$6" > $vm/overcommit_kbytes
}
rank() { "$OOMKIT" rank --proc-root "$fake" --scanner procfs "$@"; }
# the lines between the "next victim" header line and the column header
knob_lines() { rank "$@" | sed -n '/next victim/,/^ *PID/p' | sed '1d;$d'; }
# json_get EXPR: a Python expression over `k`, rank's "knobs" object
json_get() { rank --json "${@:2}" | python3 -c "import json,sys; k=json.load(sys.stdin)['knobs']; print($1)"; }

# expect NAME WANT GOT
expect() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$3', want '$2'"; fi; }

set_knobs 0 0 1 0 50 0
expect knobs_defaults_no_lines "" "$(knob_lines)"
expect knobs_defaults_json_lines "[]" "$(json_get 'k["lines"]')"
expect knobs_verbose_all_lines 4 "$(knob_lines --verbose | grep -c '^[a-z_]*=')"
expect knobs_verbose_json_lines "4 True" "$(json_get 'len(k["lines"]), all(l["default"] for l in k["lines"])' --verbose)"

set_knobs 1 0 1 0 50 0
expect knobs_panic_1_line "panic_on_oom=1: a global OOM panics the machine; a memcg OOM kills" "$(knob_lines)"
expect knobs_panic_1_json "1 panic" "$(json_get 'k["panic_on_oom"], k["effect"]["oom"]')"
set_knobs 2 0 1 0 50 0
expect knobs_panic_2_line "panic_on_oom=2: every OOM panics the machine, memcg OOMs too: nothing is killed" "$(knob_lines)"
set_knobs 0 1 1 0 50 0
expect knobs_allocating_line "oom_kill_allocating_task=1: the kernel kills whichever task is allocating; this
    table's order applies only to oomkit" "$(knob_lines)"
expect knobs_allocating_json "1 allocating_task" "$(json_get 'k["oom_kill_allocating_task"], k["effect"]["victim"]')"
set_knobs 0 0 0 0 50 0
expect knobs_dump_tasks_0_line "oom_dump_tasks=0: kernel OOM reports carry no task table" "$(knob_lines)"
expect knobs_dump_tasks_0_json "0 False" "$(json_get 'k["oom_dump_tasks"], k["effect"]["task_table"]')"
set_knobs 0 0 1 1 50 0
expect knobs_overcommit_1_line "overcommit_memory=1: allocations never fail for lack of memory: only an OOM
    stops a hog" "$(knob_lines)"
set_knobs 0 0 1 2 50 0
expect knobs_overcommit_2_line "overcommit_memory=2: allocations fail at CommitLimit 11.4GiB, 9.3GiB committed
    (overcommit_ratio 50% of RAM + swap)" "$(knob_lines)"
expect knobs_overcommit_2_json "2 50 0 12000000 9800000 True 2200000" \
	"$(json_get 'k["overcommit_memory"], k["overcommit_ratio"], k["overcommit_kbytes"], k["commit_limit_kb"], k["committed_as_kb"], k["effect"]["commit_limit_enforced"], k["effect"]["commit_headroom_kb"]')"
set_knobs 2 1 0 2 80 0
expect knobs_several_lines 4 "$(knob_lines | grep -c '^[a-z_]*=')"
# the table itself is the same with and without the knobs' lines
expect knobs_table_unchanged "$(set_knobs 0 0 1 0 50 0; rank | sed -n '/^ *PID/,$p')" "$(rank | sed -n '/^ *PID/,$p')"

# The host: rank's JSON against the kernel's own files. Committed_AS moves
# with every process started, and rank's own private mappings count while it
# reads it (about 100 MiB for the sanitizer build's allocator), so it must
# lie between the values read just before and after, within 256 MiB.
committed() { awk '/^Committed_AS:/ {print $2}' /proc/meminfo; }
before=$(committed)
got=$("$OOMKIT" rank --json --top 1 | python3 -c '
import json, sys
k = json.load(sys.stdin)["knobs"]
print(" ".join(str(k[n]) for n in ("panic_on_oom", "oom_kill_allocating_task", "oom_dump_tasks",
      "overcommit_memory", "overcommit_ratio", "overcommit_kbytes", "commit_limit_kb", "committed_as_kb")))')
after=$(committed)
want=""
for n in panic_on_oom oom_kill_allocating_task oom_dump_tasks overcommit_memory overcommit_ratio overcommit_kbytes; do
	want="$want$(cat /proc/sys/vm/$n) "
done
want="$want$(awk '/^CommitLimit:/ {print $2}' /proc/meminfo)"
expect knobs_host_sysctls_and_commit_limit "$want" "${got% *}"
c=${got##* }
lo=$((before < after ? before : after)) hi=$((before > after ? before : after))
if [ -n "$c" ] && [ "$c" -ge $((lo - 262144)) ] && [ "$c" -le $((hi + 262144)) ]; then
	ok "knobs_host_committed_as ($c kB, meminfo $before then $after)"
else
	not_ok "knobs_host_committed_as: rank $c kB, meminfo $before then $after"
fi

# The daemon on this host (a dry run, nothing watched but MemAvailable far
# above its floors): the knobs in its status and metrics equal the
# kernel's files; with the commit floor set in overcommit mode 0 or 1 it
# says at start and at every reload (SIGHUP) that the floor is idle.
st=$(mktemp -d /tmp/oomkit-knobs-state.XXXXXX)
"$OOMKIT" daemon --dry-run --no-mlockall --psi off --psi-sustained off --set publish.status_dir="$st" \
	--set publish.metrics_file="$st/metrics.prom" --set memory.commit_term_percent=10 \
	--set memory.commit_kill_percent=5 2> "$st/log" &
dpid=$!
for _ in $(seq 50); do [ -s "$st/status.json" ] && [ -s "$st/metrics.prom" ] && break; sleep 0.1; done
kill -HUP $dpid; sleep 1
kill -TERM $dpid; wait $dpid
mode=$(cat /proc/sys/vm/overcommit_memory)
if [ "$mode" != 2 ]; then
	expect knobs_daemon_idle_floor_at_start_and_reload 2 \
		"$(grep -c "commit_\*: vm.overcommit_memory=$mode does not enforce CommitLimit: the commit floor is idle" "$st/log")"
fi
want=$(for n in panic_on_oom oom_kill_allocating_task oom_dump_tasks; do printf '%s=%s, ' $n "$(cat /proc/sys/vm/$n)"; done)
expect knobs_status_text_line "knobs: ${want% }" "$(grep '^knobs: ' "$st/status.txt")"
expect knobs_status_text_overcommit "overcommit_memory=$(cat /proc/sys/vm/overcommit_memory)" \
	"$(grep -A1 '^knobs: ' "$st/status.txt" | sed -n '2s/^ *\([^;]*\);.*/\1/p')"
expect knobs_status_commit_row commit "$(awk '$1 == "commit" {print $1}' "$st/status.txt")"
expect knobs_status_json "$(cat /proc/sys/vm/panic_on_oom) $(cat /proc/sys/vm/overcommit_memory) $(awk '/^CommitLimit:/ {print $2}' /proc/meminfo)" \
	"$(python3 -c "import json; k=json.load(open('$st/status.json'))['knobs']; print(k['panic_on_oom'], k['overcommit_memory'], k['commit_limit_kb'])")"
expect knobs_metrics_commit_limit "$(($(awk '/^CommitLimit:/ {print $2}' /proc/meminfo) * 1024))" \
	"$(awk '$1 == "oomkit_commit_limit_bytes" {print $2}' "$st/metrics.prom")"
rm -rf "$st"
exit $E2E_FAILED
