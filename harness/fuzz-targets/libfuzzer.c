// SPDX-License-Identifier: MIT
/*
 * gatecrash-libfuzzer: libFuzzer driving the test kernel (docs/fuzzing.md).
 *
 * Coverage is the guest's, not ours: this file and the harness are built
 * without -fsanitize=fuzzer* (that would instrument them and add a second
 * module whose PC table libFuzzer 14 rejects), and the guest's counter
 * block, mapped from guest RAM, is registered as an inline 8-bit counter
 * module. libFuzzer clears it before each input, which is what the engine
 * does too; the guest only increments it. A second module holds the
 * outcome features as counters, so every input lights at least one.
 *
 * A finding is saved to OUT/findings by the engine's code and the run goes
 * on: libFuzzer would stop at the first crash. GATECRASH_CRASH_ON_FINDING=1
 * makes a new finding abort() after it is saved, for -minimize_crash=1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutator.h"
#include "target.h"

void __sanitizer_cov_8bit_counters_init(uint8_t *start, uint8_t *stop);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
				 const uint8_t *data2, size_t size2,
				 uint8_t *out, size_t max_size,
				 unsigned int seed);

/*
 * libFuzzer looks these up among the sanitizer runtime's functions and
 * warns at every start when they are missing, as they are here: the
 * binary has no sanitizer (see above). Without one there is nothing to
 * coordinate with, so they are what libFuzzer needs and no more: the first
 * crashing thread reports, a stack trace from glibc, no death callback.
 * A sanitizer build (GC_SANITIZE) has the runtime's own.
 */
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#include <execinfo.h>
#include <stdatomic.h>
#include <unistd.h>

int __sanitizer_acquire_crash_state(void);
void __sanitizer_print_stack_trace(void);
void __sanitizer_set_death_callback(void (*callback)(void));

int __sanitizer_acquire_crash_state(void)
{
	static atomic_flag taken = ATOMIC_FLAG_INIT;

	return !atomic_flag_test_and_set(&taken);
}

void __sanitizer_print_stack_trace(void)
{
	void *frames[64];

	backtrace_symbols_fd(frames, backtrace(frames, 64), STDERR_FILENO);
}

void __sanitizer_set_death_callback(void (*callback)(void))
{
	(void)callback;
}
#endif

static struct target target;
static int have_vm;
static uint8_t outcome_counters[TARGET_OUTCOME_COUNTERS]
	__attribute__((aligned(64)));
static uint64_t mutations; /* widens libFuzzer's 32-bit seeds */

static long flag_value(const char *arg, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(arg, name, len) || arg[len] != '=')
		return -1;
	return strtol(arg + len + 1, NULL, 0);
}

/*
 * The processes that only start and watch others (-jobs, -fork, the merge
 * and crash-minimizing controllers) never run an input: a VM there would
 * be an idle guest spinning on a core the workers need.
 */
static int is_supervisor(int argc, char **argv)
{
	int merge = 0, inner = 0, boss = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		boss |= flag_value(a, "-jobs") > 0 ||
			flag_value(a, "-fork") > 0 ||
			flag_value(a, "-minimize_crash") > 0;
		merge |= flag_value(a, "-merge") > 0 ||
			 flag_value(a, "-set_cover_merge") > 0;
		inner |= flag_value(a, "-merge_inner") > 0;
	}
	return boss || (merge && !inner);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	__sanitizer_cov_8bit_counters_init(
		outcome_counters, outcome_counters + sizeof(outcome_counters));
	if (is_supervisor(*argc, *argv))
		return 0;
	if (target_open(&target, outcome_counters, 0)) {
		fprintf(stderr, "gatecrash-libfuzzer: %s\n", target.err);
		exit(1);
	}
	__sanitizer_cov_8bit_counters_init(target.counters,
					   target.counters + target.ncounters);
	have_vm = 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (have_vm && target_run(&target, data, size) == 1 &&
	    target.crash_on_finding)
		abort(); /* saved already: the crash only tells libFuzzer */
	return 0;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
			       unsigned int seed)
{
	return mutator_mutate_bytes(data, size, max_size,
				    (uint64_t)seed << 32 | ++mutations);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1,
				 const uint8_t *data2, size_t size2,
				 uint8_t *out, size_t max_size,
				 unsigned int seed)
{
	return mutator_crossover_bytes(data1, size1, data2, size2, out,
				       max_size,
				       (uint64_t)seed << 32 | ++mutations);
}
