// SPDX-License-Identifier: MIT
/*
 * gatecrash-afl: AFL++ driving the test kernel in persistent shared-memory
 * mode (docs/fuzzing.md). Linked with /usr/lib/afl/afl-compiler-rt.o, not
 * built by afl-cc, so the only coverage afl-fuzz sees is what we copy in:
 *
 *   map[0]                         the rt sets it every iteration
 *   map[1 .. 1+G)                  the guest's counter block (G counters)
 *   map[1+G .. 1+G+outcome)        the outcome features as counters
 *
 * The rt's fork server starts in a constructor, before main(); the VM is
 * created in main(), so every forked child builds its own (a VM made
 * before fork() does not survive into the child).
 *
 * A new finding is saved to OUT/findings and then abort()s, so afl-fuzz
 * counts it and keeps a copy in crashes/; a finding whose signature is
 * already on disk runs on, since each abort costs a fork and a VM boot.
 *
 * With file arguments it runs each file once instead (no fork server),
 * the way `gatecrash fuzz` turns AFL++'s crashes/ into OUT/findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afl_macros.h"
#include "target.h"
#include "testcase.h"

#define LOOP_ITERATIONS 1000000u
/* Room for the guest block when the kernel ELF cannot be read up front. */
#define DEFAULT_GUEST_COUNTERS 1024u

extern unsigned char *__afl_area_ptr;
extern unsigned int __afl_final_loc;

__AFL_FUZZ_INIT();

static struct target target;
static uint8_t outcome_counters[TARGET_OUTCOME_COUNTERS];
static size_t guest_room; /* map bytes reserved for the guest block */

static size_t guest_counters_in_elf(void)
{
	char err[256];
	uint64_t start, end;

	if (kernel_image_load_symbols(getenv("GATECRASH_KERNEL"), err,
				      sizeof(err)))
		return 0;
	start = kernel_image_symbol_address("__gc_cov_start");
	end = kernel_image_symbol_address("__gc_cov_end");
	return start && end > start ? (size_t)(end - start) : 0;
}

/*
 * The map size afl-fuzz adopts: the rt reports __afl_final_loc + 1. It
 * must be set before the rt's constructor(3) maps the shared memory, and
 * the VM does not exist yet, so the size comes from the kernel ELF.
 */
__attribute__((constructor(2))) static void size_the_map(void)
{
	guest_room = guest_counters_in_elf();
	if (!guest_room)
		guest_room = DEFAULT_GUEST_COUNTERS;
	__afl_final_loc =
		(unsigned int)(1 + guest_room + TARGET_OUTCOME_COUNTERS - 1);
}

static void publish_coverage(void)
{
	size_t n =
		target.ncounters < guest_room ? target.ncounters : guest_room;

	memcpy(__afl_area_ptr + 1, target.counters, n);
	memcpy(__afl_area_ptr + 1 + guest_room, outcome_counters,
	       sizeof(outcome_counters));
}

static int open_target(void)
{
	if (target_open(&target, outcome_counters, 1)) {
		fprintf(stderr, "gatecrash-afl: %s\n", target.err);
		return -1;
	}
	if (target.ncounters > guest_room)
		fprintf(stderr,
			"gatecrash-afl: %zu guest counters, map has room for "
			"%zu: the rest are not seen\n",
			target.ncounters, guest_room);
	return 0;
}

static int replay_files(int argc, char **argv)
{
	uint8_t buf[sizeof(struct gc_testcase)];
	int status = 0;

	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t len;

		if (!f) {
			perror(argv[i]);
			status = 2;
			continue;
		}
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (target_run(&target, buf, len) < 0)
			status = 2;
	}
	return status;
}

int main(int argc, char **argv)
{
	unsigned char *buf;

	if (open_target())
		return 2;
	if (argc > 1)
		return replay_files(argc, argv);
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(LOOP_ITERATIONS)) {
		size_t len = __AFL_FUZZ_TESTCASE_LEN;

		int found;

		memset(outcome_counters, 0, sizeof(outcome_counters));
		found = target_run(&target, buf, len);
		/* First: afl-fuzz keeps a crash only if its map is new. */
		publish_coverage();
		if (found == 1 && target.crash_on_finding)
			abort();
	}
	target_close(&target);
	return 0;
}
