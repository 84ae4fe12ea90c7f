/* SPDX-License-Identifier: MIT */
/* The order a batch's cases are run in (batch_order.c). */
#ifndef GATECRASH_BATCH_ORDER_H
#define GATECRASH_BATCH_ORDER_H

#include "abi.h"
#include "verdict.h"

/* order[j]: the caller's index of the case run j-th. */
void batch_order_by_mechanism(const struct gc_testcase *cases, unsigned k,
			      unsigned order[]);
void batch_gather(const struct gc_testcase *cases, const unsigned order[],
		  unsigned k, struct gc_testcase *sorted);
void batch_scatter(const struct case_outcome *sorted, const unsigned order[],
		   unsigned k, struct case_outcome *out);

#endif
