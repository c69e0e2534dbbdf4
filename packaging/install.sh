#!/bin/sh
# install.sh DESTDIR PREFIX BINDIR MANDIR SYSCONFDIR BINARY
# install.sh --uninstall DESTDIR PREFIX BINDIR MANDIR SYSCONFDIR
set -eu
if [ "$1" = --uninstall ]; then
	shift
	rm -f "$1$3/oomkit"
	exit 0
fi
install -D -m 0755 "$6" "$1$3/oomkit"
