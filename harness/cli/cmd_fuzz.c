// SPDX-License-Identifier: MIT
/*
 * gatecrash fuzz: the built-in coverage-guided engine (harness/engine/,
 * docs/fuzzing.md). This file only turns the command line into a
 * campaign_config and the result into a summary and an exit status.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "campaign.h"
#include "cli_files.h"
#include "cli_util.h"
#include "commands.h"
#include "defenses.h"
#include "engines.h"
#include "json.h"

static const char fuzz_usage[] =
	"Usage: gatecrash fuzz --out DIR [options] [-- FUZZER-ARGS]\n"
	"\n"
	"Coverage-guided fuzzing of the entry/exit paths: mutates testcases\n"
	"field by field, keeps those that reach new guest coverage or a new\n"
	"kind of result in DIR/corpus, and saves every new finding in\n"
	"DIR/findings/<signature>/ the moment it is found. Running again on\n"
	"the same DIR resumes the campaign. See docs/fuzzing.md.\n"
	"\n"
	"Options:\n"
	"  --out DIR          campaign directory (required)\n"
	"  --engine E         builtin, libfuzzer or afl (default builtin)\n"
	"  --seeds DIR        initial testcases (default: the seeds/minimal\n"
	"                     shipped with gatecrash)\n"
	"  --backend B        tcg, kvm, linux, qemu-user or auto (default:\n"
	"                     auto)\n"
	"  --vendor V         guest CPUID vendor: intel, amd or host\n"
	"  --backends A,B     fuzz the difference between two backends'\n"
	"                     mechanism runs (e.g. linux,qemu-user): a\n"
	"                     finding is where they disagree\n"
	"  --disable D[,D..]  switch defenses off for the mechanism run\n"
	"  --jobs N           worker processes, each with its own VM (default "
	"1)\n"
	"  --time S           stop after S seconds\n"
	"  --max-execs N      stop after N executions (all workers together)\n"
	"  --seed-rng N       RNG seed (default: the saved position, or "
	"random)\n"
	"  --kernel PATH      test kernel ELF (default: the built one)\n"
	"  --qemu PATH        qemu-system-x86_64 binary\n"
	"  --timeout-ms N     per-testcase hang deadline (default 50)\n"
	"  -q, --quiet        no progress lines\n"
	"  --json             the closing summary as one JSON object on\n"
	"                     stdout (progress lines stay on stderr)\n"
	"  -h, --help         this text\n"
	"  -- ARGS            with --engine libfuzzer or afl: passed to the\n"
	"                     fuzzer after gatecrash's own (libFuzzer flags\n"
	"                     such as -runs=1000, afl-fuzz options such as\n"
	"                     -p explore)\n"
	"\n"
	"Without --time or --max-execs it runs until interrupted (Ctrl-C "
	"stops\n"
	"it cleanly; so does kill -9, minus the last progress line).\n"
	"\n"
	"Exit status: 0 no findings in DIR, 1 findings in DIR, 2 error.\n";

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	*out = strtoull(s, &end, 0);
	return *end ? -1 : 0;
}

/* --engine: the built-in engine, or an external fuzzer (engines.h). */
static enum fuzz_engine engine;
static int want_json;

static int parse_engine(const char *name)
{
	int e = fuzz_engine_from_name(name);

	if (e < 0)
		return cli_usage_error("fuzz",
				       "--engine takes builtin, libfuzzer "
				       "or afl, not '%s'",
				       name);
	engine = (enum fuzz_engine)e;
	return 0;
}

