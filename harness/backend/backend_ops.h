/* SPDX-License-Identifier: MIT */
/*
 * Private to harness/backend/: the table every backend fills in. backend.c
 * dispatches through it; each backend file exports one const table.
 */
#ifndef GC_BACKEND_OPS_H
#define GC_BACKEND_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "backend.h"
#include "verdict.h"

/*
 * One backend. run() gets at most GC_MAX_BATCH cases (backend.c splits
 * larger batches) and a selftest that is GC_SELFTEST_NONE except for
 * backend_run_selftest().
 */
struct backend_ops {
	const char *name;
	int (*open)(const struct backend_config *cfg, void **priv, char *err,
		    size_t errlen);
	int (*run)(void *priv, const struct gc_testcase *cases, unsigned n,
		   uint64_t defenses, enum gc_selftest selftest,
		   struct case_outcome *out, char *err, size_t errlen);
	void (*close)(void *priv);
	void (*get_stats)(const void *priv, struct backend_stats *st);
	void (*probe)(const struct backend_config *cfg,
		      struct probe_report *rep);
	/* 1 if results are hardware-exact; NULL: never (an emulator). */
	int (*faithful)(const void *priv);
	/* Size of the guest's counter block (backend_coverage); NULL: none. */
	int (*coverage)(void *priv, size_t *len);
	/* The name of this instance when it is not .name (a pair "A,B"). */
	const char *(*instance_name)(const void *priv);
};

extern const struct backend_ops tcg_ops;
extern const struct backend_ops kvm_ops;

#endif
