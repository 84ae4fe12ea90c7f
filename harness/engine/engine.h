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

/* ---- afl_stats.c ---- */

/* What OUT/fuzzer_stats and OUT/plot_data (AFL++'s formats) say. */
struct afl_stats {
	const char *engine;	/* "builtin", "libfuzzer", "afl" */
	double start_time, now; /* Unix seconds: this run's start, now */
	double run_time;	/* seconds, all runs of the campaign */
	uint64_t execs;		/* all runs */
	double execs_per_sec;
	unsigned corpus;
	unsigned crashes, hangs; /* findings: hang class, all others */
	double last_find, last_crash, last_hang; /* Unix seconds; 0: none */
	unsigned edges_found, total_edges; /* guest counters; 0: unknown */
	unsigned exec_timeout_ms;
};

/* Appends a plot_data line (the header first in a new file) and replaces
 * fuzzer_stats atomically. 0, or -1 on an I/O error. */
int afl_stats_write(const char *out, const struct afl_stats *s);
/* s->crashes and s->hangs from findings counted by class; moves
 * s->last_crash / s->last_hang to s->now when they grew. */
void afl_stats_count_findings(const unsigned f[VERDICT_COUNT],
			      struct afl_stats *s);

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

/* ---- buckets.c ---- */

/*
 * Per bucket (triage's signature): every finding exec is a hit, and at most
 * BUCKET_KEEP findings are kept: the first, then inputs that add something
 * (a new finding key: another diverging field set, fault vector or hazard;
 * or fewer set fields than any kept). Shared by the forked workers.
 */
#define BUCKET_KEEP	  5
#define BUCKET_TABLE_SIZE 4096 /* a power of two */

struct bucket_entry {
	uint64_t hash; /* of text; 0: free */
	uint64_t hits;
	uint32_t kept;
	uint32_t min_fields; /* fewest set fields of a kept input */
	uint32_t ready;	     /* text written */
	char text[256];
};

struct bucket_table {
	uint64_t overflow_hits; /* hits of buckets the table had no room for */
	struct bucket_entry e[BUCKET_TABLE_SIZE];
};

struct gc_signature;
struct bucket_table *buckets_alloc(void); /* shared, zeroed; NULL: mmap */
void buckets_free(struct bucket_table *t);
/* The bucket's entry, added if new; NULL when the table is full. */
struct bucket_entry *buckets_get(struct bucket_table *t,
				 const struct gc_signature *sig);
void buckets_hit(struct bucket_entry *e);
int buckets_full(const struct bucket_entry *e);
int buckets_smaller(const struct bucket_entry *e, unsigned fields);
/* Takes one of the bucket's kept slots: 1, or 0 when it has none left. */
int buckets_reserve(struct bucket_entry *e, unsigned fields);
void buckets_release(struct bucket_entry *e);
/* OUT/findings/index: "hits<TAB>kept<TAB>bucket", most hits first. */
int buckets_save_index(const struct bucket_table *t, const char *findings_dir);
/* The hits of OUT/findings/index, the kept slots of the directories. */
int buckets_load(struct bucket_table *t, const char *findings_dir);

/* ---- findings.c ---- */

struct finding_sig {
	char text[256]; /* "syscall64 divergence rcx,rip fault=-" */
	uint64_t hash;
};

struct findings {
	uint64_t *seen;
	size_t n, cap;
	const char *vendor; /* the campaign's guest vendor for input.tc's
			     * context line (NULL or "host": none) */
};

void finding_signature(const struct gc_testcase *tc, const struct verdict *v,
		       struct finding_sig *sig);
int findings_seen(const struct findings *fs, uint64_t hash);
/* A finding exec: counted in its bucket, saved if the bucket keeps it.
 * Returns 1 saved, 0 counted only, -1 I/O error. defenses: the profile of
 * the mechanism run, recorded for replay. */
int findings_record(struct findings *fs, struct bucket_table *bt,
		    const char *dir, const struct gc_testcase *tc,
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
	struct bucket_table *buckets; /* shared with the workers */
	uint64_t per_worker_execs;		/* 0: no limit */
	double deadline;			/* monotonic seconds; 0: none */
	void (*tick)(struct campaign_ctx *ctx); /* jobs == 1: the monitor */
};

double engine_now(void); /* CLOCK_MONOTONIC seconds */
/* Writes DIR/replay: backend (NULL: "auto") and the campaign's vendor. */
int campaign_save_replay_info(const struct campaign_ctx *ctx,
			      const char *backend, char *err, size_t errlen);
/* Runs worker i to the end; returns 0, or -1 with slot->err set. */
int worker_run(struct campaign_ctx *ctx, unsigned i);

#endif
