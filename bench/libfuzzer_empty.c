// SPDX-License-Identifier: MIT
/*
 * gc-libfuzzer-empty: libFuzzer's own ceiling for `gatecrash bench` (B2),
 * as gc-afl-empty is AFL++'s. The same shape as harness/fuzz-targets/
 * libfuzzer.c with no VM: the same mutator and crossover, the same
 * coverage map (the guest's counter block, sized from the kernel ELF, then
 * the outcome counters), and one counter lit per input as the real target
 * always lights one. What libFuzzer itself costs per execution here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
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

static uint8_t outcome_counters[TARGET_OUTCOME_COUNTERS]
	__attribute__((aligned(64)));
static uint8_t *guest_counters;
static uint64_t mutations;

/* The guest block's size, as the real target gets it from the backend. */
static size_t guest_block_size(void)
{
	const char *kernel = getenv("GATECRASH_KERNEL");
	char err[256];
	uint64_t start, end;

	if (kernel_image_load_symbols(kernel && *kernel ? kernel : NULL, err,
				      sizeof(err)))
		return 0;
	start = kernel_image_symbol_address("__gc_cov_start");
	end = kernel_image_symbol_address("__gc_cov_end");
	return start && end > start ? end - start : 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t n = guest_block_size();

	(void)argc;
	(void)argv;
	__sanitizer_cov_8bit_counters_init(
		outcome_counters, outcome_counters + sizeof(outcome_counters));
	if (!n) {
		fprintf(stderr, "gc-libfuzzer-empty: no guest counter block in "
				"the kernel ELF\n");
		exit(1);
	}
	guest_counters = calloc(n, 1);
	if (!guest_counters)
		exit(1);
	__sanitizer_cov_8bit_counters_init(guest_counters, guest_counters + n);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	outcome_counters[size ? data[0] & 7 : 0]++;
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
