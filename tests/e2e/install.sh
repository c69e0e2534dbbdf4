#!/bin/bash
# install.sh - `make install` into a DESTDIR: the tree, the unit rewritten
# to the install paths, the config never overwritten, `systemd-analyze
# verify` clean, man pages that render without warnings, the unit's
# SystemCallFilter equal to packaging/syscalls.list, bash completion
# offering every option, packaging/Containerfile's runtime packages those
# of the linked libraries; then `make uninstall` leaves only a modified config.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh

tmp=$(mktemp -d /tmp/oomkit-install.XXXXXX)
trap 'rm -rf "$tmp"; e2e_cleanup' EXIT
d=$tmp/root
build=$(dirname "$OOMKIT_FAST")
mk() { make -s --no-print-directory BUILD="$build" DESTDIR="$d" "$@" >"$tmp/make.log" 2>&1; }

expected=(
	"usr/local/sbin/oomkit 755"
	"usr/local/share/man/man8/oomkit.8 644"
	"usr/local/share/man/man5/oomkit.conf.5 644"
	"usr/local/lib/systemd/system/oomkit.service 644"
	"usr/local/share/bash-completion/completions/oomkit 644"
	"usr/local/sbin/oomkit-replace-oomd 755"
	"usr/local/share/oomkit/systemd-oomd-oomkit.conf 644"
	"usr/local/share/dbus-1/system.d/oomkit-oom1.conf 644"
	"etc/oomkit.conf 644"
)

