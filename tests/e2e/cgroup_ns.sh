#!/bin/bash
# cgroup_ns.sh - oomkit in a private cgroup namespace (a container's default
# on cgroup v2; `unshare -C` here) names a process's memory cgroup as the
# kernel's OOM report and the host do ("/oomkit-test-cgns-outside-N"), not
# as /proc/PID/cgroup shows it from inside the namespace
# ("/../oomkit-test-cgns-outside-N"); a process inside the namespace keeps
# its full path too. The host's tree stays mounted, as the DaemonSet mounts
# it.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
tmp=$(mktemp -d /tmp/oomkit-cgns.XXXXXX)
trap 'rm -rf "$tmp"; e2e_cleanup' EXIT
if [ "$(id -u)" != 0 ] || [ ! -d "$MEMCG_V1_ROOT" ] || ! command -v unshare >/dev/null; then
	skip cgroup_ns: needs root, the v1 memory controller and unshare
	exit 0
fi
ns=$(memcg_new cgns-inside $((64 << 20))) && out=$(memcg_new cgns-outside $((64 << 20))) ||
	{ not_ok cgroup_ns_cgroups; exit 1; }
outside=$(spawn_in "$out" sleep 60)
inside=$(spawn_in "$ns" sleep 60)
memcg_of() { sed -n 's/^[0-9]*:[^:]*\bmemory\b[^:]*://p' "/proc/$1/cgroup"; }
want_out=$(memcg_of "$outside") want_in=$(memcg_of "$inside")
# in the namespace, rooted at $ns: the kernel's view, then oomkit's
printf 'cat /proc/%s/cgroup\nexec "%s" rank --json --all\n' "$outside" "$OOMKIT" > "$tmp/in.sh"
sh -c 'echo $$ > "$1/cgroup.procs" && exec unshare -C sh "$2"' sh "$ns" "$tmp/in.sh" > "$tmp/ns.out" 2>&1
seen=$(grep -m1 ':memory:' "$tmp/ns.out" | cut -d: -f3)
echo "# /proc/$outside/cgroup in the namespace: $seen; on the host: $want_out"
check cgroup_ns_kernel_relative test "${seen#/../}" = "${want_out#/}"
got() { sed -n '/^{/,$p' "$tmp/ns.out" | python3 -c '
import json, sys
for p in json.load(sys.stdin)["processes"]:
    if p["pid"] == int(sys.argv[1]):
        print(p["memcg"])' "$1"; }
g=$(got "$outside")
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: '$2', want '$3'"; fi; }
check_eq cgroup_ns_outside_path "$g" "$want_out"
check_eq cgroup_ns_inside_path "$(got "$inside")" "$want_in"
exit $E2E_FAILED
