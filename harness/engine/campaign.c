// SPDX-License-Identifier: MIT
/*
 * A campaign: the OUT directory, the workers, and the monitor that reports
 * on them. With one job the worker runs in this process and calls the
 * monitor itself; with more, each worker is a forked process with its own
 * backend (a VM must be created after fork), and this process only
 * monitors. Workers publish counters in a shared anonymous mapping; the
 * corpus and the findings they share through OUT/.
 *
 * Resuming: everything a run needs from the last one is in OUT/ (the
 * corpus is replayed to rebuild the coverage maps, findings are loaded by
 * signature, the RNG positions and totals are in OUT/engine/), so a
 * campaign stopped at any moment, even by kill -9, goes on where its files
 * say it was.
 */
#include <errno.h>
#include <inttypes.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "paths.h"


#define LINE_TTY_S 1.0
#define LINE_LOG_S 5.0
#define STATS_S	   5.0

struct totals {
	uint64_t execs, first_finding_exec, verdicts[VERDICT_COUNT];
	uint64_t first_exec[VERDICT_COUNT];
	unsigned corpus, coverage, coverage_total, features, errors;
	unsigned findings[VERDICT_COUNT], new_findings;
};

static struct monitor {
	double t0, last_tick, last_line, last_stats;
	uint64_t last_execs;
	double rate;
	uint64_t base_execs; /* earlier runs of this campaign */
	double base_seconds;
	unsigned base_findings[VERDICT_COUNT];
	int tty, progress, line_open;
	struct afl_stats afl; /* OUT/fuzzer_stats, OUT/plot_data */
} mon;

static struct shared *volatile stop_target;

static void on_stop_signal(int sig)
{
	(void)sig;
	if (stop_target)
		stop_target->stop = 1;
}

/* ---- totals and reporting ---- */

static void gather(const struct campaign_ctx *ctx, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->findings, mon.base_findings, sizeof(t->findings));
	for (unsigned i = 0; i < ctx->sh->jobs; i++) {
		const struct worker_slot *s = &ctx->sh->w[i];

		t->execs += s->execs;
		for (int c = 0; c < VERDICT_COUNT; c++) {
			t->verdicts[c] += s->verdicts[c];
			if (s->first_exec[c] &&
			    (!t->first_exec[c] ||
			     s->first_exec[c] < t->first_exec[c]))
				t->first_exec[c] = s->first_exec[c];
		}
		t->errors += s->errors;
		if (s->corpus > t->corpus)
			t->corpus = s->corpus;
		if (s->coverage > t->coverage)
			t->coverage = s->coverage;
		if (s->coverage_total > t->coverage_total)
			t->coverage_total = s->coverage_total;
		if (s->features > t->features)
			t->features = s->features;
		if (s->first_finding_exec &&
		    (!t->first_finding_exec ||
		     s->first_finding_exec < t->first_finding_exec))
			t->first_finding_exec = s->first_finding_exec;
		for (int c = 0; c < VERDICT_COUNT; c++) {
			t->findings[c] += s->new_findings[c];
			t->new_findings += s->new_findings[c];
		}
	}
}

static unsigned findings_sum(const unsigned f[VERDICT_COUNT])
{
	unsigned n = 0;

	for (int c = 0; c < VERDICT_COUNT; c++)
		n += f[c];
	return n;
}

/* "3 (2 divergence, 1 hazard)" */
void campaign_format_findings(const unsigned f[VERDICT_COUNT], char *buf,
			      size_t len)
{
	size_t at = (size_t)snprintf(buf, len, "%u", findings_sum(f));
	const char *sep = " (";

	for (int c = 0; c < VERDICT_COUNT && at < len; c++) {
		if (!f[c])
			continue;
		at += (size_t)snprintf(buf + at, len - at, "%s%u %s", sep, f[c],
				       verdict_name(c));
		sep = ", ";
	}
	if (*sep == ',' && at < len)
		snprintf(buf + at, len - at, ")");
}

/* The terminal's width: a line rewritten in place must not wrap, or each
 * rewrite leaves the wrapped part behind. */
static size_t terminal_columns(void)
{
	struct winsize ws;

	if (!ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) && ws.ws_col >= 20)
		return ws.ws_col;
	return 80;
}

