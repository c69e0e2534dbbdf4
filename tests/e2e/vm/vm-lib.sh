# vm-lib.sh - the qemu guest test bed, sourced by run.sh and bench/vm-compare.sh.
# Offers: vm_kernel (fetch and unpack the current Debian kernel), vm_build
# (busybox initramfs with the test programs, oomkit and the other killers),
# vm_boot SCENARIO KILLER (one guest, three serial channels captured),
# vm_check SCENARIO KILLER (ok / not ok from the captured channels) and
# vm_run_all (at most $VM_JOBS guests at a time).
# The kernel is never installed on the host: `apt-get download` and
# `dpkg-deb --fsys-tarfile` only. Downloads are cached in $VM_CACHE.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_ROOT=$(cd "$VM_DIR/../../.." && pwd)
VM_CACHE=${OOMKIT_VM_CACHE:-$VM_DIR/cache}
VM_OUT=${OOMKIT_VM_OUT:-$VM_ROOT/build/vm}
VM_JOBS=${OOMKIT_VM_JOBS:-2}
VM_TIMEOUT=${OOMKIT_VM_TIMEOUT:-240}
VM_MEM=${OOMKIT_VM_MEM:-256M}
VM_OOMKIT=${OOMKIT_VM_BIN:-$VM_ROOT/build/oomkit}
VM_MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk crc32c_generic crc16 mbcache jbd2 ext4"
[ "$VM_JOBS" -gt 2 ] && VM_JOBS=2 # 2 host cores: never more guests than that

# Fixture scenarios (the kernel alone) and pressure scenarios (with a killer).
VM_FIXTURES="global-noswap global-swap repeat memcg memcg-group panic-on-oom kill-allocating sysrq-f no-killable reaper hostile-names order2 panic-on-oom-2 dump-tasks-0"
VM_PRESSURE="hog-fast leak-swap forkbomb thrash protected stubborn two-hogs burst"
# Oracle scenarios: `oomkit rank` and `oomkit kill` checked against the kernel
# where only a guest's root can go (oom_score_adj < 0 needs CAP_SYS_RESOURCE,
# which our hosts and CI lack); sized tasks, no memory pressure; the kernel's
# knobs honoured; and the daemon in --observe reporting the kernel's own
# kills (global, and memcg v2 in a Kubernetes-shaped cgroup).
VM_ORACLE="rank-adj kill-adj kill-unit-cgroup kill-unit-adj memcg-v2-daemon memcg-v2-high knobs-dry-run overcommit-2 kernel-observe kernel-k8s"

vm_log() { printf 'vm: %s\n' "$*" >&2; }

# vm_deb PACKAGE: path of the cached .deb, downloaded with apt-get download
vm_deb() {
	local pkg=$1 deb
	mkdir -p "$VM_CACHE/dl"
	deb=$(ls "$VM_CACHE/dl/${pkg}"_*.deb 2>/dev/null | head -1)
	if [ -z "$deb" ]; then
		(cd "$VM_CACHE/dl" && apt-get download -q "$pkg" >&2) || return 1
		deb=$(ls "$VM_CACHE/dl/${pkg}"_*.deb 2>/dev/null | head -1)
	fi
	[ -n "$deb" ] && echo "$deb"
}

# vm_kernel_pkg: linux-image-<abi>-amd64, whatever linux-image-amd64 points at today
vm_kernel_pkg() {
	local pkg
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
	if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then # fresh machine: no package lists yet
		apt-get update -qq >&2 || return 1
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
	fi
	[ -n "$pkg" ] && echo "$pkg"
}

