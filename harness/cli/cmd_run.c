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
#include "json.h"
#include "testcase.h"
#include "verdict.h"

static const char run_usage[] =
	"Usage: gatecrash run [options] FILE|DIR...\n"
	"\n"
	"Runs each testcase through its entry mechanism and through the\n"
	"int $0x80 + iret reference on the test kernel, and prints the\n"
	"oracle's verdict: pass, divergence, kernel_fault, hazard, hang,\n"
	"vm_crash, error, unsupported or emulator (QEMU's own bug). A\n"
	"directory stands for every file below it.\n"
	"\n"
	"Options:\n"
	"  --backend B        kvm, tcg (QEMU TCG) or auto: kvm where its\n"
	"                     fidelity probe passes, else tcg (default);\n"
	"                     linux or qemu-user (docs/backends.md); A,B\n"
	"                     judges A's mechanism runs against B's\n"
	"  --backends A,B     run every testcase on both backends and also\n"
	"                     report backend_divergence where their\n"
	"                     mechanism runs differ (e.g. kvm,tcg)\n"
	"  --force            use kvm even where its fidelity probe fails\n"
	"                     (to fuzz the hypervisor itself)\n"
	"  --vendor V         guest CPUID vendor: intel, amd or host (kvm, tcg)\n"
	"  --disable D[,D..]  switch defenses off for the mechanism run\n"
	"                     (names: gatecrash defenses; 'all' for every one,\n"
	"                     'none' for none)\n"
	"  --json             one JSON object per testcase on stdout\n"
	"  --kernel PATH      test kernel ELF (default: the built one)\n"
	"  --qemu PATH        qemu-system-x86_64 binary\n"
	"  --timeout-ms N     per-testcase hang deadline (default 50)\n"
	"  -q, --quiet        print findings only (text mode)\n"
	"  -h, --help         this text\n"
	"\n"
	"A .tc file's context lines (disable =, vendor =, backend =; see\n"
	"docs/testcase-format.md) are used where the command line does not\n"
	"say otherwise: --disable, --vendor and --backend/--backends win.\n"
	"\n"
	"Exit status: 0 every verdict is pass, 1 something was found,\n"
	"2 usage, input or environment error.\n";

struct run_options {
	const char *backend;
	char pair[2][16]; /* --backends A,B; pair[0][0] == 0 without it */
	uint64_t defenses;
	int json;
	int quiet;
	int backend_given, disable_given; /* beat a .tc's context lines */
	struct backend_config cfg;
};

struct run_totals {
	unsigned by_class[VERDICT_COUNT];
	unsigned total;
	unsigned backend_divergences; /* --backends */
};

/* "kvm,tcg" into two distinct names of at most 15 characters. */
static int parse_backend_pair(const char *arg, char pair[2][16])
{
	size_t a = strcspn(arg, ",");

	if (!arg[a] || !a || a >= 16 || strlen(arg + a + 1) >= 16 ||
	    !arg[a + 1] || strchr(arg + a + 1, ','))
		return -1;
	snprintf(pair[0], 16, "%.*s", (int)a, arg);
	snprintf(pair[1], 16, "%s", arg + a + 1);
	return strcmp(pair[0], pair[1]) ? 0 : -1;
}

static int parse_run_options(int argc, char **argv, struct run_options *o)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "backends", required_argument, NULL, 'B' },
		{ "force", no_argument, NULL, 'f' },
		{ "vendor", required_argument, NULL, 'V' },
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
			o->backend_given = 1;
			break;
		case 'B':
			o->backend_given = 1;
			if (parse_backend_pair(optarg, o->pair))
				return cli_usage_error("run",
					"--backends takes two backends, "
					"as in kvm,tcg, not '%s'", optarg);
			break;
		case 'f':
			o->cfg.force = 1;
			break;
		case 'V':
			if (cli_parse_vendor(optarg))
				return cli_usage_error("run",
					"--vendor takes intel, amd or host, "
					"not '%s'", optarg);
			o->cfg.vendor = optarg;
			break;
		case 'd':
			o->disable_given = 1;
			if (!strcmp(optarg, "none"))
				o->defenses = GC_DEFENSES_ALL;
			else if (defenses_disable_list(optarg, &o->defenses,
						       err, sizeof(err)))
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

/* What a file's context lines ask to run on ("" = the command line's). */
struct run_target {
	char vendor[24];
	char backend[104];
};

