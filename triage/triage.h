/* SPDX-License-Identifier: MIT */
/*
 * Triage of campaign findings (docs/triage.md): the bucket signature the
 * engine and triage share, exact replay, minimization, reports and
 * reproducers.
 */
#ifndef GC_TRIAGE_H
#define GC_TRIAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "backend.h"
#include "testcase.h"
#include "verdict.h"

/* ---- signature.c ---- */

struct gc_signature {
	char text[256]; /* "tcg syscall64 64-bit divergence control" */
	uint64_t hash;	/* FNV-1a of text */
};

/* The bucket: what a finding is, not what values it happened to have.
 * Needs the kernel symbols loaded for kernel faults. */
void signature_bucket(const struct gc_testcase *tc,
		      const struct case_outcome *out, const struct verdict *v,
		      const char *backend, struct gc_signature *sig);
/* The engine's finer key ("syscall64 divergence rcx,rip fault=-"): the
 * exact diverging fields and hazards, to keep a few examples per bucket. */
void signature_finding(const struct gc_testcase *tc, const struct verdict *v,
		       struct gc_signature *sig);
/* sig->hash from sig->text. */
void signature_rehash(struct gc_signature *sig);
/* "a,b" for the defenses off in `enabled`, "-" for none. */
void signature_profile(uint64_t enabled, char *buf, size_t len);

/* ---- replay.c ---- */

struct replayer {
	struct backend *b;
	uint64_t defenses; /* enabled for the mechanism run */
};

/* One replay: the outcome, the verdict and the bucket. */
struct replay_result {
	struct case_outcome out;
	struct verdict v;
	struct gc_signature sig;
};

/* Opens the backend and loads the kernel symbols. 0, or -1 with err. */
int replayer_open(struct replayer *r, const char *backend,
		  const struct backend_config *cfg, char *err, size_t errlen);
void replayer_close(struct replayer *r);
/* Runs n (<= GC_MAX_BATCH) cases in one batch. 0, or -1 with err. */
int replay_batch(struct replayer *r, const struct gc_testcase *cases,
		 unsigned n, struct replay_result *res, char *err,
		 size_t errlen);
/* Runs tc `times` times; *same counts the runs whose bucket is `want`
 * (or, with want NULL, the first run's). first gets the first run. */
int replay_times(struct replayer *r, const struct gc_testcase *tc,
		 unsigned times, const struct gc_signature *want,
		 struct replay_result *first, unsigned *same, char *err,
		 size_t errlen);

/* A finding directory: its input and the profile it was found with. */
struct finding_input {
	struct gc_testcase tc;
	uint64_t defenses; /* from DIR/profile; GC_DEFENSES_ALL without it */
	int has_profile;
	double found_at;	    /* mtime of input.bin (Unix seconds) */
	struct gc_signature bucket; /* DIR/bucket; text "" without it */
	/* The .tc's (or DIR/input.tc's) backend = / vendor = lines, else the
	 * campaign's DIR/replay (finding at DIR/findings/HASH); "" when
	 * neither says (a loose testcase, an old campaign). */
	char backend[104];
	char vendor[24];
};
/* DIR/replay of a campaign directory: 0 with backend and vendor, or -1. */
int campaign_replay_info(const char *campaign_dir, char *backend,
			 size_t blen, char *vendor, size_t vlen);
/* path: a finding directory, or a testcase file (then a profile file
 * beside it is used if there is one). 0, or -1 with err. */
int finding_load(const char *path, struct finding_input *fi, char *err,
		 size_t errlen);
/* The context lines a .tc written for fi replayed with the defenses
 * `enabled` on backend carries (docs/testcase-format.md): it then shows
 * alone. */
void finding_context(const struct finding_input *fi, uint64_t enabled,
		     const char *backend, struct tc_context *ctx);

/* ---- minimize.c ---- */

struct minimize_stats {
	unsigned fields_before, fields_after;
	unsigned executions;
};
unsigned tc_count_set_fields(const struct gc_testcase *tc);
/* Shrinks tc while its bucket stays `want`. 0, or -1 with err. */
int minimize(struct replayer *r, struct gc_testcase *tc,
	     const struct gc_signature *want, struct minimize_stats *st,
	     char *err, size_t errlen);

/* ---- defense_match.c ---- */

/* The disabled defense whose re-enabling alone makes tc pass; NULL if
 * none does (or several do). r->defenses is restored. */
const struct defense *match_defense(struct replayer *r,
				    const struct gc_testcase *tc, char *err,
				    size_t errlen);

/* ---- campaign.c: a campaign directory, bucketed ---- */

struct defense;

struct triage_finding {
	char name[32];		  /* findings/<name> */
	struct finding_input fi;  /* input, profile, found_at */
	struct replay_result res; /* the first replay */
	unsigned same;		  /* replays that gave its recorded bucket */
	unsigned bucket;	  /* index into triage.buckets */
};

