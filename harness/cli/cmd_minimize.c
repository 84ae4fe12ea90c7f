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
	"stdout)\n" REPLAY_USAGE "  -h, --help         this text\n"
	"\n"
	"Exit status: 0 written, 1 the finding did not reproduce, 2 usage,\n"
	"input or environment error.\n";

/* The testcase with its context lines, so `gatecrash repro FILE` alone
 * replays it as it was minimized. */
static int write_testcase(const char *path, const struct finding_input *fi,
			  const struct replay_result *res, uint64_t defenses,
			  const char *backend)
{
	FILE *f = path ? fopen(path, "w") : stdout;
	struct tc_context ctx;

	if (!f)
		return cli_error("cannot write %s: %s", path, strerror(errno));
	finding_context(fi, defenses, backend, &ctx);
	tc_print_text_ctx(f, &fi->tc, &ctx);
	fprintf(f, "# bucket: %s\n# replay: gatecrash repro FILE\n",
		res->sig.text);
	if (f == stdout)
		return cli_flush_stdout();
	if (fclose(f))
		return cli_error("cannot write %s: %s", path, strerror(errno));
	return 0;
}

/* Minimizes fi in place; 1 if it does not reproduce, 2 on error. */
static int shrink(struct replayer *r, const struct replay_options *o,
		  struct finding_input *fi)
{
	struct replay_result first, again;
	struct minimize_stats st;
	unsigned same;
	char err[512];

	if (replay_times(r, &fi->tc, o->times, NULL, &first, &same, err,
			 sizeof(err)))
		return cli_error("%s", err);
	if (!verdict_is_finding(first.v.cls) || same != o->times) {
		fprintf(stderr,
			"gatecrash: minimize: the finding gave %s, "
			"reproduced %u/%u: nothing to minimize\n",
			first.sig.text, same, o->times);
		return 1;
	}
	if (minimize(r, &fi->tc, &first.sig, &st, err, sizeof(err)) ||
	    replay_times(r, &fi->tc, o->times, &first.sig, &again, &same, err,
			 sizeof(err)))
		return cli_error("%s", err);
	fprintf(stderr,
		"minimize: %u fields -> %u in %u executions, "
		"reproduced %u/%u\n",
		st.fields_before, st.fields_after, st.executions, same,
		o->times);
	return 0;
}

int cmd_minimize(int argc, char **argv)
{
	struct replay_options o;
	struct finding_input fi;
	struct replayer r;
	struct replay_result res;
	const char *out;
	char err[512], backend[40];
	unsigned same;
	int ret;

	if (replay_parse_output_options("minimize", minimize_usage, 0, argc,
					 argv, &o, &out))
		return EXIT_USAGE;
	if (replay_finding_open(&o, argv[optind], &fi, &r))
		return EXIT_USAGE;
	snprintf(backend, sizeof(backend), "%s", backend_name(r.b));
	ret = shrink(&r, &o, &fi);
	if (!ret &&
	    replay_times(&r, &fi.tc, 1, NULL, &res, &same, err, sizeof(err)))
		ret = cli_error("%s", err);
	replayer_close(&r);
	if (!ret)
		ret = write_testcase(out, &fi, &res, r.defenses, backend);
	return ret;
}
