# bash completion for oomkit(8). tests/e2e/install.sh checks that every
# option a command's --help prints is offered here, and every value its
# --help lists as a|b|c.

_oomkit_opts() {
	case $1 in
	rank)    echo "--top --all --cgroup --json --kernel-format --wide -w --numeric --verbose --proc-root --scanner --help" ;;
	kill)    echo "--cgroup --dry-run --dryrun --json --unit --prefer --avoid --ignore --protect --kmsg --timeout --self-raised-adj --signal --no-reap --help" ;;
	daemon)  echo "--config --check-config --cgroup --dry-run --dryrun --observe --protect --unit --psi --psi-sustained --grace --json-file --kmsg --syslog --set -m -s -M -S -n -N -P -r -p -g -d --debug --prefer --avoid --ignore --ignore-root-user --sort-by-rss --proc-root --no-mlockall --help" ;;
	explain) echo "--json --jsonl --follow --help" ;;
	status)  echo "--json --state --max-age --help" ;;
	esac
}

# The values an option takes, by command: a word list, or "file" / "dir".
_oomkit_values() {
	case $1:$2 in
	*:--cgroup|*:--state|*:--proc-root) echo dir ;;
	*:--config|*:--json-file|daemon:-N|daemon:-P) echo file ;;
	*:--scanner) echo "auto bpf procfs" ;;
	kill:--unit) echo "process pgroup cgroup swarm" ;;
	daemon:--unit) echo "process cgroup" ;;
	*:--self-raised-adj) echo "honor ignore" ;;
	*:--signal) echo "KILL TERM" ;;
	*:--psi) echo "off 'full 40% 2s' 'some 150ms 1s'" ;;
	*:--psi-sustained) echo "off 'full avg10 5% 5s' 'full avg10 50% 20s'" ;;
	*:--grace) echo "500ms 2s 5s" ;;
	daemon:--set) # SECTION.KEY= from the binary's own list of keys
		"${COMP_WORDS[0]}" daemon --config /dev/null --check-config 2>/dev/null |
			awk '/^\[/ { s = substr($1, 2, length($1) - 2) } / = / { print s "." $1 "=" }' | sort -u | tr '\n' ' ' ;;
	*:--prefer|*:--avoid|*:--ignore|*:--protect) echo "comm: cmdline: exe: cgroup: uid:" ;;
	*) return 1 ;;
	esac
}

_oomkit() {
	local cur prev cmd i values
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		rank|kill|daemon|explain|status) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "rank kill daemon explain status --help --version" -- "$cur"))
		return
	fi
	if values=$(_oomkit_values "$cmd" "$prev"); then
		case $values in
		dir) COMPREPLY=($(compgen -d -- "${cur:-$([ "$prev" = --cgroup ] && echo /sys/fs/cgroup/)}")) ;;
		file) COMPREPLY=($(compgen -f -- "$cur")) ;;
		*) local IFS=$'\n'
		   COMPREPLY=($(compgen -W "$(eval "printf '%s\n' $values")" -- "$cur"))
		   [ "$prev" = --set ] && compopt -o nospace 2>/dev/null ;;
		esac
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_oomkit_opts "$cmd")" -- "$cur"))
	elif [ "$cmd" = explain ]; then
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
# -o filenames: file names are quoted and directories get their '/'
complete -o filenames -F _oomkit oomkit
