# lib.sh - helpers of the guest's test scripts (sourced).
T=${T:-/usr/local/lib/oomkit-test}
up() { cut -d' ' -f1 /proc/uptime; }
ok() { echo "ok distro/$*"; }
not_ok() { echo "not ok distro/$*"; }
note() { echo "# $*"; }
# check NAME WHY CMD...: ok NAME when CMD succeeds, else not ok NAME: WHY
check() { local n=$1 why=$2; shift 2; if "$@"; then ok "$n"; else not_ok "$n: $why"; fi; }
oom_kills() { awk '$1 == "oom_kill" {print $2}' /proc/vmstat; }
memavail_mib() { echo $(($(awk '/^MemAvailable:/ {print $2}' /proc/meminfo) / 1024)); }
# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds
wait_for() { local t=$(( $1 * 5 )) i=0; shift; until "$@"; do i=$((i+1)); [ $i -ge $t ] && return 1; sleep 0.2; done; }
# journal UNIT [ARGS...]: this boot's journal of UNIT, messages only
journal() { local u=$1; shift; journalctl -b -q -o cat -u "$u" "$@"; }
# dump WHAT CMD...: CMD's output as # lines (for a failure's context)
dump() { local w=$1; shift; echo "# ---- $w"; "$@" 2>&1 | sed 's/^/#   /'; }
swap_on() { mkswap -q /dev/vdb >/dev/null && swapon /dev/vdb; }
