/* SPDX-License-Identifier: MIT */
/*
 * The built-in engine: a coverage-guided, structure-aware campaign over a
 * directory (docs/fuzzing.md). `gatecrash fuzz` is a thin front end to
 * campaign_run(); the tests call it directly.
 *
 * OUT/corpus/<hash>.bin        inputs that reached new coverage or outcomes
 * OUT/findings/<sig>/          input.bin, input.tc, verdict.json, signature
 *                              (a few per bucket: the engine's BUCKET_KEEP)
 * OUT/findings/index           per bucket: the hits, and the findings kept
 * OUT/stats.jsonl              one JSON line per interval, append-only
 * OUT/engine/                  RNG positions and totals, for resuming
 */
#ifndef GC_CAMPAIGN_H
#define GC_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "verdict.h"

struct campaign_config {
	const char *backend; /* "auto", "tcg", ... */
	struct backend_config bcfg;
	uint64_t defenses;     /* enabled for the mechanism run */
	const char *seeds_dir; /* NULL: <source>/seeds/minimal */
	const char *out_dir;   /* required; created or resumed */
	unsigned jobs;	       /* worker processes; 0 means 1 */
	double time_s;	       /* wall-clock limit; 0: none */
	uint64_t max_execs;    /* this run, all workers; 0: none */
	uint64_t rng_seed;     /* used when rng_seed_set or nothing saved */
	int rng_seed_set;      /* the given seed beats a saved RNG position */
	int progress;	       /* progress lines on stderr */
	unsigned stop_on;      /* stop at a new finding of these classes
				* (bit per enum verdict_class); 0: never */
	/* --engine libfuzzer|afl: the arguments after `--`, passed to the
	 * fuzzer after gatecrash's own (libFuzzer flags, afl-fuzz options). */
	char *const *engine_args;
	unsigned n_engine_args;
};

struct campaign_result {
	uint64_t execs; /* this run, all workers */
	double seconds;
	unsigned corpus;	 /* largest worker corpus at the end; external
				  * engines: the fuzzer's own count */
	unsigned corpus_files;	 /* external engines: files in OUT/corpus */
	unsigned coverage;	 /* counters ever non-zero (best worker) */
	unsigned coverage_total; /* counters in the kernel */
	unsigned features;	 /* outcome features seen (best worker) */
	unsigned findings[VERDICT_COUNT]; /* in OUT/findings, all runs */
	unsigned new_findings;		  /* saved by this run */
	uint64_t first_finding_exec;	  /* worker execs to this run's first
					   * new finding; 0: none */
	unsigned errors; /* harness errors (verdict class error) */
	uint64_t verdicts[VERDICT_COUNT];   /* this run's execs by class */
	uint64_t first_exec[VERDICT_COUNT]; /* worker execs to the first new
					     * finding of a class; 0: none */
};

/* Returns 0 when the campaign ran (whatever it found), -1 with a one-line
 * reason in err when it could not (bad directory, backend failure). */
int campaign_run(const struct campaign_config *cfg, struct campaign_result *res,
		 char *err, size_t errlen);

/* Total findings in res (the exit status is 1 when this is non-zero). */
unsigned campaign_total_findings(const struct campaign_result *res);
/* "3 (2 divergence, 1 hazard)", or "0". */
void campaign_format_findings(const unsigned f[VERDICT_COUNT], char *buf,
			      size_t len);

#endif
