# check-install.sh - oomkit as a user runs it (sourced by main.sh): installed
# by `make install PREFIX=/usr` in the image, `systemctl enable --now
# oomkit`, then the unit's promises under real kills. One ok / not ok line
# per check. PRESSURE_SECS (oomkit.pressure= on the command line, default
# 120) is how long the watchdog is watched under repeated pressure.
PRESSURE_SECS=$(sed -n 's/.*oomkit\.pressure=\([0-9]*\).*/\1/p' /proc/cmdline)
PRESSURE_SECS=${PRESSURE_SECS:-120}
U=oomkit.service
CAPS_WANT=00000004018840a2 # KILL DAC_OVERRIDE SETUID IPC_LOCK SYS_PTRACE SYS_NICE SYS_RESOURCE SYSLOG

mainpid() { systemctl show -p MainPID --value $U; }
prop() { systemctl show -p "$1" --value "${2:-$U}"; }
# hog_unit NAME TIMEOUT [systemd-run options...] -- CMD...: a transient
# service; sets HOG_END to how it ended ("code=killed/status=TERM", ...)
# and HOG_PID to its main pid
hog_unit() {
	local name=$1 t=$2 out
	shift 2
	local opts=()
	while [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	# (the main pid through a file: a unit that ended well is collected at once)
	out=$(systemd-run --wait --unit="$name" -p RuntimeMaxSec="$t" "${opts[@]}" "$@" 2>&1)
	HOG_END=$(sed -n 's/^Main processes terminated with: //p' <<<"$out")
	# (its pid from its own first line: a unit that ended well is collected)
	HOG_PID=$(journalctl -q -o cat -u "$name.service" | sed -n 's/^@@HOG pid=\([0-9]*\) start.*/\1/p' | tail -1)
	systemctl reset-failed "$name.service" 2>/dev/null
	note "$name ($HOG_PID): $HOG_END; $(grep -E '^(Finished|Service runtime)' <<<"$out" | paste -sd';')"
}
# journal_since CURSOR_FILE: the unit's lines after the cursor saved in FILE
journal_mark() { journalctl -q -n 0 --show-cursor -u $U | sed -n 's/^-- cursor: //p' > "$1"; }
journal_since() { journalctl -q -o cat -u $U --after-cursor="$(cat "$1")"; }

# ---- install and start
note "$(oomkit --version 2>&1 | head -1); unit $(systemctl show -p FragmentPath --value $U)"
check unit_installed "no /usr/lib/systemd/system/oomkit.service" test -f /usr/lib/systemd/system/oomkit.service
out=$(systemd-analyze verify --man=no $U 2>&1)
check unit_verify "systemd-analyze verify: $out" test -z "$out"
systemctl enable --now $U 2>&1 | sed 's/^/# /'
armed=$(ls -l /proc/"$(mainpid)"/fd 2>/dev/null | grep -c /proc/pressure/memory)
check enable_now "systemctl enable --now failed" systemctl is-active -q $U
check enabled "not enabled" systemctl is-enabled -q $U
pid=$(mainpid)
note "$(journal $U | grep 'oomkit daemon:')"
# systemd-oomd is installed here, as on Fedora and Ubuntu: a login starts
# user@1000.service, whose ManagedOOM*= settings pull systemd-oomd in; that
# must not stop oomkit (doc/systemd.md). Then mask it as the doc says.
runuser -l user -c true
sleep 2
check login_keeps_oomkit "a login stopped oomkit (MainPID $pid -> $(mainpid), $(prop ActiveState))" \
	test "$(mainpid)" = "$pid" -a "$(prop ActiveState)" = active
note "after a login: systemd-oomd $(systemctl is-active systemd-oomd.service), user@1000 $(systemctl is-active user@1000.service); masked now"
systemctl mask -q --now systemd-oomd.service systemd-oomd.socket

# Type=notify: `systemctl start` returns once the daemon sent READY=1,
# which it does after arming its watches: the PSI trigger's descriptor on
# /proc/pressure/memory was open when `enable --now` returned (read at
# once, below; the journal cannot tell: it stamps lines when it reads them)
check notify_type "Type=$(prop Type)" test "$(prop Type)" = notify
check notify_active_after_ready "no /proc/pressure/memory descriptor when the start returned" \
	test "$armed" -gt 0
note "type=$(prop Type) watchdog=$(prop WatchdogUSec) NotifyAccess=$(prop NotifyAccess)"

# ---- the sandbox as it runs
st=/proc/$pid/status
note "$(grep -E '^(CapBnd|CapEff|NoNewPrivs|Seccomp):' $st | paste -sd' ')"
check sandbox_capabilities "CapBnd $(awk '/^CapBnd/ {print $2}' $st), want $CAPS_WANT" \
	test "$(awk '/^CapBnd/ {print $2}' $st)" = $CAPS_WANT
check sandbox_seccomp "Seccomp: $(awk '/^Seccomp:/ {print $2}' $st)" grep -q '^Seccomp:[[:space:]]*2' $st
check sandbox_no_new_privs "NoNewPrivs 0" grep -q '^NoNewPrivs:[[:space:]]*1' $st
check sandbox_oom_score_adj "oom_score_adj $(cat /proc/$pid/oom_score_adj)" test "$(cat /proc/$pid/oom_score_adj)" = -1000
check sandbox_mlocked "VmLck 0" awk '/^VmLck:/ {exit !($2 > 0)}' $st
out=$(systemd-analyze security $U 2>/dev/null | tail -1)
note "systemd-analyze security: $out"
check journal_scanner_triggers "no scanner/trigger line" bash -c "journalctl -b -o cat -u $U | grep -qE 'PSI trigger (armed|off).*scanner (bpf|procfs)'"

# ---- real kills: SIGTERM, then a SIGTERM ignorer (SIGKILL after the grace)
oom0=$(oom_kills)
journal_mark /tmp/cur.kill
hog_unit hog-term 120 --setenv=HOG_RATE_MS=2 -- $T/hog
check kill_sigterm "hog ended: $HOG_END" test "$HOG_END" = code=killed/status=TERM
hog_unit hog-stubborn 120 --setenv=HOG_RATE_MS=2 --setenv=HOG_IGNORE_TERM=1 -- $T/hog
check kill_sigkill "SIGTERM-ignoring hog ended: $HOG_END" test "$HOG_END" = code=killed/status=KILL
stubborn=$HOG_PID
# kill_group = yes: the SIGKILL step takes the victim's whole cgroup with
# cgroup.kill (the kill unit a systemd unit is)
mkdir -p /etc/oomkit.conf.d
printf '[kill]\nkill_group = yes\n' > /etc/oomkit.conf.d/50-group.conf
systemctl reload $U
hog_unit hog-group 120 --setenv=HOG_RATE_MS=2 --setenv=HOG_IGNORE_TERM=1 -- \
	/bin/sh -c "$T/hog 64 hold & exec $T/hog"
check kill_cgroup_kill "grouped hog ended: $HOG_END" test "$HOG_END" = code=killed/status=KILL
check reload_good "the reload restarted the daemon" test "$(mainpid)" = "$pid" -a "$(prop ActiveState)" = active
rm /etc/oomkit.conf.d/50-group.conf && systemctl reload $U
journal_since /tmp/cur.kill > /tmp/kills.txt
check kill_no_kernel_oom "vmstat oom_kill $oom0 -> $(oom_kills)" test "$(oom_kills)" = "$oom0"
check kill_reported "no 'Killed process' line" grep -q 'Killed process' /tmp/kills.txt
check kill_escalated "no SIGKILL escalation of $stubborn in the journal" grep -q "escalated to SIGKILL" /tmp/kills.txt
# process_mrelease ran: it reaped, or the victim had already released its
# memory by then (a race the victim can win; a filtered syscall would be
# EPERM, which kill_no_eperm rules out)
check kill_mrelease "no 'oom_reaper: reaped process' nor 'not reaped (its memory was already released)' line" \
	grep -qE 'oom_reaper: reaped process|not reaped \(its memory was already released\)' /tmp/kills.txt
check kill_cgroup_kill_reported "no cgroup.kill line" grep -q 'cgroup.kill' /tmp/kills.txt
bad=$(grep -iE 'operation not permitted|permission denied|EPERM|EACCES|bad system call|SIGSYS|not supported' /tmp/kills.txt)
check kill_no_eperm "$bad" test -z "$bad"
check kill_same_daemon "MainPID $pid -> $(mainpid), NRestarts $(prop NRestarts)" test "$(mainpid)" = "$pid" -a "$(prop NRestarts)" = 0
[ -n "$(grep -c . /tmp/kills.txt)" ] && dump "journal of the kills" cat /tmp/kills.txt

# ---- journald: priorities and fields
out=$(journalctl -b -q -o cat -u $U -p warning)
check journal_kill_at_warning "journalctl -p warning lacks the kill" grep -q 'Killed process' <<<"$out"
# the kernel's own priority for it: pr_err, 3
prio=$(journalctl -b -q -u $U -o export -p warning | awk '/^PRIORITY=/ {p = substr($0, 10)} /^MESSAGE=.*Killed process/ {print p; exit}')
note "priority of the 'Killed process' line: $prio"
check journal_kill_priority "'Killed process' at priority ${prio:-none}, want 3 (err, as the kernel)" test "$prio" = 3
journalctl -b -q -u $U -o json -p warning | grep -m1 'Killed process' > /tmp/kill.json
note "fields of a kill line: $(grep -oE '"[A-Z_]+":' /tmp/kill.json | tr -d '":' | sort | paste -sd' ')"
missing=
for f in MESSAGE PRIORITY SYSLOG_IDENTIFIER _PID _SYSTEMD_UNIT _COMM _BOOT_ID; do
	grep -q "\"$f\":" /tmp/kill.json || missing="$missing $f"
done
check journal_json_fields "missing:$missing" test -z "$missing"
check journal_json_unit "not _SYSTEMD_UNIT=oomkit.service" grep -q '"_SYSTEMD_UNIT":"oomkit.service"' /tmp/kill.json

# ---- D-Bus: the Killed signal on the system bus. notify_dbus = yes (and
# metrics_file, below) by a reload: the publisher takes them over
printf '[log]\nnotify_dbus = yes\n' > /etc/oomkit.conf.d/50-dbus.conf
# and the textfile for node_exporter (off by default), in Debian's directory
printf '[publish]\nmetrics_file = /var/lib/prometheus/node-exporter/oomkit.prom\n' > /etc/oomkit.conf.d/50-metrics.conf
journal_mark /tmp/cur.reload
systemctl reload $U
check reload_publish "no 'reload: publishing anew' line, or another daemon" wait_for 10 \
	sh -c "test \"\$(systemctl show -p MainPID --value $U)\" = $pid && journalctl -b -q -o cat -u $U | grep -q 'reload: publishing anew: metrics_file /var/lib/prometheus/node-exporter/oomkit.prom, .* D-Bus on'"
stdbuf -oL dbus-monitor --system "type='signal',interface='org.oomkit.Daemon1'" > /tmp/dbus.txt 2>&1 & mon=$!
sleep 1
hog_unit hog-dbus 120 --setenv=HOG_RATE_MS=2 -- $T/hog
sleep 3
kill $mon
journal_since /tmp/cur.reload > /tmp/reload.txt
dump "journal of the reload and the D-Bus kill" grep -v '^Out of memory\|^oom-kill\|Killed process\|^\[' /tmp/reload.txt
check dbus_killed_signal "dbus-monitor saw no Killed signal" grep -q 'member=Killed' /tmp/dbus.txt
check dbus_signal_victim "the signal lacks pid $HOG_PID" grep -qE "uint32 $HOG_PID\$" /tmp/dbus.txt
grep -q 'member=Killed' /tmp/dbus.txt || dump dbus-monitor cat /tmp/dbus.txt
dump "dbus-monitor: the signal" grep -A12 'member=Killed' /tmp/dbus.txt

# ---- reload with a broken drop-in: refused, the old configuration kept
journal_mark /tmp/cur.broken
printf '[kill]\ngrase = 1s\n' > /etc/oomkit.conf.d/99-broken.conf
systemctl reload $U
sleep 1
journal_since /tmp/cur.broken > /tmp/broken.txt
check reload_broken_kept "the daemon did not survive a broken drop-in" test "$(mainpid)" = "$pid" -a "$(prop ActiveState)" = active
check reload_broken_says_where "no file:line in the journal" grep -q '99-broken.conf:2' /tmp/broken.txt
dump "reload with a broken drop-in" cat /tmp/broken.txt
# a restart with it never becomes active (Type=notify: no READY=1)
systemctl restart $U 2>/dev/null
check start_broken_not_active "active with a broken drop-in" test "$(prop ActiveState)" != active
rm /etc/oomkit.conf.d/99-broken.conf
systemctl reset-failed $U; systemctl start $U
check start_after_fix "not active after the fix" systemctl is-active -q $U
pid=$(mainpid)

# ---- oomkit status, root and an unprivileged user
out=$(oomkit status 2>&1); rc=$?
dump "oomkit status (root, exit $rc)" echo "$out"
check status_root "exit $rc" test $rc = 0
out=$(runuser -u user -- oomkit status 2>&1); rc=$?
dump "oomkit status (user 1000, exit $rc)" echo "$out"
check status_user_says_why "exit $rc without a reason" test -n "$out"

# ---- the watchdog under minutes of pressure: hogs one after another
journal_mark /tmp/cur.wd
restarts=$(prop NRestarts) pid=$(mainpid)
end=$(( $(date +%s) + PRESSURE_SECS )) i=0
while [ "$(date +%s)" -lt $end ]; do
	i=$((i + 1))
	systemd-run --wait --quiet --unit=hog-wd$i -p RuntimeMaxSec=60 --setenv=HOG_RATE_MS=1 $T/hog >/dev/null 2>&1
	systemctl reset-failed hog-wd$i.service 2>/dev/null
done
journal_since /tmp/cur.wd > /tmp/wd.txt
note "watchdog: $i hogs in ${PRESSURE_SECS}s, $(grep -c 'Killed process' /tmp/wd.txt) kills, NRestarts $(prop NRestarts)"
check watchdog_alive "MainPID $pid -> $(mainpid), NRestarts $restarts -> $(prop NRestarts)" test "$(mainpid)" = "$pid" -a "$(prop NRestarts)" = "$restarts"
check watchdog_no_timeout "watchdog timeout in the journal" bash -c "! journalctl -b -q -o cat | grep -qi 'oomkit.*watchdog timeout'"
check watchdog_no_kernel_oom "vmstat oom_kill $oom0 -> $(oom_kills)" test "$(oom_kills)" = "$oom0"

# ---- node_exporter's textfile collector
systemctl start prometheus-node-exporter
wait_for 60 curl -sf -o /dev/null http://localhost:9100/metrics
curl -s http://localhost:9100/metrics > /tmp/metrics.txt
n=$(grep -c '^oomkit_' /tmp/metrics.txt)
note "node_exporter serves $n oomkit_ samples: $(grep -oE '^oomkit_[a-z_]+' /tmp/metrics.txt | sort -u | paste -sd' ')"
note "$(grep -E '^oomkit_kills' /tmp/metrics.txt | paste -sd' ')"
check node_exporter_series "no oomkit_ series on :9100/metrics" test "$n" -gt 0
# (the watchdog's kills, since the last start)
check node_exporter_kills "no oomkit_kills_total sample" grep -qE '^oomkit_kills_total(\{.*\})? [1-9]' /tmp/metrics.txt
check node_exporter_no_error "textfile scrape error" grep -q '^node_textfile_scrape_error 0' /tmp/metrics.txt
[ "$n" -gt 0 ] || dump "textfile directory" ls -la /var/lib/prometheus/node-exporter /run/oomkit
[ "$n" -gt 0 ] || dump "node_exporter's textfile lines" grep textfile /tmp/metrics.txt
systemctl stop prometheus-node-exporter

# ---- a clean stop
t0=$(date +%s%N)
systemctl stop $U
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
note "stop took ${ms} ms: Result=$(prop Result) ExecMainCode=$(prop ExecMainCode) ExecMainStatus=$(prop ExecMainStatus)"
check stop_clean "Result=$(prop Result) status=$(prop ExecMainStatus)" test "$(prop Result)" = success -a "$(prop ExecMainStatus)" = 0
check stop_fast "stop took ${ms} ms" test $ms -lt 5000
bad=$(journalctl -b -q -o cat -u $U | grep -iE 'operation not permitted|permission denied|bad system call|SIGSYS')
check journal_no_eperm "$bad" test -z "$bad"
dump "journal -u oomkit -p notice (whole run, first 40)" journalctl -b -q -o short-monotonic -u $U -p notice -n 40
