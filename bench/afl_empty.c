// SPDX-License-Identifier: MIT
/*
 * gc-afl-empty: the AFL++ persistent-mode ceiling for `gatecrash bench`
 * (B2). The same shape as harness/fuzz-targets/afl.c with nothing to run:
 * what afl-fuzz itself costs per execution on this machine.
 */
#include <stdint.h>
#include <string.h>

#include "afl_macros.h"

extern unsigned char *__afl_area_ptr;

__AFL_FUZZ_INIT();

int main(void)
{
	unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;

	while (__AFL_LOOP(1000000u)) {
		size_t len = __AFL_FUZZ_TESTCASE_LEN;

		/* One edge per input, as the real target always lights one. */
		__afl_area_ptr[1 + (len ? buf[0] & 7 : 0)]++;
	}
	return 0;
}
