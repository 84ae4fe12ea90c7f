#!/usr/bin/env bash
# gatecrash bench --quick --json: one JSON document, keys B1..B8, each an
# object with value, unit and floor (numbers or null). Speed is not checked.
set -eu
out=$("$1" bench --quick --json)
python3 - "$out" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
assert sorted(d) == [f"B{i}" for i in range(1, 9)], sorted(d)
for k, v in d.items():
	for m in ("value", "unit", "floor"):
		assert m in v, f"{k} lacks {m}"
	for m in ("value", "floor"):
		assert v[m] is None or isinstance(v[m], (int, float)), (k, m)
	assert isinstance(v["unit"], str) and v["unit"], k
	print(k, v["value"], v["unit"], "floor", v["floor"])
print("PASS")
PY
