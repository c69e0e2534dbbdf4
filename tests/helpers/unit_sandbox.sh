# unit_sandbox.sh - source it: the systemd unit's sandbox without systemd,
# for the tests that run oomkit the way packaging/oomkit.service does.
#   UNIT_CAPS                 the unit's CapabilityBoundingSet= (CAP_ names)
#   unit_caps_without CAP     the same minus one
#   setpriv_caps CAP...       -> "-all,+kill,+sys_ptrace,..." for setpriv
#   sandbox_run EXEC LIST MODE CAP... -- CMD...
#       CMD as root with exactly CAP... as its bounding set (what systemd
#       does for a root service), under the syscall allow-list LIST (from
#       expand_syscalls.sh) loaded by EXEC (seccomp_exec). MODE strict: a
#       call outside the list is SIGSYS; MODE unit: the unit's own
#       SystemCallErrorNumber= (EPERM) when it sets one.
#   sandbox_exec ...          the same, exec'ing: for `sandbox_exec ... &`,
#       so that $! is CMD itself (setpriv and seccomp_exec exec too)
UNIT_FILE=${UNIT_FILE:-packaging/oomkit.service}
UNIT_CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT_FILE")
unit_caps_without() { tr ' ' '\n' <<<"$UNIT_CAPS" | grep -vx "$1" | tr '\n' ' '; }
setpriv_caps() {
	local c s=-all
	for c in "$@"; do c=${c#CAP_}; s="$s,+${c,,}"; done
	echo "$s"
}
sandbox_run() { sandbox_cmd "" "$@"; }
sandbox_exec() { sandbox_cmd exec "$@"; }
sandbox_cmd() {
	local how=$1 exec=$2 list=$3 mode=$4 opt= caps=()
	shift 4
	while [ "$1" != -- ]; do caps+=("$1"); shift; done
	shift
	[ "$mode" = unit ] && grep -q '^SystemCallErrorNumber=EPERM' "$UNIT_FILE" && opt=--errno
	# shellcheck disable=SC2086
	$how setpriv --bounding-set="$(setpriv_caps "${caps[@]}")" --inh-caps=-all -- "$exec" $opt "$list" -- "$@"
}