# vm_kernel: sets VM_KDIR to a directory with vmlinux (or vmlinuz), config,
# version and modules/*.ko; unpacks only those from the package.
vm_kernel() {
	local pkg deb x off
	pkg=$(vm_kernel_pkg) || { vm_log "cannot resolve linux-image-amd64 (apt-cache depends)"; return 1; }
	VM_KDIR=$VM_CACHE/kernel/$pkg
	[ -s "$VM_KDIR/version" ] && vm_have_modules && return 0
	deb=$(vm_deb "$pkg") || { vm_log "apt-get download $pkg failed"; return 1; }
	x=$VM_KDIR.tmp
	rm -rf "$x" && mkdir -p "$x/modules"
	# only what the guest needs: the whole package unpacks to ~400 MB
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" --wildcards './boot/vmlinuz-*' './boot/config-*' \
		$(for m in $VM_MODULES; do printf './lib/modules/*/%s.ko ' "$m"; done) || return 1
	mv "$x"/boot/vmlinuz-* "$x/vmlinuz" && mv "$x"/boot/config-* "$x/config" || return 1
	for m in $VM_MODULES; do find "$x/lib" -name "$m.ko" -exec mv {} "$x/modules/" \; ; done
	rm -rf "$x/boot" "$x/lib"
	# The uncompressed ELF vmlinux boots through its PVH entry and skips
	# SeaBIOS and the XZ decompressor: about 4 s of a 6 s boot under TCG.
	off=$(grep -obUaP '\xfd7zXZ\x00' "$x/vmlinuz" | head -1 | cut -d: -f1)
	if [ -n "$off" ]; then
		# (xz stops at the end of its stream; tail may then die of SIGPIPE)
		{ tail -c +$((off + 1)) "$x/vmlinuz" || true; } | xz -dc --single-stream > "$x/vmlinux" 2>/dev/null
		[ "$(readelf -n "$x/vmlinux" 2>/dev/null | grep -c 'Xen.*0x00000012')" -gt 0 ] || rm -f "$x/vmlinux"
	fi
	echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)" > "$x/version"
	rm -rf "$VM_KDIR" && mv "$x" "$VM_KDIR"
	vm_log "kernel: $(cat "$VM_KDIR/version")"
}

vm_have_modules() {
	local m
	for m in $VM_MODULES; do [ -f "$VM_KDIR/modules/$m.ko" ] || return 1; done
}

vm_kernel_image() { if [ -s "$VM_KDIR/vmlinux" ]; then echo "$VM_KDIR/vmlinux"; else echo "$VM_KDIR/vmlinuz"; fi; }

# vm_add_dynamic ROOT BINARY DEST: a dynamically linked program and the
# libraries ldd lists, at the same paths
vm_add_dynamic() {
	local root=$1 bin=$2 dest=$3 lib
	install -D -m 0755 "$bin" "$root$dest"
	for lib in $(ldd "$bin" 2>/dev/null | grep -oE '/[^ ]+'); do
		[ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done
}

# vm_build: $VM_OUT/initrd.gz with busybox, /init, the test programs in /t,
# the virtio modules, earlyoom (from its .deb) and oomkit when built.
vm_build() {
	local root=$VM_OUT/initramfs p deb
	rm -rf "$root" && mkdir -p "$root"/{bin,dev,proc,sys,t,lib/modules,usr/sbin,usr/bin}
	if [ ! -x /bin/busybox ] || readelf -l /bin/busybox | grep -q INTERP; then
		vm_log "/bin/busybox missing or dynamic: install busybox-static"; return 1
	fi
	cp /bin/busybox "$root/bin/busybox"
	install -m 0755 "$VM_DIR/guest/init" "$root/init"
	for p in hog heartbeat forkbomb thrash run frag; do
		gcc -static -O2 -Wall -Wextra -Werror -o "$root/t/$p" "$VM_DIR/guest/$p.c" || return 1
	done
	cp "$VM_KDIR"/modules/*.ko "$root/lib/modules/"
	if deb=$(vm_deb earlyoom); then
		rm -rf "$VM_OUT/earlyoom" && dpkg-deb -x "$deb" "$VM_OUT/earlyoom"
		vm_add_dynamic "$root" "$VM_OUT/earlyoom/usr/bin/earlyoom" /usr/bin/earlyoom
	fi
	vm_add_nohang "$root" || vm_log "nohang left out (no .deb or no /usr/bin/python3)"
	[ -x "$VM_OOMKIT" ] && vm_add_dynamic "$root" "$VM_OOMKIT" /usr/sbin/oomkit
	(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$VM_OUT/initrd.gz" || return 1
	vm_thrash_image "$root" || return 1
	vm_log "initramfs: $(du -h "$VM_OUT/initrd.gz" | cut -f1)$([ -x "$VM_OOMKIT" ] && echo ", with $VM_OOMKIT")"
}

# vm_add_nohang ROOT: nohang (from its .deb) and the part of Debian's
# python3 it uses: the interpreter, its libraries, and the stdlib modules
# that `python3 -v` shows it importing (its --help path, plus what it
# imports lazily: logging, threading, shlex), sources and bytecode (~9 MB).
vm_add_nohang() {
	local root=$1 deb py=/usr/bin/python3 f
	[ -x $py ] && deb=$(vm_deb nohang) || return 1
	rm -rf "$VM_OUT/nohang" && dpkg-deb -x "$deb" "$VM_OUT/nohang"
	install -D -m 0755 "$VM_OUT/nohang/usr/sbin/nohang" "$root/usr/sbin/nohang"
	install -D -m 0644 "$VM_OUT/nohang/etc/nohang/nohang.conf" "$root/etc/nohang/nohang.conf"
	vm_add_dynamic "$root" "$(readlink -f $py)" /usr/bin/python3
	{ $py -v "$VM_OUT/nohang/usr/sbin/nohang" --help 2>&1 >/dev/null
	  $py -v -c 'import logging, threading, shlex, ctypes' 2>&1; } |
		grep -oE "/usr/lib/python3[^ ']+\.(pyc|so)" | sort -u |
		while read -r f; do
			vm_add_dynamic "$root" "$f" "$f"
			case $f in */__pycache__/*.pyc) # its source beside it, or the pyc is ignored
				f=${f%/__pycache__/*}/$(basename "$f" | sed 's/\.cpython-[0-9]*\.pyc$/.py/')
				[ -f "$f" ] && install -D -m 0644 "$f" "$root$f" ;;
			esac
		done
	# the landmark python looks for to find its prefix
	f=$(ls -d /usr/lib/python3.*/os.py | head -1) && install -D -m 0644 "$f" "$root$f"
}

