#!/usr/bin/env bash
# The test command (README): set up, build, run every ctest suite, then
# the same suites again with the host code under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/setup.sh
jobs=$(nproc)

cmake -S . -B build -DGC_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure)

cmake -S . -B build-asan -DGC_SANITIZE=ON -DGC_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure)