struct loaded {
	char **paths;
	struct gc_testcase *cases;
	uint64_t *defenses; /* per case: --disable, else its context line */
	struct run_target *target;
	size_t n;
};

/* A file's `disable =` line, unless --disable was given. */
static int file_profile(const struct run_options *o, const char *path,
			const struct tc_context *ctx, uint64_t *enabled)
{
	char err[256];

	*enabled = o->defenses;
	if (!ctx->disable[0])
		return 0;
	if (o->disable_given) {
		fprintf(stderr,
			"gatecrash: note: %s says disable = %s; --disable "
			"wins\n",
			path, ctx->disable);
		return 0;
	}
	*enabled = GC_DEFENSES_ALL;
	if (strcmp(ctx->disable, "none") &&
	    defenses_disable_list(ctx->disable, enabled, err, sizeof(err)))
		return cli_error("%s: disable = %s: %s", path, ctx->disable,
				 err);
	return 0;
}

/* A file's `vendor =` and `backend =` lines, checked; the command line's
 * --vendor and --backend(s) win (with a note where they differ). */
static int file_target(const struct run_options *o, const char *path,
		       const struct tc_context *ctx, struct run_target *t)
{
	char pair[2][16];

	memset(t, 0, sizeof(*t));
	if (ctx->vendor[0] && cli_parse_vendor(ctx->vendor))
		return cli_error("%s: vendor = %s: not intel, amd or host",
				 path, ctx->vendor);
	if (ctx->vendor[0] && o->cfg.vendor &&
	    strcmp(ctx->vendor, o->cfg.vendor))
		fprintf(stderr,
			"gatecrash: note: %s says vendor = %s; --vendor %s "
			"wins\n",
			path, ctx->vendor, o->cfg.vendor);
	else if (ctx->vendor[0])
		snprintf(t->vendor, sizeof(t->vendor), "%s", ctx->vendor);
	if (strchr(ctx->backend, ',') && parse_backend_pair(ctx->backend, pair))
		return cli_error("%s: backend = %s: not a backend or a pair A,B",
				 path, ctx->backend);
	if (ctx->backend[0] && o->backend_given)
		fprintf(stderr,
			"gatecrash: note: %s says backend = %s; the command "
			"line's backend wins\n",
			path, ctx->backend);
	else
		snprintf(t->backend, sizeof(t->backend), "%s", ctx->backend);
	return 0;
}

static int load_all(const struct run_options *o, char **paths,
		    size_t npaths, struct loaded *l)
{
	struct tc_context ctx;
	char err[512];

	l->n = npaths;
	l->paths = paths;
	l->cases = calloc(npaths ? npaths : 1, sizeof(*l->cases));
	l->defenses = calloc(npaths ? npaths : 1, sizeof(*l->defenses));
	l->target = calloc(npaths ? npaths : 1, sizeof(*l->target));
	if (!l->cases || !l->defenses || !l->target)
		return cli_error("out of memory");
	for (size_t i = 0; i < npaths; i++) {
		if (tc_load_file_ctx(paths[i], &l->cases[i], NULL, &ctx, err,
				     sizeof(err)))
			return cli_error("%s", err);
		if (file_profile(o, paths[i], &ctx, &l->defenses[i]) ||
		    file_target(o, paths[i], &ctx, &l->target[i]))
			return EXIT_USAGE;
	}
	return 0;
}

/* Cases [first, first + n) share one profile: at most a batch, cut where
 * the next file's context line asks for another. */
static unsigned same_profile_run(const struct loaded *l, size_t first)
{
	unsigned n = 1;

	while (first + n < l->n && n < GC_MAX_BATCH &&
	       l->defenses[first + n] == l->defenses[first])
		n++;
	return n;
}

/*
 * A JSON verdict line from kvm says whether kvm was a faithful reference:
 * with --force past a failed probe every verdict is about the hypervisor.
 */
static void print_json_labelled(const char *path,
				const struct gc_testcase *tc,
				const struct verdict *v,
				const struct backend *b)
{
	putchar('{');
	verdict_print_json_members(stdout, path, tc, v, backend_name(b),
				   kernel_image_symbolize);
	printf(",\"faithful\":%s}\n", backend_faithful(b) ? "true" : "false");
}

