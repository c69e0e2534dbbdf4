#!/bin/bash
# metrics.sh - the metrics text file, written atomically, parses with the
# Prometheus client library's text parser, with the right types and values
# (hostile cgroup names included); a corrupted file must fail to parse.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

build=$(dirname "$OOMKIT_FAST")
tmp=$(mktemp -d /tmp/oomkit-metrics.XXXXXX)
trap 'rm -rf "$tmp"; e2e_cleanup' EXIT

# Debian's python3-prometheus-client lives in the system python, which a
# pyenv or venv python3 first in PATH would not see.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if ! "$PY" -c 'import prometheus_client' 2>/dev/null; then
	skip metrics_parse: python3-prometheus-client not installed
	exit 0
fi
if ! "$build/helpers/metrics_sample" "$tmp/oomkit.prom"; then
	not_ok metrics_sample_written
	exit 1
fi
check metrics_no_temp_left test "$(ls "$tmp")" = oomkit.prom
if "$PY" tests/helpers/prom_check.py "$tmp/oomkit.prom" \
	'oomkit_kills_total{trigger=memavailable,unit=process}=2' \
	'oomkit_kills_total{trigger=psi,unit=cgroup}=1' \
	'oomkit_last_victim_bytes=123456512' \
	'oomkit_last_reclaim_seconds=0.25' \
	'oomkit_selection_seconds_bucket{le=0.0005}=1' \
	'oomkit_selection_seconds_bucket{le=+Inf}=2' \
	'oomkit_selection_seconds_count=2' \
	'oomkit_memory_available_bytes=1048576' \
	'oomkit_swap_free_bytes=524288' \
	'oomkit_pressure_memory_ratio{kind=full,window=10s}=0.03' \
	'oomkit_pressure_memory_stalled_seconds_total{kind=some}=2.5' \
	'oomkit_cgroup_memory_limit_bytes{cgroup=/sys/fs/cgroup/memory/kubepods/burstable/pod1}=4096' \
	'oomkit_cgroup_memory_limit_bytes{cgroup=/sys/fs/cgroup/memory/we"ird\\ name\x0a$(touch x)\xff}=inf' \
	> "$tmp/parse.out" 2>&1; then
	ok metrics_parse_prometheus_client
else
	not_ok metrics_parse_prometheus_client: "$(grep -E 'MISSING|Error' "$tmp/parse.out" | head -3)"
fi
check metrics_types grep -q "'oomkit_selection_seconds': 'histogram'.*" "$tmp/parse.out"
check metrics_counter_type grep -q "'oomkit_kills': 'counter'" "$tmp/parse.out"

# The parser can fail: a broken line is rejected.
printf 'oomkit_kills_total{trigger="x} 1\n' >> "$tmp/oomkit.prom"
if "$PY" tests/helpers/prom_check.py "$tmp/oomkit.prom" >/dev/null 2>&1; then
	not_ok metrics_parser_rejects_garbage
else
	ok metrics_parser_rejects_garbage
fi
exit $E2E_FAILED
