// SPDX-License-Identifier: MIT
/*
 * One worker: its own backend, corpus, feedback maps and RNG. It mutates
 * WORKER_BATCH cases from the corpus as it stands, runs them in one round
 * trip, then scores each on its own: the guest puts every case's coverage
 * in that case's result (abi.h, struct gc_cov_word). What a batch keeps is
 * a parent from the next batch on. Everything on the per-exec path works
 * in preallocated state.
 *
 * Workers share progress through the file system only: what one keeps, it
 * writes to OUT/corpus; every few seconds each rescans OUT/corpus and runs
 * what the others kept, so its own maps learn that coverage too.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "testcase.h"

#define RESCAN_S     2.0
#define SAVE_STATE_S 5.0
/* The mailbox's batch: one guest round trip per batch (docs/bench.md). */
#define WORKER_BATCH GC_MAX_BATCH

struct worker {
	struct campaign_ctx *ctx;
	unsigned index;
	struct worker_slot *slot;
	struct backend *b;
	size_t ncounters;
	struct feedback fb;
	struct corpus corpus;
	struct findings findings;
	struct mut_rng rng;
	uint64_t execs;
	unsigned batch_n; /* cases in the next batch, 1..WORKER_BATCH */
	double next_rescan, next_save;
	const struct case_outcome *out; /* the case being scored */
	struct verdict v;
	/* Reused: no allocation per exec. */
	struct gc_testcase batch[WORKER_BATCH];
	struct case_outcome outs[WORKER_BATCH];
	char err[256];
};

double engine_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail(struct worker *w, const char *what)
{
	snprintf(w->slot->err, sizeof(w->slot->err), "worker %u: %.40s: %.140s",
		 w->index, what, w->err);
	return -1;
}

/* ---- engine state: the RNG position, so a resumed run goes on ---- */

static void state_name(const struct worker *w, char *buf, size_t len)
{
	snprintf(buf, len, "worker-%u.state", w->index);
}

