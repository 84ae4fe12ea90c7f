#!/usr/bin/env bash
# check_afl_tools.sh OUT [alive]
#
# OUT (a campaign directory, as given to --out) works with AFL++'s own
# scripts: afl-whatsup finds OUT/fuzzer_stats and sums its executions,
# afl-plot draws OUT/plot_data with gnuplot. With "alive" the campaign is
# still running and afl-whatsup must count it alive. Exit 0 when both work,
# 77 (skip) when afl-whatsup, afl-plot or gnuplot is not installed, 1
# otherwise. run_engine.sh and run_builtin_afl.sh call it.
set -u
out=$1 alive=${2:-}

for tool in afl-whatsup afl-plot gnuplot; do
	command -v $tool >/dev/null ||
		{ echo "SKIP: $tool not installed (tests/setup.sh installs it)"; exit 77; }
done
[ -s "$out/fuzzer_stats" ] || { echo "no $out/fuzzer_stats"; exit 1; }
[ -s "$out/plot_data" ] || { echo "no $out/plot_data"; exit 1; }

# Every key afl-whatsup reads, as "key : number" (it sources the file).
for key in start_time run_time fuzzer_pid execs_done execs_per_sec \
	corpus_count cur_item pending_total pending_favs saved_crashes \
	last_find last_crash last_hang exec_timeout cycles_wo_finds; do
	grep -Eq "^$key +: -?[0-9.]+%?\$" "$out/fuzzer_stats" ||
		{ echo "fuzzer_stats: no numeric $key"; exit 1; }
done
execs=$(sed -n 's/^execs_done *: //p' "$out/fuzzer_stats")

summary=$(TERM=dumb afl-whatsup -d -s "$out" 2>/dev/null)
echo "$summary" | grep -E "alive|Dead|Total execs|speed"
if [ "$alive" = alive ]; then
	echo "$summary" | grep -Eq "Fuzzers alive : 1\b" ||
		{ echo "afl-whatsup does not see the running campaign"; exit 1; }
else
	echo "$summary" | grep -Eq "Dead or remote : 1 " ||
		{ echo "afl-whatsup does not see the finished campaign"; exit 1; }
fi
# "Total execs : N thousands" (or millions): whatever N, not the zero of
# an empty directory unless the campaign really ran fewer than 1000.
want=$((execs / 1000 % 1000))
echo "$summary" | grep -Eq "Total execs : ([0-9]+ millions, )?$want thousands|Total execs : [0-9]+ millions" ||
	{ echo "afl-whatsup's total is not execs_done $execs"; exit 1; }

plots=$(mktemp -d "${TMPDIR:-/tmp}/gc-afl-plot-XXXXXX")
if ! afl-plot "$out" "$plots/p" >"$plots.log" 2>&1; then
	echo "afl-plot failed:"; cat "$plots.log"; rm -rf "$plots" "$plots.log"; exit 1
fi
for png in high_freq low_freq exec_speed edges; do
	[ -s "$plots/p/$png.png" ] ||
		{ echo "afl-plot drew no $png.png"; rm -rf "$plots" "$plots.log"; exit 1; }
done
echo "afl-plot: $(ls "$plots/p" | tr '\n' ' ')from $(($(wc -l <"$out/plot_data") - 1)) samples"
rm -rf "$plots" "$plots.log"
exit 0
