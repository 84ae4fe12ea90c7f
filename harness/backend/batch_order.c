// SPDX-License-Identifier: MIT
/*
 * The order cases reach the guest in: grouped by mechanism, stable within
 * a mechanism. Each mechanism has its own user code page (kernel
 * arch/x86/user_pages.c), and a page switch is an INVLPG, a TLB refill and
 * a translation-cache lookup in the guest: about 0.5 us under TCG, more
 * than the rest of a case's setup (docs/bench.md, "Where the time goes").
 * Grouped, a batch switches at most once per mechanism. Every case starts
 * from the same kernel state, so the order changes no result.
 */
#include <string.h>

#include "batch_order.h"

void batch_order_by_mechanism(const struct gc_testcase *cases, unsigned k,
			      unsigned order[])
{
	unsigned start[GC_MECH_COUNT + 1] = {0};

	for (unsigned i = 0; i < k; i++)
		start[cases[i].mechanism % GC_MECH_COUNT + 1]++;
	for (unsigned m = 0; m < GC_MECH_COUNT; m++)
		start[m + 1] += start[m];
	for (unsigned i = 0; i < k; i++)
		order[start[cases[i].mechanism % GC_MECH_COUNT]++] = i;
}

void batch_gather(const struct gc_testcase *cases, const unsigned order[],
		  unsigned k, struct gc_testcase *sorted)
{
	for (unsigned j = 0; j < k; j++)
		sorted[j] = cases[order[j]];
}

void batch_scatter(const struct case_outcome *sorted, const unsigned order[],
		   unsigned k, struct case_outcome *out)
{
	for (unsigned j = 0; j < k; j++)
		memcpy(&out[order[j]], &sorted[j], sizeof(*out));
}