static int parse_option(int c, struct campaign_config *cfg)
{
	char err[256];
	unsigned u;

	switch (c) {
	case 'e':
		return parse_engine(optarg);
	case 'o':
		cfg->out_dir = optarg;
		return 0;
	case 's':
		cfg->seeds_dir = optarg;
		return 0;
	case 'b':
		cfg->backend = optarg;
		return 0;
	case 'B':
		if (!strchr(optarg, ','))
			return cli_usage_error("fuzz",
					       "--backends takes two backends, "
					       "A,B, not '%s'",
					       optarg);
		cfg->backend = optarg;
		return 0;
	case 'k':
		cfg->bcfg.kernel_path = optarg;
		return 0;
	case 'Q':
		cfg->bcfg.qemu_path = optarg;
		return 0;
	case 'V':
		if (cli_parse_vendor(optarg))
			return cli_usage_error("fuzz",
					       "--vendor takes intel, amd or "
					       "host, not '%s'",
					       optarg);
		cfg->bcfg.vendor = optarg;
		return 0;
	case 'q':
		cfg->progress = 0;
		return 0;
	case 'J':
		want_json = 1;
		return 0;
	case 'd':
		if (defenses_disable_list(optarg, &cfg->defenses, err,
					  sizeof(err)))
			return cli_error("%s", err);
		return 0;
	case 'j':
		if (cli_parse_uint(optarg, 1, 256, &cfg->jobs))
			return cli_usage_error("fuzz",
					       "--jobs takes 1..256, "
					       "not '%s'",
					       optarg);
		return 0;
	case 't':
		if (cli_parse_uint(optarg, 1, 100000000, &u))
			return cli_usage_error("fuzz",
					       "--time takes seconds, "
					       "not '%s'",
					       optarg);
		cfg->time_s = u;
		return 0;
	case 'm':
		if (parse_u64(optarg, &cfg->max_execs) || !cfg->max_execs)
			return cli_usage_error("fuzz",
					       "--max-execs takes a "
					       "positive number, not '%s'",
					       optarg);
		return 0;
	case 'r':
		if (parse_u64(optarg, &cfg->rng_seed))
			return cli_usage_error("fuzz",
					       "--seed-rng takes a "
					       "number, not '%s'",
					       optarg);
		cfg->rng_seed_set = 1;
		return 0;
	case 'T':
		if (cli_parse_uint(optarg, 1, 600000,
				   &cfg->bcfg.case_timeout_ms))
			return cli_usage_error("fuzz",
					       "--timeout-ms takes a "
					       "number of milliseconds, not "
					       "'%s'",
					       optarg);
		return 0;
	}
	return -1;
}

static int parse_fuzz_options(int argc, char **argv,
			      struct campaign_config *cfg)
{
	static const struct option longopts[] = {
		{"out", required_argument, NULL, 'o'},
		{"engine", required_argument, NULL, 'e'},
		{"seeds", required_argument, NULL, 's'},
		{"backend", required_argument, NULL, 'b'},
		{"backends", required_argument, NULL, 'B'},
		{"disable", required_argument, NULL, 'd'},
		{"jobs", required_argument, NULL, 'j'},
		{"time", required_argument, NULL, 't'},
		{"max-execs", required_argument, NULL, 'm'},
		{"seed-rng", required_argument, NULL, 'r'},
		{"kernel", required_argument, NULL, 'k'},
		{"qemu", required_argument, NULL, 'Q'},
		{"vendor", required_argument, NULL, 'V'},
		{"timeout-ms", required_argument, NULL, 'T'},
		{"quiet", no_argument, NULL, 'q'},
		{"json", no_argument, NULL, 'J'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*cfg = (struct campaign_config){
		.backend = "auto",
		.defenses = GC_DEFENSES_ALL,
		.jobs = 1,
		.progress = 1,
		.rng_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32),
	};
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(fuzz_usage, stdout);
			exit(0);
		}
		if (c == '?' || c == ':')
			return cli_bad_option("fuzz", c, argv);
		if (parse_option(c, cfg))
			return EXIT_USAGE;
	}
	/* getopt stops at "--"; what follows is the fuzzer's. */
	if (optind > 1 && !strcmp(argv[optind - 1], "--")) {
		cfg->engine_args = argv + optind;
		cfg->n_engine_args = (unsigned)(argc - optind);
		if (engine == ENGINE_BUILTIN && cfg->n_engine_args)
			return cli_usage_error("fuzz",
					       "arguments after -- are for "
					       "--engine libfuzzer or afl");
	} else if (optind < argc) {
		return cli_usage_error("fuzz", "unexpected argument '%s'",
				       argv[optind]);
	}
	if (!cfg->out_dir)
		return cli_usage_error("fuzz", "name the campaign directory "
					       "with --out DIR");
	return 0;
}

