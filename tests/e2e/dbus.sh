#!/bin/bash
# dbus.sh - the D-Bus side of a kill, on private buses started here:
#  - org.oomkit.Daemon1.Killed (and Daemon2.Killed, with its source field,
#    for the kernel's own kills too) observed by dbus-monitor on a bus given as
#    DBUS_SYSTEM_BUS_ADDRESS, with every argument (hostile name escaped,
#    pod UID decoded);
#  - org.freedesktop.Notifications.Notify delivered to the session bus of
#    each "logged-in user" (RUNTIME/<uid>/bus): root's, and nobody's in a
#    0700 directory, which only works if the sender really switches its
#    effective uid to nobody's (a session bus admits its owner only).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

build=$(dirname "$OOMKIT_FAST")
EMIT=$build/helpers/dbus_emit
tmp=$(mktemp -d /tmp/oomkit-dbus.XXXXXX)
chmod 755 "$tmp"
BUS_PIDS=()
trap 'for p in "${BUS_PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; e2e_cleanup' EXIT

if ! command -v dbus-daemon >/dev/null || ! command -v dbus-monitor >/dev/null; then
	skip dbus: dbus-daemon/dbus-monitor not installed
	exit 0
fi
# -95 = -EOPNOTSUPP: the stubs of a build without libsystemd
if [ "$(DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/none "$EMIT" signal 2>/dev/null)" = -95 ]; then
	skip dbus: built without sd-bus
	exit 0
fi

