#!/bin/bash
# distro-compare.sh - the pressure scenarios under systemd as PID 1 (the
# Debian guest of tests/e2e/distro/, doc/distro.md): one guest per killer
# (the kernel alone; earlyoom, Debian's package and defaults; systemd-oomd,
# Debian's package with Fedora's -.slice and user@.service drop-ins and
# Ubuntu's system.slice one, swap present in leak-swap; oomkit, the
# installed unit with its defaults), each running every case
# SCENARIO@PLACE (tests/e2e/distro/guest/compare.sh). Prints a markdown
# table (also bench/out/distro-compare-DATE.md).
#
#   bench/distro-compare.sh [-k "KILLERS"] [-c CASE,CASE...]
set -u
cd "$(dirname "$0")/.." || exit 1
# (nine cases in one guest: the kernel alone thrashes for minutes)
export OOMKIT_DISTRO_TIMEOUT=${OOMKIT_DISTRO_TIMEOUT:-2400}
. tests/e2e/distro/distro-lib.sh

killers="none earlyoom systemd-oomd oomkit" cases=
while [ $# -gt 0 ]; do
	case $1 in
	-k) killers=$2; shift 2 ;;
	-c) cases=$2; shift 2 ;;
	*) echo "usage: $0 [-k KILLERS] [-c CASE,CASE...]" >&2; exit 2 ;;
	esac
done
if [ -z "${OOMKIT_DISTRO_NOBUILD:-}" ]; then distro_build || exit $?; else vm_kernel || exit 77; fi
# the thrash case's disk (/dev/vdc): 160 MiB of random data, read-only and
# read at 16 MiB/s, so that refaults wait as they do on a real disk; made once
thrash=$DISTRO_OUT/thrash.img
if [ ! -s "$thrash" ]; then
	rm -rf "$thrash.d" && mkdir -p "$thrash.d" && head -c 160M /dev/urandom > "$thrash.d/data" &&
		mke2fs -q -F -t ext2 -d "$thrash.d" "$thrash" 200M >/dev/null || exit 1
	rm -rf "$thrash.d"
fi
boot_one() {
	DISTRO_APPEND="oomkit.killer=$1${cases:+ oomkit.cases=$cases}" distro_boot "compare-$1" compare \
		-drive "file=$thrash,if=virtio,format=raw,readonly=on,throttling.bps-read=16777216"
}
# the host's load average each minute: other work on the same cores
# stretches every timing of a TCG guest
(while :; do echo "$(date -u +%H:%M) $(cut -d' ' -f1 /proc/loadavg)"; sleep 60; done) > "$DISTRO_OUT/compare-load.txt" &
sampler=$!
# shellcheck disable=SC2086
(vm_parallel boot_one $killers) # (its wait would wait for the sampler too)
kill "$sampler"

mkdir -p bench/out
out=bench/out/distro-compare-$(date -u +%Y%m%d-%H%M).md
{
	echo "| case | killer | kernel OOM kills | s to first death | worst stall ms | right victim | bystanders | what was killed |"
	echo "|---|---|---|---|---|---|---|---|"
	for k in $killers; do
		f=$DISTRO_OUT/compare-$k.out
		grep -q '^@@DONE' "$f" 2>/dev/null || echo "| (all) | $k | guest did not finish: $(cat "$DISTRO_OUT/compare-$k.rc" 2>/dev/null) | | | | | |"
		sed -n 's/^@@ROW //p' "$f" 2>/dev/null | awk '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
	done | sort -t'|' -k2,2 -s
} | tee "$out"
for k in $killers; do echo "(guest $k: qemu $(cat "$DISTRO_OUT/compare-$k.rc" 2>/dev/null))"; done | tee -a "$out"
awk '{ n++; s += $2; if (n == 1 || $2 < lo) lo = $2; if ($2 > hi) hi = $2 }
	END { if (n) printf "(host load average, 1 min, sampled each minute: min %.2f, mean %.2f, max %.2f)\n", lo, s / n, hi }' \
	"$DISTRO_OUT/compare-load.txt" | tee -a "$out"
echo "(kernel $(cat "$VM_KDIR/version"), guest ${DISTRO_MEM}, TCG unless KVM; $(date -u '+%Y-%m-%d %H:%M UTC'); logs in $DISTRO_OUT/compare-*.out)" | tee -a "$out"
