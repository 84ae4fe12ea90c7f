// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the binary decoder. Every byte string must decode to a
 * normalized testcase that round-trips through the binary form and through
 * the text form exactly. A violation aborts, and libFuzzer keeps the input.
 */
#include "round_trip.h"

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
