#!/bin/bash
# house.sh - the rules of the house, checked on every .c and .h under src/:
# no .c file over 600 lines; no function over 80 lines (universal-ctags
# gives each definition's first and last line); core/ includes nothing from
# a job folder (rank, kill, daemon, explain); a job includes no other job's
# headers, except that the daemon may use kill/kill.h, the kill module's
# public header; no include cycle between folders (tsort finds loops); and
# no function defined without a caller (its name appears in no other line of
# src/; the BPF programs, entered by the kernel, are left out).
# Includes across folders name the folder ("core/proc.h"); a bare name is
# the including file's folder, or src/ itself (commands.h, exitcode.h).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
trap e2e_cleanup EXIT

MAX_C_LINES=${HOUSE_MAX_C_LINES:-600}
MAX_FUNCTION_LINES=${HOUSE_MAX_FUNCTION_LINES:-80}
JOBS="rank kill daemon explain"

# --- (a) file size -----------------------------------------------------------
big=$(find src -name '*.c' -exec wc -l {} + |
	awk -v max="$MAX_C_LINES" '$2 != "total" && $1 > max { printf "%s%s %d", sep, $2, $1; sep = ", " }')
if [ -z "$big" ]; then ok "house_c_files_at_most_${MAX_C_LINES}_lines"
else not_ok "house_c_files_at_most_${MAX_C_LINES}_lines: $big"; fi

# --- (b) function size -------------------------------------------------------
CTAGS=$(command -v ctags-universal || command -v ctags)
if [ -z "$CTAGS" ] || ! "$CTAGS" --version 2>/dev/null | grep -q 'Universal Ctags'; then
	skip "house_functions_at_most_${MAX_FUNCTION_LINES}_lines: universal-ctags missing (tests/deps.sh installs it)"
else
	long=$("$CTAGS" -R --sort=no --langmap=C:+.h --languages=C --kinds-C=f --fields=+ne -o - src 2>/dev/null |
		awk -F'\t' -v max="$MAX_FUNCTION_LINES" '{
			start = end = 0
			for (i = 4; i <= NF; i++) {
				if ($i ~ /^line:/) start = substr($i, 6)
				if ($i ~ /^end:/) end = substr($i, 5)
			}
			if (start && end && end - start + 1 > max) {
				printf "%s%s:%d %s() %d", sep, $2, start, $1, end - start + 1; sep = ", "
			}
		}')
	if [ -z "$long" ]; then ok "house_functions_at_most_${MAX_FUNCTION_LINES}_lines"
	else not_ok "house_functions_at_most_${MAX_FUNCTION_LINES}_lines: $long"; fi
fi

# --- the include graph: one line "FROM_FILE FROM_FOLDER TO_FILE TO_FOLDER" ----
# Folders are relative to src/ ("core", "daemon/publish"; "." for src/).
# An include that resolves to no file under src/ (a system or generated
# header) is left out.
edges=$(find src -name '*.[ch]' | sort >"$E2E_REGISTRY.files"
	xargs grep -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' <"$E2E_REGISTRY.files" |
	awk -v files="$E2E_REGISTRY.files" '
		function folder(p) { sub(/^src\//, "", p); if (p !~ /\//) return "."; sub(/\/[^\/]*$/, "", p); return p }
		BEGIN { while ((getline p < files) > 0) have[p] = 1 }
		{
			f = $0; sub(/:.*/, "", f)
			inc = $0; sub(/^[^"]*"/, "", inc); sub(/".*/, "", inc)
			dir = f; sub(/\/[^\/]*$/, "", dir)
			if ((dir "/" inc) in have) to = dir "/" inc
			else if (("src/" inc) in have) to = "src/" inc
			else next
			print f, folder(f), to, folder(to)
		}'
	rm -f "$E2E_REGISTRY.files")

# --- (c) layering -------------------------------------------------------------
core_bad= job_bad=
while read -r from ffold to tfold; do
	[ -n "$from" ] || continue
	fj=${ffold%%/*} tj=${tfold%%/*}
	[ "$fj" = "$tj" ] && continue
	case " $JOBS " in *" $tj "*) ;; *) continue ;; esac # core/ or src/: open to all jobs
	if [ "$fj" = core ]; then
		core_bad="$core_bad${core_bad:+, }$from -> $to"
	elif [ "$fj" = daemon ] && [ "$to" = src/kill/kill.h ]; then
		:
	else
		job_bad="$job_bad${job_bad:+, }$from -> $to"
	fi
done <<<"$edges"
if [ -z "$core_bad" ]; then ok house_core_includes_no_job
else not_ok "house_core_includes_no_job: $core_bad"; fi
if [ -z "$job_bad" ]; then ok house_jobs_include_no_other_job
else not_ok "house_jobs_include_no_other_job (only daemon -> kill/kill.h is allowed): $job_bad"; fi

# --- (d) no include cycle between folders ------------------------------------
loop=$(awk '$2 != $4 { print $2, $4 }' <<<"$edges" | sort -u | tsort 2>&1 >/dev/null |
	sed -n 's/^tsort: \([^:]*\)$/\1/p' | grep -v '^-$' | sort -u | paste -sd' ')
if [ -z "$loop" ]; then ok house_no_include_cycle_between_folders
else
	why=$(awk '$2 != $4 { print $2 " -> " $4 " (" $1 ")" }' <<<"$edges" |
		while read -r a arrow b rest; do
			case " $loop " in *" $a "*) case " $loop " in *" $b "*) echo "$a $arrow $b $rest" ;; esac ;; esac
		done | sort -u -k1,3 | paste -sd',' | sed 's/,/, /g')
	not_ok "house_no_include_cycle_between_folders: $loop: $why"
fi
# --- (e) no function defined without a caller --------------------------------
# A name's mentions in src/, less its definitions and its prototypes: none
# left means nothing calls it (or takes its address).
if [ -n "$CTAGS" ]; then
	tags() { "$CTAGS" -R --sort=no --langmap=C:+.h --languages=C --kinds-C="$1" --fields=+n -o - src 2>/dev/null; }
	uncalled=$( { grep -rhoE --include='*.[ch]' '[A-Za-z_][A-Za-z0-9_]*' src | sed 's/^/use /'
		tags p | awk -F'\t' '{ print "proto", $1 }'
		tags f | awk -F'\t' '{ for (i = 4; i <= NF; i++) if ($i ~ /^line:/) print "def", $1, $2 ":" substr($i, 6) }'
		} | awk '
			$1 == "use" { n[$2]++ }
			$1 == "proto" { n[$2]-- }
			$1 == "def" { n[$2]--; if ($3 !~ /\/bpf\// && $2 != "main") at[$2] = at[$2] ? at[$2] "," $3 : $3 }
			END { for (f in at) if (n[f] <= 0) { printf "%s%s %s()", sep, at[f], f; sep = ", " } }')
	if [ -z "$uncalled" ]; then ok house_every_function_called
	else not_ok "house_every_function_called: $uncalled"; fi
fi
[ "$E2E_FAILED" = 0 ]
