#!/bin/bash
# cli.sh - one command line for every subcommand: the same error style
# ("oomkit CMD: what is wrong", one hint line, exit 2, nothing on stdout),
# the same options with the same meaning on kill and the daemon, sizes with
# units, what --check-config checks, "<N>" log prefixes only when stderr
# is the journal, and failures that name the errno and the capability.
cd "$(dirname "$0")/../.." || exit 1
source tests/e2e/lib.sh
WORK=$(mktemp -d /tmp/oomkit-cli.XXXXXX)
trap 'e2e_cleanup; rm -rf "$WORK"' EXIT

# usage_error NAME WANT_LINE1 ARGS...: exit 2, stdout empty, stderr exactly
# WANT_LINE1 and the hint naming the subcommand
usage_error() {
	local name=$1 want=$2 out err rc cmd hint
	shift 2
	cmd=${1:-}
	case $cmd in rank | kill | daemon | explain | status) hint="Try 'oomkit $cmd --help' for the options." ;;
	*) hint="Try 'oomkit --help' for the options." ;; esac
	out=$("$OOMKIT" "$@" 2>"$WORK/err" </dev/null); rc=$?
	err=$(cat "$WORK/err")
	if [ "$rc" = 2 ] && [ -z "$out" ] && [ "$err" = "$want"$'\n'"$hint" ]; then
		ok "cli_$name"
	else
		not_ok "cli_$name: exit $rc, stdout '${out:0:80}', stderr '$err'"
	fi
}

usage_error no_command "oomkit: expected a command: rank, kill, daemon, explain or status"
usage_error unknown_command "oomkit: unknown command 'frob': expected rank, kill, daemon, explain or status" frob
for cmd in rank kill daemon explain status; do
	usage_error "${cmd}_unknown_long" "oomkit $cmd: unknown option '--frob'" $cmd --frob=1
	usage_error "${cmd}_unknown_short" "oomkit $cmd: unknown option '-Q'" $cmd -Q
done
usage_error kill_top_is_rank_only "oomkit kill: unknown option '--top'" kill --top
usage_error rank_missing_value "oomkit rank: option '--top' needs a value" rank --top
usage_error kill_missing_value "oomkit kill: option '--cgroup' needs a value" kill --cgroup
usage_error daemon_missing_value "oomkit daemon: option '--grace' needs a value" daemon --grace
usage_error daemon_missing_short_value "oomkit daemon: option '-M' needs a value" daemon -M
usage_error status_missing_value "oomkit status: option '--max-age' needs a value" status --max-age
usage_error rank_bad_top "oomkit rank: --top: expected a positive number, not 'x'" rank --top x
usage_error kill_bad_timeout "oomkit kill: --timeout: expected seconds, 1..3600, not 'x'" kill --timeout x
usage_error kill_bad_unit "oomkit kill: --unit: expected process, pgroup, cgroup or swarm, not 'x'" kill --unit x
usage_error daemon_bad_set "oomkit daemon: --set: expected SECTION.KEY=VALUE (kill.grace=5s), not 'kill.grace'" daemon --set kill.grace
usage_error daemon_bad_grace "oomkit daemon: --grace: 'x' is not a duration (e.g. 500ms, 2s, 1min; a bare number is seconds)" daemon --grace x
usage_error daemon_bad_size "oomkit daemon: -M: expected SIZE[,KILL_SIZE] (KiB, or with a unit: 1G,512M), not '1Q'" daemon -M 1Q
usage_error daemon_bad_unit "oomkit daemon: --unit: 'swarm' is not process, pgroup or cgroup (a fork bomb's process group or swarm is taken as a whole without asking)" daemon --unit swarm
usage_error status_bad_age "oomkit status: --max-age: expected a positive number of seconds, not '0'" status --max-age 0
usage_error explain_follow_json "oomkit explain: --follow prints --jsonl or text, not --json" explain --follow --json
usage_error rank_extra_argument "oomkit rank: unexpected argument 'extra'" rank extra