static void state_load(struct worker *w)
{
	const struct campaign_config *cfg = w->ctx->cfg;
	char name[64], path[4096 + 64], text[128];
	uint64_t rng;
	long n;

	mut_rng_seed(&w->rng, cfg->rng_seed + 0x1000003ull * w->index);
	if (cfg->rng_seed_set)
		return;
	state_name(w, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", w->ctx->engine_dir, name);
	n = fs_read_small(path, text, sizeof(text) - 1);
	if (n <= 0)
		return;
	text[n] = '\0';
	if (sscanf(text, "rng %" SCNx64, &rng) == 1)
		mut_rng_seed(&w->rng, rng);
}

static void state_save(struct worker *w)
{
	char name[64], text[128];

	state_name(w, name, sizeof(name));
	snprintf(text, sizeof(text), "rng %016" PRIx64 "\n", w->rng.state);
	fs_write_atomic(w->ctx->engine_dir, name, text, strlen(text));
}

/* ---- one execution ---- */

static int execute(struct worker *w, const struct gc_testcase *tc, unsigned n)
{
	return backend_run(w->b, tc, n, w->ctx->cfg->defenses, w->outs, w->err,
			   sizeof(w->err));
}

/* Judges the case whose outcome is out: every oracle check, every case. */
static void judge(struct worker *w, const struct gc_testcase *tc,
		  const struct case_outcome *out)
{
	w->out = out;
	oracle_judge(tc, out, &w->v);
	w->execs++;
	w->slot->execs = w->execs;
	w->slot->verdicts[w->v.cls]++;
	if (w->v.cls == VERDICT_ERROR)
		w->slot->errors++;
}

/* A case whose VM died or hung has no result, so no coverage. */
static unsigned novelty(struct worker *w, const struct gc_testcase *tc)
{
	unsigned fresh = feedback_outcome(&w->fb, tc, w->out, &w->v);

	if (w->out->status == CASE_OK)
		fresh += feedback_coverage(&w->fb, &w->out->result);
	w->slot->coverage = w->fb.counters_hit;
	w->slot->features = w->fb.features;
	return fresh;
}

/*
 * A hang is replayed once, on the fresh VM the backend booted after it: a
 * hang that does not hang again was the host starving QEMU, not the
 * kernel (hardened campaigns on a loaded host kept such hangs, which then
 * replayed as pass 10/10), and is not kept as a finding. The replay costs
 * one case, paid only after a hang; w->out and w->v stay the first run's.
 */
static int hang_reproduces(struct worker *w, const struct gc_testcase *tc)
{
	static struct case_outcome again;
	struct verdict v;
	char err[256];

	if (backend_run(w->b, tc, 1, w->ctx->cfg->defenses, &again, err,
			sizeof(err)))
		return 1; /* cannot tell: keep it */
	oracle_judge(tc, &again, &v);
	return v.cls == VERDICT_HANG;
}

static int record_finding(struct worker *w, const struct gc_testcase *tc)
{
	int r;

	if (!verdict_is_finding(w->v.cls))
		return 0;
	if (w->v.cls == VERDICT_HANG && !hang_reproduces(w, tc))
		return 0;
	r = findings_record(&w->findings, w->ctx->buckets,
			    w->ctx->findings_dir, tc, w->out, &w->v,
			    backend_name(w->b), w->ctx->cfg->defenses);
	if (r < 0) {
		snprintf(w->err, sizeof(w->err), "cannot write to %.200s",
			 w->ctx->findings_dir);
		return -1;
	}
	if (r == 1) {
		w->slot->new_findings[w->v.cls]++;
		if (!w->slot->first_finding_exec)
			w->slot->first_finding_exec = w->execs;
		if (!w->slot->first_exec[w->v.cls])
			w->slot->first_exec[w->v.cls] = w->execs;
		if (w->ctx->cfg->stop_on & (1u << w->v.cls))
			w->ctx->sh->stop = 1;
	}
	return 0;
}

static int keep(struct worker *w, const struct gc_testcase *tc, uint64_t hash,
		int save)
{
	if (corpus_add(&w->corpus, tc, hash)) {
		snprintf(w->err, sizeof(w->err), "out of memory");
		return -1;
	}
	w->slot->corpus = (uint32_t)w->corpus.n;
	if (save && corpus_save(w->ctx->corpus_dir, tc, hash)) {
		snprintf(w->err, sizeof(w->err), "cannot write to %.200s",
			 w->ctx->corpus_dir);
		return -1;
	}
	return 0;
}

/* Scores tc, already run; keeps it if it is new (save: also to
 * OUT/corpus). */
static int score(struct worker *w, const struct gc_testcase *tc,
		 const struct case_outcome *out, int save)
{
	uint64_t hash;

	judge(w, tc, out);
	if (record_finding(w, tc))
		return -1;
	if (!novelty(w, tc))
		return 0;
	hash = tc_content_hash(tc);
	if (corpus_contains(&w->corpus, hash))
		return 0;
	return keep(w, tc, hash, save);
}

/* Runs tc alone and scores it (seeds, imports: not the hot path). */
static int try_input(struct worker *w, const struct gc_testcase *tc, int save)
{
	if (execute(w, tc, 1))
		return -1;
	return score(w, tc, &w->outs[0], save);
}

/* ---- loading: seeds, the corpus on disk, other workers' finds ---- */

static int import_file(void *ctx, const struct gc_testcase *tc, uint64_t hash)
{
	struct worker *w = ctx;

	/* Already on disk: it stays in the corpus whatever it covers here. */
	if (execute(w, tc, 1))
		return -1;
	judge(w, tc, &w->outs[0]);
	if (record_finding(w, tc))
		return -1;
	novelty(w, tc);
	return keep(w, tc, hash, 0);
}

static int load_seeds(struct worker *w)
{
	struct dirent **names;
	int n = scandir(w->ctx->seeds_dir, &names, NULL, alphasort), ret = 0;

	if (n < 0) {
		snprintf(w->err, sizeof(w->err), "cannot read seeds %.200s",
			 w->ctx->seeds_dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096 + 256];
		struct gc_testcase tc;

		snprintf(path, sizeof(path), "%s/%s", w->ctx->seeds_dir,
			 names[i]->d_name);
		if (!ret && names[i]->d_name[0] != '.' &&
		    !tc_load_file(path, &tc, NULL, w->err, sizeof(w->err)))
			ret = try_input(w, &tc, 1);
		free(names[i]);
	}
	free(names);
	return ret;
}

static int rescan(struct worker *w)
{
	w->next_rescan = engine_now() + RESCAN_S;
	return corpus_scan_dir(&w->corpus, w->ctx->corpus_dir, import_file, w) <
			       0
		       ? -1
		       : 0;
}

/* ---- the loop ---- */

/* How many cases the next batch may run: 0 when the budget is spent. */
static unsigned budget_left(const struct worker *w)
{
	const struct campaign_ctx *ctx = w->ctx;
	uint64_t left = WORKER_BATCH;

	if (ctx->sh->stop)
		return 0;
	if (ctx->per_worker_execs) {
		if (w->execs >= ctx->per_worker_execs)
			return 0;
		left = ctx->per_worker_execs - w->execs;
	}
	if (ctx->deadline && engine_now() >= ctx->deadline)
		return 0;
	return left < w->batch_n ? (unsigned)left : w->batch_n;
}

/*
 * A case that hangs costs the hang deadline and a reboot, one that kills
 * the VM a restart (tens of ms): a batch full of them would run seconds
 * past --time or a stop_on finding. So a batch with one shrinks the next
 * to a quarter, and a clean batch doubles it back. Outcomes, not the
 * clock, decide, so one RNG seed still gives one trajectory.
 */
static void batch_resize(struct worker *w, unsigned n)
{
	unsigned costly = 0;

	for (unsigned i = 0; i < n; i++)
		costly += w->outs[i].status == CASE_HANG ||
			  w->outs[i].status == CASE_VM_CRASH;
	if (costly)
		w->batch_n = w->batch_n > 4 ? w->batch_n / 4 : 1;
	else if (w->batch_n < WORKER_BATCH)
		w->batch_n *= 2;
}

static void mutate_one(struct worker *w, struct gc_testcase *tc)
{
	size_t n = w->corpus.n;
	const struct gc_testcase *parent =
		&w->corpus.tc[mut_rng_below(&w->rng, n)];
	const struct gc_testcase *other =
		&w->corpus.tc[mut_rng_below(&w->rng, n)];

	*tc = *parent;
	mutator_mutate(tc, other, &w->rng);
}

/*
 * The corpus may grow while the batch is scored (corpus_add reallocates),
 * so the batch's cases are copies, never pointers into it. Every case that
 * ran is scored, even after a stop_on finding: it was executed, and the
 * execs before the finding are what first_finding_exec counts.
 */
static int fuzz_batch(struct worker *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		mutate_one(w, &w->batch[i]);
	if (execute(w, w->batch, n))
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (score(w, &w->batch[i], &w->outs[i], 1))
			return -1;
	batch_resize(w, n);
	return 0;
}

static void housekeeping(struct worker *w, double now)
{
	if (w->ctx->tick)
		w->ctx->tick(w->ctx);
	if (now >= w->next_save) {
		state_save(w);
		w->next_save = now + SAVE_STATE_S;
	}
}

static int fuzz_loop(struct worker *w)
{
	unsigned n;
	double now;

	while ((n = budget_left(w))) {
		if (fuzz_batch(w, n))
			return fail(w, "run");
		now = engine_now();
		if (w->ctx->sh->jobs > 1 && now >= w->next_rescan && rescan(w))
			return fail(w, "corpus rescan");
		housekeeping(w, now);
	}
	state_save(w);
	return 0;
}

static int worker_open(struct worker *w)
{
	const struct campaign_config *cfg = w->ctx->cfg;

	if (backend_open(cfg->backend, &cfg->bcfg, &w->b, w->err,
			 sizeof(w->err)))
		return fail(w, "backend");
	if (w->index == 0 &&
	    campaign_save_replay_info(w->ctx, backend_name(w->b), w->err,
				      sizeof(w->err)))
		return fail(w, "replay");
	kernel_image_load_symbols(cfg->bcfg.kernel_path, w->err,
				  sizeof(w->err));
	/* linux, qemu-user and pairs have no guest: outcome features only. */
	if (backend_has_guest_coverage(w->b) &&
	    backend_coverage(w->b, &w->ncounters)) {
		snprintf(w->err, sizeof(w->err),
			 "backend %s gives no guest coverage (kernel built "
			 "without counters?)",
			 backend_name(w->b));
		return fail(w, "coverage");
	}
	w->slot->coverage_total = (uint32_t)w->ncounters;
	if (feedback_init(&w->fb, w->ncounters) ||
	    findings_load(&w->findings, w->ctx->findings_dir, NULL, 0)) {
		snprintf(w->err, sizeof(w->err), "out of memory");
		return fail(w, "setup");
	}
	w->findings.vendor = w->ctx->cfg->bcfg.vendor;
	return 0;
}

static int worker_start(struct worker *w)
{
	struct gc_testcase dflt;

	state_load(w);
	if (worker_open(w))
		return -1;
	if (corpus_scan_dir(&w->corpus, w->ctx->corpus_dir, import_file, w) < 0)
		return fail(w, "loading the corpus");
	if (load_seeds(w))
		return fail(w, "seeds");
	if (!w->corpus.n) {
		/* Nothing was new: start from the default testcase. */
		tc_default(&dflt);
		if (keep(w, &dflt, tc_content_hash(&dflt), 1))
			return fail(w, "corpus");
	}
	w->next_rescan = engine_now() + RESCAN_S;
	w->next_save = engine_now() + SAVE_STATE_S;
	w->batch_n = WORKER_BATCH;
	return 0;
}

int worker_run(struct campaign_ctx *ctx, unsigned i)
{
	struct worker *w = calloc(1, sizeof(*w));
	int ret;

	if (!w) {
		snprintf(ctx->sh->w[i].err, sizeof(ctx->sh->w[i].err),
			 "worker %u: out of memory", i);
		ctx->sh->w[i].state = WORKER_FAILED;
		return -1;
	}
	w->ctx = ctx;
	w->index = i;
	w->slot = &ctx->sh->w[i];
	w->slot->state = WORKER_RUNNING;
	ret = worker_start(w);
	if (!ret)
		ret = fuzz_loop(w);
	w->slot->state = ret ? WORKER_FAILED : WORKER_DONE;
	backend_close(w->b);
	feedback_free(&w->fb);
	corpus_free(&w->corpus);
	findings_free(&w->findings);
	free(w);
	return ret;
}
