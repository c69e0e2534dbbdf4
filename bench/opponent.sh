# bench/opponent.sh - sourced by the benchmarks that run earlyoom beside
# oomkit, and by tests that need a tool whose package would also install a
# service (prometheus, for promtool). None of them is ever installed on the
# machine (no package, no service that would start at boot): the Debian .deb
# is fetched with `apt-get download` and unpacked with `dpkg-deb -x` into
# build/opponents/.
# Offers: deb_unpacked PKG (prints the folder the package was unpacked in),
# opponent_earlyoom (prints the binary's path; $EARLYOOM_BIN wins).

OPPONENTS=${OOMKIT_OPPONENTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/opponents}

deb_unpacked() {
	local pkg=$1 deb
	if [ ! -d "$OPPONENTS/$pkg/usr" ]; then
		mkdir -p "$OPPONENTS/dl" || return 1
		deb=$(ls "$OPPONENTS"/dl/"${pkg}"_*.deb 2>/dev/null | head -1)
		if [ -z "$deb" ]; then
			(cd "$OPPONENTS/dl" && apt-get download -q "$pkg" >&2) || return 1
			deb=$(ls "$OPPONENTS"/dl/"${pkg}"_*.deb | head -1)
		fi
		rm -rf "$OPPONENTS/$pkg"
		dpkg-deb -x "$deb" "$OPPONENTS/$pkg" || return 1
	fi
	echo "$OPPONENTS/$pkg"
}

opponent_earlyoom() {
	local dir
	if [ -n "${EARLYOOM_BIN:-}" ]; then
		echo "$EARLYOOM_BIN"
		return 0
	fi
	dir=$(deb_unpacked earlyoom) || return 1
	echo "$dir/usr/bin/earlyoom"
}
