#!/bin/bash
# fuzz_http.sh - the metrics server's HTTP request parser under libFuzzer
# (ASan + UBSan) for a bounded time (FUZZ_SECONDS, default 20), from the
# seed corpus in tests/fuzz/http_corpus/. Any crash, leak or invariant
# violation (abort in the target) fails.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
trap e2e_cleanup EXIT
fuzz_target http
exit $E2E_FAILED
