#!/bin/bash
# A bounded libFuzzer run of the explain parser (tests/fuzz/fuzz_explain.c):
# EXPLAIN_FUZZ_SECONDS (default 60), seed corpus = every fixture log (the
# pasted/ ones bring every damage a paste does: prefixes, wrapping,
# quoted-printable, cuts, garbage) and tests/fuzz/regressions/ (inputs that
# once crashed it). New
# corpus entries go to a temporary directory, never into the repository.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
secs=${EXPLAIN_FUZZ_SECONDS:-60}
if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
	skip "fuzz explain: clang not installed"
	exit 0
fi
if ! make -s fuzz-explain >/tmp/explain-fuzz-build.$$ 2>&1; then
	not_ok "fuzz explain: build failed: $(tail -3 /tmp/explain-fuzz-build.$$)"
	rm -f /tmp/explain-fuzz-build.$$
	exit 1
fi
rm -f /tmp/explain-fuzz-build.$$
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
# named by their path: pasted/ has a noswap.log in every class
find tests/fixtures -name '*.log' | while read -r f; do cp "$f" "$work/corpus/${f//\//_}"; done
cp tests/fuzz/regressions/* "$work/corpus/" # inputs that once crashed: replayed first
if build-fuzz/fuzz_explain -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
	-artifact_prefix="$work/" "$work/corpus" >"$work/log" 2>&1; then
	ok "fuzz explain: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$work/log")"
else
	mkdir -p build-fuzz/crashes && cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* build-fuzz/crashes/ 2>/dev/null
	not_ok "fuzz explain: $(grep -m1 -E 'ERROR|runtime error' "$work/log") (inputs in build-fuzz/crashes/)"
	exit 1
fi