# bus AS_USER SOCKET: starts a private bus (session config), sets addr to
# its address and records its pid (in this shell, not a $(...) subshell)
bus() {
	local user=$1 sock=$2 info
	info=$(setpriv --reuid="$user" --regid="$user" --clear-groups -- \
		dbus-daemon --session --address="unix:path=$sock" --print-address=1 --print-pid=1 --fork) || return 1
	BUS_PIDS+=("$(sed -n 2p <<<"$info")")
	addr=$(sed -n 1p <<<"$info")
}
# monitor AS_USER ADDRESS MATCH OUT: dbus-monitor in the background, ready on return
monitor() {
	setpriv --reuid="$1" --regid="$1" --clear-groups -- dbus-monitor --address "$2" "$3" >"$4" 2>&1 &
	BUS_PIDS+=("$!")
	for _ in $(seq 50); do grep -q NameLost "$4" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
# saw OUT PATTERN...: every fixed string appears in OUT (waits up to 5 s)
saw() {
	local out=$1 p
	shift
	for _ in $(seq 50); do
		for p in "$@"; do grep -qF -- "$p" "$out" || continue 2; done
		return 0
	done
	return 1
}

# --- the Killed signal
bus 0 "$tmp/system_bus" || { not_ok dbus_private_bus; exit 1; }
sys=$addr
monitor 0 "$sys" "type='signal',interface='org.oomkit.Daemon1'" "$tmp/sig.out" || not_ok dbus_monitor_ready
if DBUS_SYSTEM_BUS_ADDRESS=$sys "$EMIT" signal >/dev/null; then ok dbus_signal_sent; else not_ok dbus_signal_sent; fi
if saw "$tmp/sig.out" "path=/org/oomkit/Daemon1; interface=org.oomkit.Daemon1; member=Killed" \
	'uint64 1700000000250000' 'uint32 4242' 'uint32 1000' 'string "evil <b>$(x)\x0a"' \
	'string "memavailable 4.8% < 5%"' 'string "process"' 'uint64 1610612736' 'boolean true' \
	'string "0f3b7e8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"'; then
	ok dbus_killed_signal_observed
else
	not_ok dbus_killed_signal_observed: "$(cat "$tmp/sig.out")"
fi
# version 2: every kill, with its source; a kernel kill on Daemon2 only
monitor 0 "$sys" "type='signal',interface='org.oomkit.Daemon2'" "$tmp/sig2.out" || not_ok dbus_monitor2_ready
DBUS_SYSTEM_BUS_ADDRESS=$sys "$EMIT" signal >/dev/null
if DBUS_SYSTEM_BUS_ADDRESS=$sys "$EMIT" kernel-signal >/dev/null; then ok dbus_kernel_signal_sent; else not_ok dbus_kernel_signal_sent; fi
if saw "$tmp/sig2.out" "path=/org/oomkit/Daemon1; interface=org.oomkit.Daemon2; member=Killed" \
	'uint32 4242' 'string "0f3b7e8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"' 'string "oomkit"' 'string "kernel"' &&
	[ "$(grep -c 'interface=org.oomkit.Daemon2; member=Killed' "$tmp/sig2.out")" = 2 ] &&
	[ "$(grep -c 'interface=org.oomkit.Daemon1; member=Killed' "$tmp/sig.out")" = 2 ]; then
	ok "dbus_killed2_source (Daemon2: oomkit and kernel; Daemon1: oomkit's only)"
else
	not_ok dbus_killed2_source: "$(cat "$tmp/sig2.out")"
fi
# no system bus at all: a clear error, not a hang or a crash
if DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/nothing timeout 10 "$EMIT" signal >/dev/null; then
	not_ok dbus_signal_no_bus_fails
else
	[ $? -eq 1 ] && ok dbus_signal_no_bus_fails || not_ok dbus_signal_no_bus_fails: hang or crash
fi

# --- desktop notifications: root's and nobody's session buses
run=$tmp/run
mkdir -p "$run/0" "$run/65534" "$run/12345"   # 12345: logged in, no bus
chmod 700 "$run/0" "$run/65534"
chown 65534:65534 "$run/65534"
bus 0 "$run/0/bus" || { not_ok dbus_session_buses; exit 1; }
ubus0=$addr
bus 65534 "$run/65534/bus" || { not_ok dbus_session_buses; exit 1; }
ubusn=$addr
match="type='method_call',interface='org.freedesktop.Notifications',member='Notify'"
monitor 0 "$ubus0" "$match" "$tmp/n0.out" && monitor 65534 "$ubusn" "$match" "$tmp/nn.out" || not_ok dbus_notify_monitors
out=$("$EMIT" notify "$run")
check dbus_notify_reports_two_users test "$out" = 2
for f in n0 nn; do
	if saw "$tmp/$f.out" 'member=Notify' 'string "oomkit"' 'string "oomkit killed evil <b>$(x)\x0a (pid 4242)"' \
		'string "It used 1.5GiB of memory. Trigger: memavailable 4.8% &lt; 5%. pod 0f3b7e8a-1c2d-4e5f-8a9b-0c1d2e3f4a5b (Burstable) container 3b1c9e2f0a4d containerd."'; then
		ok "dbus_notify_delivered_$f"
	else
		not_ok "dbus_notify_delivered_$f": "$(cat "$tmp/$f.out")"
	fi
done
check dbus_notify_no_runtime_dir test "$("$EMIT" notify "$tmp/none")" = 0

# --- a hostile local user: a socket at its /run/user/UID/bus that accepts
# and never answers (and a system bus address doing the same) must not hold
# the publisher for long: every call is bounded (about a second), not
# sd-bus's default 90 s (or 25 s) authentication timeout.
# mute_bus PATH [OWNER]: a listening socket that accepts and never answers;
# it logs each connection to PATH.log
mute_bus() {
	python3 - "$1" <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(16)
open(sys.argv[1] + ".ready", "w").close()
held = []
while True:
    c, _ = s.accept(); held.append(c)
    with open(sys.argv[1] + ".log", "a") as f: f.write("connected\n")
PY
	BUS_PIDS+=("$!")
	for _ in $(seq 50); do [ -e "$1.ready" ] && break; sleep 0.1; done
	[ -n "${2:-}" ] && chown "$2" "$1" && chmod 777 "$1"
	return 0
}
hostile=$tmp/hostile
mkdir -p "$hostile/0"
chmod 700 "$hostile/0"
mute_bus "$hostile/0/bus"
t0=$(date +%s%N)
out=$(timeout 8 "$EMIT" notify "$hostile"); rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "dbus_notify_mute_bus_bounded (${ms} ms)" [ "$rc" != 124 -a "$ms" -lt 3000 ]
check dbus_notify_mute_bus_is_an_error [ "$rc" = 1 ]
mute_bus "$tmp/mute_system"
t0=$(date +%s%N)
out=$(DBUS_SYSTEM_BUS_ADDRESS=unix:path=$tmp/mute_system timeout 8 "$EMIT" signal); rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "dbus_signal_mute_bus_bounded (${ms} ms)" [ "$rc" != 124 -a "$ms" -lt 3000 ]
# A socket the user does not own (here: nobody's runtime dir holding a
# root-owned socket, writable by all) is not connected to.
owner=$tmp/owner
mkdir -p "$owner/65534"
chown 65534:65534 "$owner/65534"
mute_bus "$owner/65534/bus" 0:0
out=$(timeout 8 "$EMIT" notify "$owner")
check dbus_notify_foreign_socket_refused [ ! -e "$owner/65534/bus.log" ]

# --- in the unit's sandbox: its syscall filter and capabilities (as
# tests/e2e/seccomp_kill.sh applies them); without CAP_SETUID only root's
# own session bus is reachable.
SECCOMP_EXEC=$build/helpers/seccomp_exec
if command -v systemd-analyze >/dev/null && [ -x "$SECCOMP_EXEC" ]; then
	tests/helpers/expand_syscalls.sh packaging/syscalls.list > "$tmp/allowed"
	. tests/helpers/unit_sandbox.sh
	# shellcheck disable=SC2086
	check dbus_signal_in_sandbox test "$(DBUS_SYSTEM_BUS_ADDRESS=$sys sandbox_run "$SECCOMP_EXEC" "$tmp/allowed" unit $UNIT_CAPS -- "$EMIT" signal 2>&1)" = 0
	# shellcheck disable=SC2086
	check dbus_notify_in_sandbox test "$(sandbox_run "$SECCOMP_EXEC" "$tmp/allowed" unit $UNIT_CAPS -- "$EMIT" notify "$run" 2>&1)" = 2
	# shellcheck disable=SC2046
	check dbus_notify_needs_cap_setuid \
		test "$(sandbox_run "$SECCOMP_EXEC" "$tmp/allowed" unit $(unit_caps_without CAP_SETUID) -- "$EMIT" notify "$run" 2>&1)" = 1
else
	skip dbus_in_sandbox: no systemd-analyze or seccomp harness
fi
exit $E2E_FAILED