# vm_thrash_image ROOT: $VM_OUT/img/thrash.img, an ext2 disk with the heartbeat
# (an executable whose pages can be evicted, unlike the initramfs' ones)
# and 160 MiB of random data to read in a loop; made once, read-only in use.
vm_thrash_image() {
	local img=$VM_OUT/img/thrash.img d=$VM_OUT/img/thrash.d
	[ -s "$img" ] && [ "$img" -nt "$VM_DIR/guest/heartbeat.c" ] && return 0
	command -v mke2fs >/dev/null || { vm_log "mke2fs missing: install e2fsprogs"; return 1; }
	rm -rf "$d" && mkdir -p "$d" && cp "$1/t/heartbeat" "$d/" || return 1
	head -c 160M /dev/urandom > "$d/data" && mke2fs -q -F -t ext2 -d "$d" "$img" 200M >/dev/null || return 1
	rm -rf "$d"
}

# vm_disk SCENARIO FILE: the -drive arguments a scenario needs (none for most)
vm_disk() {
	local opts=
	case $1 in
	global-swap | leak-swap) truncate -s 64M "$2" ;;
	# a disk of 16 MiB/s: refaults wait behind the reader, as on real disks
	thrash) echo "-drive file=$VM_OUT/img/thrash.img,if=virtio,format=raw,readonly=on,throttling.bps-read=16777216"; return 0 ;;
	# so slow that O_DIRECT writers sit in D state (see the reaper scenario)
	reaper) truncate -s 64M "$2"; opts=,throttling.bps-write=65536 ;;
	*) return 0 ;;
	esac
	echo "-drive file=$2,if=virtio,format=raw$opts"
}

