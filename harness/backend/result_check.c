// SPDX-License-Identifier: MIT
/*
 * Validation of what the guest wrote. The test kernel runs fuzzed state in
 * ring 0 and may be broken by it (that is the point), so a result is only
 * believed once every enum is in range and every count plausible: the
 * oracle and the printers then index arrays with these values without
 * checking again.
 */
#include <stdio.h>
#include <string.h>

#include "tcg.h"

static const char *run_check(const struct gc_run *run, char *why, size_t len)
{
	unsigned n_exits =
		run->n_exits < GC_MAX_EXITS ? run->n_exits : GC_MAX_EXITS;

	if (run->end == GC_END_NOT_RUN)
		return "end is NOT_RUN";
	if (run->end >= GC_END_COUNT) {
		snprintf(why, len, "end %u out of range", run->end);
		return why;
	}
	if (run->n_exc > RESULT_MAX_COUNT || run->n_exits > RESULT_MAX_COUNT ||
	    run->n_entries > RESULT_MAX_COUNT) {
		snprintf(why, len,
			 "implausible counts exc=%u exits=%u "
			 "entries=%u",
			 run->n_exc, run->n_exits, run->n_entries);
		return why;
	}
	for (unsigned i = 0; i < n_exits; i++) {
		if (run->exits[i].kind >= GC_EXIT_KIND_COUNT) {
			snprintf(why, len, "exits[%u].kind %u out of range", i,
				 run->exits[i].kind);
			return why;
		}
	}
	if (run->ss_probe >= GC_PROBE_COUNT) {
		snprintf(why, len, "ss_probe %u out of range", run->ss_probe);
		return why;
	}
	return NULL;
}

int result_check_one(const struct gc_result *r, unsigned index, char *why,
		     size_t len)
{
	char sub[64];
	const char *bad;

	if (r->magic != GC_RESULT_MAGIC) {
		snprintf(why, len, "guest wrote no result (magic 0x%x)",
			 r->magic);
		return -1;
	}
	if (r->index != index) {
		snprintf(why, len, "result index %u in slot %u", r->index,
			 index);
		return -1;
	}
	bad = run_check(&r->mech, sub, sizeof(sub));
	if (bad) {
		snprintf(why, len, "bad guest result: mech %s", bad);
		return -1;
	}
	bad = run_check(&r->ref, sub, sizeof(sub));
	if (bad) {
		snprintf(why, len, "bad guest result: ref %s", bad);
		return -1;
	}
	return 0;
}

/*
 * The guest writes only what a run produced (under TCG every word it
 * stores costs it nanoseconds): the rest of its slot is whatever an
 * earlier batch left there. What the end and the counts say is unused is
 * zeroed here, so equal runs are equal bytes.
 */
static void run_clear_unused(struct gc_run *run)
{
	unsigned n_exc = run->n_exc < GC_MAX_EXC ? run->n_exc : GC_MAX_EXC;
	unsigned n_exits =
		run->n_exits < GC_MAX_EXITS ? run->n_exits : GC_MAX_EXITS;

	run->reserved = 0;
	run->state.reserved = 0;
	run->state.reserved2 = 0;
	if (!run->state.fpu_captured) {
		run->state.fcw = 0;
		run->state.mxcsr = 0;
		memset(run->state.xmm0, 0, sizeof(run->state.xmm0));
	}
	if (run->end == GC_END_KERNEL_FAULT || run->end == GC_END_EMULATOR)
		memset(&run->state, 0, sizeof(run->state));
	else
		memset(&run->fault, 0, sizeof(run->fault));
	memset(&run->exc[n_exc], 0, (GC_MAX_EXC - n_exc) * sizeof(run->exc[0]));
	memset(&run->exits[n_exits], 0,
	       (GC_MAX_EXITS - n_exits) * sizeof(run->exits[0]));
}

/*
 * Coverage only steers the fuzzer, so a bad list is trimmed, not an error:
 * the count to what the array holds, counters past the block (cov_len
 * bytes; 0: the backend has none) cleared, words left with none dropped,
 * and the rest of the array zeroed, so readers need no checks of their own.
 */
static void cov_clamp(struct gc_result *r, size_t cov_len)
{
	unsigned n = r->n_cov < GC_MAX_COV_WORDS ? r->n_cov : GC_MAX_COV_WORDS;
	unsigned kept = 0;

	for (unsigned i = 0; i < n; i++) {
		struct gc_cov_word c = r->cov[i];

		if (c.word > cov_len / 8)
			continue;
		/* The block's last word may be partly past its end. */
		if (c.word * 8 + 8 > cov_len)
			c.counters &= (1ull << (cov_len - c.word * 8) * 8) - 1;
		if (c.counters)
			r->cov[kept++] = c;
	}
	memset(&r->cov[kept], 0, (GC_MAX_COV_WORDS - kept) * sizeof(r->cov[0]));
	memset(r->reserved, 0, sizeof(r->reserved));
	r->n_cov = (uint16_t)kept;
}

void result_check(struct case_outcome *out, unsigned index, size_t cov_len)
{
	if (result_check_one(&out->result, index, out->detail,
			     sizeof(out->detail))) {
		out->status = CASE_ERROR;
		return;
	}
	run_clear_unused(&out->result.mech);
	run_clear_unused(&out->result.ref);
	cov_clamp(&out->result, cov_len);
	out->status = CASE_OK;
	out->detail[0] = '\0';
	out->test_kernel = 0; /* the test kernel's backends say so */
}
