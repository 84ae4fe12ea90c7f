#!/usr/bin/env bash
# The command-line contract scripts rely on (design.md, issue 2): exit
# statuses 0/1/2, one-line errors, --json shapes, convert round trips.
# usage: test_cli.sh GATECRASH SOURCE_DIR
set -u
gc=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "[ OK ] $1"; }
bad() { fail=$((fail + 1)); echo "[FAIL] $1"; }

# expect_status WANT NAME CMD...: run CMD, check its exit status.
expect_status() {
	local want=$1 name=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else
		bad "$name: exit $got, want $want"; sed 's/^/    /' "$tmp/err" | head -5
	fi
}

# one_line_error NAME: the last command's stderr is one "gatecrash: " line.
one_line_error() {
	if [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^gatecrash: ' "$tmp/err"; then
		ok "$1: one-line error"
	else
		bad "$1: stderr is not one 'gatecrash: ' line"; sed 's/^/    /' "$tmp/err" | head -5
	fi
}

json_lines_valid() {
	if python3 -c 'import json,sys
for l in open(sys.argv[1]):
    json.loads(l)' "$tmp/out"; then ok "$1: valid JSON"; else bad "$1: invalid JSON"; fi
}

expect_status 0 "--help" "$gc" --help
grep -q "run" "$tmp/out" && ok "--help lists run" || bad "--help lists run"
for cmd in run convert defenses probe; do
	expect_status 0 "$cmd --help" "$gc" "$cmd" --help
done

expect_status 2 "unknown subcommand" "$gc" frobnicate
one_line_error "unknown subcommand"
expect_status 2 "bad flag" "$gc" run --bogus "$src/seeds/minimal"
one_line_error "bad flag"
expect_status 2 "missing file" "$gc" run "$tmp/does-not-exist.tc"
one_line_error "missing file"
expect_status 2 "unknown defense" "$gc" run --disable no_such_defense "$src/seeds/minimal"
one_line_error "unknown defense"
grep -q "no_such_defense" "$tmp/err" && ok "unknown defense named" || bad "unknown defense named"
expect_status 2 "no files" "$gc" run
one_line_error "no files"

printf 'gatecrash-testcase 1\nmechanism = syscall64\nrax = 0x1\nbogus_field = 3\n' >"$tmp/bad.tc"
expect_status 2 "text syntax error" "$gc" run "$tmp/bad.tc"
one_line_error "text syntax error"
grep -q "line 4" "$tmp/err" && ok "syntax error names line 4" || bad "syntax error names line 4"

expect_status 0 "minimal seeds pass" "$gc" run --json "$src/seeds/minimal"
json_lines_valid "run --json"
nseeds=$(ls "$src"/seeds/minimal/*.tc | wc -l)
[ "$(grep -c '"verdict": *"pass"' "$tmp/out")" -eq "$nseeds" ] && ok "$nseeds pass verdicts" || bad "$nseeds pass verdicts"
for key in file mechanism verdict fields; do
	grep -q "\"$key\"" "$tmp/out" && ok "run --json has $key" || bad "run --json has $key"
done

# Cases of one batch must not see each other's user pages: a pop_ss case
# fills the user stack with its SS; the next, reading the stack, once got
# that in its mechanism run and zeros in its reference (corpus/README.md).
expect_status 0 "no state crosses from one case to the next" "$gc" run \
	--backend tcg "$src/seeds/edge/popss_int80_compat.tc" \
	"$src/corpus/regression/hardened-fp-stack-after-popss.bin"

expect_status 1 "defense off is found" "$gc" run --json --disable sysret_rcx_is_rip \
	"$src/seeds/defenses/sysret_rcx_is_rip.tc"
grep -q '"divergence"' "$tmp/out" && grep -q '"rip"' "$tmp/out" &&
	ok "divergence in rip reported" || bad "divergence in rip reported"
expect_status 1 "text mode finding" "$gc" run --disable entry_clear_df "$src/seeds/defenses/entry_clear_df.tc"
grep -q "divergence" "$tmp/out" && ok "text verdict printed" || bad "text verdict printed"

printf '\001\002\377\377\017' >"$tmp/truncated.bin"
expect_status 0 "truncated binary testcase decodes and runs" "$gc" run "$tmp/truncated.bin"
head -c 4096 /dev/urandom >"$tmp/random.bin"
"$gc" run "$tmp/random.bin" >/dev/null 2>"$tmp/err"
st=$?
[ "$st" -eq 0 ] || [ "$st" -eq 1 ] && ok "random bytes run (exit $st)" || bad "random bytes: exit $st"

# text -> binary -> text gives the canonical text; that text -> binary
# gives the same bytes again.
for seed in "$src"/seeds/defenses/*.tc "$src"/seeds/minimal/*.tc; do
	name=$(basename "$seed" .tc)
	if "$gc" convert "$seed" -o "$tmp/$name.bin" 2>"$tmp/err" &&
		"$gc" convert "$tmp/$name.bin" -o "$tmp/$name.back.tc" 2>>"$tmp/err" &&
		"$gc" convert "$seed" --to text 2>>"$tmp/err" |
			grep -Ev '^(disable|vendor|backend) = ' >"$tmp/$name.canon.tc" &&
		cmp -s "$tmp/$name.back.tc" "$tmp/$name.canon.tc" &&
		"$gc" convert "$tmp/$name.back.tc" -o "$tmp/$name.again.bin" 2>>"$tmp/err" &&
		cmp -s "$tmp/$name.bin" "$tmp/$name.again.bin"; then
		ok "convert round trip $name"
	else
		bad "convert round trip $name"; sed 's/^/    /' "$tmp/err" | head -3
	fi
done

expect_status 0 "defenses --json" "$gc" defenses --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d) >= 5 and all(k in d[0] for k in ("name","case","seed"))' "$tmp/out" &&
	ok "defenses --json shape" || bad "defenses --json shape"
while read -r seedpath; do
	[ -f "$src/$seedpath" ] && ok "defense seed exists: $seedpath" || bad "defense seed missing: $seedpath"
done < <(python3 -c 'import json,sys; [print(d["seed"]) for d in json.load(open(sys.argv[1]))]' "$tmp/out")

# Seeds that need a CPU vendor say so in a context line, so the defense
# switched off shows its bug without --vendor (docs/testcase-format.md).
vendored=$(python3 -c 'import json,sys
[print(d["name"], d["vendor"], d["seed"]) for d in json.load(open(sys.argv[1])) if d.get("vendor")]' "$tmp/out")
while read -r name vendor seed; do
	grep -q "^vendor = $vendor\b" "$src/$seed" && ok "$seed says vendor = $vendor" ||
		bad "$seed does not say vendor = $vendor"
	expect_status 1 "$name shows alone with --disable" "$gc" run --backend tcg \
		--disable "$name" "$src/$seed"
done <<<"$vendored"

# Context lines: disable = is used; --disable none on the command line wins.
{ echo "gatecrash-testcase 1"; echo "disable = sysret_rcx_is_rip"
  grep -v '^gatecrash-testcase' "$src/seeds/defenses/sysret_rcx_is_rip.tc"; } >"$tmp/ctx.tc"
expect_status 1 "a .tc's disable line is used" "$gc" run --backend tcg "$tmp/ctx.tc"
expect_status 0 "--disable none beats the disable line" "$gc" run --backend tcg --disable none "$tmp/ctx.tc"
grep -q "note: .*says disable = sysret_rcx_is_rip; --disable wins" "$tmp/err" &&
	ok "the override is noted" || bad "the override is noted"
printf 'gatecrash-testcase 1\ndisable = no_such_defense\nmechanism = syscall64\n' >"$tmp/ctxbad.tc"
expect_status 2 "unknown defense in a disable line" "$gc" run --backend tcg "$tmp/ctxbad.tc"
one_line_error "unknown defense in a disable line"

# Bad input a person gives: a clear one-line error or a note, and nothing
# that ran nothing counts as success.
: >"$tmp/empty.tc"
expect_status 2 "empty file" "$gc" run --backend tcg "$tmp/empty.tc"
one_line_error "empty file"
printf 'gatecrash-testcase 1\n# E2: set-return-state from sysen' >"$tmp/cut.tc"
expect_status 2 "text testcase cut in a comment" "$gc" run --backend tcg "$tmp/cut.tc"
one_line_error "text testcase cut in a comment"
grep -q "cut short" "$tmp/err" && ok "cut short is named" || bad "cut short is named"
mkdir "$tmp/emptydir"
expect_status 2 "empty directory" "$gc" run --backend tcg "$tmp/emptydir"
one_line_error "empty directory"
mkdir -p "$tmp/mixed/sub"
cp "$src/seeds/minimal/syscall64.tc" "$tmp/mixed/sub/"
echo "# notes" >"$tmp/mixed/README.md"
echo '{"t": 1}' >"$tmp/mixed/stats.jsonl"
ln -s .. "$tmp/mixed/sub/loop"
ln -s "$tmp/mixed" "$tmp/mixed/sub/again"
expect_status 0 "directory with non-testcases and symlink loops" "$gc" run --backend tcg "$tmp/mixed"
grep -q "^1 testcase: 1 pass" "$tmp/out" && ok "only the testcase ran" || bad "only the testcase ran"
grep -q "note: .*skipped 2 files that are not testcases" "$tmp/err" && ok "skipped files noted" ||
	bad "skipped files noted"
grep -q "note: .*skipped 2 symbolic links" "$tmp/err" && ok "links not followed, noted" ||
	bad "links not followed, noted"
ln -s self "$tmp/self"
expect_status 2 "symlink loop named" "$gc" run --backend tcg "$tmp/self"
one_line_error "symlink loop named"
cp "$src/seeds/minimal/syscall64.tc" "$tmp/café.tc"
expect_status 0 "UTF-8 file name" "$gc" run --backend tcg --json "$tmp/café.tc"
python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); assert d["file"].endswith("café.tc"), d["file"]' "$tmp/out" &&
	ok "UTF-8 file name survives into JSON" || bad "UTF-8 file name survives into JSON"
"$gc" convert - --to binary <"$src/seeds/minimal/syscall64.tc" >"$tmp/stdin.bin" 2>"$tmp/err"
"$gc" convert "$src/seeds/minimal/syscall64.tc" --to binary -o "$tmp/file.bin" 2>>"$tmp/err"
cmp -s "$tmp/stdin.bin" "$tmp/file.bin" && ok "convert - reads stdin" || bad "convert - reads stdin"

expect_status 0 "probe tcg" "$gc" probe --backend tcg --json
grep -q '"usable": true' "$tmp/out" && ok "tcg usable" || bad "tcg usable"
expect_status 2 "missing qemu" "$gc" run --qemu "$tmp/no-qemu" "$src/seeds/minimal"
one_line_error "missing qemu"
expect_status 2 "missing kernel" "$gc" run --kernel "$tmp/no-kernel.elf" "$src/seeds/minimal"
one_line_error "missing kernel"

# fuzz --out that cannot be created (root ignores permission bits, so:
# under a regular file, and on /proc).
touch "$tmp/plain-file"
expect_status 2 "fuzz --out under a file" "$gc" fuzz --backend tcg --out "$tmp/plain-file/camp" --max-execs 10
one_line_error "fuzz --out under a file"
expect_status 2 "fuzz --out unwritable" "$gc" fuzz --backend tcg --out /proc/gatecrash-camp --max-execs 10
one_line_error "fuzz --out unwritable"
grep -q "cannot create /proc/gatecrash-camp" "$tmp/err" && ok "unwritable --out named" || bad "unwritable --out named"

# --backend kvm on a host without /dev/kvm: an empty /dev in a private
# mount namespace (skipped where unshare is not allowed).
if unshare -m true 2>/dev/null; then
	expect_status 2 "kvm without /dev/kvm" unshare -m sh -c 'mount -t tmpfs none /dev && exec "$0" run --backend kvm "$1"' "$gc" "$src/seeds/minimal"
	one_line_error "kvm without /dev/kvm"
	grep -q "/dev/kvm not found.*use --backend tcg" "$tmp/err" && ok "kvm: says what to do" || bad "kvm: says what to do"
else
	echo "[SKIP] kvm without /dev/kvm: unshare -m not permitted"
fi

# --json on fuzz, repro and minimize: one object each, with the figures
# the text form prints.
expect_status 1 "fuzz --json finds" "$gc" fuzz --json -q --backend tcg --max-execs 3000 \
	--seed-rng 3 --disable sysret_rcx_is_rip --out "$tmp/jcamp"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["execs"] == 3000 and d["findings"]["divergence"] > 0 and d["engine"] == "builtin", d' "$tmp/out" &&
	ok "fuzz --json shape" || bad "fuzz --json shape"
finding=$(ls -d "$tmp"/jcamp/findings/*/ | head -1)
expect_status 1 "repro --json" "$gc" repro --json --times 3 "$finding"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["reproduced"] == 3 and d["times"] == 3 and d["disabled"] == "sysret_rcx_is_rip" and d["verdict"] == "divergence" and d["bucket"] == d["recorded_bucket"], d' "$tmp/out" &&
	ok "repro --json shape" || bad "repro --json shape"
expect_status 0 "minimize --json" "$gc" minimize --json --times 3 "$finding"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["fields_after"] <= d["fields_before"] and d["output"] is None and "disable = sysret_rcx_is_rip" in d["testcase"], d' "$tmp/out" &&
	ok "minimize --json shape" || bad "minimize --json shape"
expect_status 2 "reproducer takes no --json" "$gc" reproducer --json "$finding"
one_line_error "reproducer takes no --json"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
