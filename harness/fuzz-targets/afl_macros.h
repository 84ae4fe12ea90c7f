/* SPDX-License-Identifier: MIT */
/*
 * The __AFL_* macros afl-clang-fast would inject as -D flags (AFL++ 4.04c,
 * taken verbatim from `AFL_DEBUG=1 afl-clang-fast`). gatecrash-afl is
 * built with the plain compiler and /usr/lib/afl/afl-compiler-rt.o instead:
 * through afl-cc, the harness's own edges would be instrumented and shrink
 * the map to their size, hiding the guest's counters (see
 * docs/fuzzing.md "Guest coverage"). The strings in __AFL_LOOP are
 * how afl-fuzz recognizes a persistent-mode binary.
 */
#ifndef GC_AFL_MACROS_H
#define GC_AFL_MACROS_H

#include <unistd.h>

/* clang-format off */
#define __AFL_FUZZ_INIT() \
	int __afl_sharedmem_fuzzing = 1; \
	extern unsigned int *__afl_fuzz_len; \
	extern unsigned char *__afl_fuzz_ptr; \
	unsigned char __afl_fuzz_alt[1048576]; \
	unsigned char *__afl_fuzz_alt_ptr = __afl_fuzz_alt

#define __AFL_FUZZ_TESTCASE_BUF \
	(__afl_fuzz_ptr ? __afl_fuzz_ptr : __afl_fuzz_alt_ptr)

#define __AFL_FUZZ_TESTCASE_LEN \
	(__afl_fuzz_ptr ? *__afl_fuzz_len : \
	 (*__afl_fuzz_len = read(0, __afl_fuzz_alt_ptr, 1048576)) == \
		 0xffffffff ? 0 : *__afl_fuzz_len)

#define __AFL_LOOP(_A) \
	({ \
		static volatile char *_B __attribute__((used, unused)); \
		_B = (char *)"##SIG_AFL_PERSISTENT##"; \
		__attribute__((visibility("default"))) int _L(unsigned int) \
			__asm__("__afl_persistent_loop"); \
		_L(_A); \
	})
/* clang-format on */

#endif
