// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the text parser. Any bytes either parse, and then the
 * testcase prints back to text that parses to the same testcase, or fail
 * with one line that names the line it stopped at.
 */
#include "round_trip.h"

static void check_error_message(const char *err)
{
	check(!strncmp(err, "line ", 5), "error does not name its line");
	check(strchr(err, '\n') == NULL, "error is more than one line");
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
		check_text_round_trip(&tc);
	return 0;
}
