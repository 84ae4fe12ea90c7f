/* SPDX-License-Identifier: MIT */
/*
 * The kernel profile: every named safety check of the entry/exit paths.
 * A defense switched off is a known bug with ground truth: its seed must
 * turn into a finding of the expected class.
 */
#ifndef GC_DEFENSES_H
#define GC_DEFENSES_H

#include <stddef.h>
#include <stdint.h>

#include "abi.h"

struct defense {
	const char *name;	  /* "sysret_canonical_rip" */
	enum gc_defense bit;
	const char *catalog_case; /* "E1" (docs/catalog.md) */
	const char *seed;	  /* "seeds/defenses/sysret_canonical_rip.tc" */
	const char *expected;	  /* verdict class with it off: "hazard" */
	const char *vendor;	  /* NULL, or the guest CPU vendor the seed
				   * needs ("intel", "amd": --vendor) */
	const char *summary;	  /* one line: what the check does */
};

extern const struct defense defenses[];
extern const size_t defense_count;

const struct defense *defense_by_name(const char *name);
/* Parses "a,b,c" into the set of enabled defenses (GC_DEFENSES_ALL minus
 * those named). Returns 0, or -1 with "unknown defense 'x' (see `gatecrash
 * defenses`)" in err. May be called repeatedly to accumulate. */
int defenses_disable_list(const char *list, uint64_t *enabled, char *err,
			  size_t errlen);

#endif
