// SPDX-License-Identifier: MIT
/*
 * gatecrash triage: a campaign directory's findings, replayed, bucketed,
 * minimized and matched to defenses, as a Markdown, HTML or JSON report.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_replay.h"
#include "cli_util.h"
#include "commands.h"
#include "triage.h"

static const char triage_usage[] =
	"Usage: gatecrash triage [options] DIR\n"
	"\n"
	"Replays every finding of the campaign directory DIR N times with\n"
	"the profile it was found with, groups the findings into buckets\n"
	"(docs/triage.md), minimizes each bucket's earliest finding into\n"
	"DIR/triage/<key>/minimized.tc, finds the defense whose return\n"
	"makes it pass, and prints a report.\n"
	"\n"
	"Options:\n"
	"  --format F         md (default), html (one self-contained file\n"
	"                     with a plot of the campaign) or json\n"
	"  -o, --output FILE  write the report there (default: "
	"stdout)\n" REPLAY_USAGE "  -h, --help         this text\n"
	"\n"
	"Exit status: 0 no findings, 1 findings (the report lists them),\n"
	"2 usage, input or environment error.\n";

struct triage_options {
	struct replay_options r;
	const char *format;
	const char *output;
};

static int parse_triage_options(int argc, char **argv, struct triage_options *o)
{
	static const struct option longopts[] = {
		REPLAY_LONGOPTS,
		{"format", required_argument, NULL, 'F'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, r;

	replay_options_init(&o->r);
	o->format = "md";
	o->output = NULL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(triage_usage, stdout);
			exit(0);
		} else if (c == 'F') {
			o->format = optarg;
		} else if (c == 'o') {
			o->output = optarg;
		} else if ((r = replay_option("triage", c, optarg, &o->r)) <=
			   0) {
			return r < 0 ? -1 : cli_bad_option("triage", c, argv);
		}
	}
	if (strcmp(o->format, "md") && strcmp(o->format, "html") &&
	    strcmp(o->format, "json"))
		return cli_usage_error("triage",
				       "--format takes md, html or "
				       "json, not '%s'",
				       o->format);
	if (optind + 1 != argc)
		return cli_usage_error("triage", "name one campaign directory");
	return 0;
}

static void render(FILE *f, const char *format, const struct report *r)
{
	if (!strcmp(format, "json"))
		report_json(f, r);
	else if (!strcmp(format, "html"))
		report_html(f, r);
	else
		report_markdown(f, r);
}

/* One model (triage/report_model.c), rendered in the format asked for. */
static int write_report(const struct triage_options *o, const struct triage *t)
{
	struct report r;
	FILE *f;

	if (report_build(&r, t)) {
		report_free(&r);
		return cli_error("out of memory");
	}
	f = o->output ? fopen(o->output, "w") : stdout;
	if (!f) {
		report_free(&r);
		return cli_error("cannot write %s: %s", o->output,
				 strerror(errno));
	}
	render(f, o->format, &r);
	report_free(&r);
	if (f == stdout)
		return cli_flush_stdout();
	if (fclose(f))
		return cli_error("cannot write %s: %s", o->output,
				 strerror(errno));
	return 0;
}

int cmd_triage(int argc, char **argv)
{
	struct triage_options o;
	struct triage t;
	char err[512];
	int ret;

	if (parse_triage_options(argc, argv, &o))
		return EXIT_USAGE;
	{
		/* Replay on the backend (or pair) and vendor the campaign
		 * recorded, unless --backend says otherwise. */
		char backend[104], vendor[24];

		if (!campaign_replay_info(argv[optind], backend,
					  sizeof(backend), vendor,
					  sizeof(vendor)))
			replay_recorded(&o.r, backend, vendor);
	}
	if (triage_run(&t, argv[optind], o.r.backend, &o.r.cfg, o.r.times,
		       o.r.disable_given, o.r.defenses, err, sizeof(err))) {
		triage_free(&t);
		return cli_error("triage: %s", err);
	}
	ret = write_report(&o, &t);
	if (!ret)
		ret = t.nf ? 1 : 0;
	if (o.output && ret != EXIT_USAGE)
		fprintf(stderr, "triage: %u findings in %u buckets: %s\n", t.nf,
			t.nb, o.output);
	triage_free(&t);
	return ret;
}
