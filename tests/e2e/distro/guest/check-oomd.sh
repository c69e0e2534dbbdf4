# check-oomd.sh - oomkit in place of systemd-oomd (sourced by main.sh; mode
# oomd, doc/systemd.md "Switch from systemd-oomd"): `oomkit-replace-oomd
# on`, then the unit settings systemd-oomd honours, acted on by oomkit:
#   switched, subscribed  systemd-oomd.service runs oomkit; PID 1 hands it
#                     the ManagedOOM*= cgroups
#   status_managed    `oomkit status` lists them with limits and pressure
#   pressure_slice    a slice with ManagedOOMMemoryPressure=kill at 50%
#                     stalled by a hog growing beyond MemoryHigh=32M with
#                     MemorySwapMax=64M (throttled at every allocation
#                     once its swap is full): its service killed whole; a
#                     sibling slice without the setting, stalled the same
#                     way, left alone; a 120 MiB service with ManagedOOMPreference=omit
#                     (user.oomd_omit) in the slice, never touched
#   session_process   a session scope with four tab-like processes and one
#                     leak: the leak alone dies, the tabs and the scope live
#   session_cgroup    the same with [systemd] kill_unit = cgroup: the scope
#   swap_rule         ManagedOOMSwap=kill on -.slice alone (oomkit's own
#                     rules off): a service leaking into swap killed by it
#   oom1_killed       dbus-monitor --system sees
#                     org.freedesktop.oom1.Manager.Killed for oomkit's kill
#   switch_back       `oomkit-replace-oomd off`: systemd-oomd itself again
# Then pressure_slice and session with systemd-oomd itself, for the
# comparison (bench/RESULTS.md): one line per case and killer,
#   # @@OOMD case killer secs died alive kernel_oom_kills trigger
U=systemd-oomd.service
alive() { [ -r /proc/$1/stat ] && [ "$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -d' ' -f1)" != Z ]; }
dead() { ! alive "$1"; }
mainpid() { systemctl show -p MainPID --value $U; }
mark() { journalctl -q -n 0 --show-cursor -u $U | sed -n 's/^-- cursor: //p' > "$1"; }
since() { journalctl -q -o cat -u $U --after-cursor="$(cat "$1")"; }
secs_since() { awk -v a="$1" -v b="$(up)" 'BEGIN { printf "%.1f", b - a }'; }
# wait_dead SECONDS PID: until PID is gone, by the clock (under TCG a
# poll that forks takes long enough to stretch wait_for's count of polls)
wait_dead() {
	local end
	end=$(awk -v u="$(up)" -v s="$1" 'BEGIN { print u + s }')
	while alive "$2"; do
		awk -v u="$(up)" -v e="$end" 'BEGIN { exit !(u >= e) }' && return 1
		sleep 0.5
	done
}
# names NAME=PID...: the NAMEs whose PID is dead (or alive with -a)
names() {
	local want=dead out=
	[ "$1" = -a ] && { want=alive; shift; }
	for np in "$@"; do $want "${np#*=}" && out="$out${out:+,}${np%%=*}"; done
	echo "${out:--}"
}
killer_trigger() { since /tmp/cur.case | grep -m1 -oE 'trigger=[^,]*|(killed|Killed) [0-9]* process.*|Killed.*' | tr ' ' _ | cut -c1-60; }

