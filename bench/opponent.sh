# bench/opponent.sh - sourced by the benchmarks that run earlyoom beside
# oomkit. earlyoom is never installed on the machine (no package, no
# service that would start at boot): its Debian .deb is fetched with
# `apt-get download` and unpacked with `dpkg-deb -x` into build/opponents/.
# Offers: opponent_earlyoom (prints the binary's path; $EARLYOOM_BIN wins).

OPPONENTS=${OOMKIT_OPPONENTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/opponents}

opponent_earlyoom() {
	local bin=$OPPONENTS/earlyoom/usr/bin/earlyoom deb
	if [ -n "${EARLYOOM_BIN:-}" ]; then
		echo "$EARLYOOM_BIN"
		return 0
	fi
	if [ ! -x "$bin" ]; then
		mkdir -p "$OPPONENTS/dl" || return 1
		deb=$(ls "$OPPONENTS"/dl/earlyoom_*.deb 2>/dev/null | head -1)
		if [ -z "$deb" ]; then
			(cd "$OPPONENTS/dl" && apt-get download -q earlyoom >&2) || return 1
			deb=$(ls "$OPPONENTS"/dl/earlyoom_*.deb | head -1)
		fi
		dpkg-deb -x "$deb" "$OPPONENTS/earlyoom" || return 1
	fi
	echo "$bin"
}
