#!/bin/bash
# vm.sh - whole-machine OOMs in a qemu guest (tests/e2e/vm/): the fixture
# scenarios with the kernel alone; when `oomkit explain` works, each fresh
# console explained back into the facts the scenario knows; when `oomkit
# daemon --help` works, the pressure scenarios with `oomkit daemon` in the
# guest (the kernel's oom_kill must stay 0) and its report explained back.
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

# explain_matches NAME LOG: `oomkit explain --json LOG` gives NAME's facts
explain_matches() {
	local name=$1 log=$2 why
	if [ ! -s "$VM_OUT/$name.facts" ]; then
		not_ok "vm/explain/$name: no facts from the guest"
		return
	fi
	why=$("$OOMKIT" explain --json "$log" 2>&1 | python3 $VM/facts-check.py "$VM_OUT/$name.facts" -)
	if [ -z "$why" ]; then ok "vm/explain/$name"; else not_ok "vm/explain/$name: $(echo "$why" | paste -sd';')"; fi
}

command -v qemu-system-x86_64 >/dev/null || { skip "vm: qemu-system-x86_64 not installed"; exit 0; }
run_vm
[ $? = 77 ] && exit 0

if "$OOMKIT" explain --json "$VM_OUT/global-noswap.console" 2>/dev/null | grep -q '"events"'; then
	for sc in $VM_FIXTURES; do explain_matches "$sc" "$VM_OUT/$sc.console"; done
else
	echo "# oomkit explain is not built yet: fresh consoles not compared with their facts"
fi

if "$OOMKIT_VM_BIN" daemon --help >/dev/null 2>&1; then
	echo "# oomkit daemon works: pressure scenarios with oomkit in the guest"
	run_vm -k oomkit $VM_PRESSURE
	if "$OOMKIT" explain --json "$VM_OUT/global-noswap.console" 2>/dev/null | grep -q '"events"'; then
		for sc in $VM_PRESSURE; do explain_matches "$sc@oomkit" "$VM_OUT/$sc@oomkit.killer"; done
	fi
else
	echo "# oomkit daemon is not built yet (\`oomkit daemon --help\` fails): pressure scenarios not run"
fi
exit $E2E_FAILED
