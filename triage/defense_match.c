// SPDX-License-Identifier: MIT
/*
 * Which switched-off defense a finding shows: replay it with each disabled
 * defense turned back on, alone. The one whose return makes it pass is the
 * missing check, and its catalog case says what the bug is.
 */
#include "defenses.h"
#include "triage.h"

const struct defense *match_defense(struct replayer *r,
				    const struct gc_testcase *tc, char *err,
				    size_t errlen)
{
	static struct gc_testcase cases[1];
	static struct replay_result res[1];
	uint64_t profile = r->defenses;
	const struct defense *found = NULL;
	int n_found = 0;

	cases[0] = *tc;
	for (size_t i = 0; i < defense_count; i++) {
		uint64_t bit = 1ull << defenses[i].bit;

		if (profile & bit)
			continue;
		r->defenses = profile | bit;
		if (replay_batch(r, cases, 1, res, err, errlen)) {
			r->defenses = profile;
			return NULL;
		}
		if (res[0].v.cls == VERDICT_PASS) {
			found = &defenses[i];
			n_found++;
		}
	}
	r->defenses = profile;
	return n_found == 1 ? found : NULL;
}
