/* SPDX-License-Identifier: MIT */
/* Command-line arguments that name files, and numbers. */
#ifndef GC_CLI_FILES_H
#define GC_CLI_FILES_H

#include <stddef.h>

/* A decimal number in [min, max]; returns 0, or -1 if it is not one. */
int cli_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out);

/* --vendor's argument: intel, amd or host; returns 0, or -1 if not one. */
int cli_parse_vendor(const char *s);

/* The files named on a command line, directories expanded: every file
 * below, sorted, without hidden entries, symbolic links to directories
 * (not followed: no loops) and files that are not testcases (README,
 * *.json, a finding's side files: one note says how many). */
struct path_list {
	char **paths;
	size_t n;
	size_t cap;
};
/* Returns 0, or EXIT_USAGE after printing why (a path that does not
 * exist, an unreadable directory, a directory without testcases). */
int cli_collect_files(char *const *args, size_t nargs, struct path_list *out);
void cli_free_files(struct path_list *l);

#endif
