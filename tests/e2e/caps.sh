#!/bin/bash
# caps.sh - every capability in the unit's CapabilityBoundingSet= is needed:
# for each, one step of the daemon's work (cap_probe) succeeds as root with
# exactly the unit's set and fails with the unit's set minus that one (the
# way systemd runs a root service: setpriv --bounding-set). Targets are
# processes and cgroups of user nobody that this test creates. A capability
# this host cannot grant at all is only shown to be refused without it
# (a '#' line says the other half cannot be shown), never reported as a pass.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

build=$(dirname "$OOMKIT_FAST")
PROBE=$build/helpers/cap_probe
tmp=$(mktemp -d /tmp/oomkit-caps.XXXXXX)
CG=
trap '[ -n "$CG" ] && rmdir "$CG" 2>/dev/null; rm -rf "$tmp"; e2e_cleanup' EXIT
if ! have_root; then
	skip caps: needs root
	exit 0
fi
[ -x "$PROBE" ] || { not_ok caps: "$PROBE not built"; exit 1; }

. tests/helpers/unit_sandbox.sh
unit_caps=$UNIT_CAPS
bset_has() { # CAP_NAME: in this process's bounding set?
	capsh --decode="$(awk '/^CapBnd/ {print $2}' /proc/self/status)" | grep -qiw "${1,,}"
}
# as CAPS... -- PROBE-ARGS: the probe's verdict under that bounding set
as() {
	local caps=()
	while [ "$1" != -- ]; do caps+=("$1"); shift; done
	shift
	setpriv --bounding-set="$(setpriv_caps "${caps[@]}")" --inh-caps=-all -- "$PROBE" "$@"
}

# needs CAP STEP...: STEP works with the unit's set, fails without CAP
needs() {
	local cap=$1 with without
	shift
	# shellcheck disable=SC2086
	without=$(as $(tr ' ' '\n' <<<"$unit_caps" | grep -vx "$cap") -- "$@")
	if ! bset_has "$cap"; then
		if [ "$without" = ok ]; then not_ok "caps_${cap}_needed: works without it"
		else ok "caps_${cap}_refused_without_it: $without"
			echo "# caps_${cap}_needed: that it suffices cannot be shown here, this host cannot grant $cap"; fi
		return
	fi
	# shellcheck disable=SC2086
	with=$(as $unit_caps -- "$@")
	if [ "$with" = ok ] && [ "$without" != ok ]; then
		ok "caps_${cap}_needed ($* fails with $without)"
	else
		not_ok "caps_${cap}_needed: with=$with without=$without for $*"
	fi
}
# spawn_nobody_sleep: sets t to the pid of a sleep of user nobody (the pid of
# the sleep itself, not of a root subshell around it)
spawn_nobody_sleep() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- sleep 60 >/dev/null 2>&1 &
	t=$!
	E2E_PIDS+=("$t")
	for _ in $(seq 50); do [ "$(stat -c %u /proc/$t)" = 65534 ] && return; sleep 0.02; done
}

spawn_nobody_sleep
needs CAP_KILL kill "$t"
spawn_nobody_sleep
needs CAP_SYS_PTRACE kcmp "$t"
check caps_exe_needs_ptrace test "$(as CAP_KILL -- exe "$t")" = EACCES
check caps_status_needs_nothing test "$(as -- status "$t")" = ok
# a cgroup delegated to a user: its files are the user's
u=$(memcg_v2_root || awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$u" ] && mkdir "$u/oomkit-caps-$$" 2>/dev/null; then
	CG=$u/oomkit-caps-$$
	chown -R 65534:65534 "$CG"
	if [ -e "$CG/cgroup.kill" ]; then
		needs CAP_DAC_OVERRIDE write "$CG/cgroup.kill" 1
	else
		skip caps_CAP_DAC_OVERRIDE_needed: no cgroup.kill on this kernel
	fi
else
	skip caps_CAP_DAC_OVERRIDE_needed: no cgroup2 mount to delegate from
fi
# mlockall of a daemon larger than RLIMIT_MEMLOCK (mlockall-big grows first)
needs CAP_SYS_NICE nice -5
if [ "$(cat /proc/sys/kernel/dmesg_restrict 2>/dev/null)" = 1 ]; then
	needs CAP_SYSLOG kmsg
else
	skip "caps_CAP_SYSLOG_needed: kernel.dmesg_restrict is 0 here, /dev/kmsg is open to all"
fi
needs CAP_SYS_RESOURCE adj -1000
if [ "$(ulimit -l)" != unlimited ]; then
	# shellcheck disable=SC2086
	check caps_ipc_lock_needed_beyond_rlimit test "$(setpriv --bounding-set="$(setpriv_caps $(tr ' ' '\n' <<<"$unit_caps" | grep -vx CAP_IPC_LOCK))" --inh-caps=-all -- "$PROBE" mlockall-big)" != ok
	# shellcheck disable=SC2086
	check caps_ipc_lock_suffices test "$(as $unit_caps -- mlockall-big)" = ok
fi
exit $E2E_FAILED
