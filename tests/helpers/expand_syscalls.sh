#!/bin/bash
# expand_syscalls.sh LIST: prints the system calls a systemd
# SystemCallFilter= allow-list of LIST's entries permits, one per line:
# groups expanded recursively with `systemd-analyze syscall-filter`, plus
# @default, which systemd adds to every allow-list.
set -euo pipefail
declare -A seen=()

expand() {
	local e=$1 line
	[ -n "${seen[$e]:-}" ] && return 0
	seen[$e]=1
	if [[ $e != @* ]]; then
		echo "$e"
		return 0
	fi
	# first line is the group's name; members are indented, comments start with #
	while read -r line; do
		case $line in ''|'#'*) continue ;; esac
		expand "$line"
	done < <(systemd-analyze syscall-filter --no-pager "$e" 2>/dev/null | tail -n +2)
}

expand @default
while read -r entry; do
	entry=${entry%%#*}
	entry=${entry//[[:space:]]/}
	[ -n "$entry" ] && expand "$entry"
done < "$1"