tree_ok() {
	local e f mode
	for e in "${expected[@]}"; do
		f=${e% *} mode=${e#* }
		[ -f "$d/$f" ] || { echo "missing $f" >&2; return 1; }
		[ "$(stat -c %a "$d/$f")" = "$mode" ] || { echo "$f: mode $(stat -c %a "$d/$f") != $mode" >&2; return 1; }
	done
	[ "$(find "$d" -type f | wc -l)" -eq ${#expected[@]} ] || { find "$d" -type f >&2; return 1; }
}

# --- packaging/Containerfile's runtime stage installs the packages of the
# libraries the binary is linked with (DT_NEEDED, libc6 aside: every base
# image has it), no fewer and no more: libsystemd0, loaded with dlopen()
# only for notify_dbus, is not one of them.
lib_package() { # SONAME -> the Debian package that ships it
	local p
	p=$(ldconfig -p | awk -v s="$1" '$1 == s && /x86-64/ { print $NF; exit }')
	[ -n "$p" ] || return 1
	{ dpkg -S "$p" 2>/dev/null || dpkg -S "$(realpath "$p")"; } | head -1 | cut -d: -f1
}
container_runtime_packages() {
	local want have so
	want=$(for so in $(readelf -d "$OOMKIT_FAST" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
		lib_package "$so" || echo "?$so"
	done | grep -vx libc6 | sort -u)
	have=$(awk '/^FROM / { stage++ } stage == 2' packaging/Containerfile |
		sed -n '/install -y/,/rm -rf/p' | grep -v 'apt-get\|rm -rf' | tr -s ' \\\t' '\n' | grep . | sort -u)
	[ "$want" = "$have" ] || { echo "linked: $(echo $want); Containerfile's runtime stage: $(echo $have)" >&2; return 1; }
}
if ! command -v dpkg >/dev/null || ! command -v readelf >/dev/null; then
	skip container_runtime_packages: no dpkg or readelf
else
	check container_runtime_packages container_runtime_packages
fi

if mk install PREFIX=/usr/local; then ok install_runs; else not_ok install_runs: "$(cat "$tmp/make.log")"; exit 1; fi
check install_tree tree_ok
check installed_binary_runs grep -q '^oomkit ' <("$d/usr/local/sbin/oomkit" --version)
check unit_execstart_rewritten grep -qx 'ExecStart=/usr/local/sbin/oomkit daemon' "$d/usr/local/lib/systemd/system/oomkit.service"

# --- systemd-analyze verify: offline, PID 1 here is not systemd. With
# --root it looks up units (and the targets they name) below the root, and
# it checks Documentation=man: pages through man(1), which honours MANPATH.
verify_unit() {
	local r=$tmp/verify
	rm -rf "$r"
	cp -a "$d" "$r"
	mkdir -p "$r/lib/systemd/system"
	cp -a /lib/systemd/system/*.target "$r/lib/systemd/system/"
	mkdir -p "$r/bin" && cp /bin/kill "$r/bin/" # ExecReload=
	MANPATH=$r/usr/local/share/man SYSTEMD_LOG_LEVEL=notice \
		systemd-analyze verify --root="$r" oomkit.service >"$tmp/verify.log" 2>&1 || return 1
	# verify exits 0 on some warnings: any output at all is a finding
	[ ! -s "$tmp/verify.log" ]
}
if ! command -v systemd-analyze >/dev/null; then
	skip systemd_analyze_verify: no systemd-analyze
elif verify_unit; then
	ok systemd_analyze_verify
else
	not_ok systemd_analyze_verify: "$(cat "$tmp/verify.log")"
fi

# The verifier must be able to fail: a unit with a typo'd directive.
broken_unit_rejected() {
	local u=$d/usr/local/lib/systemd/system/oomkit.service
	cp "$u" "$tmp/unit.orig"
	sed -i 's/^Restart=always/Restart=allways/' "$u"
	! verify_unit
	local rc=$?
	cp "$tmp/unit.orig" "$u"
	return $rc
}
command -v systemd-analyze >/dev/null && check systemd_analyze_verify_can_fail broken_unit_rejected

# --- the unit's SystemCallFilter= is exactly packaging/syscalls.list
filter_matches_list() {
	diff <(sed -n 's/^SystemCallFilter=//p' packaging/oomkit.service | tr ' ' '\n' | sed '/^$/d' | sort) \
	     <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' packaging/syscalls.list | tr -d ' \t' | sort)
}
check unit_filter_is_syscalls_list filter_matches_list

# --- a bad configuration stops the unit instead of restarting it forever
# (Restart=always): the exit code with which the daemon refuses a bad file
# is one RestartPreventExitStatus= lists.
bad_config_not_restarted() {
	local u=$d/usr/local/lib/systemd/system/oomkit.service rc
	printf '[daemon]\ngrace = whenever\n' >"$tmp/bad.conf"
	"$OOMKIT_FAST" daemon --config "$tmp/bad.conf" >/dev/null 2>&1
	rc=$?
	[ "$rc" -ne 0 ] || return 1
	grep -q '^Restart=always$' "$u" || return 0
	sed -n 's/^RestartPreventExitStatus=//p' "$u" | tr ' ' '\n' | grep -qx "$rc" ||
		{ echo "exit $rc (bad config) restarts the unit" >&2; return 1; }
}
check unit_bad_config_not_restarted bad_config_not_restarted

# --- man pages render without groff warnings, and whatis can parse them
man_clean() {
	local p out
	for p in "$d/usr/local/share/man/man8/oomkit.8" "$d/usr/local/share/man/man5/oomkit.conf.5"; do
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=all -l "$p" 2>&1 >/dev/null) || return 1
		[ -z "$out" ] || { echo "$p: $out" >&2; return 1; }
		lexgrog "$p" >/dev/null || return 1
	done
}
if command -v man >/dev/null && command -v lexgrog >/dev/null; then
	check man_pages_render man_clean
else
	skip man_pages_render: man-db not installed
fi
man_has_sections() {
	local c
	for c in rank kill daemon explain status; do
		grep -q "^\.SS oomkit $c\$" doc/oomkit.8 || return 1
	done
	# every exit code of src/exitcode.h is documented
	for c in $(sed -n 's/.*= \([0-9]*\),.*/\1/p' src/exitcode.h); do
		grep -A1 '^\.TP' doc/oomkit.8 | grep -qx "\.B $c" || { echo "exit code $c undocumented" >&2; return 1; }
	done
}
check man_section_per_command_and_exit_codes man_has_sections

# --- oomkit(8) documents every option each command's --help prints, in
# that command's section
man_lists_every_option() {
	local c o esc missing=
	for c in rank kill daemon explain status; do
		for o in $("$OOMKIT_FAST" "$c" --help 2>&1 | grep -oE '(^[[:space:]]*|\[|\| |, )--?[a-zA-Z][-a-zA-Z0-9]*' | sed 's/^[^-]*//' | sort -u); do
			[ "$o" = --help ] && continue
			esc=${o//-/\\-}
			awk -v s=".SS oomkit $c" '$0 == s { on = 1; next } /^\.S[SH] / { on = 0 } on' doc/oomkit.8 |
				grep -qF -- "$esc" || missing="$missing $c:$o"
		done
	done
	[ -z "$missing" ] || { echo "not in oomkit(8):$missing" >&2; return 1; }
}
check man_lists_every_option man_lists_every_option

# --- oomkit.conf(5) and doc/oomkit.conf.md list every key the daemon knows
conf_docs_list_every_key() {
	local sec key missing=
	while read -r sec key; do
		awk -v s="[$sec]" '$0 == ".SS " s { on = 1; next } /^\.S[SH] / { on = 0 } on' doc/oomkit.conf.5 |
			grep -qE "^\.BR? (.*\" )?$key( |\$)" || missing="$missing oomkit.conf.5:[$sec]$key"
		awk -v s="## [$sec]" 'index($0, s) == 1 { on = 1; next } /^## / { on = 0 } on' doc/oomkit.conf.md |
			grep -qE "^\| ([a-z_]+, )*$key(,|  *\|)" || missing="$missing oomkit.conf.md:[$sec]$key"
	done < <("$OOMKIT_FAST" daemon --config /dev/null --cgroup / --check-config 2>/dev/null |
		awk '/^\[/ { s = substr($1, 2, length($1) - 2) } / = / { print s, $1 }' | sort -u)
	[ -z "$missing" ] || { echo "undocumented:$missing" >&2; return 1; }
}
check conf_docs_list_every_key conf_docs_list_every_key

# --- bash completion offers every option the commands' --help prints (an
# option starts a help line, opens a [bracket], or follows "| " or ", ")
completion_complete() {
	local c opts o v vals got missing=
	for c in rank kill daemon explain status; do
		opts=$(bash -c '. "$1"; _oomkit_opts "$2"' _ packaging/oomkit.bash "$c")
		for o in $("$OOMKIT_FAST" "$c" --help 2>&1 | grep -oE '(^[[:space:]]*|\[|\| |, )--?[a-zA-Z][-a-zA-Z0-9]*' | sed 's/^[^-]*//'); do
			[[ " $opts " == *" $o "* ]] || missing="$missing $c:$o"
		done
	done
	# every value a --help lists as "--opt a|b|c"
	for c in rank kill daemon explain status; do
		while read -r o vals; do
			got=$(bash -c '. "$1"; COMP_WORDS=(oomkit "$2" "$3" ""); COMP_CWORD=3; _oomkit; echo " ${COMPREPLY[*]} "' \
				_ packaging/oomkit.bash "$c" "$o")
			for v in ${vals//|/ }; do [[ $got == *" $v "* ]] || missing="$missing $c:$o=$v"; done
		done < <("$OOMKIT_FAST" "$c" --help 2>&1 | grep -oE -- '--[a-z-]+ [a-zA-Z]+(\|[a-zA-Z]+)+' | sort -u)
	done
	[ -z "$missing" ] || { echo "not completed:$missing" >&2; return 1; }
	# file names quoted and directories marked as such
	grep -q '^complete -o filenames -F _oomkit oomkit$' packaging/oomkit.bash || return 1
	# and completion itself works: "oomkit ka<TAB>" -> kill? no: "oomkit k" -> kill
	[ "$(bash -c '. "$1"; COMP_WORDS=(oomkit k); COMP_CWORD=1; _oomkit; echo "${COMPREPLY[*]}"' _ packaging/oomkit.bash)" = kill ]
}
check bash_completion completion_complete

# --- reinstall never overwrites the config; uninstall keeps it only if modified
echo "# local change" >> "$d/etc/oomkit.conf"
cp "$d/etc/oomkit.conf" "$tmp/conf.modified"
mk install PREFIX=/usr/local
check config_not_overwritten cmp -s "$d/etc/oomkit.conf" "$tmp/conf.modified"
mk uninstall PREFIX=/usr/local
check uninstall_keeps_modified_config test "$(find "$d" -type f)" = "$d/etc/oomkit.conf"
rm -f "$d/etc/oomkit.conf"
mk install PREFIX=/usr/local && mk uninstall PREFIX=/usr/local
check uninstall_removes_everything test -z "$(find "$d" -type f)"

# --- PREFIX=/usr, SYSCONFDIR=/etc: the Debian layout
rm -rf "$d"
mk install PREFIX=/usr BINDIR=/usr/sbin MANDIR=/usr/share/man
check prefix_usr_layout test -x "$d/usr/sbin/oomkit" -a -f "$d/usr/lib/systemd/system/oomkit.service" \
	-a -f "$d/usr/share/man/man8/oomkit.8" -a -f "$d/etc/oomkit.conf"
check prefix_usr_execstart grep -qx 'ExecStart=/usr/sbin/oomkit daemon' "$d/usr/lib/systemd/system/oomkit.service"

exit $E2E_FAILED
