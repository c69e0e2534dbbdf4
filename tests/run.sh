#!/bin/bash
# Runs every unit test binary of each build dir given, then every end-to-end
# script in tests/e2e/ (against the sanitizer build when one is given, else
# the plain build), and closes with one line: "N passed, N failed, N skipped".
# With CI=true a skip is a failure: CI has root, memory cgroups and qemu.
set -u
cd "$(dirname "$0")/.."
builds=("$@")
[ ${#builds[@]} -gt 0 ] || builds=(build)
pass=0 fail=0 skip=0
failed_names=()

count_unit() { # $1 = binary
	local out rc
	out=$("$1" 2>&1); rc=$?
	printf '%s\n' "$out"
	local ok bad sk
	ok=$(grep -c '^\[       OK \]' <<<"$out")
	bad=$(grep '^\[  FAILED  \]' <<<"$out" | grep -vc 'test(s)')
	sk=$(grep -c '^\[  SKIPPED \]' <<<"$out")
	pass=$((pass + ok)); fail=$((fail + bad)); skip=$((skip + sk))
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		fail=$((fail + 1)); failed_names+=("$1 (exit $rc)")
	fi
	[ "$bad" -gt 0 ] && failed_names+=("$1")
}

for b in "${builds[@]}"; do
	for t in $(find "$b/tests" -name 'test_*' -type f | sort); do
		[ -x "$t" ] || continue
		echo "== unit $t"
		count_unit "$t"
	done
done

export OOMKIT_FAST="$PWD/${builds[0]}/oomkit"
export OOMKIT="$PWD/${builds[${#builds[@]}-1]}/oomkit"
for t in tests/e2e/*.sh; do
	[ -f "$t" ] || continue
	case "$t" in */lib.sh) continue ;; esac
	echo "== e2e $t"
	out=$(bash "$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	ok=$(grep -c '^ok ' <<<"$out")
	bad=$(grep -c '^not ok ' <<<"$out")
	sk=$(grep -c '^skip ' <<<"$out")
	pass=$((pass + ok)); fail=$((fail + bad)); skip=$((skip + sk))
	[ "$bad" -gt 0 ] && failed_names+=("$t")
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		fail=$((fail + 1)); failed_names+=("$t (exit $rc)")
	fi
done

if [ "${CI:-}" = true ] && [ "$skip" -gt 0 ]; then
	echo "CI=true: $skip skipped test(s) count as failures (CI has root, memory cgroups and qemu)"
	fail=$((fail + skip))
fi
for n in "${failed_names[@]}"; do echo "FAILED: $n"; done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