# Option parity: the spelling kill and the daemon share
check_config() { "$OOMKIT" daemon --config /dev/null "$@" --check-config 2>&1; }
for spelling in --dry-run --dryrun; do
	check "cli_daemon_${spelling#--}" grep -qx "dry_run = yes" <<<"$(check_config "$spelling")"
	out=$("$OOMKIT" kill "$spelling" --help 2>&1); rc=$?
	check "cli_kill_${spelling#--}" [ "$rc" = 0 ]
done
out=$(check_config --protect 'comm:^sshd$' --unit cgroup)
check cli_daemon_protect grep -qxF 'protect = comm:^sshd$' <<<"$out"
check cli_daemon_unit grep -qx "unit = cgroup" <<<"$out"
out=$(check_config -M 1G,512M -S 2G)
if grep -qx "available_term_size = 1048576K" <<<"$out" && grep -qx "available_kill_size = 524288K" <<<"$out" &&
	grep -qx "swap_free_kill_size = 1048576K" <<<"$out" && grep -qx "available_term_percent = 0%" <<<"$out"; then
	ok cli_daemon_sizes_with_units
else
	not_ok "cli_daemon_sizes_with_units: $(grep size <<<"$out" | tr '\n' ' ')"
fi
check cli_daemon_earlyoom_bare_kib grep -qx "available_kill_size = 512K" <<<"$(check_config -M 1024)"

# --check-config checks what the daemon will need (exit 8, the key named)
config_error() { # NAME WANT ARGS...
	local name=$1 want=$2 out rc
	shift 2
	out=$("$OOMKIT" daemon "$@" --check-config 2>&1 >/dev/null); rc=$?
	if [ "$rc" = 8 ] && [ "$out" = "$want" ]; then ok "cli_$name"; else not_ok "cli_$name: exit $rc: $out"; fi
}
printf '[memory\nenabled = yes\n' > "$WORK/header.conf"
config_error check_unclosed_header "oomkit daemon: $WORK/header.conf:1: expected ']' closing the section name" \
	--config "$WORK/header.conf"
config_error check_missing_cgroup "oomkit daemon: [cgroup] path = oomkit-no-such-group: no such memory cgroup" \
	--config /dev/null --cgroup oomkit-no-such-group
printf '#!/bin/sh\n' > "$WORK/hook"
config_error check_hook_not_executable "oomkit daemon: [hooks] post_kill = $WORK/hook: not executable (chmod +x)" \
	--config /dev/null -N "$WORK/hook"
config_error check_hook_relative "oomkit daemon: [hooks] pre_kill = hook: expected an absolute path (the hook is run without a shell or \$PATH)" \
	--config /dev/null -P hook
config_error check_listen_not_loopback "oomkit daemon: [publish] metrics_listen = 0.0.0.0:9101: not a loopback address (127.0.0.0/8, ::1, localhost): /metrics is never served beyond this machine" \
	--config /dev/null --set publish.metrics_listen=0.0.0.0:9101
chmod +x "$WORK/hook"
out=$(check_config -N "$WORK/hook" --set publish.metrics_listen=127.0.0.1:9101); rc=$?
check cli_check_config_accepts_good [ "$rc" = 0 ]

# "<N>" prefixes only when stderr is the journal's stream
if have_root; then
	run_daemon() { # LOG [JOURNAL]: one second of a daemon that watches nothing
		: > "$1"
		JOURNAL_STREAM=$([ -n "${2:-}" ] && stat -c %d:%i "$1") timeout -s TERM 1 "$OOMKIT" daemon \
			--config /dev/null --no-mlockall --psi off --psi-sustained off --set memory.enabled=no \
			--set publish.status_dir= 2>>"$1"
	}
	run_daemon "$WORK/tty.log"
	run_daemon "$WORK/journal.log" journal
	check cli_log_plain_off_journal grep -q "^oomkit daemon: MemAvailable floors" "$WORK/tty.log"
	check cli_log_no_prefix_off_journal bash -c "! grep -q '^<[0-7]>' \"\$1\"" _ "$WORK/tty.log"
	check cli_log_prefix_on_journal grep -q "^<5>oomkit daemon: MemAvailable floors" "$WORK/journal.log"
	# a failure says why: the errno and the capability that is missing (the
	# plain build: under AddressSanitizer mlockall(2) is a no-op that succeeds)
	if command -v setpriv >/dev/null && command -v prlimit >/dev/null; then
		setpriv --bounding-set=-sys_resource,-ipc_lock prlimit --memlock=0:0 timeout -s TERM 1 "${OOMKIT_FAST:-$OOMKIT}" daemon \
			--config /dev/null --dry-run --psi off --psi-sustained off --set publish.status_dir= 2>"$WORK/caps.log"
		check cli_failure_names_errno_and_capability grep -qx \
			"cannot set own oom_score_adj to -1000: Permission denied: lowering it needs CAP_SYS_RESOURCE" "$WORK/caps.log"
		check cli_mlockall_failure_names_capability grep -qE \
			"^mlockall: .+: needs CAP_IPC_LOCK or a larger RLIMIT_MEMLOCK \(running unlocked\)$" "$WORK/caps.log"
	else
		skip "cli_failure_names_errno_and_capability: setpriv or prlimit missing (util-linux)"
	fi
