// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the text parser. Any bytes either parse, and then the
 * testcase prints back to text that parses to the same testcase, or fail
 * with one line that names the line it stopped at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testcase.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_text: %s\n", what);
		abort();
	}
}

static void check_error_message(const char *err)
{
	check(!strncmp(err, "line ", 5), "error does not name its line");
	check(strchr(err, '\n') == NULL, "error is more than one line");
}

static void check_reprint(const struct gc_testcase *tc)
{
	struct gc_testcase back;
	char err[256], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	check(f != NULL, "open_memstream");
	tc_print_text(f, tc);
	fclose(f);
	check(tc_parse_text(text, len, &back, err, sizeof(err)) == 0,
	      "reprinted text does not parse");
	check(!memcmp(&back, tc, sizeof(back)), "reprint changed the testcase");
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gc_testcase tc;
	char err[256];

	err[0] = 0;
	if (tc_parse_text((const char *)data, size, &tc, err, sizeof(err)))
		check_error_message(err);
	else
		check_reprint(&tc);
	return 0;
}
