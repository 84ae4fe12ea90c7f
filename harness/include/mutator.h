/* SPDX-License-Identifier: MIT */
/*
 * The structure-aware mutator: it changes testcase fields, not bytes, and
 * prefers the values entry/exit bugs live at (canonical boundaries, the
 * landing address, selectors with every RPL/TI, the flag bits the entry code
 * must scrub, the SYSRET pairs RCX==RIP and R11==RFLAGS). The built-in
 * engine calls mutator_mutate(); libFuzzer's LLVMFuzzerCustomMutator and
 * AFL++'s afl_custom_fuzz call the byte front ends. Everything is
 * deterministic in the RNG state: no rand(), no clock, no allocation.
 */
#ifndef GC_MUTATOR_H
#define GC_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

#include "abi.h"

/* splitmix64: one u64 of state, so saving and resuming it is trivial. */
struct mut_rng {
	uint64_t state;
};

void mut_rng_seed(struct mut_rng *r, uint64_t seed);
uint64_t mut_rng_next(struct mut_rng *r);
/* Uniform in [0, n); 0 if n is 0. */
uint64_t mut_rng_below(struct mut_rng *r, uint64_t n);

/*
 * Applies one to a few field mutations to tc and normalizes it. other is
 * the splice partner (another corpus entry); NULL or tc itself means none.
 * Returns the number of mutations applied.
 */
unsigned mutator_mutate(struct gc_testcase *tc, const struct gc_testcase *other,
			struct mut_rng *rng);

/*
 * Byte front ends for the external fuzzers: decode (never fails), mutate,
 * encode. They return the new length: sizeof(struct gc_testcase), or
 * max_size if that is smaller (the decoder zero-fills the rest).
 */
size_t mutator_mutate_bytes(uint8_t *data, size_t size, size_t max_size,
			    uint64_t seed);
/* A fuzzer's input: the text form when it starts with the TC_TEXT_HEADER
 * line and parses (a .tc seed given to the raw fuzzer binaries), else the
 * binary decoding. Still total: every byte string is some testcase. */
void mutator_decode_input(const uint8_t *data, size_t size,
			  struct gc_testcase *tc);
size_t mutator_crossover_bytes(const uint8_t *a, size_t alen, const uint8_t *b,
			       size_t blen, uint8_t *out, size_t max_size,
			       uint64_t seed);

/* The interesting values, for tests and docs. */
extern const uint64_t mut_interesting_u64[];
extern const size_t mut_nr_interesting_u64;
extern const uint16_t mut_interesting_selectors[];
extern const size_t mut_nr_interesting_selectors;
extern const uint64_t mut_interesting_descriptors[];
extern const size_t mut_nr_interesting_descriptors;
extern const uint64_t mut_flag_bits[]; /* toggled one at a time */
extern const size_t mut_nr_flag_bits;

#endif