# pressure_case KILLER: the two slices under pressure; sets PRESS CALM OMITTED
pressure_case() {
	local t0 oom0=$(oom_kills)
	mark /tmp/cur.case
	systemd-run -q --unit=omitted --slice=oompress.slice -p ManagedOOMPreference=omit --setenv=HOG_NAME=omitted $T/hog 120 hold
	systemd-run -q --unit=press --slice=oompress.slice -p MemoryHigh=32M -p MemorySwapMax=64M --setenv=HOG_NAME=press $T/hog 300 hold
	systemd-run -q --unit=calm --slice=oomcalm.slice -p MemoryHigh=32M -p MemorySwapMax=64M --setenv=HOG_NAME=calm $T/hog 300 hold
	t0=$(up)
	sleep 15
	if [ "$1" = oomkit ]; then
		oomkit status > /tmp/status.txt 2>&1
		dump "oomkit status under pressure" sed -n '/^systemd/,/^$/p;/TRIGGER/,/^$/p' /tmp/status.txt
	fi
	PRESS=$(systemctl show -p MainPID --value press.service) CALM=$(systemctl show -p MainPID --value calm.service)
	OMITTED=$(systemctl show -p MainPID --value omitted.service)
	wait_dead 90 "$PRESS"
	echo "# @@OOMD pressure_slice $1 $(secs_since "$t0") $(names press=$PRESS calm=$CALM omitted=$OMITTED) $(names -a press=$PRESS calm=$CALM omitted=$OMITTED) $(( $(oom_kills) - oom0 )) $(killer_trigger)"
}
pressure_cleanup() { systemctl stop press.service calm.service omitted.service 2>/dev/null; systemctl reset-failed 2>/dev/null; sleep 12; }

# session_case KILLER: a login of uid 1000 with four tabs and a leak; sets
# TABS (alive after) and LEAK
session_case() {
	local t0 i oom0=$(oom_kills)
	pkill -9 -u user 2>/dev/null; loginctl terminate-user user 2>/dev/null; sleep 1
	mark /tmp/cur.case
	choom -n 0 -- runuser -l user -c "for i in 1 2 3 4; do HOG_NAME=tab $T/hog 30 hold & done; sleep 2; HOG_NAME=leak HOG_RATE_MS=20 exec $T/hog" >/dev/null 2>&1 &
	for i in $(seq 100); do LEAK=$(pgrep -u user -x leak) && break; sleep 0.1; done
	note "$1: leak $LEAK in $(cut -d: -f3 /proc/$LEAK/cgroup 2>/dev/null)"
	t0=$(up)
	wait_dead 120 "$LEAK"
	sleep 2
	TABS=$(pgrep -c -u user -x tab)
	echo "# @@OOMD session $1 $(secs_since "$t0") $(dead "$LEAK" && echo leak)$([ "$TABS" -lt 4 ] && echo ",$((4 - TABS))tabs") tabs=$TABS $(( $(oom_kills) - oom0 )) $(killer_trigger)"
}
# (swap is left as it drains: a swapoff shrinks SwapFree as fast as a hog
# fills it, and oomkit's look-ahead once took that for one and killed)
session_cleanup() { pkill -9 -u user 2>/dev/null; loginctl terminate-user user 2>/dev/null; sleep 12; }

swap_on
oom0=$(oom_kills)
mkdir -p /etc/systemd/system/oompress.slice.d /etc/systemd/system/oomcalm.slice.d /etc/oomkit.conf.d
printf '[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=50%%\n' > /etc/systemd/system/oompress.slice.d/50-test.conf
printf '[Slice]\nMemoryAccounting=yes\n' > /etc/systemd/system/oomcalm.slice.d/50-test.conf
systemctl daemon-reload

# ---- the measurement behind the switch: oomkit.service may not subscribe
printf '[systemd]\nmanaged_oom = yes\nbus_name = no\n' > /etc/oomkit.conf.d/50-managed.conf
systemctl mask -q --now systemd-oomd.service systemd-oomd.socket
systemctl start oomkit.service
sleep 3
note "oomkit.service asking PID 1: $(journal oomkit.service | grep -m1 "ManagedOOM service")"
systemctl stop oomkit.service
rm /etc/oomkit.conf.d/50-managed.conf

# ---- the switch
oomkit-replace-oomd on 2>&1 | sed 's/^/# /'
sleep 2
pid=$(mainpid)
check switched "systemd-oomd.service runs $(readlink /proc/$pid/exe)" test "$(readlink /proc/$pid/exe)" = /usr/sbin/oomkit
note "$(journal $U | grep -E "managed cgroups|ManagedOOM service" | head -4 | paste -sd'|')"
check subscribed "PID 1 did not answer: $(journal $U | grep 'ManagedOOM service' | tail -1)" \
	wait_for 10 bash -c "oomkit status | grep -q 'subscribed)'"
