/* SPDX-License-Identifier: MIT */
/* What both fuzz targets assert: a failed check aborts, so libFuzzer keeps
 * the input; a testcase printed as text parses back to itself. */
#ifndef GC_FUZZ_ROUND_TRIP_H
#define GC_FUZZ_ROUND_TRIP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testcase.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz: %s\n", what);
		abort();
	}
}

static void check_text_round_trip(const struct gc_testcase *tc)
{
	struct gc_testcase back;
	char err[256], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	check(f != NULL, "open_memstream");
	tc_print_text(f, tc);
	fclose(f);
	check(tc_parse_text(text, len, &back, err, sizeof(err)) == 0,
	      "printed text does not parse");
	check(!memcmp(&back, tc, sizeof(back)), "text round trip changed it");
	free(text);
}

#endif
