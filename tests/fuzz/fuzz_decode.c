// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the binary decoder. Every byte string must decode to a
 * normalized testcase that round-trips through the binary form and through
 * the text form exactly. A violation aborts, and libFuzzer keeps the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testcase.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_decode: %s\n", what);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gc_testcase tc, again;
	uint8_t bytes[sizeof(tc)];

	tc_decode(data, size, &tc);
	again = tc;
	tc_normalize(&again);
	check(!memcmp(&again, &tc, sizeof(tc)), "decode is not normalized");
	tc_encode(&tc, bytes);
	tc_decode(bytes, sizeof(bytes), &again);
	check(!memcmp(&again, &tc, sizeof(tc)), "binary round trip changed it");
	check_text_round_trip(&tc);
	return 0;
}