struct triage_bucket {
	struct gc_signature sig;
	uint64_t defenses; /* the profile: part of the key */
	unsigned count, first_finding;
	unsigned found_order; /* index before sorting by first_seen */
	double first_seen, last_seen;
	unsigned findings_reproduced; /* findings that gave it N/N */
	struct gc_testcase minimized;
	struct replay_result min_res;
	unsigned min_same; /* replays of the minimized input */
	unsigned fields_before, fields_after;
	const struct defense *defense; /* re-enabling it alone passes */
	char min_path[4096 + 64];      /* OUT/triage/<hash>/minimized.tc */
	unsigned long long hits; /* findings/index: every hit, kept or not */
	int hits_known;		 /* the index named this bucket alone */
};

struct stats_point {
	double time, elapsed, execs, coverage, corpus;
};

struct triage {
	const char *dir;
	const char *backend;
	unsigned times;
	struct triage_finding *f;
	unsigned nf;
	struct triage_bucket *b;
	unsigned nb;
	struct stats_point *stats;
	unsigned nstats;
	double coverage_total;
};

/* Replays, buckets, minimizes and matches every finding of dir. With
 * force_profile, every finding replays with `defenses` instead of its
 * recorded profile. 0, or -1 with err. */
int triage_run(struct triage *t, const char *dir, const char *backend,
	       const struct backend_config *cfg, unsigned times,
	       int force_profile, uint64_t defenses, char *err, size_t errlen);
void triage_free(struct triage *t);
/* OUT/findings/index's hit counts into t->b (a missing file is no
 * error: hits stay unknown). */
void triage_load_hits(struct triage *t);
/* OUT/stats.jsonl into t->stats (a missing file is no error). */
int triage_load_stats(struct triage *t);

/* ---- report_model.c: what every report says, rendered by report_*.c ---- */

struct report_finding {
	const char *name; /* findings/<name> */
	char key[256];	  /* the engine's finer key */
	double found_at;  /* Unix seconds */
	double at;	  /* seconds into the campaign; < 0: unknown */
	unsigned reproduced;
};

struct report_bucket {
	unsigned number; /* 1-based, the order of the report */
	const char *signature;
	char disabled[512];	       /* "a,b" or "-" */
	const struct defense *defense; /* NULL: no single one */
	const char *verdict;	       /* of the minimized input's replay */
	unsigned count, findings_reproduced;
	unsigned long long hits; /* every hit the campaign counted */
	int hits_known;		 /* else hits is meaningless */
	char first_seen[64], last_seen[64]; /* "2026-.. UTC" or "-" */
	double first_unix, last_unix;	    /* the same, Unix seconds */
	double first_at;		    /* seconds into the campaign */
	unsigned fields_before, fields_after, reproduced;
	const char *minimized_path;
	char repro_cmd[4200], reproducer_cmd[4300];
	char *minimized_text; /* .tc text */
	char *verdict_text;   /* as `gatecrash run` prints it */
	char *verdict_json;   /* as `gatecrash run --json`: "diffs" array */
	struct report_finding *findings;
	unsigned nfindings;
};

/* One sample of the campaign, time from its start. Unknown: NAN. */
struct report_sample {
	double at, execs, coverage, corpus;
};

struct report {
	const char *campaign, *backend;
	unsigned times, nfindings, nbuckets;
	struct report_bucket *b;
	struct report_sample *samples; /* with a (0, 0) start when fresh */
	unsigned nsamples;
	double execs;			 /* last sample's; NAN: no stats */
	double coverage, coverage_total; /* NAN: the engine did not say */
	double span;			 /* seconds the samples cover */
};

/* The model of t. 0, or -1 out of memory (then report_free). */
int report_build(struct report *r, const struct triage *t);
void report_free(struct report *r);
/* Buckets first seen at or before `at` seconds into the campaign. */
unsigned report_buckets_at(const struct report *r, double at);

/* ---- report_md.c, report_html.c, report_json.c ---- */

void report_markdown(FILE *f, const struct report *r);
void report_json(FILE *f, const struct report *r);
void report_html(FILE *f, const struct report *r);
/* The shared text helpers (report_common.c). */
char *report_verdict_text(const struct gc_testcase *tc,
			  const struct replay_result *res);
char *report_verdict_json(const struct gc_testcase *tc,
			  const struct replay_result *res, const char *backend);
char *report_testcase_text(const struct gc_testcase *tc);
void report_time(double t, char *buf, size_t len);

/* ---- reproducer_c.c ---- */

/* A standalone C program (Linux user process) for tc. The expected
 * state is the reference run's capture in res. Returns NULL, or why Linux
 * cannot express tc: the program is then a stub that exits 77. */
const char *reproducer_write_c(FILE *f, const struct gc_testcase *tc,
			       const struct replay_result *res,
			       const char *origin, const char *repro_cmd);

#endif
