// SPDX-License-Identifier: MIT
/*
 * Guest coverage. The kernel's C code is built with clang's
 * -fsanitize-coverage=inline-8bit-counters: one byte per edge, bumped
 * inline, in the __sancov_cntrs section. The explicit counters of
 * coverage.h sit beside them. kernel.ld puts both in one page-aligned block
 * (__gc_cov_start..__gc_cov_end) that the host finds by symbol.
 *
 * After each case the guest moves what the case touched into the case's
 * own result (abi.h, struct gc_cov_word) and clears it, so one batch of
 * many cases gives the host every case's coverage in one round trip.
 *
 * This file is not instrumented itself (kernel-under-test/CMakeLists.txt):
 * it only holds the block and what the instrumentation links against.
 */
#include "kernel.h"
#include "coverage.h"

uint8_t gc_asm_counters[GC_COV_COUNT]
	__attribute__((section("gc_cov_explicit"), aligned(64)));

extern uint64_t __gc_cov_start[], __gc_cov_end[];

/*
 * Word by word: most of the block is zero after any one case, and under
 * TCG every load and store the guest makes costs it nanoseconds, so a
 * touched word is copied whole and split into counters by the host.
 */
void cov_collect(struct gc_result *res)
{
	uint64_t *w = __gc_cov_start;
	unsigned words = (unsigned)(__gc_cov_end - __gc_cov_start), n = 0;

	for (unsigned i = 0; i < words; i++) {
		uint64_t counters = w[i];

		if (!counters)
			continue;
		w[i] = 0;
		if (res && n < GC_MAX_COV_WORDS) {
			res->cov[n].word = i;
			res->cov[n].counters = counters;
		}
		n++;
	}
	if (res)
		res->n_cov = (uint16_t)n;
}

/*
 * The instrumentation registers each module's counters from a constructor.
 * Nothing runs constructors here (kernel.ld discards .init_array) and the
 * host locates the counters from the ELF, so registration is a no-op.
 */
void __sanitizer_cov_8bit_counters_init(uint8_t *start, uint8_t *stop);
void __sanitizer_cov_8bit_counters_init(uint8_t *start, uint8_t *stop)
{
}
