#!/bin/bash
# bench/explain.sh [OOMKIT]: throughput and peak RSS of `oomkit explain
# --jsonl` on a 1 GiB syslog (ordinary lines, an OOM report every ~10 MB),
# against `grep -c 'invoked oom-killer'` on the same file in the same run,
# and the RSS on a 100 MiB prefix (RSS must not grow with the file).
# The file is generated in bench/out/ (not committed); results on stdout.
# Needs GNU time (/usr/bin/time, Debian package "time").
set -eu
cd "$(dirname "$0")/.."
oomkit=${1:-build/oomkit}
out=bench/out
size_mb=${EXPLAIN_BENCH_MB:-1024}
mkdir -p "$out"
log=$out/explain-${size_mb}M.log
report=tests/fixtures/wrapped/5.10-openeuler-dmesg.kernlog.log

if [ ! -s "$log" ]; then
	python3 - "$log" "$size_mb" "$report" <<'PY'
import random, sys
path, size_mb, report = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rnd = random.Random(42)
ordinary = [
    "Nov 21 10:%02d:%02d web1 sshd[%d]: Accepted publickey for deploy from 10.0.%d.%d port %d ssh2: ED25519 SHA256:x8fQ2",
    "Nov 21 10:%02d:%02d web1 systemd[1]: Started Session %d of User deploy.",
    "Nov 21 10:%02d:%02d web1 kernel: [%6d.%06d] e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None",
    "Nov 21 10:%02d:%02d web1 CRON[%d]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
    "Nov 21 10:%02d:%02d web1 nginx[%d]: 10.1.%d.%d - - \"GET /api/v1/items?page=%d HTTP/1.1\" 200 5120",
    "Nov 21 10:%02d:%02d web1 systemd[1]: session-%d.scope: Killing process %d (bash) with signal SIGTERM.",
    "Nov 21 10:%02d:%02d web1 dockerd[%d]: time=\"2026-11-21T10:00:00Z\" level=info msg=\"container %d memory usage ok\"",
]
weights = [30, 30, 10, 10, 60, 1, 20]  # session ends ("Killing process") are rare
def line():
    t = rnd.choices(ordinary, weights)[0]
    n = t.count("%")
    vals = [rnd.randrange(60), rnd.randrange(60)] + [rnd.randrange(1, 65535) for _ in range(n - 2)]
    return t % tuple(vals)
block = "\n".join(line() for _ in range(120000)) + "\n"   # ~10 MB
rep = open(report).read()
with open(path, "w") as f:
    written = 0
    while written < size_mb << 20:
        f.write(block); f.write(rep)
        written += len(block) + len(rep)
PY
fi
small=$out/explain-100M.log
[ -s "$small" ] || head -c $((100 << 20)) "$log" >"$small"

cat "$log" >/dev/null # page cache: both readers start warm
bytes=$(stat -c %s "$log")
# best of 3, wall and CPU (user+sys): the machine is shared, CPU time is the
# fairer figure when others load it. grep's output goes to a file: on
# /dev/null GNU grep stops at the first match.
best() { # NAME OUT CMD...: prints "wall cpu rss_kb" (the minima)
	local name=$1 out=$2; shift 2
	for _ in 1 2 3; do
		/usr/bin/time -f '%e %U %S %M' -o "$bench_out/$name.time" "$@" >"$out"
		cat "$bench_out/$name.time"
	done | awk 'NR == 1 || $1 < w { w = $1 } NR == 1 || $2 + $3 < c { c = $2 + $3 } $4 > m { m = $4 }
		END { printf "%s %s %s\n", w, c, m }'
}
bench_out=$out
read -r g_wall g_cpu _ < <(best grep "$out/grep.txt" grep -c 'invoked oom-killer' "$log")
read -r e_wall e_cpu rss_kb < <(best explain "$out/explain.jsonl" "$oomkit" explain --jsonl "$log")
read -r _ _ rss_small_kb < <(best explain-small /dev/null "$oomkit" explain --jsonl "$small")
events_grep=$(cat "$out/grep.txt")
events=$(wc -l <"$out/explain.jsonl")
python3 - "$bytes" "$g_wall" "$g_cpu" "$e_wall" "$e_cpu" "$rss_kb" "$rss_small_kb" "$events_grep" "$events" <<'PY'
import sys
b, gw, gc, ew, ec, rss, rss_small, eg, ev = sys.argv[1:]
b = int(b); gw, gc, ew, ec = (max(float(x), 0.01) for x in (gw, gc, ew, ec))
print("file            %.0f MiB, %s OOM reports" % (b / 2**20, eg))
print("grep -c         wall %.2f s (%.0f MB/s)  cpu %.2f s (%.0f MB/s)" % (gw, b / gw / 1e6, gc, b / gc / 1e6))
print("oomkit explain  wall %.2f s (%.0f MB/s)  cpu %.2f s (%.0f MB/s)  %s events" % (ew, b / ew / 1e6, ec, b / ec / 1e6, ev))
print("ratio           wall %.0f%%, cpu %.0f%% of grep's throughput" % (100 * gw / ew, 100 * gc / ec))
print("peak RSS        %s kB on %.0f MiB, %s kB on 100 MiB" % (rss, b / 2**20, rss_small))
PY
