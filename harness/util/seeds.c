// SPDX-License-Identifier: MIT
#include <stdio.h>

#include "paths.h"
#include "seeds.h"

void seeds_load_minimal(struct gc_testcase *tc, unsigned n,
			const char *const *names, unsigned nnames)
{
	char path[512], err[256];

	for (unsigned i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s.tc",
			 gc_path_minimal_seeds(), names[i % nnames]);
		if (tc_load_file(path, &tc[i], NULL, err, sizeof(err)))
			tc_default(&tc[i]);
	}
}