static void print_line(const struct totals *t, double elapsed)
{
	char f[160], errors[32] = "", line[512];
	unsigned s = (unsigned)elapsed;
	size_t len;

	campaign_format_findings(t->findings, f, sizeof(f));
	if (t->errors)
		snprintf(errors, sizeof(errors), " errors %u", t->errors);
	snprintf(line, sizeof(line),
		 "[%u:%02u:%02u] execs %" PRIu64 " (%.0f/s) corpus %u "
		 "cov %u/%u feat %u findings %s%s",
		 s / 3600, s / 60 % 60, s % 60, t->execs, mon.rate, t->corpus,
		 t->coverage, t->coverage_total, t->features, f, errors);
	len = strlen(line);
	if (mon.tty && len > terminal_columns() - 1)
		len = terminal_columns() - 1;
	fprintf(stderr, "%s%.*s%s", mon.tty ? "\r" : "", (int)len, line,
		mon.tty ? "\033[K" : "\n");
	fflush(stderr);
	mon.line_open = mon.tty;
}

static void write_afl_stats(const struct campaign_ctx *ctx,
			    const struct totals *t, double elapsed)
{
	struct afl_stats *a = &mon.afl;

	a->now = (double)time(NULL);
	a->run_time = mon.base_seconds + elapsed;
	a->execs = mon.base_execs + t->execs;
	a->execs_per_sec = mon.rate;
	if (t->corpus > a->corpus)
		a->last_find = a->now;
	a->corpus = t->corpus;
	a->edges_found = t->coverage;
	a->total_edges = t->coverage_total;
	afl_stats_count_findings(t->findings, a);
	afl_stats_write(ctx->out, a);
}

static void write_stats(const struct campaign_ctx *ctx, const struct totals *t,
			double elapsed)
{
	char line[1024], path[4096 + 32];
	int at;

	at = snprintf(line, sizeof(line),
		      "{\"time\":%.3f,\"elapsed_s\":%.3f,\"execs\":%" PRIu64
		      ",\"execs_per_s\":%.1f,\"corpus\":%u,\"coverage\":%u,"
		      "\"coverage_total\":%u,\"features\":%u,\"jobs\":%u,"
		      "\"errors\":%u,\"findings\":{",
		      (double)time(NULL), mon.base_seconds + elapsed,
		      mon.base_execs + t->execs, mon.rate, t->corpus,
		      t->coverage, t->coverage_total, t->features,
		      ctx->sh->jobs, t->errors);
	for (int c = 0, first = 1; c < VERDICT_COUNT; c++) {
		if (!verdict_is_finding(c) || at < 0 || at >= (int)sizeof(line))
			continue;
		at += snprintf(line + at, sizeof(line) - at, "%s\"%s\":%u",
			       first ? "" : ",", verdict_name(c),
			       t->findings[c]);
		first = 0;
	}
	if (at > 0 && at < (int)sizeof(line))
		snprintf(line + at, sizeof(line) - at, "}}\n");
	snprintf(path, sizeof(path), "%s/stats.jsonl", ctx->out);
	fs_append_sync(path, line);
	write_afl_stats(ctx, t, elapsed);
}

static void save_campaign_state(const struct campaign_ctx *ctx,
				const struct totals *t, double elapsed)
{
	char text[128];

	snprintf(text, sizeof(text), "execs %" PRIu64 "\nseconds %.3f\n",
		 mon.base_execs + t->execs, mon.base_seconds + elapsed);
	fs_write_atomic(ctx->engine_dir, "campaign.state", text, strlen(text));
}

static void monitor_tick(struct campaign_ctx *ctx)
{
	double now = engine_now(), elapsed = now - mon.t0;
	struct totals t;

	if (now - mon.last_tick < LINE_TTY_S)
		return;
	gather(ctx, &t);
	mon.rate = (double)(t.execs - mon.last_execs) / (now - mon.last_tick);
	mon.last_execs = t.execs;
	mon.last_tick = now;
	if (mon.progress && (mon.tty || now - mon.last_line >= LINE_LOG_S)) {
		print_line(&t, elapsed);
		mon.last_line = now;
	}
	if (now - mon.last_stats >= STATS_S) {
		buckets_save_index(ctx->buckets, ctx->findings_dir);
		write_stats(ctx, &t, elapsed);
		save_campaign_state(ctx, &t, elapsed);
		mon.last_stats = now;
	}
}

static void monitor_start(const struct campaign_ctx *ctx)
{
	char path[4096 + 32], text[128];
	long n;

	memset(&mon, 0, sizeof(mon));
	mon.t0 = mon.last_tick = mon.last_line = mon.last_stats = engine_now();
	mon.progress = ctx->cfg->progress;
	mon.tty = isatty(STDERR_FILENO);
	snprintf(path, sizeof(path), "%s/campaign.state", ctx->engine_dir);
	n = fs_read_small(path, text, sizeof(text) - 1);
	if (n > 0) {
		text[n] = '\0';
		sscanf(text, "execs %" SCNu64 "\nseconds %lf", &mon.base_execs,
		       &mon.base_seconds);
	}
	findings_load(NULL, ctx->findings_dir, mon.base_findings, 1);
	mon.afl.engine = "builtin";
	mon.afl.start_time = (double)time(NULL);
	mon.afl.exec_timeout_ms = ctx->cfg->bcfg.case_timeout_ms;
	afl_stats_count_findings(mon.base_findings, &mon.afl); /* now 0 */
}