static void print_summary(const struct campaign_config *cfg,
			  const struct campaign_result *r)
{
	char f[160];

	campaign_format_findings(r->findings, f, sizeof(f));
	printf("fuzz: %llu execs in %.1f s (%.0f/s, %u job%s), corpus %u, "
	       "coverage %u/%u counters, %u outcome features\n",
	       (unsigned long long)r->execs, r->seconds,
	       r->seconds > 0 ? (double)r->execs / r->seconds : 0.0, cfg->jobs,
	       cfg->jobs == 1 ? "" : "s", r->corpus, r->coverage,
	       r->coverage_total, r->features);
	printf("findings: %s in %s/findings", f, cfg->out_dir);
	if (r->new_findings)
		printf(" (%u new; first after %llu execs)", r->new_findings,
		       (unsigned long long)r->first_finding_exec);
	if (r->errors)
		printf("; %u harness errors", r->errors);
	printf("\nverdicts:");
	for (int c = 0; c < VERDICT_COUNT; c++)
		if (r->verdicts[c])
			printf(" %llu %s", (unsigned long long)r->verdicts[c],
			       verdict_name(c));
	putchar('\n');
}

/* The summary's figures as one object; "findings" and "verdicts" are
 * keyed by verdict class, as in stats.jsonl. */
static void print_summary_json(const struct campaign_config *cfg,
			       const struct campaign_result *r,
			       const char *engine_name)
{
	fputs("{\"engine\":", stdout);
	json_string(stdout, engine_name);
	fputs(",\"out\":", stdout);
	json_string(stdout, cfg->out_dir);
	printf(",\"execs\":%llu,\"seconds\":%.3f,\"jobs\":%u,"
	       "\"corpus\":%u,\"coverage\":%u,\"coverage_total\":%u,"
	       "\"features\":%u,\"new_findings\":%u,\"errors\":%u",
	       (unsigned long long)r->execs, r->seconds, cfg->jobs, r->corpus,
	       r->coverage, r->coverage_total, r->features, r->new_findings,
	       r->errors);
	fputs(",\"findings\":{", stdout);
	for (int c = 0; c < VERDICT_COUNT; c++)
		printf("%s\"%s\":%u", c ? "," : "", verdict_name(c),
		       r->findings[c]);
	fputs("},\"verdicts\":{", stdout);
	for (int c = 0; c < VERDICT_COUNT; c++)
		printf("%s\"%s\":%llu", c ? "," : "", verdict_name(c),
		       (unsigned long long)r->verdicts[c]);
	fputs("}}\n", stdout);
}

static int run_external(const struct campaign_config *cfg)
{
	struct campaign_result res;
	char err[512], f[160];

	if (fuzz_engine_run(engine, cfg, &res, err, sizeof(err)))
		return cli_error("%s", err);
	if (want_json) {
		print_summary_json(cfg, &res,
				   engine == ENGINE_AFL ? "afl" : "libfuzzer");
		return cli_flush_stdout() ? EXIT_USAGE
					  : campaign_total_findings(&res) != 0;
	}
	campaign_format_findings(res.findings, f, sizeof(f));
	printf("fuzz: %s ran %.1f s",
	       engine == ENGINE_AFL ? "afl" : "libfuzzer", res.seconds);
	if (res.execs)
		printf(", %llu execs (%.0f/s)", (unsigned long long)res.execs,
		       res.execs / (res.seconds > 0 ? res.seconds : 1));
	printf(", corpus %u (%s's count), %u files in %s/corpus\n"
	       "findings: %s in %s/findings\n",
	       res.corpus, engine == ENGINE_AFL ? "afl-fuzz" : "libFuzzer",
	       res.corpus_files, cfg->out_dir, f, cfg->out_dir);
	if (cli_flush_stdout())
		return EXIT_USAGE;
	return campaign_total_findings(&res) ? 1 : 0;
}

int cmd_fuzz(int argc, char **argv)
{
	struct campaign_config cfg;
	struct campaign_result res;
	char err[512];

	if (parse_fuzz_options(argc, argv, &cfg))
		return EXIT_USAGE;
	if (engine != ENGINE_BUILTIN)
		return run_external(&cfg);
	if (campaign_run(&cfg, &res, err, sizeof(err))) {
		fflush(stdout);
		return cli_error("%s", err);
	}
	if (want_json)
		print_summary_json(&cfg, &res, "builtin");
	else
		print_summary(&cfg, &res);
	if (cli_flush_stdout())
		return EXIT_USAGE;
	if (campaign_total_findings(&res))
		return 1;
	return res.errors ? EXIT_USAGE : 0;
}
