# compare.sh - one killer against the pressure scenarios under systemd
# (sourced by main.sh; bench/distro-compare.sh boots one guest per killer).
# oomkit.killer=none|earlyoom|systemd-oomd|oomkit: the kernel alone, or
# that killer as its package (or `make install`) ships it. Each case is
# SCENARIO@PLACE: the hog in a session scope of user 1000 (runuser -l: a
# pam_systemd session, a bystander `sleep` in the same scope), as a
# transient systemd-run service (a bystander service beside it), or as a
# service with MemoryMax=50%. One "@@ROW" line per case:
#   @@ROW case killer oom_kills secs stall_ms victim bystanders killed
# secs: start of the pressure to the first death; stall_ms: the worst
# lateness of a 10 ms heartbeat (its own service); victim: ok when the hog
# died (and, protected, guard and sshd lived); bystanders: alive|DEAD;
# killed: process (the hog alone), scope (its whole session scope: the
# bystander in it died too), unit (systemd-oomd's journal says it killed
# the hog's whole cgroup), none.
# thrash: a reader keeps a 158 MiB working set of file pages hot on a disk
# read at 16 MiB/s (/dev/vdc, bench/distro-compare.sh) while the hog holds
# all but 128 MiB of MemAvailable (13% of the guest: above earlyoom's 10%
# and the unit's floors): the machine crawls on refaults while MemAvailable
# looks healthy (the busybox guest's proportions, 40 of 256 MiB for 50);
# killing the reader is a wrong kill.
KILLER=$(sed -n 's/.*oomkit\.killer=\([^ ]*\).*/\1/p' /proc/cmdline)
CASES=$(sed -n 's/.*oomkit\.cases=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
: "${CASES:=hog-fast@scope hog-fast@job hog-fast@service stubborn@scope stubborn@job protected@job thrash@job thrash@scope leak-swap@job leak-swap@scope forkbomb@scope}"

alive() { [ -r /proc/$1/stat ] && [ "$(sed 's/.*) //' /proc/$1/stat | cut -d' ' -f1)" != Z ]; }
now() { date +%s.%N; }

start_killer() {
	# systemd-oomd runs wherever it is installed (ManagedOOM*= units pull
	# it in): masked unless it is the one measured
	[ "$KILLER" = systemd-oomd ] || systemctl mask -q --now systemd-oomd.service systemd-oomd.socket
	case $KILLER in
	none) ;;
	earlyoom) systemctl start earlyoom ;;
	systemd-oomd) systemctl start systemd-oomd.socket systemd-oomd.service ;;
	oomkit) systemctl start oomkit ;;
	esac
	sleep 2
	note "killer $KILLER: $(systemctl is-active ${KILLER/none/oomkit-test}.service)"
}
# protect sshd by name, as a user of each killer would: earlyoom --avoid,
# oomkit's ignore, systemd-oomd ManagedOOMPreference=omit on its unit
protect_sshd() {
	case $KILLER in
	earlyoom) echo 'EARLYOOM_ARGS="-r 3600 --avoid ^sshd$"' > /etc/default/earlyoom; systemctl restart earlyoom ;;
	oomkit) mkdir -p /etc/oomkit.conf.d; printf '[kill]\nignore = ^sshd$\n' > /etc/oomkit.conf.d/50-sshd.conf; systemctl reload oomkit ;;
	esac
}

# place PLACE NAME ENV... -- CMD...: starts CMD in PLACE in the background;
# HOGPID its pid, BYPID the bystander's (same scope or a service beside it)
place() {
	local where=$1 name=$2 envs=() i
	shift 2
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	rm -f /tmp/hog.pid /tmp/by.pid
	case $where in
	scope)
		# (a login starts at oom_score_adj 0; this harness runs at -1000)
		choom -n 0 -- runuser -l user -c "sleep 1000 & echo \$! > /tmp/by.pid; exec env ${envs[*]} $* 2>/dev/null" &
		;;
	job | service)
		local p=()
		[ "$where" = service ] && p=(-p MemoryMax=50%)
		systemd-run --quiet --unit=by-$name sleep 1000
		# (the harness ends the hog after its 90 s window itself)
		systemd-run --quiet --unit=$name -p RuntimeMaxSec=300 "${p[@]}" \
			$(for e in "${envs[@]}"; do printf -- '--setenv=%s ' "$e"; done) "$@"
		;;
	esac
	for i in $(seq 50); do
		case $where in
		scope) HOGPID=$(pgrep -u user -n -f "$(basename "$1")") ;;
		*) HOGPID=$(systemctl show -p MainPID --value $name.service) ;;
		esac
		[ -n "$HOGPID" ] && [ "$HOGPID" != 0 ] && break
		sleep 0.1
	done
	case $where in
	scope) BYPID=$(cat /tmp/by.pid 2>/dev/null) ;;
	*) BYPID=$(systemctl show -p MainPID --value by-$name.service) ;;
	esac
}

