#!/bin/bash
# Usage: planted_bug.sh GATECRASH KERNEL_ELF
# Issue 18's planted bug (GC_SELFTEST_COMPAT_INT80_NR: compat int $0x80
# without the syscall number's zero extension) through a campaign and its
# triage: every bucket keeps at most 5 findings and reports its hits, and the "state gpr"
# bucket's minimized testcase names RAX as the diverging register, with
# the bug's carrier, bits set in RAX[63:32], in its input.
set -eu
G=$1
ELF=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
[ -r "$ELF" ] || { echo "SKIP: no planted-bug kernel at $ELF"; exit 77; }
rc=0
"$G" fuzz -q --kernel "$ELF" --max-execs 20000 --seed-rng 1 \
	--out "$T/camp" >/dev/null || rc=$?
[ "$rc" = 1 ] || fail "fuzz on the planted bug exited $rc, expected findings"
rc=0
"$G" triage --kernel "$ELF" --format json -o "$T/report.json" "$T/camp" ||
	rc=$?
[ "$rc" = 1 ] || fail "triage exited $rc"
python3 - "$T/report.json" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
ok, named = True, False
for b in r['buckets']:
    fields = [d['field'] for d in b['replay']['diffs']]
    print('bucket: %s, %d findings, %s hits, minimized diff %s' % (
        b['signature'], b['count'], b['hits'], ','.join(fields)))
    if b['count'] > 5:
        print('FAIL: %s keeps %d findings' % (b['signature'], b['count']))
        ok = False
    # findings/index's hits: at least what was kept, and the flood counted
    if b['hits'] is None or b['hits'] < b['count']:
        print('FAIL: %s hits %s for %d findings' % (b['signature'], b['hits'], b['count']))
        ok = False
    if not b['signature'].endswith('state gpr'):
        continue
    m = re.search(r'^rax = (0x[0-9a-f]+)', b['minimized'], re.M)
    if fields == ['rax'] and m and int(m.group(1), 16) >> 32:
        named = True
if not named:
    print('FAIL: no "state gpr" bucket whose minimized testcase shows '
          'RAX with its upper half set and RAX alone diverging')
sys.exit(0 if ok and named else 1)
PY
echo PASS