static void report_one(const struct run_options *o, const char *path,
		       const struct gc_testcase *tc,
		       const struct case_outcome *out, struct run_totals *t,
		       const struct backend *b)
{
	struct verdict v;

	oracle_judge(tc, out, &v);
	t->by_class[v.cls]++;
	t->total++;
	if (o->json && !strcmp(backend_name(b), "kvm"))
		print_json_labelled(path, tc, &v, b);
	else if (o->json)
		verdict_print_json(stdout, path, tc, out, &v, backend_name(b),
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
	unsigned n;

	for (size_t first = 0; first < l->n; first += n) {
		n = same_profile_run(l, first);
		if (backend_run(b, &l->cases[first], n, l->defenses[first],
				outs, err, sizeof(err)))
			return cli_error("%s", err);
		for (unsigned i = 0; i < n; i++)
			report_one(o, l->paths[first + i], &l->cases[first + i],
				   &outs[i], t, b);
	}
	return 0;
}

static void print_divergence_json(const char *path, const char *const name[2],
				  const struct verdict *v)
{
	printf("{\"file\": ");
	json_string(stdout, path);
	printf(", \"verdict\": \"backend_divergence\", \"backends\": [");
	json_string(stdout, name[0]);
	printf(", ");
	json_string(stdout, name[1]);
	printf("], \"diffs\": [");
	for (unsigned i = 0; i < v->n_diffs; i++) {
		printf("%s{\"field\": ", i ? ", " : "");
		json_string(stdout, v->diffs[i].field);
		printf(", \"%s\": ", name[0]);
		json_hex64(stdout, v->diffs[i].mech);
		printf(", \"%s\": ", name[1]);
		json_hex64(stdout, v->diffs[i].ref);
		printf("}");
	}
	printf("], \"detail\": ");
	json_string(stdout, v->detail);
	printf("}\n");
}

static void print_divergence_text(const char *path, const char *const name[2],
				  const struct verdict *v)
{
	printf("%s: backend_divergence (%s vs %s)\n", path, name[0], name[1]);
	for (unsigned i = 0; i < v->n_diffs; i++)
		printf("    %-16s %s 0x%llx  %s 0x%llx\n", v->diffs[i].field,
		       name[0], (unsigned long long)v->diffs[i].mech, name[1],
		       (unsigned long long)v->diffs[i].ref);
	if (v->detail[0])
		printf("    %s\n", v->detail);
}

/* The two backends' mechanism runs of one case, held against each other. */
static void report_divergence(const struct run_options *o, const char *path,
			      const struct gc_testcase *tc,
			      const struct case_outcome out[2],
			      struct backend *const b[2], struct run_totals *t)
{
	const char *const name[2] = { backend_name(b[0]),
				      backend_name(b[1]) };
	struct verdict v;

	if (!backend_diff(tc, &out[0], &out[1], &v))
		return;
	t->backend_divergences++;
	if (o->json)
		print_divergence_json(path, name, &v);
	else
		print_divergence_text(path, name, &v);
}

static int run_pair_loaded(const struct run_options *o, struct backend *b[2],
			   const struct loaded *l, struct run_totals *t)
{
	static struct case_outcome outs[2][GC_MAX_BATCH];
	struct case_outcome pair[2];
	char err[256];
	unsigned n;

	for (size_t first = 0; first < l->n; first += n) {
		n = same_profile_run(l, first);
		for (int k = 0; k < 2; k++)
			if (backend_run(b[k], &l->cases[first], n,
					l->defenses[first], outs[k], err,
					sizeof(err)))
				return cli_error("%s: %s", backend_name(b[k]),
						 err);
		for (unsigned i = 0; i < n; i++) {
			const char *path = l->paths[first + i];
			const struct gc_testcase *tc = &l->cases[first + i];

			for (int k = 0; k < 2; k++) {
				report_one(o, path, tc, &outs[k][i], t, b[k]);
				pair[k] = outs[k][i];
			}
			report_divergence(o, path, tc, pair, b, t);
		}
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
	if (t->backend_divergences)
		fprintf(f, " %u backend_divergence", t->backend_divergences);
	if (st->guest_vendor[0] && !st->host_vendor[0])
		fprintf(f, " [guest %s]", st->guest_vendor);
	else if (st->guest_vendor[0])
		fprintf(f, " [kvm: host %s, guest %s%s]", st->host_vendor,
			st->guest_vendor,
			o->cfg.force ? ", verdicts from a forced kvm" : "");
	fprintf(f, " (%.0f testcases/s, boot %.0f ms, %llu restart%s)\n",
		seconds > 0 ? t->total / seconds : 0.0, st->boot_ms_last,
		(unsigned long long)st->restarts,
		st->restarts == 1 ? "" : "s");
}

static int exit_status(const struct run_totals *t)
{
	if (t->backend_divergences)
		return 1;
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

/* Opens the backend, or both of --backends; closes what it opened on
 * failure. Returns how many are open, or -1. */
static int open_backends(const struct run_options *o, struct backend *b[2])
{
	int nb = o->pair[0][0] ? 2 : 1;
	char err[512];

	for (int k = 0; k < nb; k++) {
		const char *name = nb == 2 ? o->pair[k] : o->backend;

		if (backend_open(name, &o->cfg, &b[k], err, sizeof(err))) {
			if (k)
				backend_close(b[0]);
			cli_error("%s", err);
			return -1;
		}
	}
	return nb;
}

/* The stats the summary shows: the first backend's, and the kvm vendors
 * from whichever backend is kvm. */
static void summary_stats(struct backend *const b[2], int nb,
			  struct backend_stats *st)
{
	struct backend_stats other;

	backend_get_stats(b[0], st);
	if (nb == 2 && !st->guest_vendor[0]) {
		backend_get_stats(b[1], &other);
		memcpy(st->host_vendor, other.host_vendor,
		       sizeof(st->host_vendor));
		memcpy(st->guest_vendor, other.guest_vendor,
		       sizeof(st->guest_vendor));
	}
}

static int run_on_backend(const struct run_options *o, const struct loaded *l,
			  struct run_totals *t, struct backend_stats *st)
{
	struct backend *b[2] = { NULL, NULL };
	char err[512];
	int ret, nb = open_backends(o, b);

	if (nb < 0)
		return EXIT_USAGE;
	kernel_image_load_symbols(o->cfg.kernel_path ? o->cfg.kernel_path :
			kernel_image_default_path(), err, sizeof(err));
	if (nb == 2)
		ret = run_pair_loaded(o, b, l, t);
	else
		ret = run_loaded(o, b[0], l, t);
	summary_stats(b, nb, st);
	for (int k = 0; k < nb; k++)
		backend_close(b[k]);
	return ret ? EXIT_USAGE : 0;
}

/* The options for the files whose context lines ask for target. */
static int options_for(const struct run_options *o,
		       const struct run_target *target,
		       struct run_options *group)
{
	*group = *o;
	if (target->vendor[0])
		group->cfg.vendor = target->vendor;
	if (!target->backend[0])
		return 0;
	if (!strchr(target->backend, ','))
		group->backend = target->backend;
	else if (parse_backend_pair(target->backend, group->pair))
		return -1;
	return 0;
}

/* The files whose context lines ask for the same vendor and backend run
 * on one backend, in the order of the first of each. */
static int run_groups(const struct run_options *o, const struct loaded *l)
{
	struct run_totals t = { 0 };
	struct backend_stats st = { 0 };
	struct run_options group;
	struct loaded sub = { .paths = calloc(l->n, sizeof(char *)),
			      .cases = calloc(l->n, sizeof(*l->cases)),
			      .defenses = calloc(l->n, sizeof(uint64_t)) };
	unsigned char *done = calloc(l->n, 1);
	struct timespec t0;
	int ret = 0;

	if (!sub.paths || !sub.cases || !sub.defenses || !done)
		ret = cli_error("out of memory");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; !ret && i < l->n; i++) {
		if (done[i])
			continue;
		sub.n = 0;
		for (size_t j = i; j < l->n; j++) {
			if (done[j] || memcmp(&l->target[i], &l->target[j],
					      sizeof(l->target[i])))
				continue;
			done[j] = 1;
			sub.paths[sub.n] = l->paths[j];
			sub.cases[sub.n] = l->cases[j];
			sub.defenses[sub.n++] = l->defenses[j];
		}
		if (options_for(o, &l->target[i], &group))
			ret = EXIT_USAGE;
		else
			ret = run_on_backend(&group, &sub, &t, &st);
	}
	free(sub.paths);
	free(sub.cases);
	free(sub.defenses);
	free(done);
	if (ret)
		return ret;
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
		ret = load_all(&o, files.paths, files.n, &l);
	if (!ret)
		ret = run_groups(&o, &l);
	free(l.cases);
	free(l.defenses);
	free(l.target);
	cli_free_files(&files);
	return ret;
}
