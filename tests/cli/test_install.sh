#!/usr/bin/env bash
# The install story (issue 16): `cmake --install` to a temporary prefix,
# then the installed gatecrash, run from another directory with no build
# path in its environment, finds its kernel, seeds and docs by itself, also
# after the prefix is moved.
# usage: test_install.sh BUILD_DIR
set -u
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "[ OK ] $1"; }
bad() { fail=$((fail + 1)); echo "[FAIL] $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

unset GATECRASH_KERNEL GATECRASH_LINUX_RUNNER GATECRASH_AFL_BIN GATECRASH_LIBFUZZER_BIN
if ! cmake --install "$build" --prefix "$tmp/p" >"$tmp/install.log" 2>&1; then
	bad "cmake --install"; sed 's/^/    /' "$tmp/install.log" | tail -5
	exit 1
fi
ok "cmake --install"
for f in bin/gatecrash libexec/gatecrash/gatecrash-kernel.elf \
	libexec/gatecrash/gatecrash-linux-runner share/gatecrash/seeds/minimal \
	share/doc/gatecrash/LICENSE share/doc/gatecrash/testcase-format.md \
	share/man/man1/gatecrash.1; do
	check "installed $f" test -e "$tmp/p/$f"
done

# Moved: nothing may point back into the build or the first prefix.
mv "$tmp/p" "$tmp/moved"
mkdir "$tmp/elsewhere"
cd "$tmp/elsewhere" || exit 1
gc=$tmp/moved/bin/gatecrash
"$gc" --version >out 2>err
check "--version" grep -q '^gatecrash [0-9]' out
"$gc" --help >out 2>err
check "--help names the installed docs" grep -q "Documentation: $tmp/moved/share/doc/gatecrash" out
"$gc" run --backend tcg "$tmp/moved/share/gatecrash/seeds/minimal" >out 2>err
st=$?
check "installed run on installed seeds exits 0 (got $st)" test "$st" -eq 0
check "every installed minimal seed passed" grep -Eq '^([0-9]+) testcases: \1 pass \(' out
# The default seeds of a campaign come from the installed tree too.
"$gc" fuzz --backend tcg --out camp --max-execs 30 >out 2>err
st=$?
check "installed fuzz with default seeds (exit $st)" test "$st" -eq 0 -o "$st" -eq 1
check "campaign saved a corpus" test -n "$(ls camp/corpus 2>/dev/null)"
if command -v man >/dev/null; then
	check "man page renders" sh -c "MANWIDTH=80 man -l '$tmp/moved/share/man/man1/gatecrash.1' 2>/dev/null | grep -q 'EXIT STATUS'"
else
	echo "[SKIP] man page renders: man not installed"
fi
if [ "$fail" -ne 0 ]; then sed 's/^/    /' err | tail -5; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