else
	skip "cli_log_prefixes: needs root to start the daemon"
fi
# Output that fits: every line of rank's table within an 80-column
# terminal, the wide layout on a wide one, --wide never cut
on_tty() { # COLUMNS CMD...: CMD's stdout on a terminal that wide
	local cols=$1; shift
	script -qec "stty cols $cols; $(printf '%q ' "$@")" /dev/null | tr -d '\r'
}
if command -v script >/dev/null; then
	out=$(on_tty 80 "$OOMKIT" rank --all)
	long=$(LC_ALL=C.UTF-8 awk 'length($0) > 80' <<<"$out" | head -3)
	check cli_rank_fits_80_columns test -z "$long" -a "$(wc -l <<<"$out")" -gt 3
	[ -z "$long" ] || echo "# longer than 80: $long"
	check cli_rank_wide_terminal_shows_points grep -q "POINTS" <<<"$(on_tty 140 "$OOMKIT" rank --top 3)"
	check cli_rank_80_has_no_points bash -c '! grep -q POINTS <<<"$1"' _ "$out"
	check cli_rank_wide_is_never_cut grep -q "PGTBL.*POINTS.*NOTE" <<<"$(on_tty 60 "$OOMKIT" rank --wide --top 3)"
else
	skip "cli_rank_fits_80_columns: script(1) missing (util-linux)"
fi
# doc/rank.md's examples are what the command prints
check cli_rank_doc_example_is_real env OOMKIT="$OOMKIT" doc/rank-example.sh --check
# users as ps(1) names them; --numeric for uids
users_as_ps() {
	local pid user want n=0
	while read -r pid user _; do
		want=$(ps -o user= -p "$pid" 2>/dev/null | tr -d ' ') || continue
		[ -n "$want" ] || continue
		[ "$user" = "$want" ] || { echo "pid $pid: rank says $user, ps $want" >&2; return 1; }
		n=$((n + 1))
	done < <("$OOMKIT" rank --all | awk 'NR > 3 && $1 ~ /^[0-9]+$/ { print $1, $2 }')
	[ "$n" -gt 0 ]
}
check cli_rank_users_as_ps users_as_ps
check cli_rank_numeric grep -qE '^ +1 +0 ' <<<"$("$OOMKIT" rank --all --numeric)"
# names: text on a UTF-8 locale, escaped bytes otherwise
if have_root && have_memcg_v1 && locale -a 2>/dev/null | grep -qi '^C.utf-\?8$'; then
	cp "$(command -v sleep)" "$WORK/caf$(printf '\xc3\xa9')"
	cg=$(memcg_new cli $((16 << 20)))
	spawn_in "$cg" "$WORK/caf$(printf '\xc3\xa9')" 60 > /dev/null
	sleep 0.2
	check cli_rank_utf8_name_as_text grep -q " caf$(printf '\xc3\xa9') " <<<"$(LC_ALL=C.UTF-8 "$OOMKIT" rank --cgroup "$cg")"
	check cli_rank_name_escaped_in_c_locale grep -qF ' caf\xc3\xa9 ' <<<"$(LC_ALL=C "$OOMKIT" rank --cgroup "$cg")"
else
	skip "cli_rank_utf8_name: needs root, a v1 memory cgroup and the C.UTF-8 locale"
fi
[ "$E2E_FAILED" = 0 ]