# vm_boot SCENARIO KILLER: boots once; writes $VM_OUT/NAME.log (the kernel
# console), NAME.user (init and the test programs), NAME.killer.log (the
# userspace killer), all CRLF-normalised, and NAME.rc (NAME = SCENARIO or
# SCENARIO@KILLER).
vm_boot() {
	local sc=$1 killer=$2 name o rc t0 accel=tcg
	name=$(vm_name "$sc" "$killer")
	o=$VM_OUT/$name
	rm -f "$o".*
	# KVM only where the CPU really has it: a /dev/kvm without vmx/svm is a
	# software nested hypervisor that cannot run a stock kernel
	[ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo && accel=kvm
	t0=$(date +%s.%N)
	# shellcheck disable=SC2046
	timeout "$VM_TIMEOUT" qemu-system-x86_64 -accel $accel -m "$VM_MEM" -smp 2 \
		-kernel "$(vm_kernel_image)" -initrd "$VM_OUT/initrd.gz" \
		-append "console=ttyS0 panic=-1 quiet scenario=$sc killer=$killer" \
		-nic none -vga none -display none -monitor none -no-reboot \
		-serial "file:$o.log.raw" -serial "file:$o.user.raw" -serial "file:$o.killer.log.raw" \
		$(vm_disk "$sc" "$o.disk") </dev/null >"$o.qemu" 2>&1
	rc=$?
	rm -f "$o.disk"
	local f
	for f in log user killer.log; do sed 's/\r$//' "$o.$f.raw" > "$o.$f" 2>/dev/null; rm -f "$o.$f.raw"; done
	awk -v rc="$rc" -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%s wall=%.1fs\n", rc, b - a }' > "$o.rc"
}

# vm_name SCENARIO KILLER: the name of a run's files ($VM_RUN_TAG tells
# repetitions apart)
vm_name() {
	if [ "$2" = none ]; then printf %s "$1"; else printf %s "$1@$2"; fi
	echo "${VM_RUN_TAG:+.$VM_RUN_TAG}"
}

# vm_expect_kernel SCENARIO: what the kernel console must show, one fixed
# string per line; "N*STRING" = exactly N times
vm_expect_kernel() {
	case $1 in
	global-noswap | global-swap | kill-allocating | dump-tasks-0)
		printf '%s\n' "invoked oom-killer" "Mem-Info:" "1*oom-kill:constraint=CONSTRAINT_NONE" ;;&
	global-noswap | dump-tasks-0) echo "Out of memory: Killed process" ;;&
	dump-tasks-0) echo "0*Tasks state (memory values in pages):" ;;
	global-swap) echo "Total swap = 65532kB"; echo "Out of memory: Killed process" ;;
	repeat) echo "3*Out of memory: Killed process" ;;
	memcg) printf '%s\n' "oom-kill:constraint=CONSTRAINT_MEMCG" "Memory cgroup stats for /box" "Memory cgroup out of memory: Killed process" ;;
	memcg-group) echo "Tasks in /box are going to be killed due to memory.oom.group set" ;;
	panic-on-oom) echo "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled" ;;
	panic-on-oom-2) printf '%s\n' "Memory cgroup stats for /box" "Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled" ;;
	kill-allocating) echo "Out of memory (oom_kill_allocating_task): Killed process" ;;
	sysrq-f) printf '%s\n' "sysrq: Manual OOM execution" "order=-1" "Out of memory: Killed process" ;;
	no-killable) printf '%s\n' "Out of memory and no killable processes..." "Kernel panic - not syncing: System is deadlocked on memory" ;;
	reaper) printf '%s\n' "oom_reaper: reaped process" "(stuck)" ;;
	hostile-names) echo "3*Out of memory: Killed process" ;;
	order2) printf '%s\n' "invoked oom-killer" "order=2," ;;
	esac
}

vm_panics() { case $1 in panic-on-oom | panic-on-oom-2 | no-killable) return 0 ;; esac; return 1; }

# vm_check SCENARIO KILLER: prints why the run failed (nothing when it passed)
vm_check() {
	local sc=$1 killer=$2 o pat n got
	o=$VM_OUT/$(vm_name "$sc" "$killer")
	if vm_panics "$sc"; then
		grep -q "Kernel panic - not syncing" "$o.log" || echo "no kernel panic"
	else
		grep -q '^@@DONE' "$o.user" 2>/dev/null || echo "no @@DONE (qemu rc $(cut -d' ' -f1 "$o.rc"))"
	fi
	grep '^@@ASSERT fail' "$o.user" 2>/dev/null | sed 's/^@@ASSERT fail //'
	[ "$killer" = none ] || return 0
	while IFS= read -r pat; do
		n=
		case $pat in [0-9]\**) n=${pat%%\**}; pat=${pat#*\*} ;; esac
		got=$(grep -cF -- "$pat" "$o.log")
		if [ -z "$n" ] && [ "$got" -eq 0 ]; then echo "console lacks '$pat'"; fi
		if [ -n "$n" ] && [ "$got" -ne "$n" ]; then echo "console shows '$pat' $got times, want $n"; fi
	done < <(vm_expect_kernel "$sc")
}

