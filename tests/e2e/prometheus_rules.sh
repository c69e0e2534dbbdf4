#!/bin/bash
# prometheus_rules.sh - packaging/prometheus/oomkit.rules.yml: the alert
# rules pass `promtool check rules`, and their unit tests
# (oomkit.rules.test.yml: a kernel OOM kill in a pod, oomkit kills, a crash
# loop, stale metrics) pass `promtool test rules`; the tests have teeth: the
# rules without their "new series" branch fail them. promtool comes with
# Debian's prometheus package (tests/deps.sh).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

PROMTOOL=$(command -v promtool) || { skip "prometheus_rules: promtool not installed (apt-get install prometheus)"; exit 0; }
dir=packaging/prometheus
tmp=$(mktemp -d /tmp/oomkit-promrules.XXXXXX)
trap 'rm -rf "$tmp"; e2e_cleanup' EXIT

if "$PROMTOOL" check rules "$dir/oomkit.rules.yml" >"$tmp/check.out" 2>&1; then
	ok "prometheus_rules_check ($(grep -o '[0-9]* rules found' "$tmp/check.out"))"
else
	not_ok prometheus_rules_check: "$(tr '\n' ' ' <"$tmp/check.out")"
fi
for a in KernelOOMKill OomkitKilled OomkitKillsRepeatedly OomkitMetricsStale; do
	grep -q "alert: $a\$" "$dir/oomkit.rules.yml" || not_ok "prometheus_rules_has_$a"
done
# promtool resolves rule_files relative to the test file
if (cd "$dir" && "$PROMTOOL" test rules oomkit.rules.test.yml) >"$tmp/test.out" 2>&1; then
	ok prometheus_rules_unit_tests
else
	not_ok prometheus_rules_unit_tests: "$(tr '\n' ' ' <"$tmp/test.out" | head -c 1500)"
fi
# a kill's series is new: without "unless ... offset" the first kill never alerts
cp "$dir/oomkit.rules.test.yml" "$tmp/"
sed 's/^\( *\)(oomkit_kernel_oom_kills_total unless .*)$/\1vector(0) > 1/' "$dir/oomkit.rules.yml" >"$tmp/oomkit.rules.yml"
if ! cmp -s "$dir/oomkit.rules.yml" "$tmp/oomkit.rules.yml" &&
	! (cd "$tmp" && "$PROMTOOL" test rules oomkit.rules.test.yml) >"$tmp/broken.out" 2>&1 &&
	grep -q KernelOOMKill "$tmp/broken.out"; then
	ok prometheus_rules_tests_catch_a_broken_rule
else
	not_ok prometheus_rules_tests_catch_a_broken_rule: "$(head -c 600 "$tmp/broken.out")"
fi
exit $E2E_FAILED
