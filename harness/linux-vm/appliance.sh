#!/usr/bin/env bash
# Builds the linux-vm backend's guest appliance (docs/backends.md): a real
# Debian kernel booted by PVH under QEMU, and a busybox initramfs that starts
# gatecrash-linux-runner as a server on the guest's second serial port.
#
#   appliance.sh [--kernel PATH] [--modules DIR] [--print]
#
# Without --kernel it fetches the pinned Debian kernel package (below) and
# busybox-static with apt-get download; with --kernel it packs the given
# vmlinux or bzImage (a bzImage's xz payload is unpacked to a vmlinux: the
# PVH boot skips ~4 s of TCG time in the decompressor). --modules DIR adds
# the KVM modules found under DIR (kvm.ko, kvm-amd.ko, irqbypass.ko, ccp.ko).
# The result is cached by its inputs under $XDG_CACHE_HOME/gatecrash/vm and
# the last one built is linked as .../vm/current; the script prints its path.
set -euo pipefail

# The one pin. Debian's archive replaces a kernel package at each point or
# security release; when this one is gone, what linux-image-amd64 depends on
# is used, and its version is recorded in the appliance (kernel-version).
PINNED_KERNEL=linux-image-6.1.0-57-amd64
KVM_MODULES=(irqbypass ccp kvm kvm-amd) # insmod order: dependencies first

kernel= modules= print_only=0
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=${2:?--kernel needs a path}; shift 2 ;;
	--modules) modules=${2:?--modules needs a directory}; shift 2 ;;
	--print) print_only=1; shift ;;
	*) echo "appliance.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ -z "$kernel" ] || [ -f "$kernel" ] || { echo "appliance.sh: $kernel: no such file" >&2; exit 2; }
[ -z "$modules" ] || [ -d "$modules" ] || { echo "appliance.sh: $modules: no such directory" >&2; exit 2; }

cache=${XDG_CACHE_HOME:-$HOME/.cache}/gatecrash/vm
debs=$cache/debs
mkdir -p "$debs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# apt-get download into the cache, once per machine.
fetch() {
	local pkg=$1 f
	f=$(ls "$debs"/"${pkg}"_*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$f" ]; then
		(cd "$debs" && apt-get download -q "$pkg" >/dev/null 2>&1) || return 1
		f=$(ls "$debs"/"${pkg}"_*.deb | head -n1)
	fi
	echo "$f"
}

fetch_kernel() {
	local f dep
	if f=$(fetch "$PINNED_KERNEL"); then echo "$f"; return; fi
	dep=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-/ { print $2; exit }')
	[ -n "$dep" ] || { echo "appliance.sh: $PINNED_KERNEL is gone and linux-image-amd64 names no kernel (apt-get update?)" >&2; exit 1; }
	echo "appliance.sh: $PINNED_KERNEL is gone from the archive; using $dep" >&2
	fetch "$dep" || { echo "appliance.sh: apt-get download $dep failed" >&2; exit 1; }
}

# A bzImage's payload is one xz stream; the ELF inside boots by PVH.
to_vmlinux() {
	local in=$1 out=$2 off
	if [ "$(head -c4 "$in" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
		cp "$in" "$out"
		return
	fi
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$in" | head -n1 | cut -d: -f1)
	[ -n "$off" ] || { echo "appliance.sh: $in: neither an ELF vmlinux nor an xz-compressed bzImage" >&2; exit 1; }
	tail -c +$((off + 1)) "$in" | xz -dc --single-stream >"$out" 2>/dev/null || true
	[ "$(head -c4 "$out" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
		{ echo "appliance.sh: $in: the xz payload is not an ELF" >&2; exit 1; }
}

bb_deb=$(fetch busybox-static) || { echo "appliance.sh: apt-get download busybox-static failed" >&2; exit 1; }
if [ -z "$kernel" ]; then
	kdeb=$(fetch_kernel)
	key_in="$(sha256sum "$kdeb" | cut -c1-64)"
else
	kdeb=
	key_in="$(sha256sum "$kernel" | cut -c1-64) $modules $(ls -l "$modules" 2>/dev/null | sha256sum)"
fi
key=$(printf '%s %s %s' "$key_in" "$(sha256sum "$bb_deb" | cut -c1-64)" \
	"$(cat "$0" "$(dirname "$0")/init" | sha256sum | cut -c1-64)" | sha256sum | cut -c1-16)
out=$cache/$key
if [ -f "$out/base.cpio.gz" ] && [ -f "$out/vmlinux" ]; then
	ln -sfn "$key" "$cache/current"
	echo "$out"
	exit 0
fi
[ $print_only = 0 ] || { echo "appliance.sh: not built" >&2; exit 1; }

root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,lib/modules} "$work/deb"
dpkg -x "$bb_deb" "$work/deb"
cp "$work/deb/bin/busybox" "$root/bin/busybox"
if [ -n "$kdeb" ]; then
	dpkg -x "$kdeb" "$work/deb"
	to_vmlinux "$(ls "$work"/deb/boot/vmlinuz-* | head -n1)" "$work/vmlinux"
	version=$(basename "$kdeb" .deb)
	modules=$(ls -d "$work"/deb/lib/modules/*/kernel)
else
	to_vmlinux "$kernel" "$work/vmlinux"
	version="user kernel $(basename "$kernel")"
fi
if [ -n "$modules" ]; then
	for m in "${KVM_MODULES[@]}"; do
		f=$(find "$modules" -name "$m.ko" | head -n1)
		[ -z "$f" ] || cp "$f" "$root/lib/modules/"
	done
fi
cp "$(dirname "$0")/init" "$root/init"
chmod 755 "$root/init" "$root/bin/busybox"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/base.cpio.gz"

mkdir -p "$out.tmp"
mv "$work/vmlinux" "$work/base.cpio.gz" "$out.tmp/"
echo "$version" >"$out.tmp/kernel-version"
rm -rf "$out"
mv "$out.tmp" "$out"
ln -sfn "$key" "$cache/current"
echo "$out"
