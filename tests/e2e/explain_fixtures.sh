#!/bin/bash
# Every tests/fixtures/**/*.log that has a .facts beside it (ours, and the
# fixtures other branches write, e.g. tests/fixtures/vm/) is explained and
# checked fact by fact (tests/e2e/explain_facts.py), tests/fixtures/pasted/
# too: every fact read there today stays read (explain_accuracy.sh counts
# them and allows none wrong or invented).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
mapfile -t logs < <(find tests/fixtures -name '*.log' | sort | while read -r f; do
	[ -f "${f%.log}.facts" ] && echo "$f"; done)
if [ ${#logs[@]} -eq 0 ]; then
	not_ok "fixtures: no .log with .facts under tests/fixtures"
	exit 1
fi
python3 tests/e2e/explain_facts.py "$OOMKIT" "${logs[@]}"
