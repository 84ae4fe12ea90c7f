// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <getopt.h>
#include <string.h>

#include "cli_files.h"
#include "cli_replay.h"
#include "cli_util.h"
#include "defenses.h"

void replay_options_init(struct replay_options *o)
{
	memset(o, 0, sizeof(*o));
	o->backend = "tcg";
	o->defenses = GC_DEFENSES_ALL;
	o->times = 10;
}

static int parse_disable(const char *arg, struct replay_options *o)
{
	char err[256];

	o->disable_given = 1;
	if (!strcmp(arg, "none"))
		return 0;
	if (defenses_disable_list(arg, &o->defenses, err, sizeof(err))) {
		cli_error("%s", err);
		return -1;
	}
	return 0;
}

void replay_recorded(struct replay_options *o, const char *backend,
		     const char *vendor)
{
	if (o->backend_given || !backend || !*backend)
		return;
	snprintf(o->recorded_backend, sizeof(o->recorded_backend), "%s",
		 backend);
	o->backend = o->recorded_backend;
	if (!o->cfg.vendor && vendor && (!strcmp(vendor, "intel") ||
					 !strcmp(vendor, "amd"))) {
		snprintf(o->recorded_vendor, sizeof(o->recorded_vendor), "%s",
			 vendor);
		o->cfg.vendor = o->recorded_vendor;
	}
}

int replay_option(const char *cmd, int c, const char *arg,
		  struct replay_options *o)
{
	switch (c) {
	case 'b':
		o->backend = arg;
		o->backend_given = 1;
		return 1;
	case 'V':
		if (!cli_parse_vendor(arg)) {
			o->cfg.vendor = arg;
			return 1;
		}
		cli_usage_error(cmd, "--vendor takes intel, amd or host, not "
				"'%s'", arg);
		return -1;
	case 'd':
		return parse_disable(arg, o) ? -1 : 1;
	case 'n':
		if (!cli_parse_uint(arg, 1, 100000, &o->times))
			return 1;
		cli_usage_error(cmd, "--times takes a count, not '%s'", arg);
		return -1;
	case 'k':
		o->cfg.kernel_path = arg;
		return 1;
	case 'Q':
		o->cfg.qemu_path = arg;
		return 1;
	case 't':
		if (!cli_parse_uint(arg, 1, 600000, &o->cfg.case_timeout_ms))
			return 1;
		cli_usage_error(
			cmd, "--timeout-ms takes milliseconds, not '%s'", arg);
		return -1;
	default:
		return 0;
	}
}

uint64_t replay_profile(const struct replay_options *o,
			const struct finding_input *fi)
{
	return o->disable_given ? o->defenses : fi->defenses;
}

int replay_open(const struct replay_options *o, struct replayer *r)
{
	char err[512];

	if (replayer_open(r, o->backend, &o->cfg, err, sizeof(err)))
		return cli_error("%s", err);
	return 0;
}

int replay_finding_open(struct replay_options *o, const char *path,
			struct finding_input *fi, struct replayer *r)
{
	char err[512];

	if (finding_load(path, fi, err, sizeof(err)))
		return cli_error("%s", err);
	if (fi->vendor[0] && cli_parse_vendor(fi->vendor))
		return cli_error("%s: vendor = %s: not intel, amd or host",
				 path, fi->vendor);
	replay_recorded(o, fi->backend, fi->vendor);
	if (replay_open(o, r))
		return EXIT_USAGE;
	r->defenses = replay_profile(o, fi);
	return 0;
}

int replay_parse_output_options(const char *cmd, const char *usage,
				unsigned allowed, int argc, char **argv,
				struct replay_options *o, const char **out)
{
	static const struct option longopts[] = {
		REPLAY_LONGOPTS,
		{"json", no_argument, NULL, 'j'},
		{"lang", required_argument, NULL, 'L'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, r;

	replay_options_init(o);
	*out = NULL;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			exit(0);
		} else if (c == 'o') {
			*out = optarg;
		} else if (c == 'j') {
			if (!(allowed & REPLAY_OPT_JSON))
				return cli_usage_error(cmd, "unknown option "
						       "'--json'");
			o->json = 1;
		} else if (c == 'L') {
			if (!(allowed & REPLAY_OPT_LANG))
				return cli_usage_error(cmd, "unknown option "
						       "'--lang'");
			if (strcmp(optarg, "c"))
				return cli_usage_error(cmd, "--lang takes c, "
						       "not '%s'", optarg);
		} else if ((r = replay_option(cmd, c, optarg, o)) <= 0) {
			return r < 0 ? -1 : cli_bad_option(cmd, c, argv);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(cmd, "name exactly one finding");
	return 0;
}
