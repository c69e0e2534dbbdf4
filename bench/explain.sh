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
t0=$(date +%s.%N); events_grep=$(grep -c 'invoked oom-killer' "$log"); t1=$(date +%s.%N)
/usr/bin/time -f '%e %M' -o "$out/time.txt" "$oomkit" explain --jsonl "$log" >"$out/explain.jsonl"
read -r secs rss_kb <"$out/time.txt"
/usr/bin/time -f '%e %M' -o "$out/time-small.txt" "$oomkit" explain --jsonl "$small" >/dev/null
read -r _ rss_small_kb <"$out/time-small.txt"
events=$(wc -l <"$out/explain.jsonl")
python3 - "$bytes" "$t0" "$t1" "$secs" "$rss_kb" "$rss_small_kb" "$events_grep" "$events" <<'PY'
import sys
b, t0, t1, s, rss, rss_small, eg, ev = sys.argv[1:]
b = int(b); g = float(t1) - float(t0); s = float(s)
print("file            %.0f MiB" % (b / 2**20))
print("grep -c         %.2f s  %.0f MB/s  (%s headers)" % (g, b / g / 1e6, eg))
print("oomkit explain  %.2f s  %.0f MB/s  (%s events)" % (s, b / s / 1e6, ev))
print("ratio           %.0f%% of grep's throughput" % (100 * g / s))
print("peak RSS        %s kB on %.0f MiB, %s kB on 100 MiB" % (rss, b / 2**20, rss_small))
PY
