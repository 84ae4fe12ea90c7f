// SPDX-License-Identifier: MIT
/*
 * gatecrash minimize: shrink a finding to the fewest, simplest fields that
 * still give its bucket, and write it in text form.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_replay.h"
#include "cli_util.h"
#include "commands.h"
#include "json.h"
#include "testcase.h"
#include "triage.h"

static const char minimize_usage[] =
	"Usage: gatecrash minimize [options] FINDING\n"
	"\n"
	"Resets the fields of a finding (a findings/<sig>/ directory or a\n"
	"testcase file) to their defaults one by one and simplifies the\n"
	"rest (fewer bits set, rounder numbers) while its bucket stays the\n"
	"same, checks that the result reproduces every time, and writes it\n"
	"as a text testcase.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE  write the testcase there (default: "
	"stdout)\n" REPLAY_USAGE
	"  --json             print one JSON object instead: the finding,\n"
	"                     bucket, fields_before, fields_after,\n"
	"                     executions, reproduced, times, output and the\n"
	"                     testcase text\n"
	"  -h, --help         this text\n"
	"\n"
	"Exit status: 0 written, 1 the finding did not reproduce, 2 usage,\n"
	"input or environment error.\n";

/* The testcase with its context lines, so `gatecrash repro FILE` alone
 * replays it as it was minimized. */
static void print_testcase(FILE *f, const struct finding_input *fi,
			   const struct replay_result *res, uint64_t defenses,
			   const char *backend)
{
	struct tc_context ctx;

	finding_context(fi, defenses, backend, &ctx);
	tc_print_text_ctx(f, &fi->tc, &ctx);
	fprintf(f, "# bucket: %s\n# replay: gatecrash repro FILE\n",
		res->sig.text);
}

static int write_testcase(const char *path, const struct finding_input *fi,
			  const struct replay_result *res, uint64_t defenses,
			  const char *backend)
{
	FILE *f = path ? fopen(path, "w") : stdout;

	if (!f)
		return cli_error("cannot write %s: %s", path, strerror(errno));
	print_testcase(f, fi, res, defenses, backend);
	if (f == stdout)
		return cli_flush_stdout();
	if (fclose(f))
		return cli_error("cannot write %s: %s", path, strerror(errno));
	return 0;
}

static void print_minimize_json(const char *finding, const char *path,
				const struct finding_input *fi,
				const struct replay_result *res,
				const struct minimize_stats *st, unsigned same,
				unsigned times, uint64_t defenses,
				const char *backend)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (m) {
		print_testcase(m, fi, res, defenses, backend);
		fclose(m);
	}
	fputs("{\"finding\":", stdout);
	json_string(stdout, finding);
	fputs(",\"bucket\":", stdout);
	json_string(stdout, res->sig.text);
	printf(",\"fields_before\":%u,\"fields_after\":%u,"
	       "\"executions\":%u,\"reproduced\":%u,\"times\":%u,"
	       "\"output\":",
	       st->fields_before, st->fields_after, st->executions, same,
	       times);
	if (path)
		json_string(stdout, path);
	else
		fputs("null", stdout);
	fputs(",\"testcase\":", stdout);
	json_string(stdout, text ? text : "");
	fputs("}\n", stdout);
	free(text);
}

/* Minimizes fi in place; 1 if it does not reproduce, 2 on error. */
static int shrink(struct replayer *r, const struct replay_options *o,
		  struct finding_input *fi, struct minimize_stats *st,
		  unsigned *same)
{
	struct replay_result first, again;
	char err[512];

	if (replay_times(r, &fi->tc, o->times, NULL, &first, same, err,
			 sizeof(err)))
		return cli_error("%s", err);
	if (!verdict_is_finding(first.v.cls) || *same != o->times) {
		fprintf(stderr,
			"gatecrash: minimize: the finding gave %s, "
			"reproduced %u/%u: nothing to minimize\n",
			first.sig.text, *same, o->times);
		return 1;
	}
	if (minimize(r, &fi->tc, &first.sig, st, err, sizeof(err)) ||
	    replay_times(r, &fi->tc, o->times, &first.sig, &again, same, err,
			 sizeof(err)))
		return cli_error("%s", err);
	fprintf(stderr,
		"minimize: %u fields -> %u in %u executions, "
		"reproduced %u/%u\n",
		st->fields_before, st->fields_after, st->executions, *same,
		o->times);
	return 0;
}

int cmd_minimize(int argc, char **argv)
{
	struct replay_options o;
	struct finding_input fi;
	struct replayer r;
	struct replay_result res;
	struct minimize_stats st = {0};
	const char *out;
	char err[512], backend[104];
	unsigned same, reproduced = 0;
	int ret;

	if (replay_parse_output_options("minimize", minimize_usage,
					REPLAY_OPT_JSON, argc, argv, &o, &out))
		return EXIT_USAGE;
	if (replay_finding_open(&o, argv[optind], &fi, &r))
		return EXIT_USAGE;
	snprintf(backend, sizeof(backend), "%s", backend_name(r.b));
	ret = shrink(&r, &o, &fi, &st, &reproduced);
	if (!ret &&
	    replay_times(&r, &fi.tc, 1, NULL, &res, &same, err, sizeof(err)))
		ret = cli_error("%s", err);
	replayer_close(&r);
	if (!ret && (out || !o.json))
		ret = write_testcase(out, &fi, &res, r.defenses, backend);
	if (!ret && o.json) {
		print_minimize_json(argv[optind], out, &fi, &res, &st,
				    reproduced, o.times, r.defenses, backend);
		ret = cli_flush_stdout();
	}
	return ret;
}
