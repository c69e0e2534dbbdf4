#!/bin/bash
# Every tests/fixtures/**/*.log that has a .facts beside it (ours, and the
# fixtures other branches write, e.g. tests/fixtures/vm/) is explained and
# checked fact by fact (tests/e2e/explain_facts.py), tests/fixtures/pasted/
# too: every fact read there today stays read (explain_accuracy.sh counts
# them and allows none wrong or invented). Its text gives sizes in KiB,
# MiB and GiB only.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
mapfile -t logs < <(find tests/fixtures -name '*.log' | sort | while read -r f; do
	[ -f "${f%.log}.facts" ] && echo "$f"; done)
if [ ${#logs[@]} -eq 0 ]; then
	not_ok "fixtures: no .log with .facts under tests/fixtures"
	exit 1
fi
python3 tests/e2e/explain_facts.py "$OOMKIT" "${logs[@]}" || E2E_FAILED=1
# One unit style in the human text, as in every other output: KiB, MiB,
# GiB, never the kernel's "kB" or a decimal MB/GB.
units=$(for f in "${logs[@]}"; do "$OOMKIT" explain "$f" 2>/dev/null; done | grep -oE '[0-9] ?(kB|MB|GB)\b.{0,20}' | sort -u | head -3)
if [ -z "$units" ]; then ok explain_text_units_kib_mib_gib; else not_ok "explain_text_units_kib_mib_gib: $(echo $units)"; fi
exit "$E2E_FAILED"
