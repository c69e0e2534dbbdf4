# distro-lib.sh - the Debian 12 guest with systemd as PID 1, sourced by
# run.sh and bench/distro-compare.sh (doc/distro.md).
# Offers: distro_rootfs (an mmdebstrap minbase tar of Debian's packages,
# cached by its package list), distro_image (that root, oomkit installed
# with `make install`, the test programs and the test unit, as an ext4
# disk), distro_boot NAME MODE (one guest; the console and the test channel
# captured) and distro_result NAME (its ok / not ok lines).
# The kernel and its modules are the busybox guest's (vm-lib.sh vm_kernel):
# never installed on the host.

. "$(dirname "${BASH_SOURCE[0]}")/../vm/vm-lib.sh"
DISTRO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DISTRO_CACHE=${OOMKIT_DISTRO_CACHE:-$VM_CACHE/distro}
DISTRO_OUT=${OOMKIT_DISTRO_OUT:-$VM_ROOT/build/distro}
DISTRO_MEM=${OOMKIT_DISTRO_MEM:-1024M}
DISTRO_TIMEOUT=${OOMKIT_DISTRO_TIMEOUT:-900}
DISTRO_SUITE=bookworm
DISTRO_MIRROR=${OOMKIT_DISTRO_MIRROR:-http://deb.debian.org/debian}
# What users have: systemd as PID 1 with logind sessions (libpam-systemd),
# D-Bus, udev; the other killers (earlyoom, systemd-oomd); node_exporter and
# curl to scrape it; podman for the container; oomkit's own libraries.
DISTRO_PKGS="systemd systemd-sysv dbus udev libpam-systemd passwd procps kmod
util-linux systemd-oomd earlyoom prometheus-node-exporter curl
podman crun conmon libinih1 libbpf1 libsystemd0"
DISTRO_T=/usr/local/lib/oomkit-test

distro_log() { printf 'distro: %s\n' "$*" >&2; }

# distro_rootfs: sets DISTRO_TAR to the cached root tar; a new package list
# (or suite) is a new file, made with mmdebstrap (~50 s, ~360 MB)
distro_rootfs() {
	local key tmp
	command -v mmdebstrap >/dev/null || { distro_log "mmdebstrap missing (apt-get install mmdebstrap)"; return 77; }
	key=$(echo "$DISTRO_SUITE $DISTRO_PKGS" | sha256sum | cut -c1-12)
	DISTRO_TAR=$DISTRO_CACHE/root-$DISTRO_SUITE-$key.tar
	[ -s "$DISTRO_TAR" ] && return 0
	mkdir -p "$DISTRO_CACHE"
	tmp=${DISTRO_TAR%.tar}.partial.tar # (mmdebstrap picks the format by the extension)
	distro_log "mmdebstrap $DISTRO_SUITE -> $DISTRO_TAR"
	SOURCE_DATE_EPOCH=$(date -d 2026-01-01 +%s) mmdebstrap --quiet --variant=minbase \
		--aptopt='APT::Install-Recommends "false"' \
		--include="$(echo $DISTRO_PKGS | tr ' ' ,)" \
		"$DISTRO_SUITE" "$tmp" "$DISTRO_MIRROR" >&2 || { rm -f "$tmp"; return 1; }
	mv "$tmp" "$DISTRO_TAR"
}

# distro_initrd: $DISTRO_OUT/initrd.gz, busybox and the virtio + ext4 modules
distro_initrd() {
	local r=$DISTRO_OUT/initrd
	rm -rf "$r" && mkdir -p "$r"/{bin,dev,proc,sys,lib/modules}
	cp /bin/busybox "$r/bin/busybox" || return 1
	install -m 0755 "$DISTRO_DIR/guest/initrd-init" "$r/init"
	cp "$VM_KDIR"/modules/*.ko "$r/lib/modules/"
	echo "$VM_MODULES" | tr ' ' '\n' > "$r/modules.order"
	(cd "$r" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$DISTRO_OUT/initrd.gz"
}

# distro_image: $DISTRO_OUT/disk.img from the root tar, oomkit installed as
# a user does (`make install PREFIX=/usr`, the binary built on the host, which
# runs the same Debian release), the test programs and the test unit
distro_image() {
	local r=$DISTRO_OUT/root p
	rm -rf "$r" && mkdir -p "$r" || return 1
	tar -C "$r" -xf "$DISTRO_TAR" || return 1
	make -s -C "$VM_ROOT" install DESTDIR="$r" PREFIX=/usr >&2 || return 1
	mkdir -p "$r$DISTRO_T"
	for p in hog heartbeat run forkbomb thrash; do
		gcc -static -O2 -Wall -Wextra -Werror -o "$r$DISTRO_T/$p" "$VM_DIR/guest/$p.c" || return 1
	done
	cp "$DISTRO_DIR"/guest/*.sh "$r$DISTRO_T/" && chmod 0755 "$r$DISTRO_T"/*.sh
	cp -r "$DISTRO_DIR/guest/etc/." "$r/etc/"
	distro_customize "$r" || return 1
	cp "$DISTRO_OUT/container.tar" "$DISTRO_OUT/daemonset.conf" "$r$DISTRO_T/" || return 1
	cp "$VM_ROOT/packaging/kubernetes/daemonset.yaml" "$r$DISTRO_T/"
	rm -f "$DISTRO_OUT/disk.img"
	mke2fs -q -F -t ext4 -d "$r" "$DISTRO_OUT/disk.img" 3G >/dev/null || return 1
	rm -rf "$r"
}

# distro_customize ROOT: what a freshly installed machine has and our
# tests need: a host name, root without password (the shell), a user of
# uid 1000, the test unit enabled, units that only add noise masked, the
# other killers installed but off (each test turns on the one it measures)
distro_customize() {
	local r=$1 u
	echo oomkit-guest > "$r/etc/hostname"
	printf '127.0.0.1 localhost\n127.0.1.1 oomkit-guest\n' > "$r/etc/hosts"
	echo '/dev/vda / ext4 rw,noatime 0 0' > "$r/etc/fstab"
	sed -i 's/^root:[^:]*:/root::/' "$r/etc/shadow"
	chroot "$r" useradd -m -u 1000 -s /bin/bash user || return 1
	systemctl --root="$r" -q enable oomkit-test.service || return 1
	systemctl --root="$r" -q mask apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
		e2scrub_all.timer e2scrub_reap.service fstrim.timer systemd-pstore.service \
		podman-auto-update.timer podman-auto-update.service podman-restart.service || return 1
	systemctl --root="$r" -q disable earlyoom.service systemd-oomd.service systemd-oomd.socket \
		prometheus-node-exporter.service podman.service podman.socket getty@tty1.service || return 1
}

# distro_container: $DISTRO_OUT/container.tar, the image packaging/Containerfile
# describes built without a registry (FROM scratch: the binary, the
# libraries ldd lists, the shipped oomkit.conf), and daemonset.conf, the
# ConfigMap of packaging/kubernetes/daemonset.yaml (imported in the guest)
distro_container() {
	local c=$DISTRO_OUT/container d
	rm -rf "$c" && mkdir -p "$c"/{etc/oomkit,run/oomkit,tmp,proc,sys,dev,var/lib/node_exporter/textfile_collector}
	vm_add_dynamic "$c" "$VM_OOMKIT" /usr/sbin/oomkit || return 1
	install -m 0644 "$VM_ROOT/packaging/oomkit.conf" "$c/etc/oomkit.conf"
	tar -C "$c" -cf "$DISTRO_OUT/container.tar" . && rm -rf "$c"
	awk '/^  oomkit.conf: \|/ {on = 1; next} on && /^---/ {exit} on {sub(/^    /, ""); print}' \
		"$VM_ROOT/packaging/kubernetes/daemonset.yaml" > "$DISTRO_OUT/daemonset.conf"
	[ -s "$DISTRO_OUT/daemonset.conf" ]
}

# distro_build: kernel, root tar, initramfs and disk; 77 when a tool is missing
distro_build() {
	command -v qemu-system-x86_64 >/dev/null || { distro_log "qemu-system-x86_64 missing"; return 77; }
	mkdir -p "$DISTRO_OUT"
	vm_kernel || return 77
	distro_rootfs || return $?
	make -s -C "$VM_ROOT" build/oomkit >&2 || return 1
	distro_initrd && distro_container && distro_image
}

# distro_boot NAME MODE [QEMU ARGS...]: boots the disk (copy-on-write:
# -snapshot, each boot starts from the same image) with a 512 MiB swap
# disk; oomkit.test=MODE tells the test unit what to run. Writes
# NAME.console (ttyS0: kernel, systemd) and NAME.out (ttyS1: the test's
# lines), NAME.rc ("RC wall=S").
distro_boot() {
	local name=$1 mode=$2 o accel=tcg t0 rc
	shift 2
	o=$DISTRO_OUT/$name
	rm -f "$o".*
	[ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo && accel=kvm
	truncate -s 512M "$o.swap"
	t0=$(date +%s.%N)
	timeout "$DISTRO_TIMEOUT" qemu-system-x86_64 -accel $accel -m "$DISTRO_MEM" -smp 2 \
		-kernel "$(vm_kernel_image)" -initrd "$DISTRO_OUT/initrd.gz" \
		-append "console=ttyS0 panic=-1 oomkit.test=$mode ${DISTRO_APPEND:-}" \
		-drive "file=$DISTRO_OUT/disk.img,if=virtio,format=raw,snapshot=on" \
		-drive "file=$o.swap,if=virtio,format=raw" \
		-nic none -vga none -display none -monitor none -no-reboot \
		-serial "file:$o.console.raw" -serial "file:$o.out.raw" "$@" </dev/null >"$o.qemu" 2>&1
	rc=$?
	rm -f "$o.swap"
	sed 's/\r$//' "$o.console.raw" > "$o.console"; sed 's/\r$//' "$o.out.raw" > "$o.out"
	rm -f "$o.console.raw" "$o.out.raw"
	awk -v rc="$rc" -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%s wall=%.1fs\n", rc, b - a }' > "$o.rc"
}

# distro_result NAME: the guest's ok / not ok / # lines; not ok when it did
# not reach its end (@@DONE), with the console's tail; status 1 on a failure
distro_result() {
	local o=$DISTRO_OUT/$1 bad=0
	grep -E '^(ok|not ok|skip|#) ' "$o.out" 2>/dev/null
	grep -q '^not ok ' "$o.out" 2>/dev/null && bad=1
	if ! grep -q '^@@DONE' "$o.out" 2>/dev/null; then
		echo "not ok distro/$1: the guest did not finish (qemu $(cat "$o.rc"))"
		bad=1
	fi
	[ "$bad" = 0 ] && return 0
	echo "# ---- $1: console (last 60 lines)"
	tail -n 60 "$o.console" | sed 's/^/#   /'
	return 1
}
