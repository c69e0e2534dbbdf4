#!/bin/sh
# install.sh DESTDIR PREFIX BINDIR MANDIR SYSCONFDIR BINARY
# install.sh --uninstall DESTDIR PREFIX BINDIR MANDIR SYSCONFDIR
#
# Installs (or removes) oomkit: the binary, oomkit(8) and oomkit.conf(5),
# the systemd unit, bash completion, the switch from systemd-oomd
# (oomkit-replace-oomd, its drop-in, the D-Bus policy for
# org.freedesktop.oom1), and SYSCONFDIR/oomkit.conf, which is
# never overwritten when present and removed on uninstall only when it
# still equals the shipped defaults. Environment overrides:
#   UNITDIR        systemd system unit directory (default PREFIX/lib/systemd/system)
#   COMPLETIONDIR  bash completion directory (default PREFIX/share/bash-completion/completions)
#   DBUSDIR        D-Bus system policy directory (default PREFIX/share/dbus-1/system.d)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

uninstall=false
if [ "$1" = --uninstall ]; then
	uninstall=true
	shift
fi
dest=$1 prefix=$2 bindir=$3 mandir=$4 sysconfdir=$5
unitdir=${UNITDIR:-$prefix/lib/systemd/system}
compdir=${COMPLETIONDIR:-$prefix/share/bash-completion/completions}
dbusdir=${DBUSDIR:-$prefix/share/dbus-1/system.d}
sharedir=$prefix/share/oomkit
conf=$dest$sysconfdir/oomkit.conf

if $uninstall; then
	rm -f "$dest$bindir/oomkit" "$dest$mandir/man8/oomkit.8" \
		"$dest$mandir/man5/oomkit.conf.5" "$dest$unitdir/oomkit.service" \
		"$dest$compdir/oomkit" "$dest$bindir/oomkit-replace-oomd" \
		"$dest$sharedir/systemd-oomd-oomkit.conf" "$dest$dbusdir/oomkit-oom1.conf"
	rmdir "$dest$sharedir" 2>/dev/null || true
	if [ -f "$conf" ]; then
		if cmp -s "$conf" "$here/oomkit.conf"; then
			rm -f "$conf"
		else
			echo "install.sh: keeping $conf (modified)" >&2
		fi
	fi
	exit 0
fi

binary=$6
install -D -m 0755 "$binary" "$dest$bindir/oomkit"
install -D -m 0644 "$top/doc/oomkit.8" "$dest$mandir/man8/oomkit.8"
install -D -m 0644 "$top/doc/oomkit.conf.5" "$dest$mandir/man5/oomkit.conf.5"
install -D -m 0644 "$here/oomkit.bash" "$dest$compdir/oomkit"

# The unit names the binary and the config by their installed paths.
install -d -m 0755 "$dest$unitdir"
sed -e "s|/usr/local/sbin/oomkit|$bindir/oomkit|g" \
	-e "s|/etc/oomkit.conf|$sysconfdir/oomkit.conf|g" \
	"$here/oomkit.service" > "$dest$unitdir/oomkit.service.tmp"
chmod 0644 "$dest$unitdir/oomkit.service.tmp"
mv -f "$dest$unitdir/oomkit.service.tmp" "$dest$unitdir/oomkit.service"

# Switching from systemd-oomd: the script, its drop-in (inert until
# `oomkit-replace-oomd on` copies it to /etc), the bus policy.
sed -e "s|/usr/local/sbin/oomkit|$bindir/oomkit|g" -e "s|/usr/local/share/oomkit|$sharedir|g" \
	"$here/oomkit-replace-oomd" > "$dest$bindir/oomkit-replace-oomd"
chmod 0755 "$dest$bindir/oomkit-replace-oomd"
install -d -m 0755 "$dest$sharedir" "$dest$dbusdir"
sed -e "s|/usr/local/sbin/oomkit|$bindir/oomkit|g" "$here/systemd-oomd-oomkit.conf" \
	> "$dest$sharedir/systemd-oomd-oomkit.conf"
chmod 0644 "$dest$sharedir/systemd-oomd-oomkit.conf"
install -m 0644 "$here/oomkit-oom1.conf" "$dest$dbusdir/oomkit-oom1.conf"

if [ -e "$conf" ]; then
	echo "install.sh: keeping existing $conf" >&2
else
	install -D -m 0644 "$here/oomkit.conf" "$conf"
fi
