// SPDX-License-Identifier: MIT
/*
 * gatecrash repro: replay one finding N times with the profile it was found
 * with and say how often it gave its bucket again ("reproduced K/N").
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_replay.h"
#include "json.h"
#include "cli_util.h"
#include "commands.h"
#include "testcase.h"
#include "triage.h"

static const char repro_usage[] =
	"Usage: gatecrash repro [options] FINDING\n"
	"\n"
	"Replays a finding (a campaign's findings/<sig>/ directory, or a\n"
	"testcase file) N times and prints its verdict, the diff, its bucket\n"
	"(docs/triage.md) and 'reproduced K/N': how many replays gave the\n"
	"bucket the campaign recorded (or, without one, the first replay's).\n"
	"\n"
	"Options:\n" REPLAY_USAGE
	"  --json             one JSON object on stdout: the first replay's\n"
	"                     verdict (as run --json) with bucket,\n"
	"                     recorded_bucket, disabled, reproduced, times\n"
	"  -h, --help         this text\n"
	"\n"
	"Exit status: 0 the finding passes now, 1 it reproduced (K > 0),\n"
	"2 usage, input or environment error.\n";

static int want_json;

static int parse_repro_options(int argc, char **argv, struct replay_options *o)
{
	static const struct option longopts[] = {
		REPLAY_LONGOPTS,
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, r;

	replay_options_init(o);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(repro_usage, stdout);
			exit(0);
		}
		if (c == 'j') {
			want_json = 1;
			continue;
		}
		r = replay_option("repro", c, optarg, o);
		if (r < 0)
			return -1;
		if (!r)
			return cli_bad_option("repro", c, argv);
	}
	if (optind + 1 != argc)
		return cli_usage_error("repro", "name exactly one finding");
	return 0;
}

static void print_profile(uint64_t defenses)
{
	char list[512];

	signature_profile(defenses, list, sizeof(list));
	printf("profile: %s%s\n",
	       list[0] == '-' ? "every defense on" : "--disable ",
	       list[0] == '-' ? "" : list);
}

static void print_repro_text(const char *path, const struct finding_input *fi,
			     const struct replay_result *first,
			     uint64_t defenses, unsigned same, unsigned times)
{
	verdict_print_text(stdout, path, &fi->tc, &first->out, &first->v,
			   kernel_image_symbolize);
	printf("bucket: %s\n", first->sig.text);
	if (fi->bucket.text[0] && fi->bucket.hash != first->sig.hash)
		printf("recorded bucket: %s\n", fi->bucket.text);
	print_profile(defenses);
	printf("reproduced %u/%u\n", same, times);
}

/* The same facts as one JSON object; "disabled" is signature_profile's
 * list, "-" for every defense on (as in triage's JSON). */
static void print_repro_json(const char *path, const struct finding_input *fi,
			     const struct replay_result *first,
			     const char *backend, uint64_t defenses,
			     unsigned same, unsigned times)
{
	char list[512];

	signature_profile(defenses, list, sizeof(list));
	putchar('{');
	verdict_print_json_members(stdout, path, &fi->tc, &first->v, backend,
				   kernel_image_symbolize);
	fputs(",\"bucket\":", stdout);
	json_string(stdout, first->sig.text);
	fputs(",\"recorded_bucket\":", stdout);
	if (fi->bucket.text[0])
		json_string(stdout, fi->bucket.text);
	else
		fputs("null", stdout);
	fputs(",\"disabled\":", stdout);
	json_string(stdout, list);
	printf(",\"reproduced\":%u,\"times\":%u}\n", same, times);
}

static int repro(const char *path, const struct replay_options *given)
{
	/* Each finding replays where its own campaign ran. */
	struct replay_options copy = *given, *o = &copy;
	struct finding_input fi;
	struct replayer r;
	struct replay_result first;
	unsigned same;
	char err[512];
	int ret;

	if (replay_finding_open(o, path, &fi, &r))
		return EXIT_USAGE;
	ret = replay_times(&r, &fi.tc, o->times,
			   fi.bucket.text[0] ? &fi.bucket : NULL, &first, &same,
			   err, sizeof(err));
	if (!ret && want_json)
		print_repro_json(path, &fi, &first, backend_name(r.b),
				 r.defenses, same, o->times);
	else if (!ret)
		print_repro_text(path, &fi, &first, r.defenses, same, o->times);
	replayer_close(&r);
	if (ret)
		return cli_error("%s", err);
	if (cli_flush_stdout())
		return EXIT_USAGE;
	return same && verdict_is_finding(first.v.cls) ? 1 : 0;
}

int cmd_repro(int argc, char **argv)
{
	struct replay_options o;

	if (parse_repro_options(argc, argv, &o))
		return EXIT_USAGE;
	return repro(argv[optind], &o);
}
