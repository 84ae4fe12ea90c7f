// SPDX-License-Identifier: MIT
/*
 * The built-in engine end to end on the real test kernel (tcg), from
 * seeds/minimal only, on a fixed execution budget and RNG seed:
 *
 *   test_campaign find DEFENSE BUDGET [RNG]  that defense off: a finding
 *                                      of its documented class within
 *                                      BUDGET (RNG seed 1 by default)
 *   test_campaign hardened BUDGET      every defense on: no finding
 *   test_campaign resume               a stopped campaign restarts with
 *                                      its corpus, findings and totals
 *
 * Each prints what it measured (executions to the first finding).
 */
#include <dirent.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "campaign.h"
#include "defenses.h"
#include "testcase.h"

static char out_dir[256];

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void make_out_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(out_dir, sizeof(out_dir), "%s/gc-engine-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(out_dir)) {
		perror("mkdtemp");
		exit(2);
	}
}

static int finish(int ok)
{
	if (ok)
		nftw(out_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		fprintf(stderr, "campaign kept in %s\n", out_dir);
	printf("%s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}

static int run(struct campaign_config *cfg, struct campaign_result *res)
{
	char err[512];

	cfg->backend = "tcg";
	cfg->out_dir = out_dir;
	cfg->jobs = 1;
	if (campaign_run(cfg, res, err, sizeof(err))) {
		fprintf(stderr, "campaign: %s\n", err);
		return -1;
	}
	printf("%" PRIu64 " execs in %.1f s, corpus %u, coverage %u/%u, "
	       "features %u\n",
	       res->execs, res->seconds, res->corpus, res->coverage,
	       res->coverage_total, res->features);
	return 0;
}

/* Calls fn(dir name, testcase, verdict class) for each finding. */
static int each_finding(int (*fn)(const char *, const struct gc_testcase *,
				  const char *))
{
	char path[1024], json[8192], cls[32], *p;
	struct dirent **names;
	struct gc_testcase tc;
	int n, bad = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/findings", out_dir);
	n = scandir(path, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *d = names[i]->d_name;

		if (d[0] == '.')
			goto next;
		snprintf(path, sizeof(path), "%s/findings/%s/input.bin",
			 out_dir, d);
		if (tc_load_file(path, &tc, NULL, json, sizeof(json))) {
			bad++;
			goto next;
		}
		snprintf(path, sizeof(path), "%s/findings/%s/verdict.json",
			 out_dir, d);
		f = fopen(path, "r");
		json[f ? fread(json, 1, sizeof(json) - 1, f) : 0] = '\0';
		if (f)
			fclose(f);
		p = strstr(json, "\"verdict\":");
		if (!p || sscanf(p + 10, " \"%31[a-z_]\"", cls) != 1) {
			fprintf(stderr, "%s: no verdict in verdict.json\n", d);
			bad++;
			goto next;
		}
		bad += fn(d, &tc, cls);
	next:
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return n < 0 ? -1 : bad;
}

/* ---- find ---- */

static const char *want_class;
static unsigned want_found;

/* The finding must be the defense's doing: with it on, the same input
 * passes (otherwise the engine found something else). */
static int passes_hardened(const struct gc_testcase *tc)
{
	static struct backend *b;
	struct case_outcome out;
	struct verdict v;
	char err[512];

	if (!b && backend_open("tcg", &(struct backend_config){0}, &b, err,
			       sizeof(err))) {
		fprintf(stderr, "tcg: %s\n", err);
		return 0;
	}
	if (backend_run(b, tc, 1, GC_DEFENSES_ALL, &out, err, sizeof(err)))
		return 0;
	oracle_judge(tc, &out, &v);
	return v.cls == VERDICT_PASS;
}

static int count_wanted(const char *dir, const struct gc_testcase *tc,
			const char *cls)
{
	int caused = passes_hardened(tc);

	printf("  finding %s: %s, %s with every defense on\n", dir, cls,
	       caused ? "passes" : "NOT passing");
	want_found += !strcmp(cls, want_class) && caused;
	return 0;
}

static int test_find(const char *name, uint64_t budget, uint64_t rng_seed)
{
	const struct defense *d = defense_by_name(name);
	struct campaign_config cfg = {0};
	struct campaign_result res;
	int cls;

	if (!d)
		return 2;
	want_class = d->expected;
	for (cls = 0; cls < VERDICT_COUNT; cls++)
		if (!strcmp(verdict_name(cls), want_class))
			break;
	cfg.defenses = GC_DEFENSES_ALL & ~(1ull << d->bit);
	cfg.max_execs = budget;
	cfg.rng_seed = rng_seed;
	cfg.rng_seed_set = 1;
	cfg.stop_on = 1u << cls;
	if (run(&cfg, &res) || each_finding(count_wanted) < 0)
		return finish(0);
	printf("%s off: first %s finding after %" PRIu64 " execs "
	       "(budget %" PRIu64 ")\n",
	       name, want_class, res.first_exec[cls], budget);
	return finish(want_found > 0);
}

/* ---- hardened ---- */

/* With every defense on, any finding is a false positive: a bug in the
 * kernel or the oracle. Print it in full so it can be reproduced. */
static int judge_hardened(const char *dir, const struct gc_testcase *tc,
			  const char *cls)
{
	fprintf(stderr, "FALSE POSITIVE %s: %s\n", dir, cls);
	tc_print_text(stderr, tc);
	return 1;
}

static int test_hardened(uint64_t budget)
{
	struct campaign_config cfg = {0};
	struct campaign_result res;
	int bad;

	cfg.defenses = GC_DEFENSES_ALL;
	cfg.max_execs = budget;
	cfg.rng_seed = 2;
	cfg.rng_seed_set = 1;
	if (run(&cfg, &res))
		return finish(0);
	bad = each_finding(judge_hardened);
	printf("hardened: %u findings, %u executions\n",
	       campaign_total_findings(&res), (unsigned)budget);
	return finish(bad == 0 && res.errors == 0);
}

/* ---- resume ---- */

static unsigned count_files(const char *sub)
{
	char path[512];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", out_dir, sub);
	d = opendir(path);
	while (d && (e = readdir(d)))
		/* findings/index is the bucket counts, not a finding */
		n += e->d_name[0] != '.' && strcmp(e->d_name, "index");
	if (d)
		closedir(d);
	return n;
}

static unsigned count_lines(const char *sub)
{
	char path[512];
	unsigned n = 0;
	FILE *f;
	int c;

	snprintf(path, sizeof(path), "%s/%s", out_dir, sub);
	f = fopen(path, "r");
	while (f && (c = fgetc(f)) != EOF)
		n += c == '\n';
	if (f)
		fclose(f);
	return n;
}

/* The campaign's running total, from OUT/engine/campaign.state. */
static uint64_t total_execs(void)
{
	char path[512];
	uint64_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/engine/campaign.state", out_dir);
	f = fopen(path, "r");
	if (f && fscanf(f, "execs %" SCNu64, &n) != 1)
		n = 0;
	if (f)
		fclose(f);
	printf("campaign.state: %" PRIu64 " execs over both runs\n", n);
	return n;
}

static int test_resume(void)
{
	struct campaign_config cfg = {0};
	struct campaign_result a, b;
	unsigned corpus_a, findings_a, lines_a;

	cfg.defenses = GC_DEFENSES_ALL & ~(1ull << GC_DEF_SYSRET_RCX_IS_RIP);
	cfg.max_execs = 1500;
	cfg.rng_seed = 3;
	cfg.rng_seed_set = 1;
	if (run(&cfg, &a))
		return finish(0);
	corpus_a = count_files("corpus");
	findings_a = count_files("findings");
	lines_a = count_lines("stats.jsonl");
	printf("first run: corpus %u files, %u findings\n", corpus_a,
	       findings_a);

	cfg.max_execs = 500;
	cfg.rng_seed_set = 0; /* go on from the saved RNG position */
	if (run(&cfg, &b))
		return finish(0);
	printf("second run: corpus %u files, %u findings, loaded corpus %u\n",
	       count_files("corpus"), count_files("findings"), b.corpus);
	return finish(findings_a > 0 && corpus_a > 0 &&
		      count_files("corpus") >= corpus_a &&
		      count_files("findings") >= findings_a &&
		      campaign_total_findings(&b) >= findings_a &&
		      b.corpus >= corpus_a && total_execs() >= 2000 &&
		      count_lines("stats.jsonl") > lines_a);
}

int main(int argc, char **argv)
{
	make_out_dir();
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "find"))
		return test_find(argv[2], strtoull(argv[3], NULL, 0),
				 argc == 5 ? strtoull(argv[4], NULL, 0) : 1);
	if (argc == 3 && !strcmp(argv[1], "hardened"))
		return test_hardened(strtoull(argv[2], NULL, 0));
	if (argc == 2 && !strcmp(argv[1], "resume"))
		return test_resume();
	fprintf(stderr,
		"usage: %s find DEFENSE BUDGET | hardened BUDGET | "
		"resume\n",
		argv[0]);
	return 2;
}
