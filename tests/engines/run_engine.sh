#!/usr/bin/env bash
# The external engines end to end through `gatecrash fuzz --engine`, on the
# real test kernel (tcg), from seeds/minimal only, one job, a fixed
# execution budget and RNG seed:
#
#   run_engine.sh GATECRASH ENGINE find DEFENSE CLASS BUDGET
#       that defense off: a finding of CLASS lands in OUT/findings, and its
#       input passes with every defense on (it is the defense's doing)
#   run_engine.sh GATECRASH ENGINE hardened BUDGET
#       every defense on: no finding
#
# Both modes also check OUT/stats.jsonl (every line a JSON object with the
# built-in engine's keys, the last one counting executions), that the
# summary gives the executions, and that afl-whatsup and afl-plot work on
# OUT itself (check_afl_tools.sh; skipped without them). Prints the executions to the first
# finding. Exit 77 (skip) when the engine's binary or fuzzer is not
# installed.
set -u
gatecrash=$1 engine=$2 mode=$3
shift 3
bindir=$(dirname "$gatecrash")

skip() { echo "SKIP: $*"; exit 77; }
case $engine in
libfuzzer) [ -x "$bindir/gatecrash-libfuzzer" ] ||
	skip "gatecrash-libfuzzer not built (needs clang, libclang-rt-14-dev)" ;;
afl) [ -x "$bindir/gatecrash-afl" ] ||
	skip "gatecrash-afl not built (needs Debian's afl++)"
	command -v afl-fuzz >/dev/null || skip "afl-fuzz not installed" ;;
esac

out=$(mktemp -d "${TMPDIR:-/tmp}/gc-engines-XXXXXX")
log=$out.log
finish() {
	if [ "$1" = PASS ]; then rm -rf "$out" "$log"; else
		echo "campaign kept in $out, log $log"; tail -20 "$log"; fi
	echo "$1"
	[ "$1" = PASS ]
	exit
}

# Executions to the first finding, as the engine counted them.
first_exec() {
	if [ "$engine" = afl ]; then
		ls "$out"/engine/afl/*/crashes 2>/dev/null |
			sed -n 's/.*,execs:\([0-9]*\),.*/\1/p' | sort -n | head -1
	else
		sed -n 's/^gatecrash: finding .* after \([0-9]*\) execs.*/\1/p' \
			"$out/engine/libfuzzer/log" | head -1
	fi
}

run() { # disable budget
	local disable=()
	[ -n "$1" ] && disable=(--disable "$1")
	"$gatecrash" fuzz --engine "$engine" --backend tcg --out "$out" \
		"${disable[@]}" --max-execs "$2" --seed-rng 1 -q >"$log" 2>&1
}

# stats.jsonl and the summary's execution count.
check_stats() {
	grep -q '^fuzz: .* [0-9][0-9]* execs (' "$log" ||
		{ echo "summary without executions"; return 1; }
	python3 - "$out/stats.jsonl" <<'EOF'
import json, sys
keys = ("time", "elapsed_s", "execs", "execs_per_s", "corpus", "coverage",
	"coverage_total", "features", "jobs", "errors", "findings")
classes = {"hazard", "divergence", "kernel_fault", "hang", "vm_crash"}
lines = open(sys.argv[1]).read().splitlines()
for line in lines:
	d = json.loads(line)
	missing = [k for k in keys if k not in d]
	assert not missing, f"missing {missing}: {line}"
	assert set(d["findings"]) == classes, line
last = json.loads(lines[-1])
assert isinstance(last["execs"], int) and last["execs"] > 0, lines[-1]
# Progress while the fuzzer runs moves (AFL++ alone publishes nothing new
# in its first minute): three samples before the last are not all equal.
during = [json.loads(l)["execs"] for l in lines[:-1]]
during = [e for e in during if e is not None]
assert len(during) < 3 or len(set(during)) > 1, f"frozen progress: {during}"
print(f"stats.jsonl: {len(lines)} lines, last: execs {last['execs']}, "
      f"{last['execs_per_s']}/s, corpus {last['corpus']}")
EOF
	[ $? = 0 ] || return 1
	"$(dirname "$0")/check_afl_tools.sh" "$out"
	case $? in 0) ;; 77) echo "(afl tools check skipped)" ;; *) return 1 ;; esac
}

if [ "$mode" = hardened ]; then
	run "" "$1"
	rc=$?
	n=$(ls "$out/findings" | wc -l)
	grep '^fuzz:' "$log"
	echo "$engine hardened: exit $rc, $n findings in $1 execs"
	check_stats || finish FAIL
	[ $rc = 0 ] && [ "$n" = 0 ] && finish PASS
	finish FAIL
fi

defense=$1 class=$2 budget=$3
# The budget bounds the search; AFL++ would run all of it even after the
# first crash, which under load takes minutes. Stop at the first one.
[ "$engine" = afl ] && export AFL_BENCH_UNTIL_CRASH=1
run "$defense" "$budget"
rc=$?
grep '^fuzz:' "$log"
[ $rc = 1 ] || { echo "exit status $rc, want 1 (findings)"; finish FAIL; }
check_stats || finish FAIL
for dir in "$out"/findings/*/; do
	grep -q "\"verdict\":\"$class\"" "$dir/verdict.json" || continue
	# With every defense on the same input must pass.
	if "$gatecrash" run --backend tcg "$dir/input.bin" >/dev/null 2>&1; then
		echo "$engine $defense: $(cat "$dir/signature")," \
			"first finding after $(first_exec) execs"
		finish PASS
	fi
done
echo "$engine $defense: no $class finding that passes hardened in $budget execs"
finish FAIL