/* fuzzer_stats from the start: afl-whatsup sees the campaign at once. */
static void monitor_first_sample(const struct campaign_ctx *ctx)
{
	struct totals t;

	gather(ctx, &t);
	write_afl_stats(ctx, &t, 0);
}

static void monitor_finish(struct campaign_ctx *ctx, struct campaign_result *r)
{
	double elapsed = engine_now() - mon.t0;
	struct totals t;

	gather(ctx, &t);
	mon.rate = elapsed > 0 ? (double)t.execs / elapsed : 0;
	if (mon.line_open)
		fputc('\n', stderr);
	buckets_save_index(ctx->buckets, ctx->findings_dir);
	write_stats(ctx, &t, elapsed);
	save_campaign_state(ctx, &t, elapsed);
	memset(r, 0, sizeof(*r));
	r->execs = t.execs;
	r->seconds = elapsed;
	r->corpus = t.corpus;
	r->coverage = t.coverage;
	r->coverage_total = t.coverage_total;
	r->features = t.features;
	r->new_findings = t.new_findings;
	r->first_finding_exec = t.first_finding_exec;
	r->errors = t.errors;
	memcpy(r->verdicts, t.verdicts, sizeof(r->verdicts));
	memcpy(r->first_exec, t.first_exec, sizeof(r->first_exec));
	/* What is on disk is the truth, whoever wrote it. */
	findings_load(NULL, ctx->findings_dir, r->findings, 0);
}

unsigned campaign_total_findings(const struct campaign_result *res)
{
	return findings_sum(res->findings);
}

/* ---- the directory ---- */

