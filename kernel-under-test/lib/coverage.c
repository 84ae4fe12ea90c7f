// SPDX-License-Identifier: MIT
/*
 * Guest coverage. The kernel's C code is built with clang's
 * -fsanitize-coverage=inline-8bit-counters: one byte per edge, bumped
 * inline, in the __sancov_cntrs section. The explicit counters of
 * coverage.h sit beside them. kernel.ld puts both in one page-aligned block
 * (__gc_cov_start..__gc_cov_end) that the host finds by symbol and maps.
 *
 * This file is not instrumented itself (kernel-under-test/CMakeLists.txt):
 * it only holds the block and what the instrumentation links against.
 */
#include "kernel.h"
#include "coverage.h"

uint8_t gc_asm_counters[GC_COV_COUNT]
	__attribute__((section("gc_cov_explicit"), aligned(64)));

/*
 * The instrumentation registers each module's counters from a constructor.
 * Nothing runs constructors here (kernel.ld discards .init_array) and the
 * host locates the counters from the ELF, so registration is a no-op.
 */
void __sanitizer_cov_8bit_counters_init(uint8_t *start, uint8_t *stop);
void __sanitizer_cov_8bit_counters_init(uint8_t *start, uint8_t *stop)
{
}
