// SPDX-License-Identifier: MIT
/*
 * gatecrash reproducer: a finding as a standalone C program that shows it
 * (or shows that Linux gets it right) as a Linux user process.
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

static const char reproducer_usage[] =
	"Usage: gatecrash reproducer [options] FINDING --lang c -o OUT.c\n"
	"\n"
	"Writes a standalone C program that sets up the finding's user\n"
	"state, executes its mechanism as a Linux user process and compares\n"
	"the state after return with the reference run of the test kernel\n"
	"(replayed here to get it). The program exits 0 if they agree, 1 if\n"
	"not, 77 if Linux cannot express the testcase (a comment says why).\n"
	"\n"
	"Options:\n"
	"  --lang c           the language (only c)\n"
	"  -o, --output FILE  write the program there (default: "
	"stdout)\n" REPLAY_USAGE "  -h, --help         this text\n"
	"\n"
	"Exit status: 0 written, 2 usage, input or environment error, or\n"
	"the program written is only a stub (Linux cannot express the\n"
	"testcase; it exits 77).\n";

static int write_program(const char *path, const char *origin,
			 const struct finding_input *fi,
			 const struct replay_result *res, uint64_t defenses)
{
	FILE *f = path ? fopen(path, "w") : stdout;
	char list[512], cmd[4600];
	const char *stub;

	if (!f)
		return cli_error("cannot write %s: %s", path, strerror(errno));
	signature_profile(defenses, list, sizeof(list));
	snprintf(cmd, sizeof(cmd), "gatecrash repro%s%s %s",
		 list[0] == '-' ? "" : " --disable ",
		 list[0] == '-' ? "" : list, origin);
	stub = reproducer_write_c(f, &fi->tc, res, origin, cmd);
	if (f == stdout ? cli_flush_stdout() : fclose(f))
		return cli_error("cannot write %s: %s", path ? path : "stdout",
				 strerror(errno));
	/* Written, but it shows nothing: a script must not take it for a
	 * reproducer. */
	if (stub)
		return cli_error("%s is only a stub that exits 77: Linux cannot "
				 "express this testcase (%s)",
				 path ? path : "the program", stub);
	return 0;
}

int cmd_reproducer(int argc, char **argv)
{
	struct replay_options o;
	struct finding_input fi;
	struct replay_result res;
	struct replayer r;
	const char *out;
	char err[512];
	unsigned same;
	int ret;

	if (replay_parse_output_options("reproducer", reproducer_usage,
					REPLAY_OPT_LANG, argc,
					 argv, &o, &out))
		return EXIT_USAGE;
	if (replay_finding_open(&o, argv[optind], &fi, &r))
		return EXIT_USAGE;
	ret = replay_times(&r, &fi.tc, 1, NULL, &res, &same, err, sizeof(err));
	replayer_close(&r);
	if (ret)
		return cli_error("%s", err);
	return write_program(out, argv[optind], &fi, &res, r.defenses);
}
