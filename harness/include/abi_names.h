/* SPDX-License-Identifier: MIT */
/* Names for the codes a run reports (the exception vectors, a run's end),
 * one table each for every printer: reports, bucket names, probe messages. */
#ifndef GC_ABI_NAMES_H
#define GC_ABI_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* "#GP" for vector 13; a vector without a mnemonic (9, 15, 22-27, 31,
 * 32 and up) as "#<n>" in buf. */
const char *x86_vector_name(unsigned vector, char *buf, size_t len);
/* A run's end (GC_END_*) in words: "landed", "user_fault", ...; "?" out of
 * range. */
const char *run_end_name(uint64_t end);

#endif
