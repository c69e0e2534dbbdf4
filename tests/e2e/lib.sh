# Shared helpers for end-to-end tests; source it. Each test prints one line
# per case: "ok NAME", "not ok NAME: why" or "skip NAME: what is missing".
# $OOMKIT is the binary under test (sanitizer build in `make check`),
# $OOMKIT_FAST the plain build (for timing-sensitive or in-guest runs).
: "${OOMKIT:=$PWD/build/oomkit}"
: "${OOMKIT_FAST:=$OOMKIT}"
MEMCG_V1_ROOT=${MEMCG_V1_ROOT:-/sys/fs/cgroup/memory}
E2E_FAILED=0
E2E_CGROUPS=()
E2E_PIDS=()
# memcg_new and spawn_in are often called inside $(...), a subshell whose
# array updates are lost: they also record into this file, which the
# cleanup reads.
E2E_REGISTRY=$(mktemp /tmp/oomkit-e2e.XXXXXX)

ok()     { echo "ok $*"; }
not_ok() { echo "not ok $*"; E2E_FAILED=1; }
skip()   { echo "skip $*"; }
# check NAME CMD...: ok when CMD succeeds
check()  { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n"; fi; }

have_root()     { [ "$(id -u)" = 0 ]; }
have_memcg_v1() { [ -w "$MEMCG_V1_ROOT/cgroup.procs" ]; }
# needs_memcg_v1 NAME: ends the test with a skip line unless it runs as root
# with the v1 memory controller (its failures so far count).
needs_memcg_v1() {
	have_root && have_memcg_v1 && return 0
	skip "$1: needs root and the v1 memory controller at $MEMCG_V1_ROOT"
	exit "$E2E_FAILED"
}
# build_daemon_hog OUT NAME: compiles tests/e2e/daemon_hog.c to OUT, or ends
# the test NAME failed.
build_daemon_hog() {
	cc -O2 -o "$1" tests/e2e/daemon_hog.c && return 0
	not_ok "$2: build hog"
	exit 1
}
# memcg_v2_root: prints a cgroup2 mount whose root offers the memory controller
memcg_v2_root() {
	local m
	for m in $(awk '$3 == "cgroup2" { print $2 }' /proc/mounts); do
		grep -qw memory "$m/cgroup.controllers" 2>/dev/null && { echo "$m"; return 0; }
	done
	return 1
}

# memcg_new NAME LIMIT_BYTES: makes a v1 memory cgroup with a limit (and the
# same memory+swap limit when the kernel has it) and prints its path; removed
# by e2e_cleanup.
memcg_new() {
	local d="$MEMCG_V1_ROOT/oomkit-test-$1-$$"
	mkdir -p "$d" || return 1
	echo "$2" > "$d/memory.limit_in_bytes" || return 1
	[ -f "$d/memory.memsw.limit_in_bytes" ] && echo "$2" > "$d/memory.memsw.limit_in_bytes" 2>/dev/null
	E2E_CGROUPS+=("$d")
	echo "cgroup $d" >> "$E2E_REGISTRY"
	echo "$d"
}

# spawn_in CGROUP CMD...: starts CMD inside CGROUP (from the first instruction)
# and prints its pid; killed by e2e_cleanup.
spawn_in() {
	local cg=$1; shift
	# stdout to stderr: inside $(...) the child must not hold the pipe open
	( echo "$BASHPID" > "$cg/cgroup.procs" && exec "$@" >&2 ) &
	E2E_PIDS+=("$!")
	echo "pid $!" >> "$E2E_REGISTRY"
	echo "$!"
}

e2e_cleanup() {
	local p d i kind what pids=("${E2E_PIDS[@]}") cgs=("${E2E_CGROUPS[@]}")
	while read -r kind what; do
		case $kind in
		pid) pids+=("$what") ;;
		cgroup) cgs+=("$what") ;;
		esac
	done < "$E2E_REGISTRY"
	rm -f "$E2E_REGISTRY"
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	# children before parents: the registry lists parents first
	for ((i = ${#cgs[@]} - 1; i >= 0; i--)); do
		d=${cgs[i]}
		[ -d "$d" ] || continue
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$d" 2>/dev/null && break; sleep 0.1; done
	done
	wait
}
# bash reports every killed background job on stderr: noise, not a failure
trap 'e2e_cleanup 2>/dev/null' EXIT

# fuzz_target NAME: builds build-fuzz/fuzz_NAME (`make fuzz-NAME`, clang)
# and runs it for FUZZ_SECONDS (default 20) from tests/fuzz/NAME_corpus/;
# a crash, leak or abort in the target fails the test fuzz_NAME.
fuzz_target() {
	local name=$1 secs=${FUZZ_SECONDS:-20} tmp
	if ! command -v clang >/dev/null; then
		skip "fuzz_$name: clang not installed"
		return 0
	fi
	if ! make -s --no-print-directory "fuzz-$name" >"/tmp/oomkit-fuzz-build.$$" 2>&1; then
		not_ok "fuzz_${name}_build: $(tail -3 "/tmp/oomkit-fuzz-build.$$")"
		rm -f "/tmp/oomkit-fuzz-build.$$"
		return 1
	fi
	rm -f "/tmp/oomkit-fuzz-build.$$"
	tmp=$(mktemp -d /tmp/oomkit-fuzz.XXXXXX)
	cp "tests/fuzz/${name}_corpus/"* "$tmp/"
	if "build-fuzz/fuzz_$name" -max_total_time="$secs" -timeout=5 -rss_limit_mb=512 \
		-artifact_prefix="$tmp/" "$tmp" >"$tmp/log" 2>&1; then
		ok "fuzz_$name ($(grep -o 'Done [0-9]* runs' "$tmp/log") in ${secs}s)"
	else
		not_ok "fuzz_$name: $(grep -m3 -E 'ERROR|SUMMARY|deadly' "$tmp/log")"
	fi
	rm -rf "$tmp"
}
