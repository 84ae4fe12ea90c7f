/* SPDX-License-Identifier: MIT */
/*
 * `gatecrash COMMAND [options]`: finds the subcommand and hands it the rest
 * of the command line. Each subcommand parses its own options and returns
 * the exit status (0 nothing found, 1 found something, 2 error).
 */
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "paths.h"

#ifndef GC_VERSION
#define GC_VERSION "0.1"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"run", cmd_run,
	 "run testcase files on the test kernel, print verdicts"},
	{"fuzz", cmd_fuzz,
	 "coverage-guided campaign (built-in, libFuzzer or AFL++)"},
	{"repro", cmd_repro,
	 "replay a finding N times: verdict, diff, reproduced K/N"},
	{"minimize", cmd_minimize,
	 "shrink a finding to the fewest, roundest fields"},
	{"triage", cmd_triage,
	 "bucket a campaign's findings into a report (md, html, json)"},
	{"reproducer", cmd_reproducer,
	 "a standalone C program that shows a finding on Linux"},
	{"convert", cmd_convert,
	 "convert a testcase between text (.tc) and binary"},
	{"defenses", cmd_defenses,
	 "list the kernel's named defenses and their seeds"},
	{"probe", cmd_probe,
	 "check that a backend runs the test kernel faithfully"},
	{"bench", cmd_bench,
	 "speed figures B1..B6, each next to a floor from the same run"},
};
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *f)
{
	fputs("gatecrash fuzzes the x86-64 kernel entry and exit paths: it "
	      "runs a\n"
	      "user state through a test kernel in a VM and compares "
	      "mechanisms.\n"
	      "\n"
	      "Usage: gatecrash COMMAND [options]\n"
	      "       gatecrash help COMMAND\n"
	      "       gatecrash --version\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\n"
	      "Exit status: 0 ran and found nothing, 1 ran and found "
	      "something,\n"
	      "2 usage, input or environment error (one line on stderr).\n"
	      "\n"
	      "Every command has --help; 'gatecrash --version' prints the "
	      "version.\n",
	      f);
	fprintf(f, "Documentation: %s (and man gatecrash)\n", gc_path_docs());
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	if (name[0] == '-')
		return cli_error("unknown option '%s'; see 'gatecrash --help'",
				 name);
	return cli_error("unknown command '%s'; see 'gatecrash --help'", name);
}

/* `gatecrash help [COMMAND]`: the same as `gatecrash COMMAND --help`. */
static int help(int argc, char **argv)
{
	const struct command *cmd;
	char help_opt[] = "--help";
	char *args[3];

	if (argc < 1) {
		print_usage(stdout);
		return 0;
	}
	cmd = find_command(argv[0]);
	if (!cmd)
		return unknown_command(argv[0]);
	args[0] = argv[0];
	args[1] = help_opt;
	args[2] = NULL;
	return cmd->run(2, args);
}

static int dispatch(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2)
		return cli_error("no command given; see 'gatecrash --help'");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("gatecrash %s\n", GC_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help"))
		return help(argc - 2, argv + 2);
	cmd = find_command(argv[1]);
	if (!cmd)
		return unknown_command(argv[1]);
	return cmd->run(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	int status = dispatch(argc, argv);

	/* A --help or a table that never reached its reader is an error. */
	if (cli_flush_stdout())
		return EXIT_USAGE;
	return status;
}
