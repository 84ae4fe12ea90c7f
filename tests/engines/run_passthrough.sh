#!/usr/bin/env bash
# run_passthrough.sh GATECRASH SOURCE_DIR
#
# The external engines as a libFuzzer or AFL++ user drives them:
#   - `gatecrash fuzz --engine libfuzzer -- -runs=N` passes the flag (the
#     run stops at N executions with no --max-execs of ours);
#   - `gatecrash fuzz --engine afl -- -E N` passes the option likewise;
#   - the raw gatecrash-libfuzzer runs a .tc seed as text (the seed of a
#     defense, with that defense off, is a finding) and starts without the
#     missing-sanitizer warnings;
#   - afl-showmap on gatecrash-afl leaves no findings/ in its directory.
# What is not installed is skipped with its reason; nothing installed at
# all is a skip (exit 77).
set -u
gatecrash=$1 src=$2
bindir=$(cd "$(dirname "$gatecrash")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/gc-passthrough-XXXXXX")
ran=0 bad=0
ok() { echo "ok: $*"; ran=$((ran + 1)); }
no() { echo "FAIL: $*"; bad=$((bad + 1)); }
seed=$src/seeds/defenses/sysret_rcx_is_rip.tc

if [ -x "$bindir/gatecrash-libfuzzer" ]; then
	out=$("$gatecrash" fuzz --engine libfuzzer --backend tcg -q \
		--out "$work/lf" -- -runs=150 2>&1)
	echo "$out" | grep '^fuzz:'
	echo "$out" | grep -q '^fuzz: libfuzzer ran .*, 150 execs' &&
		ok "libfuzzer: -- -runs=150 ran 150" ||
		no "libfuzzer: -- -runs=150 not passed through"
	mkdir "$work/raw" && cd "$work/raw" || exit 2
	log=$(GATECRASH_DISABLE=sysret_rcx_is_rip "$bindir/gatecrash-libfuzzer" \
		"$seed" 2>&1)
	cd - >/dev/null || exit 2
	echo "$log" | grep -q 'INFO: Seed:' || no "gatecrash-libfuzzer did not start"
	echo "$log" | grep -q 'Failed to find function' &&
		no "gatecrash-libfuzzer warns about sanitizer functions" ||
		ok "gatecrash-libfuzzer starts without sanitizer warnings"
	echo "$log" | grep -q '^gatecrash: finding .*(not saved: GATECRASH_OUT is not set)' &&
		ok "gatecrash-libfuzzer reads a .tc seed as text" ||
		{ echo "$log" | tail -5; no "the .tc seed was not run as its text"; }
	[ -e "$work/raw/findings" ] && no "gatecrash-libfuzzer wrote ./findings" ||
		ok "gatecrash-libfuzzer wrote nothing without GATECRASH_OUT"
else
	echo "skipped libfuzzer: gatecrash-libfuzzer not built (needs clang, libclang-rt-14-dev)"
fi

if [ -x "$bindir/gatecrash-afl" ] && command -v afl-fuzz >/dev/null; then
	out=$("$gatecrash" fuzz --engine afl --backend tcg -q --time 100 \
		--out "$work/afl" -- -E 300 2>&1)
	echo "$out" | grep '^fuzz:'
	execs=$(sed -n 's/^execs_done *: //p' "$work/afl/engine/afl/main/fuzzer_stats")
	[ -n "$execs" ] && [ "$execs" -ge 300 ] && [ "$execs" -lt 2000 ] &&
		ok "afl: -- -E 300 stopped afl-fuzz at $execs execs" ||
		no "afl: -- -E 300 not passed through (execs_done ${execs:-none})"
	mkdir "$work/showmap" && cd "$work/showmap" || exit 2
	# afl-showmap refuses ASAN_OPTIONS without these two (ASan build).
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}abort_on_error=1:symbolize=0" \
	GATECRASH_BACKEND=tcg AFL_NO_AFFINITY=1 afl-showmap -q -t 30000 -o map.txt \
		-- "$bindir/gatecrash-afl" <"$seed" >/dev/null 2>&1
	cd - >/dev/null || exit 2
	[ -s "$work/showmap/map.txt" ] || no "afl-showmap gave no map"
	[ -e "$work/showmap/findings" ] && no "afl-showmap left ./findings" ||
		ok "afl-showmap on gatecrash-afl leaves no ./findings"
else
	echo "skipped afl: gatecrash-afl or afl-fuzz missing (needs Debian's afl++)"
fi

echo "$ran passed, $bad failed"
if [ $bad = 0 ]; then rm -rf "$work"; fi
[ $bad = 0 ] || { echo "kept $work"; exit 1; }
[ $ran -gt 0 ] || { echo "SKIP: neither external engine is built"; exit 77; }
exit 0
