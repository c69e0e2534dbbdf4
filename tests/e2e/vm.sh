#!/bin/bash
# vm.sh - whole-machine OOMs in a qemu guest (tests/e2e/vm/): the fixture
# scenarios with the kernel alone; when `oomkit explain` works, each fresh
# console explained back into the facts the scenario knows; when `oomkit
# daemon --help` works, the pressure scenarios with `oomkit daemon` in the
# guest (the kernel's oom_kill must stay 0) and its report explained back;
# the oracle scenarios (oomkit rank and kill with negative oom_score_adj).
# Skips only when qemu or the Debian kernel package cannot be had.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
VM=tests/e2e/vm
export OOMKIT_VM_BIN=${OOMKIT_FAST:-$PWD/build/oomkit} # in-guest: the plain build
export OOMKIT_VM_OUT=${OOMKIT_VM_OUT:-$PWD/build/vm}
. $VM/vm-lib.sh

# run_vm ARGS...: runs the harness, passes its case lines through
run_vm() {
	local rc
	$VM/run.sh "$@"
	rc=$?
	if [ "$rc" = 77 ]; then
		skip "vm: qemu or the Debian kernel package is not available (see above)"
	elif [ "$rc" != 0 ]; then
		E2E_FAILED=1
	fi
	return "$rc"
}

# explain_matches LOG...: `oomkit explain --json LOG` gives the facts the
# guest knew (LOG's .facts beside it), checked by explain's own checker
explain_matches() {
	python3 tests/e2e/explain_facts.py "$OOMKIT" "$@" | sed "s|ok fixture $VM_OUT/|ok vm/explain/|"
	[ "${PIPESTATUS[0]}" = 0 ] || E2E_FAILED=1
}

command -v qemu-system-x86_64 >/dev/null || { skip "vm: qemu-system-x86_64 not installed"; exit 0; }
run_vm
[ $? = 77 ] && exit 0

explain_works() { "$OOMKIT" explain --json "$VM_OUT/global-noswap.log" 2>/dev/null | grep -q '"events"'; }
if explain_works; then
	explain_matches $(for sc in $VM_FIXTURES; do echo "$VM_OUT/$sc.log"; done)
else
	echo "# oomkit explain is not built yet: fresh consoles not compared with their facts"
fi

# The oracle scenarios: `oomkit rank` against the kernel's oom_score and
# `oomkit kill` against what died, with oom_score_adj below 0, which the host
# cannot set (no CAP_SYS_RESOURCE here or in CI; tests/e2e/rank_oracle.sh
# and kill.sh point here). One line per assertion group.
# Assertion groups that fail today, with why (SCENARIO/GROUP, extended
# regular expressions): "# known failure" instead of "not ok" until they
# pass (then "ok": remove them here). OOMKIT_VM_KNOWN_BAD_ASSERTS= (empty)
# makes every one count.
# None today. (memcg-v2-daemon burst, SIGTERMed at 20-49% of its limit by
# the cgroup's 150 ms look-ahead at c2e38da, passes since 3c10ea5: the
# look-ahead acts within twice the SIGTERM floor only; the memcg-v2
# failures found at 4870b37 pass since 3956a33, doc/vm.md.)
KNOWN_BAD_ASSERTS=${OOMKIT_VM_KNOWN_BAD_ASSERTS-}
if "$OOMKIT_VM_BIN" kill --help >/dev/null 2>&1; then
	$VM/run.sh --oracle >/dev/null # (its lines are the per-scenario summary of the ones below)
	for sc in $VM_ORACLE; do
		out=$(vm_asserts "$sc")
		[ -z "$KNOWN_BAD_ASSERTS" ] ||
			out=$(sed -E "s#^not ok (vm/(${KNOWN_BAD_ASSERTS// /|})\b)#\# known failure \1#" <<<"$out")
		printf '%s\n' "$out"
		grep -q '^not ok' <<<"$out" && E2E_FAILED=1
	done
else
	echo "# oomkit kill is not built yet (\`oomkit kill --help\` fails): oracle scenarios not run"
fi

# Pressure scenarios oomkit does not pass yet, with why: they run and say
# "# known failure" instead of "not ok" until they pass (then "ok": remove
# them from here). OOMKIT_VM_KNOWN_BAD= (empty) makes every one count.
# None today. (hog-fast, protected, two-hogs pass since the loop samples
# every 3 ms while memory falls fast and, at the floor, takes the warm-up's
# choice read again alone instead of scanning, and the report is written
# after the signal, not before; thrash since the sustained PSI rule is full
# avg10 > 5% for 5 s (its hog stops at 20% available: no floor is crossed);
# forkbomb since the daemon finds a bomb by its thread growth and kills its
# process group at once, at nice -20 and 1 s ahead of the floor:
# doc/daemon.md "Fork bombs"; burst, benign bursts that must live, three
# times each, since the SIGTERM floors hold on their level and a v2 cgroup
# gets the memory.high brake: doc/daemon.md "Levels, not guesses".)
KNOWN_BAD=${OOMKIT_VM_KNOWN_BAD-}
# Round trips that fail today (none: an escalated SIGTERM is one event, its
# SIGKILL an "oomkit: escalated to SIGKILL" line, not a second "Killed process").
KNOWN_BAD_EXPLAIN=${OOMKIT_VM_KNOWN_BAD_EXPLAIN-}

if "$OOMKIT_VM_BIN" daemon --help >/dev/null 2>&1; then
	echo "# oomkit daemon works: pressure scenarios with oomkit in the guest (known failures: $KNOWN_BAD)"
	out=$($VM/run.sh -k oomkit $VM_PRESSURE |
		sed -E "s/^not ok (vm\/(${KNOWN_BAD// /|})@oomkit)/# known failure \1/")
	printf '%s\n' "$out"
	grep -q '^not ok' <<<"$out" && E2E_FAILED=1
	# (a scenario that failed has no facts worth checking)
	if explain_works; then
		out=$(explain_matches $(for sc in $VM_PRESSURE; do
			[ -z "$(vm_check "$sc" oomkit)" ] && echo "$VM_OUT/$sc@oomkit.killer.log"; done) |
			sed -E "s/^not ok (vm\/explain\/(${KNOWN_BAD_EXPLAIN// /|})@oomkit)/# known failure \1/")
		printf '%s\n' "$out"
		grep -q '^not ok' <<<"$out" && E2E_FAILED=1
	fi
else
	echo "# oomkit daemon is not built yet (\`oomkit daemon --help\` fails): pressure scenarios not run"
fi
exit $E2E_FAILED
