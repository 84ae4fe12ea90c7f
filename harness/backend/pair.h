/* SPDX-License-Identifier: MIT */
/*
 * Private to harness/backend/: two backends as one, "A,B" (pair.c), the
 * cross-backend differential in a form the engine, triage and minimize
 * use unchanged. backend.c opens it for any name with a comma.
 */
#ifndef GC_BACKEND_PAIR_H
#define GC_BACKEND_PAIR_H

#include "backend_ops.h"

int pair_open(const char *name, const struct backend_config *cfg, void **priv,
	      char *err, size_t errlen);
int pair_run(void *priv, const struct gc_testcase *cases, unsigned n,
	     uint64_t defenses, enum gc_selftest selftest,
	     struct case_outcome *out, char *err, size_t errlen);
void pair_close(void *priv);
void pair_get_stats(const void *priv, struct backend_stats *st);
const char *pair_name(const void *priv);

#endif