dbus-monitor --system "type='signal',interface='org.freedesktop.oom1.Manager'" > /tmp/oom1.mon 2>&1 &
monpid=$!

# ---- the cases with oomkit
pressure_case oomkit
check status_managed "no managed-swap row for / or managed-pressure row for /oompress.slice: $(grep managed /tmp/status.txt | paste -sd'|')" \
	bash -c "grep -qE '^managed-swap +/ ' /tmp/status.txt && grep -qE '^managed-pressure +/oompress.slice +pressure > 50% for 20s' /tmp/status.txt"
check pressure_slice_killed "the hog in oompress.slice lives ($(systemctl show -p ActiveState --value press.service))" dead "$PRESS"
check pressure_slice_sibling_alive "the hog in oomcalm.slice died" alive "$CALM"
check pressure_slice_omit_alive "the omitted service died" alive "$OMITTED"
note "$(journal $U | grep -E 'Killed process|ManagedOOMMemoryPressure|preferences' | tail -4 | paste -sd'|')"
pressure_cleanup

session_case oomkit
check session_process_leak_killed "the leak lives" dead "$LEAK"
check session_process_tabs_alive "$TABS of 4 tabs alive" test "$TABS" = 4
printf '[systemd]\nkill_unit = cgroup\n' > /etc/oomkit.conf.d/50-cgroup.conf
systemctl reload $U
session_cleanup
session_case oomkit-cgroup
check session_cgroup_leak_killed "the leak lives" dead "$LEAK"
check session_cgroup_tabs_killed "$TABS of 4 tabs alive" test "$TABS" = 0
rm /etc/oomkit.conf.d/50-cgroup.conf
session_cleanup

# ManagedOOMSwap=kill alone: oomkit's own floors and PSI rules off (in the
# cases above its PSI trigger is first), a service leaking into swap
printf '[memory]\nenabled = no\n[psi]\ntrigger = off\nsustained = off\n' > /etc/oomkit.conf.d/50-managed-only.conf
systemctl reload $U
sleep 2
mark /tmp/cur.case
systemd-run -q --unit=leak --setenv=HOG_NAME=leak --setenv=HOG_RATE_MS=20 $T/hog
LEAK=$(systemctl show -p MainPID --value leak.service)
t0=$(up)
wait_dead 150 "$LEAK"
note "swap_rule: $(secs_since "$t0") s; $(since /tmp/cur.case | grep -E 'invoked oom-killer|Killed process' | paste -sd'|')"
check swap_rule_leak_killed "the leak lives" dead "$LEAK"
check swap_rule_managed "no ManagedOOMSwap trigger: $(since /tmp/cur.case | grep -m1 'invoked oom-killer')" \
	bash -c "journalctl -q -o cat -u $U --after-cursor='$(cat /tmp/cur.case)' | grep -q 'trigger=ManagedOOMSwap'"
systemctl stop leak.service 2>/dev/null; systemctl reset-failed 2>/dev/null
rm /etc/oomkit.conf.d/50-managed-only.conf
session_cleanup

sleep 1
kill "$monpid" 2>/dev/null
note "$(grep -A2 'member=Killed' /tmp/oom1.mon | grep string | head -4 | paste -sd'|')"
check oom1_killed "no org.freedesktop.oom1.Manager Killed signal seen" grep -q 'interface=org.freedesktop.oom1.Manager; member=Killed' /tmp/oom1.mon
note "kernel OOM kills with oomkit: $(( $(oom_kills) - oom0 ))"
dump "journal of $U (notices)" journalctl -b -q -o short-monotonic -u $U -p notice

# ---- and back: the same cases with systemd-oomd itself
oomkit-replace-oomd off 2>&1 | sed 's/^/# /'
sleep 2
check switch_back "systemd-oomd.service runs $(readlink /proc/$(mainpid)/exe)" \
	test "$(readlink /proc/$(mainpid)/exe)" = /usr/lib/systemd/systemd-oomd
pressure_case systemd-oomd
pressure_cleanup
session_case systemd-oomd
session_cleanup
dump "systemd-oomd's journal" journalctl -b -q -o short-monotonic -u $U --since=-10min
