#!/bin/bash
# seccomp_kill.sh - oomkit under the systemd unit's sandbox, applied without
# systemd: the unit's system-call allow-list (packaging/syscalls.list,
# expanded as systemd expands it, through libseccomp: a denied call kills
# with SIGSYS) and exactly the unit's capability bounding set (setpriv, as
# systemd does for a root service). Then a real kill of another user's
# process in a v1 memory cgroup with a limit; without CAP_KILL it must fail.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

build=$(dirname "$OOMKIT_FAST")
SECCOMP_EXEC=$build/helpers/seccomp_exec
tmp=$(mktemp -d /tmp/oomkit-seccomp.XXXXXX)
trap 'rm -rf "$tmp"; e2e_cleanup' EXIT

if [ ! -x "$SECCOMP_EXEC" ]; then
	not_ok seccomp_harness: "$SECCOMP_EXEC not built (make check-unit)"
	exit 1
fi
if ! command -v systemd-analyze >/dev/null; then
	skip seccomp_kill: no systemd-analyze to expand the syscall groups
	exit 0
fi
tests/helpers/expand_syscalls.sh packaging/syscalls.list > "$tmp/allowed"
grep -v '^process_mrelease$' "$tmp/allowed" > "$tmp/no_mrelease"

# --- the kill path's system calls pass the filter (each probed with invalid
# arguments: returning at all means allowed)
KILL_PATH_SYSCALLS="pidfd_open pidfd_send_signal process_mrelease kcmp waitid
mlockall munlockall poll ppoll epoll_create1 epoll_ctl epoll_pwait timerfd_create
timerfd_settime eventfd2 inotify_init1 inotify_add_watch openat pread64 read
write close getdents64 clock_nanosleep prctl sched_setscheduler setpriority
socket bind listen accept4 sendmsg recvmsg rename unlinkat fsync"
out=$("$SECCOMP_EXEC" "$tmp/allowed" --probe $KILL_PATH_SYSCALLS 2>&1); rc=$?
if [ $rc -eq 0 ]; then ok filter_allows_kill_path; else not_ok filter_allows_kill_path: "rc=$rc after: $(tail -1 <<<"$out")"; fi

# The filter can fail: a call outside the list is killed with SIGSYS, and
# @system-service alone would have killed the daemon in its reaper.
# (statuses collected in a subshell, so bash's "Bad system call" stays quiet)
probe_status() { { "$SECCOMP_EXEC" "$@" >/dev/null; echo $?; } 2>/dev/null; }
check filter_denies_reboot test "$(probe_status "$tmp/allowed" --probe reboot)" -eq $((128 + 31))
check system_service_alone_lacks_process_mrelease \
	test "$(probe_status "$tmp/no_mrelease" --probe process_mrelease)" -eq $((128 + 31))

# --- the unit's capability set, in setpriv's syntax
unit_caps=$(sed -n 's/^CapabilityBoundingSet=//p' packaging/oomkit.service)
setpriv_caps() { # CAP_NAMES... -> -all,+kill,+sys_ptrace...
	local c s=-all
	for c in "$@"; do c=${c#CAP_}; s="$s,+${c,,}"; done
	echo "$s"
}
# sandboxed CAPS... -- CMD...: CMD as root with exactly CAPS, under the filter
sandboxed() {
	local caps=()
	while [ "$1" != -- ]; do caps+=("$1"); shift; done
	shift
	setpriv --bounding-set="$(setpriv_caps "${caps[@]}")" --inh-caps=-all -- \
		"$SECCOMP_EXEC" "$tmp/allowed" -- "$@"
}

if "$OOMKIT_FAST" kill --help 2>&1 | grep -q 'not built yet'; then
	skip seccomp_real_kill: oomkit kill not merged yet
	exit $E2E_FAILED
fi
if ! have_root || ! have_memcg_v1; then
	skip seccomp_real_kill: needs root and the v1 memory controller
	exit $E2E_FAILED
fi

# victim VICTIM_NAME: a 32 MiB process of user nobody in a 128 MiB memcg;
# prints "CGROUP PID"
victim() {
	local cg pid
	cg=$(memcg_new "seccomp-$1" $((128 << 20))) || return 1
	pid=$(spawn_in "$cg" setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		python3 -c 'import time; b = bytearray(32 << 20); time.sleep(120)')
	for _ in $(seq 50); do
		[ "$(cat "$cg/memory.usage_in_bytes")" -gt $((30 << 20)) ] && break
		sleep 0.1
	done
	echo "$cg $pid"
}
oom_kills() { sed -n 's/^oom_kill //p' "$1/memory.oom_control"; }

read -r cg pid < <(victim withcaps)
# shellcheck disable=SC2086
sandboxed $unit_caps -- "$OOMKIT" kill --cgroup "$cg" >"$tmp/kill.out" 2>"$tmp/kill.err"
rc=$?
wait "$pid" 2>/dev/null
st=$?
if [ $rc -eq 0 ] && [ $st -eq 137 ] && [ "$(oom_kills "$cg")" = 0 ]; then
	ok seccomp_caps_real_kill
else
	not_ok seccomp_caps_real_kill: "oomkit rc=$rc victim status=$st oom_kill=$(oom_kills "$cg") $(tail -3 "$tmp/kill.err")"
fi

# Without CAP_KILL the same kill must fail (documented exit 7), victim alive.
read -r cg pid < <(victim nokill)
# shellcheck disable=SC2086
sandboxed $(tr ' ' '\n' <<<"$unit_caps" | grep -vx CAP_KILL) -- "$OOMKIT" kill --cgroup "$cg" >"$tmp/kill.out" 2>"$tmp/kill.err"
rc=$?
if [ $rc -eq 7 ] && kill -0 "$pid" 2>/dev/null; then
	ok kill_needs_cap_kill
else
	not_ok kill_needs_cap_kill: "oomkit rc=$rc (want 7), victim $(kill -0 "$pid" 2>/dev/null && echo alive || echo dead)"
fi

exit $E2E_FAILED