# vm_facts SCENARIO KILLER: the .facts text from the guest's @@FACT lines
vm_facts() {
	local o=$VM_OUT/$(vm_name "$1" "$2") events
	events=$(sed -n 's/^@@FACT \([0-9]*\)\..*/\1/p' "$o.user" | sort -n | tail -1)
	[ -n "$events" ] || return 0
	echo "# facts the scenario knows (pids it started, names it gave, kernel rules), not read from the log"
	grep -q '^@@FACTS_EVENTS any' "$o.user" || echo "events = $((events + 1))"
	sed -n 's/^@@FACT //p' "$o.user"
}

# vm_dump NAME: the captured channels, for a failure
vm_dump() {
	local o=$VM_OUT/$1 f
	for f in log user killer.log qemu; do
		[ -s "$o.$f" ] || continue
		echo "# ---- $1: $f"
		sed 's/^/#   /' "$o.$f"
	done
}

# vm_asserts SCENARIO: one line per assertion group of a run without a
# killer: "ok vm/SCENARIO/GROUP..." or "not ok vm/SCENARIO/GROUP: why" for
# each "@@ASSERT ok|fail GROUP..." line, "not ok vm/SCENARIO: why" when it
# did not run to its end or asserted nothing; the channels after a failure.
vm_asserts() {
	local sc=$1 o=$VM_OUT/$1 bad=0
	if ! grep -q '^@@DONE' "$o.user" 2>/dev/null; then
		echo "not ok vm/$sc: no @@DONE (qemu rc $(cut -d' ' -f1 "$o.rc" 2>/dev/null))"; bad=1
	elif ! grep -q '^@@ASSERT ok' "$o.user"; then
		echo "not ok vm/$sc: no assertion passed"; bad=1
	fi
	grep -q '^@@ASSERT fail' "$o.user" 2>/dev/null && bad=1
	sed -n "s|^@@ASSERT ok |ok vm/$sc/|p; s|^@@ASSERT fail |not ok vm/$sc/|p" "$o.user" 2>/dev/null
	sed -n "s|^@@NOTE |# vm/$sc: |p" "$o.user" 2>/dev/null
	[ "$bad" = 0 ] && return 0
	vm_dump "$sc"
	return 1
}

# vm_parallel FUNCTION ITEM...: FUNCTION ITEM for each ITEM, VM_JOBS at a time
vm_parallel() {
	local fn=$1 item running=0
	shift
	for item in "$@"; do
		"$fn" "$item" &
		running=$((running + 1))
		if [ "$running" -ge "$VM_JOBS" ]; then wait -n; running=$((running - 1)); fi
	done
	wait
}

# vm_boot_all KILLER SCENARIO...: boots each, VM_JOBS at a time
vm_boot_all() {
	local killer=$1
	shift
	vm_boot_with() { vm_boot "$1" "$killer"; }
	vm_parallel vm_boot_with "$@"
}

# vm_run_all KILLER SCENARIO...: boots each (VM_JOBS at a time), then checks
# each, printing "ok vm/NAME" or "not ok vm/NAME: why" and the logs on failure.
vm_run_all() {
	local killer=$1 sc why name fails=0
	shift
	vm_boot_all "$killer" "$@"
	for sc in "$@"; do
		name=$(vm_name "$sc" "$killer")
		vm_facts "$sc" "$killer" > "$VM_OUT/$name.facts"
		cp "$VM_OUT/$name.facts" "$VM_OUT/$name.killer.facts"
		why=$(vm_check "$sc" "$killer")
		if [ -z "$why" ]; then
			echo "ok vm/$name ($(cut -d' ' -f2 "$VM_OUT/$name.rc"))"
		else
			echo "not ok vm/$name: $(echo "$why" | paste -sd';')"
			vm_dump "$name"
			fails=$((fails + 1))
		fi
	done
	[ "$fails" -eq 0 ]
}
