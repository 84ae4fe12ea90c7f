#!/usr/bin/env bash
# Two AFL++ "machines" on one host, synchronized exactly as docs/fuzzing.md
# ("Several machines") says: each runs `gatecrash fuzz --engine afl` on its
# own campaign directory with its own GATECRASH_AFL_HOST, the main
# instances' queue/ directories are copied both ways with rsync, and each
# runs again. Every defense is on; A starts from the int80 seeds, B from
# the syscall ones, so each side has inputs the other has never run.
#
#   run_afl_sync.sh GATECRASH BUDGET
#
# Passes when each side's queue holds entries imported from the other
# (id:...,sync:main-<peer>,...) and each OUT/corpus gained inputs that
# came from the other side. Exit 77 (skip) without AFL++ or rsync.
set -u
gatecrash=$1 budget=$2
bindir=$(dirname "$gatecrash")
seeds=$(cd "$(dirname "$0")/../../seeds/minimal" && pwd)

skip() { echo "SKIP: $*"; exit 77; }
[ -x "$bindir/gatecrash-afl" ] ||
	skip "gatecrash-afl not built (needs Debian's afl++)"
command -v afl-fuzz >/dev/null || skip "afl-fuzz not installed"
command -v rsync >/dev/null || skip "rsync not installed (tests/setup.sh)"

top=$(mktemp -d "${TMPDIR:-/tmp}/gc-afl-sync-XXXXXX")
finish() {
	if [ "$1" = PASS ]; then rm -rf "$top"; else
		echo "campaigns kept in $top"; tail -n 5 "$top"/*.log; fi
	echo "$1"
	[ "$1" = PASS ]
	exit
}

mkdir -p "$top/seeds-A" "$top/seeds-B"
cp "$seeds"/int80_*.tc "$top/seeds-A/"
cp "$seeds"/syscall*.tc "$top/seeds-B/"

# Both machines at once, as they would run; $1 names the round.
fuzz_both() {
	local host rc pids=() rng=$(($1 * 2))
	for host in A B; do
		rng=$((rng + 1))
		GATECRASH_AFL_HOST=$host "$gatecrash" fuzz --engine afl \
			--backend tcg --out "$top/$host" \
			--seeds "$top/seeds-$host" --max-execs "$budget" \
			--seed-rng $rng -q >"$top/$host-$1.log" 2>&1 &
		pids+=($!)
	done
	# Exit 1 (findings) is not this test's subject: on a loaded machine
	# a case can overrun the hang deadline. 2 is an error.
	for pid in "${pids[@]}"; do
		wait "$pid"
		rc=$?
		[ $rc -le 1 ] || { echo "round $1: exit $rc"; finish FAIL; }
	done
	grep -h '^fuzz:' "$top"/?-"$1".log
}

# The documented exchange: machine X's main instance's queue/ into the
# other's sync directory (over ssh between real machines).
exchange() {
	rsync -a "$top/A/engine/afl/main-A/queue" "$top/B/engine/afl/main-A/"
	rsync -a "$top/B/engine/afl/main-B/queue" "$top/A/engine/afl/main-B/"
}

fuzz_both 1
ls "$top/A/corpus" >"$top/A-corpus-1"
ls "$top/B/corpus" >"$top/B-corpus-1"
exchange
fuzz_both 2

# $1 imported from $2: queue entries, and corpus inputs new in round 2
# that $2 already had after round 1.
check() {
	local synced got
	synced=$(ls "$top/$1/engine/afl/main-$1/queue" | grep -c ",sync:main-$2,")
	got=$(ls "$top/$1/corpus" | sort | comm -23 - <(sort "$top/$1-corpus-1") |
		comm -12 - <(sort "$top/$2-corpus-1") | wc -l)
	echo "$1: $synced queue entries synced from main-$2," \
		"corpus $(wc -l <"$top/$1-corpus-1") ->" \
		"$(ls "$top/$1/corpus" | wc -l), $got inputs of $2's"
	[ "$synced" -ge 1 ] && [ "$got" -ge 1 ]
}

ok=1
check A B || ok=0
check B A || ok=0
[ $ok = 1 ] && finish PASS
finish FAIL
