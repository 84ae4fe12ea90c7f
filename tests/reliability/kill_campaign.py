#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Crash-safe campaigns: SIGKILL a running `gatecrash fuzz` at random
moments, restart it each time, and check after every kill that

  - every finding ever seen is still on disk and whole: input.bin converts
    (decodes), input.tc parses back (gatecrash convert), verdict.json is
    JSON, signature is one line;
  - the corpus only grows, and a restarted campaign loads all of it;
  - stats.jsonl is valid JSON on every line, execs never go backwards;
  - findings/index: at most 5 findings kept per bucket, hit counts never
    go backwards, and after the clean run its kept counts are the disk's;
  - no QEMU of the killed harness is still running (PR_SET_PDEATHSIG).

A defense is off so findings appear. Ends with a clean run, which must
resume and write its final stats line.

usage: kill_campaign.py GATECRASH [--kills N] [--seed S] [--max-run S]
exit: 0 ok, 1 a check failed, 77 no QEMU (skip).
"""
import argparse
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TAG = "GC_RELIABILITY_KILL=%d" % os.getpid()


def qemu_running():
    """Running (not zombie) QEMUs that carry our environment tag."""
    n = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                stat = f.read()
            if "(qemu-system" not in stat:
                continue
            if stat[stat.rindex(")") + 2] in "ZX":
                continue
            with open("/proc/%s/environ" % pid, "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if TAG.encode() in env:
            n += 1
    return n


def check_finding(gc, d, tmp):
    """'' if the finding directory d is whole, else what is wrong."""
    for name in ("input.bin", "input.tc", "verdict.json", "signature"):
        if not os.path.isfile(os.path.join(d, name)):
            return "missing " + name
    out = os.path.join(tmp, "conv.tc")
    r = subprocess.run([gc, "convert", os.path.join(d, "input.bin"),
                        "--to", "text", "-o", out], capture_output=True)
    if r.returncode:
        return "input.bin does not decode: %s" % r.stderr.decode()
    r = subprocess.run([gc, "convert", os.path.join(d, "input.tc"),
                        "--to", "binary", "-o", out + ".bin"],
                       capture_output=True)
    if r.returncode:
        return "input.tc does not parse: %s" % r.stderr.decode()
    with open(os.path.join(d, "input.bin"), "rb") as a, \
            open(out + ".bin", "rb") as b:
        if a.read() != b.read():
            return "input.tc and input.bin differ"
    try:
        with open(os.path.join(d, "verdict.json")) as f:
            json.load(f)
    except ValueError as e:
        return "verdict.json: %s" % e
    with open(os.path.join(d, "signature")) as f:
        sig = f.read()
    if not sig.endswith("\n") or sig.count("\n") != 1:
        return "signature is not one line"
    return ""


def check_stats(path, last_execs):
    """Highest execs in stats.jsonl; raises on a bad line or a step back."""
    execs = 0
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        for i, line in enumerate(f, 1):
            rec = json.loads(line)  # ValueError on a torn line
            if rec["execs"] < execs:
                raise ValueError("line %d: execs %d < %d" %
                                 (i, rec["execs"], execs))
            execs = rec["execs"]
    if execs < last_execs:
        raise ValueError("execs went back from %d to %d" %
                         (last_execs, execs))
    return execs


def corpus_files(out):
    return set(os.path.basename(p)
               for p in glob.glob(os.path.join(out, "corpus", "*.bin")))


class Failed(Exception):
    pass


def start(gc, out, extra, log):
    env = dict(os.environ)
    k, v = TAG.split("=")
    env[k] = v
    return subprocess.Popen([gc, "fuzz", "--backend", "tcg", "--out", out,
                             "--disable", "sysret_rcx_is_rip", "-q"] + extra,
                            stdout=log, stderr=log, env=env)


KEEP_PER_BUCKET = 5  # the engine's BUCKET_KEEP


def check_index(out, state, exact):
    """findings/index: whole lines, at most KEEP_PER_BUCKET kept per bucket
    on disk, hits never below kept nor going backwards. exact: after a
    clean exit, kept equals the directories of the bucket."""
    on_disk = {}
    for p in glob.glob(os.path.join(out, "findings", "*", "bucket")):
        with open(p) as f:
            b = f.read().strip()
        on_disk[b] = on_disk.get(b, 0) + 1
    for b, n in on_disk.items():
        if n > KEEP_PER_BUCKET:
            raise Failed("bucket %s: %d findings kept" % (b, n))
    path = os.path.join(out, "findings", "index")
    if not os.path.exists(path):
        if exact and on_disk:
            raise Failed("no findings/index after a clean run")
        return
    hits = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            h, k, b = line.rstrip("\n").split("\t", 2)
            hits[b] = int(h)
            if int(h) < int(k):
                raise Failed("index: %s: %s hits < %s kept" % (b, h, k))
            if exact and int(k) != on_disk.get(b, 0):
                raise Failed("index: %s: %s kept, %d on disk" %
                             (b, k, on_disk.get(b, 0)))
    for b, h in state["hits"].items():
        if hits.get(b, 0) < h:
            raise Failed("index: %s hits went back from %d to %d" %
                         (b, h, hits.get(b, 0)))
    state["hits"] = hits


def after_kill(gc, out, tmp, seen, state, exact=False):
    """Every check that must hold after a kill."""
    deadline = time.time() + 2.0
    while qemu_running() and time.time() < deadline:
        time.sleep(0.01)
    if qemu_running():
        raise Failed("%d QEMU still running after the kill" % qemu_running())
    now = set(os.path.basename(os.path.dirname(p))
              for p in glob.glob(os.path.join(out, "findings", "*", ""))
              if not os.path.basename(os.path.dirname(p)).startswith("."))
    lost = seen - now
    if lost:
        raise Failed("findings lost: %s" % sorted(lost))
    for name in sorted(now - state["checked"]):
        why = check_finding(gc, os.path.join(out, "findings", name), tmp)
        if why:
            raise Failed("finding %s: %s" % (name, why))
        state["checked"].add(name)
    seen |= now
    corpus = corpus_files(out)
    if not state["corpus"] <= corpus:
        raise Failed("corpus files lost: %s" %
                     sorted(state["corpus"] - corpus)[:5])
    state["corpus"] = corpus
    check_index(out, state, exact)
    try:
        state["execs"] = check_stats(os.path.join(out, "stats.jsonl"),
                                     state["execs"])
    except (ValueError, KeyError) as e:
        raise Failed("stats.jsonl: %s" % e)


def final_run(gc, out, log, state):
    """A clean run resumes: it loads the whole corpus, says so in its last
    stats line, and its execs continue from the saved total."""
    before = len(state["corpus"])
    p = start(gc, out, ["--max-execs", "300"], log)
    rc = p.wait()
    if rc not in (0, 1):
        raise Failed("final clean run exited %d" % rc)
    with open(os.path.join(out, "stats.jsonl")) as f:
        last = json.loads(f.readlines()[-1])
    if last["corpus"] < before:
        raise Failed("resumed corpus %d < %d files before" %
                     (last["corpus"], before))
    if last["execs"] < state["execs"]:
        raise Failed("resumed execs %d < %d" % (last["execs"],
                                                 state["execs"]))
    return last


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gatecrash")
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-run", type=float, default=3.0)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    if not shutil.which("qemu-system-x86_64"):
        print("SKIP: qemu-system-x86_64 is not installed")
        return 77
    rng = random.Random(a.seed)
    tmp = tempfile.mkdtemp(prefix="gc-kill-")
    out = os.path.join(tmp, "camp")
    seen = set()
    state = {"checked": set(), "corpus": set(), "execs": 0, "hits": {}}
    t0 = time.time()
    log = open(os.path.join(tmp, "log"), "w")
    try:
        for i in range(a.kills):
            p = start(a.gatecrash, out, [], log)
            # Early kills hit start-up and resume; later ones the loop,
            # and some outlive the 5 s stats/state period.
            when = rng.choice([rng.uniform(0.02, 0.5),
                               rng.uniform(0.5, a.max_run),
                               rng.uniform(0.5, a.max_run),
                               rng.uniform(5.0, 5.0 + a.max_run)])
            time.sleep(when)
            p.send_signal(signal.SIGKILL)
            p.wait()
            after_kill(a.gatecrash, out, tmp, seen, state)
            print("kill %2d after %.2f s: %d findings, %d corpus files, "
                  "execs %d" % (i + 1, when, len(seen),
                                len(state["corpus"]), state["execs"]))
            sys.stdout.flush()
        last = final_run(a.gatecrash, out, log, state)
        after_kill(a.gatecrash, out, tmp, seen, state, exact=True)
    except Failed as e:
        print("FAIL: %s (campaign kept in %s)" % (e, out))
        log.close()
        with open(os.path.join(tmp, "log")) as f:
            sys.stdout.write(f.read()[-2000:])
        return 1
    log.close()
    print("survived %d kills in %.0f s: %d findings intact, corpus %d files "
          "(resumed run loaded %d), execs %d, no QEMU left" %
          (a.kills, time.time() - t0, len(seen), len(state["corpus"]),
           last["corpus"], last["execs"]))
    if not seen:
        print("FAIL: no finding appeared: nothing was tested")
        return 1
    if not a.keep:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
