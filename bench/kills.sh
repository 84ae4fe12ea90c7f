#!/usr/bin/env bash
# The long version of the crash-safety test: SIGKILL a campaign at random
# moments N times (default 200), checking findings, corpus, stats.jsonl
# and QEMU processes after each kill (tests/reliability/kill_campaign.py).
# usage: kills.sh GATECRASH [N [SEED]]
exec python3 "$(dirname "$0")/../tests/reliability/kill_campaign.py" "$1" \
	--kills "${2:-200}" --seed "${3:-$RANDOM}"
