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
# lib.sh's cleanup removes the cgroups before it reaps the killed children,
# and a zombie keeps a v1 memcg busy: kill and reap ours first.
reap_ours() { local p; for p in "${E2E_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }
trap 'reap_ours; rm -rf "$tmp"; e2e_cleanup' EXIT

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

# --- the unit's capabilities and filter (tests/helpers/unit_sandbox.sh).
# oomkit kill runs strict: any call outside the list is SIGSYS, the kill
# path must need none.
. tests/helpers/unit_sandbox.sh
sandboxed() { sandbox_run "$SECCOMP_EXEC" "$tmp/allowed" strict "$@"; }

if "$OOMKIT_FAST" kill --help 2>&1 | grep -q 'not built yet'; then
	skip seccomp_real_kill: oomkit kill not merged yet
	exit $E2E_FAILED
fi
needs_memcg_v1 seccomp_real_kill

# The plain build is what the unit runs: a sanitizer runtime's own calls
# are not the product's, so the sandboxed runs use $OOMKIT_FAST.

# victim NAME: a 32 MiB process (the kill branch's kill_hog) of user nobody
# in a 128 MiB v1 memcg; sets cg and pid (a child of this shell)
KILL_HOG=$build/tests/kill_hog
chmod 1777 "$tmp"
victim() {
	cg=$(memcg_new "seccomp-$1" $((128 << 20))) || return 1
	E2E_CGROUPS+=("$cg") # memcg_new ran in a subshell: its own record is lost
	spawn_in "$cg" setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		"$KILL_HOG" --mb 32 --ready "$tmp/ready.$1" >/dev/null
	pid=${E2E_PIDS[-1]}
	for _ in $(seq 100); do [ -e "$tmp/ready.$1" ] && return 0; sleep 0.05; done
	return 1
}
oom_kills() { sed -n 's/^oom_kill //p' "$1/memory.oom_control"; }

if [ ! -x "$KILL_HOG" ]; then
	not_ok seccomp_real_kill: "$KILL_HOG not built"
	exit 1
fi
victim withcaps || not_ok seccomp_victim_ready
# shellcheck disable=SC2086
sandboxed $UNIT_CAPS -- "$OOMKIT_FAST" kill --cgroup "$cg" >"$tmp/kill.out" 2>"$tmp/kill.err"
rc=$?
wait "$pid" 2>/dev/null
st=$?
if [ $rc -eq 0 ] && [ $st -eq 137 ] && [ "$(oom_kills "$cg")" = 0 ]; then
	ok seccomp_caps_real_kill
else
	not_ok seccomp_caps_real_kill: "oomkit rc=$rc victim status=$st oom_kill=$(oom_kills "$cg") $(tail -3 "$tmp/kill.err")"
fi
# The report's last line comes after process_mrelease and the wait on the
# pidfd: the whole path ran under the filter. (Whether the reaper or the
# exit freed the memory first is a race; the probe above shows that
# process_mrelease itself is allowed.)
if grep -qE '^oomkit: process [0-9]+ exited .* after the signal' "$tmp/kill.err"; then
	ok seccomp_kill_path_complete
else
	not_ok seccomp_kill_path_complete: "$(tail -2 "$tmp/kill.err")"
fi

# Without CAP_KILL the same kill must fail, victim alive: exit 7 (signal
# refused) or 6 (kill's liveness probe, a signal 0, is refused too and it
# then takes the victim for gone: a misleading message reported to kill).
victim nokill || not_ok seccomp_victim_ready
# shellcheck disable=SC2086
sandboxed $(unit_caps_without CAP_KILL) -- "$OOMKIT_FAST" kill --cgroup "$cg" >"$tmp/kill.out" 2>"$tmp/kill.err"
rc=$?
if { [ $rc -eq 7 ] || [ $rc -eq 6 ]; } && kill -0 "$pid" 2>/dev/null && ! grep -q 'Killed process' "$tmp/kill.err"; then
	ok kill_needs_cap_kill
else
	not_ok kill_needs_cap_kill: "oomkit rc=$rc (want 7 or 6), victim $(kill -0 "$pid" 2>/dev/null && echo alive || echo dead)"
fi

exit $E2E_FAILED
