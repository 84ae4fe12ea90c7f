// SPDX-License-Identifier: MIT
/*
 * gatecrash run: judge testcase files (or every file below a directory) on
 * a backend, print a verdict per file, and exit 0/1/2.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "cli_files.h"
#include "cli_util.h"
#include "commands.h"
#include "defenses.h"
#include "testcase.h"
#include "verdict.h"

static const char run_usage[] =
	"usage: gatecrash run [options] FILE|DIR...\n"
	"\n"
	"Runs each testcase through its entry mechanism and through the\n"
	"int $0x80 + iret reference on the test kernel, and prints the\n"
	"oracle's verdict: pass, divergence, kernel_fault, hazard, hang,\n"
	"vm_crash or error. A directory stands for every file below it.\n"
	"\n"
	"options:\n"
	"  --backend B        tcg (QEMU TCG) or auto (default: auto)\n"
	"  --disable D[,D..]  switch defenses off for the mechanism run\n"
	"                     (names: gatecrash defenses; 'all' for every one)\n"
	"  --json             one JSON object per testcase on stdout\n"
	"  --kernel PATH      test kernel ELF (default: the built one)\n"
	"  --qemu PATH        qemu-system-x86_64 binary\n"
	"  --timeout-ms N     per-testcase hang deadline (default 50)\n"
	"  -q, --quiet        print findings only (text mode)\n"
	"  -h, --help         this text\n"
	"\n"
	"exit status: 0 every verdict is pass, 1 something was found,\n"
	"2 usage, input or environment error.\n";

struct run_options {
	const char *backend;
	uint64_t defenses;
	int json;
	int quiet;
	struct backend_config cfg;
};

struct run_totals {
	unsigned by_class[VERDICT_COUNT];
	unsigned total;
};

static int parse_run_options(int argc, char **argv, struct run_options *o)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "disable", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "qemu", required_argument, NULL, 'Q' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int c;

	*o = (struct run_options){ .backend = "auto",
				   .defenses = GC_DEFENSES_ALL };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->backend = optarg;
			break;
		case 'd':
			if (defenses_disable_list(optarg, &o->defenses, err,
						  sizeof(err)))
				return cli_error("%s", err);
			break;
		case 'j':
			o->json = 1;
			break;
		case 'k':
			o->cfg.kernel_path = optarg;
			break;
		case 'Q':
			o->cfg.qemu_path = optarg;
			break;
		case 't':
			if (cli_parse_uint(optarg, 1, 600000,
					   &o->cfg.case_timeout_ms))
				return cli_usage_error("run",
					"--timeout-ms takes a number of "
					"milliseconds, not '%s'", optarg);
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			fputs(run_usage, stdout);
			exit(0);
		default:
			return cli_bad_option("run", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("run", "name at least one testcase "
				       "file or directory");
	return 0;
}

struct loaded {
	char **paths;
	struct gc_testcase *cases;
	size_t n;
};

static int load_all(char **paths, size_t npaths, struct loaded *l)
{
	char err[512];

	l->n = npaths;
	l->paths = paths;
	l->cases = calloc(npaths ? npaths : 1, sizeof(*l->cases));
	if (!l->cases)
		return cli_error("out of memory");
	for (size_t i = 0; i < npaths; i++)
		if (tc_load_file(paths[i], &l->cases[i], NULL, err,
				 sizeof(err)))
			return cli_error("%s", err);
	return 0;
}

static void report_one(const struct run_options *o, const char *path,
		       const struct gc_testcase *tc,
		       const struct case_outcome *out, struct run_totals *t,
		       const char *backend)
{
	struct verdict v;

	oracle_judge(tc, out, &v);
	t->by_class[v.cls]++;
	t->total++;
	if (o->json)
		verdict_print_json(stdout, path, tc, out, &v, backend,
				   kernel_image_symbolize);
	else if (!o->quiet || v.cls != VERDICT_PASS)
		verdict_print_text(stdout, path, tc, out, &v,
				   kernel_image_symbolize);
}

static int run_loaded(const struct run_options *o, struct backend *b,
		      const struct loaded *l, struct run_totals *t)
{
	static struct case_outcome outs[GC_MAX_BATCH];
	char err[256];

	for (size_t first = 0; first < l->n; first += GC_MAX_BATCH) {
		unsigned n = l->n - first < GC_MAX_BATCH ? l->n - first
							 : GC_MAX_BATCH;

		if (backend_run(b, &l->cases[first], n, o->defenses, outs, err,
				sizeof(err)))
			return cli_error("%s", err);
		for (unsigned i = 0; i < n; i++)
			report_one(o, l->paths[first + i], &l->cases[first + i],
				   &outs[i], t, backend_name(b));
	}
	return 0;
}

static void print_summary(const struct run_options *o,
			  const struct run_totals *t, double seconds,
			  const struct backend_stats *st)
{
	FILE *f = o->json ? stderr : stdout;

	fprintf(f, "%u testcase%s:", t->total, t->total == 1 ? "" : "s");
	for (int c = 0; c < VERDICT_COUNT; c++)
		if (t->by_class[c])
			fprintf(f, " %u %s", t->by_class[c], verdict_name(c));
	fprintf(f, " (%.0f testcases/s, boot %.0f ms, %llu restart%s)\n",
		seconds > 0 ? t->total / seconds : 0.0, st->boot_ms_last,
		(unsigned long long)st->restarts,
		st->restarts == 1 ? "" : "s");
}

static int exit_status(const struct run_totals *t)
{
	for (int c = 0; c < VERDICT_COUNT; c++)
		if (t->by_class[c] && verdict_is_finding(c))
			return 1;
	return t->by_class[VERDICT_ERROR] ? 2 : 0;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int run_on_backend(const struct run_options *o, const struct loaded *l)
{
	struct run_totals t = { 0 };
	struct backend_stats st;
	struct backend *b;
	struct timespec t0;
	char err[512];
	int ret;

	if (backend_open(o->backend, &o->cfg, &b, err, sizeof(err)))
		return cli_error("%s", err);
	kernel_image_load_symbols(o->cfg.kernel_path ? o->cfg.kernel_path :
			kernel_image_default_path(), err, sizeof(err));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = run_loaded(o, b, l, &t);
	backend_get_stats(b, &st);
	backend_close(b);
	if (ret)
		return EXIT_USAGE;
	print_summary(o, &t, seconds_since(&t0), &st);
	if (cli_flush_stdout())
		return EXIT_USAGE;
	return exit_status(&t);
}

int cmd_run(int argc, char **argv)
{
	struct run_options o;
	struct path_list files = { 0 };
	struct loaded l = { 0 };
	int ret;

	if (parse_run_options(argc, argv, &o))
		return EXIT_USAGE;
	ret = cli_collect_files(argv + optind, argc - optind, &files);
	if (!ret)
		ret = load_all(files.paths, files.n, &l);
	if (!ret)
		ret = run_on_backend(&o, &l);
	free(l.cases);
	cli_free_files(&files);
	return ret;
}
