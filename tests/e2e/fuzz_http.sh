#!/bin/bash
# fuzz_http.sh - the metrics server's HTTP request parser under libFuzzer
# (ASan + UBSan) for a bounded time (FUZZ_SECONDS, default 20), from the
# seed corpus in tests/fuzz/http_corpus/. Any crash, leak or invariant
# violation (abort in the target) fails.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

secs=${FUZZ_SECONDS:-20}
if ! command -v clang >/dev/null; then
	skip fuzz_http: clang not installed
	exit 0
fi
if ! make -s --no-print-directory fuzz-http >/tmp/oomkit-fuzz-build.$$ 2>&1; then
	not_ok fuzz_http_build: "$(tail -3 /tmp/oomkit-fuzz-build.$$)"
	rm -f /tmp/oomkit-fuzz-build.$$
	exit 1
fi
rm -f /tmp/oomkit-fuzz-build.$$
tmp=$(mktemp -d /tmp/oomkit-fuzz.XXXXXX)
trap 'rm -rf "$tmp"; e2e_cleanup' EXIT
cp tests/fuzz/http_corpus/* "$tmp/"
if build-fuzz/fuzz_http -max_total_time="$secs" -timeout=5 -rss_limit_mb=512 \
	-artifact_prefix="$tmp/" "$tmp" >"$tmp/log" 2>&1; then
	ok "fuzz_http ($(grep -o 'Done [0-9]* runs' "$tmp/log") in ${secs}s)"
else
	not_ok fuzz_http: "$(grep -m3 -E 'ERROR|SUMMARY|deadly' "$tmp/log")"
fi
exit $E2E_FAILED
