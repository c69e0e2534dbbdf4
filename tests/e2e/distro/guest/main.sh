#!/bin/bash
# main.sh - the test unit's program: runs the mode oomkit.test=MODE names
# (install, container, compare, oomd, shell), its lines on
# ttyS1, then powers off (not in shell mode).
mode=$(sed -n 's/.*oomkit\.test=\([^ ]*\).*/\1/p' /proc/cmdline)
[ "$mode" = shell ] && exit 0
exec >/dev/ttyS1 2>&1 </dev/null
T=/usr/local/lib/oomkit-test
. $T/lib.sh
echo "@@MODE $mode uptime=$(up) kernel=$(uname -r) systemd=$(systemctl --version | head -1 | cut -d' ' -f2)"
echo "# boot: $(systemd-analyze time 2>/dev/null | head -1)"
case $mode in
install) . $T/check-install.sh ;;
container) . $T/check-container.sh ;;
compare) . $T/compare.sh ;;
oomd) . $T/check-oomd.sh ;;
*) echo "not ok distro/mode: unknown oomkit.test=$mode" ;;
esac
echo "@@DONE uptime=$(up)"
systemctl poweroff --no-block
