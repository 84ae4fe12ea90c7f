#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
The README's worked examples, run (issue 16): every `    $ CMD` line of
README.md whose command is ./build/harness/gatecrash, cat or `echo $?` is
run from the source tree and its output compared with the lines the README
shows under it, so the README cannot drift from what the program prints.

What depends on timing is masked on both sides: a number followed by /s,
s, ms or testcases/s, and dates; runs of spaces compare as one. A README line "..." stands for any number
of lines; "..." inside a line for any text.

usage: test_readme.py GATECRASH SOURCE_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

GC_PREFIX = "./build/harness/gatecrash"


def examples(readme):
    """(line number, command, expected output lines) in README order."""
    lines = open(readme, encoding="utf-8").read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = re.match(r"^    \$ (.*)$", lines[i])
        if not m:
            i += 1
            continue
        start, cmd, want = i + 1, m.group(1), []
        i += 1
        while i < len(lines) and not lines[i].startswith("    $ ") and (
                lines[i].startswith("    ") or not lines[i].strip()):
            want.append(lines[i][4:])
            i += 1
        while want and not want[-1].strip():
            want.pop()
        out.append((start, cmd, want))
    return out


TIMING = re.compile(r"\d[\d.,]*(?=(/s\b| s\b| ms\b| testcases/s| µs))")
DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")


def mask(line):
    """Timing masked; runs of spaces (a table's column widths) as one."""
    return " ".join(DATE.sub("DATE", TIMING.sub("N", line)).split())


def line_matches(want, got):
    want, got = mask(want), mask(got)
    if "..." not in want:
        return want == got
    pattern = ".*".join(re.escape(part) for part in want.split("..."))
    return re.fullmatch(pattern, got) is not None


def matches(want, got):
    """want against got in order; a "..." line skips any lines."""
    if not want:
        return True
    if want[0].strip() == "...":
        return any(matches(want[1:], got[k:]) for k in range(len(got) + 1))
    return bool(got) and line_matches(want[0], got[0]) and \
        matches(want[1:], got[1:])


def main():
    gc, src = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp()
    last_rc, failed, ran = 0, 0, 0
    try:
        for lineno, cmd, want in examples(os.path.join(src, "README.md")):
            if cmd == "echo $?":
                got = [str(last_rc)]
            elif cmd.startswith(GC_PREFIX + " ") or cmd.startswith("cat "):
                argv = cmd.replace("/tmp/demo", tmp + "/demo").split()
                if argv[0] == GC_PREFIX:
                    argv[0] = gc
                p = subprocess.run(argv, cwd=src, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
                last_rc = p.returncode
                got = p.stdout.decode("utf-8", "replace").rstrip(
                    "\n").split("\n")
                got = [g.replace(tmp + "/demo", "/tmp/demo") for g in got]
            else:
                print("[SKIP] README.md:%d: %s (not a gatecrash example)"
                      % (lineno, cmd))
                continue
            ran += 1
            if matches(want, got):
                print("[ OK ] README.md:%d: %s" % (lineno, cmd))
                continue
            failed += 1
            print("[FAIL] README.md:%d: %s\n  README shows:\n%s\n"
                  "  the program printed:\n%s" % (
                      lineno, cmd,
                      "\n".join("    " + w for w in want),
                      "\n".join("    " + g for g in got[:40])))
    finally:
        shutil.rmtree(tmp)
    print("%d examples, %d differ" % (ran, failed))
    return 1 if failed or not ran else 0


if __name__ == "__main__":
    sys.exit(main())
