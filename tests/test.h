/* SPDX-License-Identifier: MIT */
/*
 * A minimal test harness in the libuv style: TEST(name) bodies, typed
 * assertions that print both values, and a main() that runs them all and
 * ends with the "N passed, N failed" line.
 */
#ifndef GC_TEST_H
#define GC_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

extern int test_failed_flag, test_skipped_flag;
int test_failed_flag, test_skipped_flag;

#define TEST(name)                                                            \
	static void test_##name(void);                                        \
	static const struct test_case test_case_##name                        \
		__attribute__((used, section("gc_tests"), aligned(8))) = {    \
			#name, test_##name};                                  \
	static void test_##name(void)

#define FAIL(...)                                                             \
	do {                                                                  \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);               \
		fprintf(stderr, __VA_ARGS__);                                 \
		fprintf(stderr, "\n");                                        \
		test_failed_flag = 1;                                         \
		return;                                                       \
	} while (0)

/* What this host cannot run: the test ends, says why, and the program
 * exits 77 (ctest SKIP) unless another test failed. */
#define SKIP(...)                                                             \
	do {                                                                  \
		printf("  not covered on this host: ");                      \
		printf(__VA_ARGS__);                                          \
		printf("\n");                                                 \
		test_skipped_flag = 1;                                        \
		return;                                                       \
	} while (0)

#define ASSERT(cond)                                                          \
	do {                                                                  \
		if (!(cond))                                                  \
			FAIL("assertion failed: %s", #cond);                  \
	} while (0)

#define ASSERT_EQ(a, b)                                                       \
	do {                                                                  \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);              \
		if (a_ != b_)                                                 \
			FAIL("%s == %s: 0x%" PRIx64 " != 0x%" PRIx64, #a, #b, \
			     a_, b_);                                         \
	} while (0)

#define ASSERT_STREQ(a, b)                                                    \
	do {                                                                  \
		const char *a_ = (a), *b_ = (b);                              \
		if (!a_ || !b_ || strcmp(a_, b_))                             \
			FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,            \
			     a_ ? a_ : "(null)", b_ ? b_ : "(null)");         \
	} while (0)

extern const struct test_case __start_gc_tests[], __stop_gc_tests[];

int main(void)
{
	int passed = 0, failed = 0, skipped = 0;

	/* One line at a time: a suite whose machine dies under it (a guest
	 * kernel panic, tests/linuxvm) still shows how far it got. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (const struct test_case *t = __start_gc_tests; t < __stop_gc_tests;
	     t++) {
		test_failed_flag = 0;
		test_skipped_flag = 0;
		t->fn();
		printf("[%s] %s\n",
		       test_failed_flag    ? "FAIL"
		       : test_skipped_flag ? "SKIP"
					   : " OK ",
		       t->name);
		if (test_failed_flag)
			failed++;
		else if (test_skipped_flag)
			skipped++;
		else
			passed++;
	}
	if (skipped)
		printf("%d passed, %d failed, %d skipped\n", passed, failed,
		       skipped);
	else
		printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : skipped ? 77 : 0;
}

#endif
