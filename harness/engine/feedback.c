// SPDX-License-Identifier: MIT
/*
 * What counts as progress. Two sources:
 *
 *  - guest counters: one byte per edge of the kernel's C code plus the
 *    explicit entry/exit counters, the ones each case touched as its
 *    result lists them (abi.h, struct gc_cov_word), bucketed as AFL does
 *    so "this loop ran 4 times instead of 1" is new but "5 instead of 6"
 *    is not;
 *  - outcome features: what the oracle saw. A new verdict class, a new
 *    set of diverging fields, a new exception vector or end reason is
 *    progress even when the kernel ran the same code (a divergence is the
 *    kernel doing the same thing the reference does not).
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"

static uint8_t bucket_of(uint8_t hits)
{
	if (hits <= 2)
		return hits; /* 0, 1 -> bit 0, 2 -> bit 1 */
	if (hits == 3)
		return 4;
	if (hits < 8)
		return 8;
	if (hits < 16)
		return 16;
	if (hits < 32)
		return 32;
	if (hits < 128)
		return 64;
	return 128;
}

int feedback_init(struct feedback *fb, size_t ncounters)
{
	memset(fb, 0, sizeof(*fb));
	fb->ncounters = ncounters;
	fb->virgin = calloc(ncounters ? ncounters : 1, 1);
	return fb->virgin ? 0 : -1;
}

void feedback_free(struct feedback *fb)
{
	free(fb->virgin);
	fb->virgin = NULL;
}

/* The backend checked the list (result_check.c); the bound here only
 * keeps a feedback sized for another kernel from writing past virgin[]. */
static unsigned score_counter(struct feedback *fb, size_t i, uint8_t hits)
{
	uint8_t b;

	if (i >= fb->ncounters || !hits)
		return 0;
	b = bucket_of(hits);
	if (fb->virgin[i] & b)
		return 0;
	if (!fb->virgin[i])
		fb->counters_hit++;
	fb->virgin[i] |= b;
	return 1;
}

unsigned feedback_coverage(struct feedback *fb, const struct gc_result *r)
{
	unsigned n = r->n_cov < GC_MAX_COV_WORDS ? r->n_cov : GC_MAX_COV_WORDS;
	unsigned fresh = 0;

	for (unsigned k = 0; k < n; k++) {
		uint64_t counters = r->cov[k].counters;
		size_t base = (size_t)r->cov[k].word * 8;

		for (unsigned b = 0; counters; b++, counters >>= 8)
			fresh += score_counter(fb, base + b, (uint8_t)counters);
	}
	return fresh;
}

/* ---- outcome features ---- */

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	while (*s)
		h = mix(h, (unsigned char)*s++);
	return h;
}

static unsigned set_feature(struct feedback *fb, uint64_t h)
{
	uint32_t bit = (uint32_t)(h ^ (h >> 32)) % FEEDBACK_OUTCOME_BITS;
	uint8_t mask = 1u << (bit & 7);

	if (fb->on_feature)
		fb->on_feature(fb->on_feature_ctx, bit);
	if (fb->outcome[bit / 8] & mask)
		return 0;
	fb->outcome[bit / 8] |= mask;
	fb->features++;
	return 1;
}

/*
 * Which fields diverged, one feature per field, and how many in AFL-style
 * buckets: not the set itself. A real bug that leaks varying values (a
 * syscall skipped, so every field a sigreturn frame sets stays the user's)
 * diverges in any subset of ~30 fields; one feature per subset made every
 * few executions "new", and the corpus (and its fsyncs) grew without end
 * (docs/fuzzing.md, "A campaign that finds a real bug").
 */
static unsigned diff_features(struct feedback *fb, uint64_t cls,
			      const struct verdict *v)
{
	unsigned n = v->n_diffs < VERDICT_MAX_DIFFS ? v->n_diffs
						    : VERDICT_MAX_DIFFS;
	unsigned fresh = 0, count_bucket = 0;

	for (unsigned i = 0; i < n; i++)
		fresh += set_feature(fb, hash_str(mix(cls, 0x500),
						  v->diffs[i].field));
	while (count_bucket < 4 && n >> count_bucket > 1)
		count_bucket++;
	return fresh + set_feature(fb, mix(cls, 0x600 + count_bucket));
}

static unsigned run_features(struct feedback *fb, uint64_t base,
			     const struct gc_run *run)
{
	unsigned fresh = set_feature(fb, mix(base, 0x100 + run->end));
	unsigned n_exc = run->n_exc < GC_MAX_EXC ? run->n_exc : GC_MAX_EXC;
	unsigned n_exits =
		run->n_exits < GC_MAX_EXITS ? run->n_exits : GC_MAX_EXITS;
	uint64_t seq = mix(base, 0x200);

	for (unsigned i = 0; i < n_exc; i++) {
		seq = mix(seq, run->exc[i].vector | run->exc[i].flags << 8);
		fresh += set_feature(fb, seq);
	}
	seq = mix(base, 0x300);
	for (unsigned i = 0; i < n_exits; i++) {
		seq = mix(seq, run->exits[i].kind);
		fresh += set_feature(fb, seq);
	}
	if (run->end == GC_END_KERNEL_FAULT)
		fresh += set_feature(fb, mix(base, 0x400 + run->fault.vector));
	return fresh;
}

unsigned feedback_outcome(struct feedback *fb, const struct gc_testcase *tc,
			  const struct case_outcome *out,
			  const struct verdict *v)
{
	uint64_t mech = mix(0, tc->mechanism);
	uint64_t cls = mix(mech, v->cls + 1);
	unsigned fresh;

	fresh = set_feature(fb, cls);
	fresh += diff_features(fb, cls, v);
	for (unsigned i = 0; i < v->n_hazards && i < VERDICT_MAX_HAZARDS; i++)
		fresh += set_feature(
			fb, hash_str(mix(mech, 7), v->hazards[i]->name));
	if (out->status != CASE_OK)
		return fresh;
	fresh += run_features(fb, mix(mech, 1), &out->result.mech);
	fresh += run_features(fb, mix(mech, 2), &out->result.ref);
	fresh +=
		set_feature(fb, mix(mix(mech, 3), out->result.mech.end << 8 |
							  out->result.ref.end));
	return fresh;
}