static void remove_tmp_files(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	char path[4096 + 256];

	for (int i = 0; i < n; i++) {
		if (!strncmp(names[i]->d_name, ".tmp-", 5)) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 names[i]->d_name);
			unlink(path);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/*
 * DIR/replay: the backend (or pair) and CPU vendor this campaign ran on,
 * so triage, repro and minimize replay its findings there (a linux
 * finding replayed on tcg means nothing). triage/replay.c reads it. The
 * campaign writes the name it was given; its first worker then writes the
 * backend "auto" resolved to, so a campaign copied to another host replays
 * where it ran.
 */
int campaign_save_replay_info(const struct campaign_ctx *ctx,
			      const char *backend, char *err, size_t errlen)
{
	const struct campaign_config *cfg = ctx->cfg;
	char text[256];

	snprintf(text, sizeof(text), "backend = %.100s\nvendor = %.20s\n",
		 backend ? backend : "auto",
		 cfg->bcfg.vendor ? cfg->bcfg.vendor : "host");
	if (fs_write_atomic(ctx->out, "replay", text, strlen(text))) {
		snprintf(err, errlen, "cannot write %s/replay: %s", ctx->out,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int setup_dirs(struct campaign_ctx *ctx, char *err, size_t errlen)
{
	const struct campaign_config *cfg = ctx->cfg;
	size_t len = cfg->out_dir ? strlen(cfg->out_dir) : 0;

	if (!len || len >= sizeof(ctx->out)) {
		snprintf(err, errlen, "name an output directory (--out DIR)");
		return -1;
	}
	memcpy(ctx->out, cfg->out_dir, len + 1);
	snprintf(ctx->corpus_dir, sizeof(ctx->corpus_dir), "%s/corpus",
		 ctx->out);
	snprintf(ctx->findings_dir, sizeof(ctx->findings_dir), "%s/findings",
		 ctx->out);
	snprintf(ctx->engine_dir, sizeof(ctx->engine_dir), "%s/engine",
		 ctx->out);
	snprintf(ctx->seeds_dir, sizeof(ctx->seeds_dir), "%s",
		 cfg->seeds_dir ? cfg->seeds_dir
				: gc_path_minimal_seeds());
	if (fs_mkdir_p(ctx->corpus_dir) || fs_mkdir_p(ctx->findings_dir) ||
	    fs_mkdir_p(ctx->engine_dir)) {
		snprintf(err, errlen, "cannot create %s: %s", ctx->out,
			 strerror(errno));
		return -1;
	}
	remove_tmp_files(ctx->out); /* fuzzer_stats' */
	remove_tmp_files(ctx->corpus_dir);
	remove_tmp_files(ctx->engine_dir);
	return campaign_save_replay_info(ctx, ctx->cfg->backend, err, errlen);
}

/* ---- workers ---- */

static int first_failure(const struct campaign_ctx *ctx, char *err,
			 size_t errlen)
{
	for (unsigned i = 0; i < ctx->sh->jobs; i++) {
		if (ctx->sh->w[i].state != WORKER_FAILED)
			continue;
		snprintf(err, errlen, "%s",
			 ctx->sh->w[i].err[0] ? ctx->sh->w[i].err
					      : "a worker failed");
		return -1;
	}
	return 0;
}

static int reap(struct campaign_ctx *ctx, pid_t *pids, unsigned *alive)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned i = 0; i < ctx->sh->jobs; i++) {
			if (pids[i] != pid)
				continue;
			pids[i] = 0;
			(*alive)--;
			if (ctx->sh->w[i].state != WORKER_DONE) {
				ctx->sh->w[i].state = WORKER_FAILED;
				ctx->sh->stop = 1; /* one broken, all stop */
			}
		}
	}
	return pid < 0 && errno != ECHILD && errno != EINTR ? -1 : 0;
}

static void run_forked(struct campaign_ctx *ctx)
{
	pid_t pids[256] = {0};
	unsigned alive = 0;
	struct timespec pause = {0, 50 * 1000 * 1000};

	fflush(NULL);
	for (unsigned i = 0; i < ctx->sh->jobs; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(worker_run(ctx, i) ? 2 : 0);
		if (pid < 0) {
			snprintf(ctx->sh->w[i].err, sizeof(ctx->sh->w[i].err),
				 "fork: %s", strerror(errno));
			ctx->sh->w[i].state = WORKER_FAILED;
			ctx->sh->stop = 1;
			continue;
		}
		pids[i] = pid;
		alive++;
	}
	while (alive) {
		nanosleep(&pause, NULL);
		monitor_tick(ctx);
		if (reap(ctx, pids, &alive))
			break;
	}
}

static struct shared *shared_alloc(unsigned jobs)
{
	size_t size = sizeof(struct shared) + jobs * sizeof(struct worker_slot);
	struct shared *sh = mmap(NULL, size, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (sh == MAP_FAILED)
		return NULL;
	sh->jobs = jobs;
	return sh;
}

static void catch_stop_signals(struct shared *sh, struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	stop_target = sh;
	sigaction(SIGINT, &sa, &old[0]);
	sigaction(SIGTERM, &sa, &old[1]);
}

static void restore_signals(const struct sigaction *old)
{
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
	stop_target = NULL;
}

int campaign_run(const struct campaign_config *cfg, struct campaign_result *res,
		 char *err, size_t errlen)
{
	static struct campaign_ctx ctx;
	unsigned jobs = cfg->jobs ? cfg->jobs : 1;
	struct sigaction old[2];
	int ret;

	memset(&ctx, 0, sizeof(ctx));
	memset(res, 0, sizeof(*res));
	ctx.cfg = cfg;
	if (jobs > 256) {
		snprintf(err, errlen, "at most 256 jobs");
		return -1;
	}
	if (setup_dirs(&ctx, err, errlen))
		return -1;
	ctx.sh = shared_alloc(jobs);
	ctx.buckets = buckets_alloc();
	if (!ctx.sh || !ctx.buckets) {
		snprintf(err, errlen, "mmap: %s", strerror(errno));
		return -1;
	}
	findings_load(NULL, ctx.findings_dir, NULL, 1); /* stale temporaries */
	if (buckets_load(ctx.buckets, ctx.findings_dir)) {
		snprintf(err, errlen, "cannot read %s: %s", ctx.findings_dir,
			 strerror(errno));
		return -1;
	}
	ctx.per_worker_execs =
		cfg->max_execs ? (cfg->max_execs + jobs - 1) / jobs : 0;
	ctx.deadline = cfg->time_s > 0 ? engine_now() + cfg->time_s : 0;
	monitor_start(&ctx);
	monitor_first_sample(&ctx);
	catch_stop_signals(ctx.sh, old);
	if (jobs == 1) {
		ctx.tick = monitor_tick;
		worker_run(&ctx, 0);
	} else {
		run_forked(&ctx);
	}
	restore_signals(old);
	monitor_finish(&ctx, res);
	ret = first_failure(&ctx, err, errlen);
	munmap(ctx.sh,
	       sizeof(struct shared) + jobs * sizeof(struct worker_slot));
	buckets_free(ctx.buckets);
	return ret;
}
