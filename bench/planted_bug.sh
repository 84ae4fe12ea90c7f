#!/usr/bin/env bash
# A campaign that finds a real bug keeps its speed (docs/fuzzing.md,
# "A campaign that finds a real bug"): the same built-in campaign from
# seeds/minimal, every defense on, on the test kernel and on the
# planted-bug kernel (gatecrash-kernel-int80-nr.elf: compat int $0x80
# without the syscall number's zero extension), both at once so that they
# share whatever else the machine is doing; prints both rates, their
# ratio and the planted campaign's findings/index.
# usage: planted_bug.sh BUILD_DIR [SECONDS [JOBS]]
set -eu
build=$1
secs=${2:-180}
jobs=${3:-1}
g=$build/harness/gatecrash
clean_elf=$build/kernel-under-test/gatecrash-kernel.elf
bug_elf=$build/kernel-under-test/gatecrash-kernel-int80-nr.elf
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

campaign() { # name kernel
	"$g" fuzz -q --backend tcg --seed-rng 1 --jobs "$jobs" --time "$secs" \
		--kernel "$2" --out "$t/$1" >"$t/$1.log" 2>&1 || true
}
campaign clean "$clean_elf" &
campaign planted "$bug_elf"
wait
rate() { sed -n 's/^fuzz: .*(\([0-9]*\)\/s.*/\1/p' "$t/$1.log"; }
c=$(rate clean)
p=$(rate planted)
echo "bug-free:    $(head -1 "$t/clean.log")"
echo "planted bug: $(head -1 "$t/planted.log")"
echo "             $(sed -n 2p "$t/planted.log")"
awk -v c="$c" -v p="$p" 'BEGIN { printf "ratio planted/bug-free: %.2f\n", c ? p / c : 0 }'
echo "findings/index:"
sed 's/^/  /' "$t/planted/findings/index"
echo "finding directories: $(find "$t/planted/findings" -mindepth 1 -maxdepth 1 -type d | wc -l)"
