#!/usr/bin/env bash
# Test suites inside the linux-vm appliance's Debian kernel under QEMU TCG
# (-cpu max,-smap: AMD):
#  kvm    the kvm suites (tests/kvm) on a real kvm_amd, loaded on TCG's
#         emulated SVM (nested=1);
#  linux  the linux backend's suites (tests/linux) on a known real kernel
#         with compat mode, int $0x80 and working debug registers, which
#         this project's own hosts lack. RUNNER is the linux runner.
# The test binaries, their shared libraries, the test kernel, the runner
# and the seeds go into an extra initramfs archive at the paths they have
# here; the appliance's /init loads KVM's modules (gc.kvm) and runs the
# script (gc.run); each suite's exit status comes back on the console.
# Exit 0 when every suite passed, 77 (skip) without an appliance (or its
# KVM modules), 1 otherwise. A suite that skips inside the guest fails.
#
#   run_suites_in_vm.sh kvm KERNEL_ELF SOURCE_DIR TEST_BINARY...
#   run_suites_in_vm.sh linux RUNNER SOURCE_DIR TEST_BINARY...
set -euo pipefail
mode=$1 kernel=$(realpath "$2") src=$(realpath "$3")
# GC_VM_CPU: the CPU model (default AMD: -cpu max under TCG is AMD-flavoured).
cpu=${GC_VM_CPU:-max,-smap}
shift 3
app=${GATECRASH_VM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gatecrash/vm/current}
if [ ! -f "$app/vmlinux" ]; then
	echo "SKIP: no linux-vm appliance at $app (tests/setup.sh builds it)"
	exit 77
fi
if [ "$mode" = kvm ] && ! gzip -dc "$app/base.cpio.gz" | cpio -t --quiet 2>/dev/null | grep -q 'kvm-amd.ko'; then
	echo "SKIP: the appliance at $app has no kvm-amd.ko (appliance.sh --modules)"
	exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/kvm"

# A file at the same absolute path inside the guest.
put() { mkdir -p "$root$(dirname "$1")" && cp -L "$1" "$root$1"; }
for t in "$@"; do
	cp "$t" "$root/kvm/"
	for lib in $(ldd "$t" | grep -o '/[^ ]*'); do put "$lib"; done
done
put "$kernel"
mkdir -p "$root$src"
cp -r "$src/seeds" "$root$src/"
{
	echo 'cd /'
	echo "export GATECRASH_KERNEL=$kernel"
	echo 'export HOME=/root TMPDIR=/tmp; mkdir -p /root /tmp'
	[ "$mode" != kvm ] ||
		echo 'echo "gatecrash-vm: $(cat /sys/module/kvm_amd/parameters/nested 2>/dev/null) nested, /dev/kvm $(ls /dev/kvm 2>&1)"'
	for t in "$@"; do
		n=$(basename "$t")
		echo "/kvm/$n; echo \"GCKVM $n rc=\$?\""
	done
} >"$root/suites.sh"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initrd"
cat "$app/base.cpio.gz" >>"$work/initrd"

# -cpu max: AMD with SVM under TCG. -smap: QEMU < 9.1's IRET-to-user SMAP
# bug (docs/backends.md) would oops the guest's user processes.
kvm_flag=
[ "$mode" != kvm ] || kvm_flag="gc.kvm "
console=$work/console.log
start=$(date +%s)
timeout 900 qemu-system-x86_64 -accel tcg -cpu "$cpu" -smp 1 -m 1024 \
	-kernel "$app/vmlinux" -initrd "$work/initrd" \
	-append "console=ttyS0 panic=-1 tsc=reliable quiet ${kvm_flag}gc.run=/suites.sh" \
	-display none -monitor none -no-reboot -nodefaults \
	-serial "file:$console" 2>"$work/qemu.err" || true
grep -v '^\[ *[0-9]*\.[0-9]*\]' "$console" || true
echo "run_suites_in_vm: $(( $(date +%s) - start )) s in the guest ($(cat "$app/kernel-version"), -cpu $cpu)"
status=0
for t in "$@"; do
	n=$(basename "$t")
	rc=$(sed -n "s/^GCKVM $n rc=\([0-9]*\).*/\1/p" "$console")
	if [ "$rc" != 0 ]; then
		if [ -n "$rc" ]; then
			echo "FAIL: $n exited with status $rc"
		else
			echo "FAIL: $n never finished (the guest died; the console's last lines:)"
			tail -n 40 "$console" | sed 's/^/    /'
		fi
		status=1
	fi
done
[ -s "$work/qemu.err" ] && grep -v 'warning: TCG doesn' "$work/qemu.err" || true
exit $status
