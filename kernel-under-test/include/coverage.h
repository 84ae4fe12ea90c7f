/* SPDX-License-Identifier: MIT */
/*
 * Explicit coverage counters: one byte per branch of the entry/exit paths
 * that clang's inline-8bit-counters cannot see or would blur (which SYSRET
 * precondition failed, which exit ran, which vector a run took, how it
 * ended). They live in gc_asm_counters[] (lib/coverage.c), inside the
 * counter block kernel.ld lays out between __gc_cov_start and __gc_cov_end,
 * so the host reads them with the compiler's counters as one array.
 *
 * The guest increments them while a case runs; cov_collect() then moves
 * the touched ones into the case's result and zeroes them.
 */
#ifndef KERNEL_COVERAGE_H
#define KERNEL_COVERAGE_H

#include <stdint.h>

#include "abi.h"

#define GC_COV_VECTORS 33 /* vectors 0..31, then "anything above" */

enum gc_cov_counter {
	/* sysret_is_safe(): the clause that sent the exit to IRET. */
	GC_COV_SYSRET_RCX_NOT_RIP,
	GC_COV_SYSRET_R11_NOT_RFLAGS,
	GC_COV_SYSRET_NONCANONICAL,
	GC_COV_SYSRET_CS_SS,
	GC_COV_SYSRET_TF_RF,
	GC_COV_SYSRET_SAFE,
	/* The entry ran C code with DF still set (entry_clear_df off). */
	GC_COV_INT80_DF_LIVE,
	GC_COV_IRET_FIXUP,
	/* A user breakpoint hit in ring 0 (MOV SS deferred it), E8. */
	GC_COV_KERNEL_USER_BP,
	GC_COV_MOVSS_DB_REPLAY, /* TCG's early MOV SS #DB, replayed */
	/* SYSENTER: EBP not fetchable (E12), the fault fixed up, ring-0
	 * single steps ignored (E6). */
	GC_COV_SYSENTER_EFAULT,
	GC_COV_USER_ACCESS_FIXUP,
	GC_COV_SYSENTER_SINGLESTEP,
	/* Per execution (mechanism, reference): the exits and the end. */
	GC_COV_EXIT,
	GC_COV_END = GC_COV_EXIT + 2 * GC_EXIT_KIND_COUNT,
	GC_COV_USER_VECTOR = GC_COV_END + 2 * GC_END_COUNT,
	GC_COV_KERNEL_VECTOR = GC_COV_USER_VECTOR + 2 * GC_COV_VECTORS,
	GC_COV_COUNT = GC_COV_KERNEL_VECTOR + 2 * GC_COV_VECTORS
};

extern uint8_t gc_asm_counters[GC_COV_COUNT];

/* Moves the counters touched since the last call into res->cov and clears
 * them; res NULL: only clears (what ran between batches is nobody's). */
void cov_collect(struct gc_result *res);

/* Saturating, like a hit-count bucket wants: 255 means "many". */
static inline void cov_hit(unsigned i)
{
	if (i < GC_COV_COUNT && gc_asm_counters[i] != 0xff)
		gc_asm_counters[i]++;
}

static inline unsigned cov_vector(unsigned vector)
{
	return vector < GC_COV_VECTORS - 1 ? vector : GC_COV_VECTORS - 1;
}

#endif
