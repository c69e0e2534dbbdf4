# bash completion for oomkit(8). tests/e2e/install.sh checks that every
# option a command's --help prints is offered here.

_oomkit_opts() {
	case $1 in
	rank)    echo "--top --all --cgroup --json --kernel-format --proc-root --scanner --help" ;;
	kill)    echo "--cgroup --dry-run --json --unit --prefer --avoid --ignore --protect --kmsg --timeout --self-raised-adj --signal --no-reap --help" ;;
	daemon)  echo "--config --check-config --cgroup --dry-run --dryrun --psi --psi-sustained --grace --json-file --kmsg --syslog --set -m -s -M -S -n -N -P -r -p -g -d --debug --prefer --avoid --ignore --ignore-root-user --help" ;;
	explain) echo "--json --jsonl --follow --help" ;;
	status)  echo "--json --state --max-age --help" ;;
	esac
}

_oomkit() {
	local cur prev cmd i
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
	case $prev in
	--cgroup)
		COMPREPLY=($(compgen -d -- "${cur:-/sys/fs/cgroup/}")); return ;;
	--config|--json-file|-N|-P)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--state|--proc-root)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--scanner)
		COMPREPLY=($(compgen -W "auto bpf procfs" -- "$cur")); return ;;
	--unit)
		COMPREPLY=($(compgen -W "process pgroup cgroup" -- "$cur")); return ;;
	--self-raised-adj)
		COMPREPLY=($(compgen -W "honor ignore" -- "$cur")); return ;;
	--signal)
		COMPREPLY=($(compgen -W "KILL TERM" -- "$cur")); return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_oomkit_opts "$cmd")" -- "$cur"))
	elif [ "$cmd" = explain ]; then
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -F _oomkit oomkit
