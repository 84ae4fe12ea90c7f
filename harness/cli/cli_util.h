/* SPDX-License-Identifier: MIT */
/* Error reporting the subcommands share, so every usage or input error is
 * the one line "gatecrash: ..." that the exit status 2 promises. */
#ifndef GC_CLI_UTIL_H
#define GC_CLI_UTIL_H

#define EXIT_USAGE 2

/* Prints "gatecrash: <message>" to stderr; returns EXIT_USAGE. */
__attribute__((format(printf, 1, 2))) int cli_error(const char *fmt, ...);

/* Prints "gatecrash: CMD: <message>; see 'gatecrash CMD --help'" to stderr;
 * returns EXIT_USAGE. */
__attribute__((format(printf, 2, 3))) int cli_usage_error(const char *cmd,
							  const char *fmt, ...);

/* For getopt_long's '?' and ':' (run it with opterr = 0 and an optstring
 * starting with ':'): names the bad option. Returns EXIT_USAGE. */
int cli_bad_option(const char *cmd, int c, char **argv);

/* Flushes stdout and reports a failed write (a full disk, a closed pipe).
 * Returns 0, or EXIT_USAGE after printing the error. */
int cli_flush_stdout(void);

#endif
