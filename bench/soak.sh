#!/usr/bin/env bash
# Soak the hardened profile (every defense on): a campaign that must find
# nothing. Prints execs and findings, and every finding in full; exit 0
# with zero findings, 1 with any, 2 on a harness error.
# usage: soak.sh GATECRASH (--time S | --max-execs N) [fuzz options...]
set -u
gc=$1
shift
out=$(mktemp -d /tmp/gc-soak-XXXXXX)
trap 'rm -rf "$out"' EXIT
start=$(date +%s)
"$gc" fuzz --backend tcg --out "$out/camp" -q "$@"
rc=$?
secs=$(($(date +%s) - start))
execs=$(tail -n 1 "$out/camp/stats.jsonl" 2>/dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["execs"])' \
	2>/dev/null || echo "?")
errors=$(tail -n 1 "$out/camp/stats.jsonl" 2>/dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["errors"])' \
	2>/dev/null || echo "?")
n=0
for d in "$out"/camp/findings/*/; do
	[ -f "$d/signature" ] || continue
	n=$((n + 1))
	echo "FINDING $(basename "$d"): $(cat "$d/signature")"
	sed 's/^/    /' "$d/input.tc"
done
echo "soak: hardened profile, $secs s, $execs execs, $errors errors," \
	"$n findings"
[ "$n" -eq 0 ] || exit 1
[ "$rc" -eq 0 ] || exit 2
exit 0
