/* SPDX-License-Identifier: MIT */
/*
 * Private to harness/engine/: the pieces of the built-in engine. The
 * campaign (campaign.c) forks workers (worker.c); each worker mutates
 * (mutator.c), runs a batch of cases per round trip on its own backend,
 * scores each case on its own coverage and outcome, and keeps what the
 * feedback (feedback.c) calls new in the corpus (corpus.c) and what the
 * oracle calls a finding in findings/ (findings.c). Files are written
 * crash-safely (fsutil.c).
 */
#ifndef GC_ENGINE_H
#define GC_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "abi.h"
#include "campaign.h"
#include "mutator.h"
#include "verdict.h"

/* ---- fsutil.c ---- */

int fs_mkdir_p(const char *path);
int fs_fsync_dir(const char *dir);
/* dir/name appears whole or not at all: tmp file in dir, fsync, rename,
 * fsync dir. */
int fs_write_atomic(const char *dir, const char *name, const void *buf,
		    size_t len);
typedef void (*fs_fill_fn)(FILE *f, const void *ctx);
int fs_write_atomic_stream(const char *dir, const char *name, fs_fill_fn fill,
			   const void *ctx);
int fs_append_sync(const char *path, const char *text);
/* Up to cap bytes of a file; returns the length or -1. */
long fs_read_small(const char *path, void *buf, size_t cap);

/* ---- feedback.c ---- */

/*
 * Guest counters in AFL-style hit-count buckets (1, 2, 3, 4-7, 8-15, 16-31,
 * 32-127, 128+), and outcome features (verdict class, diverging-field set,
 * end reasons, exception vectors, exits, hazards) hashed into a bitmap:
 * an input is new if it lights a bucket or a feature never seen before.
 */
#define FEEDBACK_OUTCOME_BITS (1u << 16)

struct feedback {
	size_t ncounters;
	uint8_t *virgin; /* per counter: the buckets seen */
	unsigned counters_hit;
	unsigned features;
	uint8_t outcome[FEEDBACK_OUTCOME_BITS / 8];
	/* Called with every feature's bit, new or not: the libFuzzer and
	 * AFL++ targets turn them into counters. Set after feedback_init. */
	void (*on_feature)(void *ctx, uint32_t bit);
	void *on_feature_ctx;
};

int feedback_init(struct feedback *fb, size_t ncounters);
void feedback_free(struct feedback *fb);
/* A CASE_OK result's own coverage (result->cov); returns the new buckets. */
unsigned feedback_coverage(struct feedback *fb, const struct gc_result *r);
unsigned feedback_outcome(struct feedback *fb, const struct gc_testcase *tc,
			  const struct case_outcome *out,
			  const struct verdict *v);

/* ---- corpus.c ---- */

struct corpus {
	struct gc_testcase *tc;
	size_t n, cap;
	uint64_t *set; /* content hashes, open addressing, 0 = empty */
	size_t set_cap;
};

uint64_t tc_content_hash(const struct gc_testcase *tc);
int corpus_contains(const struct corpus *c, uint64_t hash);
/* Returns 0, or -1 out of memory. */
int corpus_add(struct corpus *c, const struct gc_testcase *tc, uint64_t hash);
void corpus_free(struct corpus *c);
/* OUT/corpus/<hash>.bin, atomically. */
int corpus_save(const char *corpus_dir, const struct gc_testcase *tc,
		uint64_t hash);
/* Calls fn for each <hash>.bin in dir not already in c, in name order. */
typedef int (*corpus_file_fn)(void *ctx, const struct gc_testcase *tc,
			      uint64_t hash);
int corpus_scan_dir(const struct corpus *c, const char *dir, corpus_file_fn fn,
		    void *ctx);

/* ---- findings.c ---- */

struct finding_sig {
	char text[256]; /* "syscall64 divergence rcx,rip fault=-" */
	uint64_t hash;
};

struct findings {
	uint64_t *seen;
	size_t n, cap;
};

void finding_signature(const struct gc_testcase *tc, const struct verdict *v,
		       struct finding_sig *sig);
int findings_seen(const struct findings *fs, uint64_t hash);
/* Returns 1 saved, 0 someone had it already, -1 I/O error. defenses: the
 * profile of the mechanism run, recorded for replay. */
int findings_save(struct findings *fs, const char *dir,
		  const struct finding_sig *sig, const struct gc_testcase *tc,
		  const struct case_outcome *out, const struct verdict *v,
		  const char *backend, uint64_t defenses);
/* Loads the signatures in dir into fs (if not NULL) and counts them by
 * class into counts (if not NULL). Removes stale temporaries when clean. */
int findings_load(struct findings *fs, const char *dir,
		  unsigned counts[VERDICT_COUNT], int clean);
void findings_free(struct findings *fs);

/* ---- worker.c / campaign.c ---- */

/* What a worker publishes for the monitor (shared memory after fork). */
struct worker_slot {
	uint64_t execs;
	uint64_t first_finding_exec;
	uint32_t corpus, coverage, coverage_total, features, errors;
	uint32_t new_findings[VERDICT_COUNT];
	uint64_t verdicts[VERDICT_COUNT]; /* every exec, by class */
	uint64_t first_exec[VERDICT_COUNT];
	int32_t state; /* WORKER_* */
	char err[200];
};
enum { WORKER_STARTING, WORKER_RUNNING, WORKER_DONE, WORKER_FAILED };

struct shared {
	volatile int stop;
	unsigned jobs;
	struct worker_slot w[];
};

struct campaign_ctx {
	const struct campaign_config *cfg;
	char out[4096 - 512];
	char corpus_dir[4096], findings_dir[4096], engine_dir[4096];
	char seeds_dir[4096];
	struct shared *sh;
	uint64_t per_worker_execs;		/* 0: no limit */
	double deadline;			/* monotonic seconds; 0: none */
	void (*tick)(struct campaign_ctx *ctx); /* jobs == 1: the monitor */
};

double engine_now(void); /* CLOCK_MONOTONIC seconds */
/* Runs worker i to the end; returns 0, or -1 with slot->err set. */
int worker_run(struct campaign_ctx *ctx, unsigned i);

#endif
