#!/usr/bin/env bash
# The test command (README): set up, build, run every ctest suite, then
# the same suites again with the host code under ASan+UBSan. Both halves
# run whatever the first one gives, so one failure never hides the other;
# the script fails at the end if either did.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
jobs=$(nproc)

# One half: configure, build and test in build dir $1 with cmake flags
# $2..; returns non-zero if any step failed.
half() {
	local dir=$1
	shift
	cmake -S . -B "$dir" -DGC_WERROR=ON "$@" >/dev/null &&
		cmake --build "$dir" -j"$jobs" &&
		(cd "$dir" && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure)
}

failed=()
half build || failed+=("build (plain)")
half build-asan -DGC_SANITIZE=ON || failed+=("build-asan (ASan+UBSan)")

if ((${#failed[@]})); then
	printf 'run-all: FAILED: %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "run-all: both halves passed"