# one_case CASE: runs it, prints its @@ROW
one_case() {
	local c=$1 sc=${1%@*} where=${1#*@} name=hog$RANDOM t0 t1 oom0 dead= guard= sshd= reader= v=ok k=none by=alive stall since
	oom0=$(oom_kills)
	systemctl kill -s USR1 hb.service; sleep 0.2
	case $sc in
	leak-swap) swap_on ;;
	protected)
		systemd-run --quiet --unit=guard -p OOMScoreAdjust=-1000 --setenv=HOG_NAME=guard $T/hog 60 hold
		systemd-run --quiet --unit=sshd -p ManagedOOMPreference=omit --setenv=HOG_NAME=sshd $T/hog 50 hold
		sleep 2
		guard=$(systemctl show -p MainPID --value guard.service) sshd=$(systemctl show -p MainPID --value sshd.service) ;;
	thrash)
		mkdir -p /mnt/thrash && mount -o ro /dev/vdc /mnt/thrash
		systemd-run --quiet --unit=reader $T/thrash /mnt/thrash/data 158
		sleep 3
		reader=$(systemctl show -p MainPID --value reader.service) ;;
	esac
	since=$(date +%s)
	t0=$(now) # (again once the hog runs: a login takes seconds under TCG)
	case $sc in
	hog-fast | protected) place "$where" $name -- $T/hog ;;
	leak-swap) place "$where" $name HOG_RATE_MS=20 -- $T/hog ;;
	stubborn) place "$where" $name HOG_RATE_MS=10 HOG_IGNORE_TERM=1 -- $T/hog ;;
	forkbomb) place "$where" $name -- $T/forkbomb ;;
	thrash) place "$where" $name -- $T/hog $(( $(memavail_mib) - 128 )) hold ;;
	esac
	[ "$where" = scope ] && t0=$(now)
	# the first death among the hog and its bystander, 90 s at most (a
	# fork bomb: 20 s, as in the busybox guest)
	local limit=90
	[ "$sc" = forkbomb ] && limit=20
	while [ -z "$dead" ] && awk -v a="$t0" -v b="$(now)" -v l=$limit 'BEGIN { exit !(b - a < l) }'; do
		alive "$HOGPID" || dead=hog
		alive "$BYPID" || dead=${dead:-bystander}
		[ -n "$reader" ] && ! alive "$reader" && dead=${dead:-reader}
		[ -z "$dead" ] && sleep 0.05
	done
	t1=$(now)
	sleep 3 # what else the killer takes
	systemctl kill -s USR1 hb.service; sleep 0.3
	stall=$(journalctl -q -o cat -u hb.service | sed -n 's/^@@HEARTBEAT worst_ms=\([0-9]*\).*/\1/p' | tail -1)
	# (the hog alive at the window's end is a miss, whatever ends it later)
	{ [ -z "$dead" ] || alive "$HOGPID"; } && v=MISSED
	alive "$BYPID" || by=DEAD
	[ -n "$guard" ] && ! alive "$guard" && { v=WRONG; by="DEAD(guard)"; }
	[ -n "$sshd" ] && ! alive "$sshd" && { v=WRONG; by="DEAD(sshd)"; }
	[ -n "$reader" ] && ! alive "$reader" && by="DEAD(reader)"
	if [ "$v" != MISSED ] && ! alive "$HOGPID"; then
		if [ "$by" = DEAD ] && [ "$where" = scope ]; then k=scope
		elif journalctl -q -o cat -u systemd-oomd --since "@$since" 2>/dev/null | grep -q '^Killed /'; then k=unit
		else k=process; fi
	elif [ "$by" != alive ]; then k=bystander
	fi
	echo "@@ROW $c $KILLER $(( $(oom_kills) - oom0 )) $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')${dead:+($dead)} ${stall:-?} $v $by $k"
	# clean up: every unit and session of the case (cgroup.kill: a fork
	# bomb outruns kill(1))
	kill -9 "$HOGPID" "$BYPID" 2>/dev/null
	echo 1 > /sys/fs/cgroup/user.slice/user-1000.slice/cgroup.kill 2>/dev/null
	systemctl kill -s KILL "$name.service" 2>/dev/null
	systemctl stop "$name.service" "by-$name.service" guard.service sshd.service reader.service 2>/dev/null
	umount /mnt/thrash 2>/dev/null
	systemctl reset-failed 2>/dev/null
	loginctl terminate-user user 2>/dev/null
	pkill -9 -u user 2>/dev/null
	swapoff -a 2>/dev/null
	sleep 3
}

systemd-run --quiet --unit=hb $T/heartbeat
sleep 1
start_killer
for c in $CASES; do
	case $c in protected@*) protect_sshd ;; esac
	one_case "$c"
done
dump "journal of the killer" journalctl -b -q -o short-monotonic -u "${KILLER/none/oomkit-test}.service" -p warning
