/* SPDX-License-Identifier: MIT */
/*
 * Options the triage commands (repro, minimize, triage, reproducer) share:
 * which backend replays a finding and with which profile. Without
 * --disable a finding replays with the profile recorded beside it.
 */
#ifndef GC_CLI_REPLAY_H
#define GC_CLI_REPLAY_H

#include <stdint.h>

#include "backend.h"
#include "triage.h"

struct replay_options {
	/* --backend, else the finding's backend = line, else the campaign's
	 * DIR/replay, else "tcg"; --vendor likewise beats vendor = */
	const char *backend;
	int backend_given;
	struct backend_config cfg;
	char recorded_backend[104]; /* what replay_recorded() chose */
	char recorded_vendor[24];
	uint64_t defenses; /* from --disable */
	int disable_given; /* --disable beats the recorded profile */
	unsigned times;	   /* --times: replays per finding */
	int json;	   /* --json, where the command takes it */
};

/* The long options, for a getopt_long table (terminated by the caller). */
#define REPLAY_LONGOPTS                                    \
	{"backend", required_argument, NULL, 'b'},         \
		{"disable", required_argument, NULL, 'd'}, \
		{"times", required_argument, NULL, 'n'},   \
		{"vendor", required_argument, NULL, 'V'},  \
		{"kernel", required_argument, NULL, 'k'},  \
		{"qemu", required_argument, NULL, 'Q'},    \
	{                                                  \
		"timeout-ms", required_argument, NULL, 't' \
	}

#define REPLAY_USAGE                                                           \
	"  --backend B        backend to replay on (default: the finding's\n" \
	"                     backend = line, else the one the campaign\n"  \
	"                     recorded in DIR/replay; else tcg)\n"          \
	"  --vendor V         guest CPUID vendor: intel, amd or host\n"      \
	"                     (default: the finding's vendor = line, else\n" \
	"                     the campaign's)\n"                            \
	"  --disable D[,D..]  defenses off for the mechanism run (default:\n"  \
	"                     the profile recorded with the finding; 'none'\n" \
	"                     for every defense on)\n"                         \
	"  --times N          replays per finding (default 10)\n"              \
	"  --kernel PATH      test kernel ELF (default: the built one)\n"      \
	"  --qemu PATH        qemu-system-x86_64 binary\n"                     \
	"  --timeout-ms N     per-testcase hang deadline (default 50)\n"

void replay_options_init(struct replay_options *o);
/* Without --backend: the backend (or pair) and vendor a campaign recorded
 * (campaign_replay_info), so its findings replay where they were found. */
void replay_recorded(struct replay_options *o, const char *backend,
		     const char *vendor);
/* Handles c if it is one of REPLAY_LONGOPTS: 1 handled, 0 not one of
 * ours, -1 bad value (error printed). */
int replay_option(const char *cmd, int c, const char *arg,
		  struct replay_options *o);
/* The profile to replay fi with: --disable, else the recorded one. */
uint64_t replay_profile(const struct replay_options *o,
			const struct finding_input *fi);
/* Opens the replayer; prints the error and returns EXIT_USAGE on
 * failure. */
int replay_open(const struct replay_options *o, struct replayer *r);
/* Loads the finding at path and opens a replayer set to its profile
 * (replay_profile); prints the error and returns EXIT_USAGE on failure. */
/* The options of commands that replay one finding and write a file:
 * the replay options, -o FILE, -h (prints usage and exits 0), --lang c
 * and --json where allowed (REPLAY_OPT_*), and exactly one finding (at
 * argv[optind]). Returns 0, or non-zero after printing the error. */
#define REPLAY_OPT_LANG 1u
#define REPLAY_OPT_JSON 2u
int replay_parse_output_options(const char *cmd, const char *usage,
				unsigned allowed, int argc, char **argv,
				struct replay_options *o, const char **out);
int replay_finding_open(struct replay_options *o, const char *path,
			struct finding_input *fi, struct replayer *r);

#endif
