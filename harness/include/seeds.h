/* SPDX-License-Identifier: MIT */
/* The seeds in the source tree, for tests and benchmarks. */
#ifndef GC_SEEDS_H
#define GC_SEEDS_H

#include "testcase.h"

/* Fills tc[0..n) with seeds/minimal/<name>.tc from the source tree,
 * cycling through names; a seed that does not load becomes the default
 * testcase. The plain workload tests and benchmarks run. */
void seeds_load_minimal(struct gc_testcase *tc, unsigned n,
			const char *const *names, unsigned nnames);

#endif
