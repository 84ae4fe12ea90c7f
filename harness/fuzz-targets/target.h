/* SPDX-License-Identifier: MIT */
/*
 * One testcase for an external fuzzer (libFuzzer, AFL++), the way the
 * built-in engine runs it: decode (never fails), run the case alone on the
 * backend, take its coverage from its result, judge it with the oracle, and
 * save a finding of a new signature in OUT/findings through the engine's
 * own findings code. The outcome features the engine hashes (verdict class,
 * diverging fields, end reasons, vectors, exits) become extra counters, so
 * a new kind of result is coverage to the fuzzer as well.
 *
 * Fuzzers own argv, so the target is configured by the environment:
 *
 *   GATECRASH_OUT         campaign directory: OUT/findings (unset: a
 *                         finding is reported on stderr, not written)
 *   GATECRASH_DISABLE     defenses to switch off, "a,b" (default: none)
 *   GATECRASH_BACKEND     backend (default "tcg")
 *   GATECRASH_KERNEL      test kernel ELF (default: the built one)
 *   GATECRASH_QEMU        qemu-system-x86_64 binary
 *   GATECRASH_TIMEOUT_MS  per-case hang deadline
 *   GATECRASH_CRASH_ON_FINDING=0|1  whether the caller abort()s after
 *                         a new finding is saved (default: the caller's)
 *   GATECRASH_EXEC_COUNTER  a file whose first 8 bytes count executions,
 *                         shared by every process that has it open (the
 *                         progress of AFL++ instances, which publish their
 *                         own figures only once a minute at first)
 */
#ifndef GC_FUZZ_TARGET_H
#define GC_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

/* Outcome features folded into this many counters (a power of two; the
 * fuzzers scan every counter per input, so keep it small). */
#define TARGET_OUTCOME_COUNTERS 4096u
#define TARGET_MAX_UNSAVED	64

struct target {
	struct backend *b;
	uint8_t *counters; /* this case's coverage, expanded (host memory) */
	size_t ncounters;
	uint8_t *outcome; /* TARGET_OUTCOME_COUNTERS, caller's memory */
	uint64_t defenses;
	int crash_on_finding; /* the caller abort()s on a new finding */
	char out_dir[2048];
	char findings_dir[2100];
	const char *backend_name;
	struct backend_config bcfg;
	struct feedback fb; /* only for its feature hashing */
	struct findings findings;
	struct bucket_table *buckets; /* hits and the bound (buckets.c) */
	struct case_outcome out;
	struct verdict v;
	uint64_t execs, new_findings;
	unsigned failures;		      /* backend failures in a row */
	uint64_t *exec_counter; /* GATECRASH_EXEC_COUNTER, mapped; or NULL */
	uint64_t unsaved[TARGET_MAX_UNSAVED]; /* reported, no GATECRASH_OUT */
	unsigned n_unsaved;
	char err[256];
};

/* Reads the environment, creates OUT/findings, opens the backend and maps
 * its counters. outcome: the caller's TARGET_OUTCOME_COUNTERS counters;
 * crash_default: crash_on_finding unless the environment says otherwise.
 * Returns 0, or -1 with t->err set. */
int target_open(struct target *t, uint8_t *outcome, int crash_default);

/*
 * Runs one input. Returns 1 when it saved a new finding, 0 otherwise, -1
 * when the backend failed (t->err says why; the backend restarts its VM
 * for the next call, and 100 failures in a row abort()). Never exits. The guest
 * counters hold this case's coverage afterwards (zero when the VM hung or died:
 * the new VM's boot is not the case's); the outcome counters are only
 * incremented, their owner clears them.
 */
int target_run(struct target *t, const uint8_t *data, size_t size);

void target_close(struct target *t);

#endif
