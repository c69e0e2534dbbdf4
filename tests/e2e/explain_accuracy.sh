#!/bin/bash
# explain's accuracy over every fixture (tests/fixtures/**/X.log with X.facts),
# most of all the pasted/ ones (real reports as users paste them, written by
# tests/fixtures/paste.py): facts right / facts checked, per class; fails on
# any wrong or invented fact, or under 97% right.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
mapfile -t logs < <(find tests/fixtures -name '*.log' | sort | while read -r f; do
	[ -f "${f%.log}.facts" ] && echo "$f"; done)
python3 tests/e2e/explain_accuracy.py --min 97 "$OOMKIT" "${logs[@]}"
