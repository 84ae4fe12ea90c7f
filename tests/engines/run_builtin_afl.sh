#!/usr/bin/env bash
# run_builtin_afl.sh GATECRASH
#
# A built-in engine campaign's --out directory works with afl-whatsup and
# afl-plot (check_afl_tools.sh) while it runs and after it ends. Exit 77
# (skip) when AFL++'s scripts or gnuplot are not installed.
set -u
gatecrash=$1
here=$(dirname "$0")
out=$(mktemp -d "${TMPDIR:-/tmp}/gc-builtin-afl-XXXXXX")
log=$out.log

"$gatecrash" fuzz --backend tcg --out "$out" --time 12 --seed-rng 1 -q \
	>"$log" 2>&1 &
pid=$!
# The first fuzzer_stats is written before the first execution; the
# second sample, 5 s in, gives afl-plot its two points.
for _ in $(seq 100); do
	[ "$(grep -c '' "$out/plot_data" 2>/dev/null)" -ge 3 ] && break
	sleep 0.2
done
"$here/check_afl_tools.sh" "$out" alive
rc_alive=$?
wait $pid
rc_fuzz=$?
"$here/check_afl_tools.sh" "$out"
rc_done=$?
echo "fuzz exit $rc_fuzz; afl tools while running: $rc_alive, after: $rc_done"
if [ $rc_alive = 77 ] || [ $rc_done = 77 ]; then rm -rf "$out" "$log"; exit 77; fi
if [ $rc_fuzz = 0 ] && [ $rc_alive = 0 ] && [ $rc_done = 0 ]; then
	rm -rf "$out" "$log"
	echo PASS
	exit 0
fi
echo "campaign kept in $out, log $log"
tail -5 "$log"
echo FAIL
exit 1
