// SPDX-License-Identifier: MIT
/*
 * Cross-backend differential: one testcase's mechanism run on two backends
 * (kvm and tcg), compared as the oracle compares a mechanism run with its
 * reference: how it ended, the user state where both captured one (under
 * the oracle's compat masks: bits compat code cannot see may differ), and
 * the user-visible exceptions. A difference is a finding about one of the
 * two implementations, not about the kernel: docs/semantics.md.
 */
#include <stdio.h>
#include <string.h>

#include "arch/processor-flags.h"
#include "backend.h"
#include "testcase.h"
#include "../oracle/rules.h"

/*
 * Hardware pushes RF = 1 with every fault-class exception (SDM vol. 3,
 * "Instruction-Breakpoint Exception Condition"), and the kernel captures
 * the user state through one (the HLT #GP at the landing), so on hardware
 * the captured RF is always 1; QEMU TCG pushes the live RF. Across
 * backends RF says nothing: docs/semantics.md, "Cross-backend".
 */

static void diff__add(struct verdict *v, const char *field, uint64_t a,
		      uint64_t b, uint64_t may_differ)
{
	struct field_diff *d;

	if (!((a ^ b) & ~may_differ) || v->n_diffs >= VERDICT_MAX_DIFFS)
		return;
	d = &v->diffs[v->n_diffs++];
	snprintf(d->field, sizeof(d->field), "%s", field);
	d->mech = a;
	d->ref = b;
}

static int diff__has_state(const struct gc_run *r)
{
	return r->end == GC_END_LANDED || r->end == GC_END_USER_FAULT;
}

/*
 * A mechanism run that finished can be compared even when its backend could
 * not run the reference (linux and qemu-user report such a case as
 * unsupported but keep the mechanism run). Its end is checked here because
 * result_check() only vets complete results.
 */
static int diff__mech_ran(const struct case_outcome *o)
{
	const struct gc_run *r = &o->result.mech;

	if (o->status != CASE_OK && o->status != CASE_UNSUPPORTED)
		return 0;
	return r->end > GC_END_NOT_RUN && r->end < GC_END_COUNT;
}

static void diff__states(const struct gc_testcase *tc, const struct gc_run *a,
			 const struct gc_run *b, struct verdict *v)
{
	enum gc_user_mode mode = tc_mode(tc);

	for (unsigned f = 0; f < SF_COUNT; f++)
		if (state_field_compared(&a->state, &b->state, f))
			diff__add(v, state_fields[f].name,
				  state_field_get(&a->state, f),
				  state_field_get(&b->state, f),
				  allowed_diff_bits(tc->mechanism, mode, f) |
					  (f == SF_RFLAGS ? X86_EFLAGS_RF
							  : 0));
}

static void diff__exceptions(const struct gc_run *a, const struct gc_run *b,
			     struct verdict *v)
{
	unsigned n = run_kept_exc(a) < run_kept_exc(b) ? run_kept_exc(a)
						       : run_kept_exc(b);
	char field[sizeof(v->diffs[0].field)];

	diff__add(v, "n_exc", a->n_exc, b->n_exc, 0);
	for (unsigned i = 0; i < n; i++) {
		snprintf(field, sizeof(field), "exc[%u].vector", i);
		diff__add(v, field, a->exc[i].vector, b->exc[i].vector, 0);
		snprintf(field, sizeof(field), "exc[%u].error_code", i);
		diff__add(v, field, a->exc[i].error_code,
			  b->exc[i].error_code, 0);
		snprintf(field, sizeof(field), "exc[%u].rip", i);
		diff__add(v, field, a->exc[i].rip, b->exc[i].rip, 0);
	}
}

static unsigned diff__runs(const struct gc_testcase *tc,
			   const struct gc_run *ra, const struct gc_run *rb,
			   struct verdict *v)
{
	diff__add(v, "end", ra->end, rb->end, 0);
	if (diff__has_state(ra) && diff__has_state(rb))
		diff__states(tc, ra, rb, v);
	diff__exceptions(ra, rb, v);
	v->cls = v->n_diffs ? VERDICT_DIVERGENCE : VERDICT_PASS;
	return v->n_diffs;
}

unsigned backend_diff(const struct gc_testcase *tc,
		      const struct case_outcome *a,
		      const struct case_outcome *b, struct verdict *v)
{
	const struct gc_run *ra = &a->result.mech, *rb = &b->result.mech;

	memset(v, 0, sizeof(*v));
	if (diff__mech_ran(a) && diff__mech_ran(b))
		return diff__runs(tc, ra, rb, v);
	/* A side that could not express the testcase says nothing. */
	if (a->status == CASE_UNSUPPORTED || b->status == CASE_UNSUPPORTED) {
		v->cls = VERDICT_UNSUPPORTED;
		snprintf(v->detail, sizeof(v->detail), "not comparable: %.130s",
			 a->status == CASE_UNSUPPORTED ? a->detail : b->detail);
		return 0;
	}
	/* One side crashed or hung and the other did not: that differs. */
	diff__add(v, "status", a->status, b->status, 0);
	v->cls = v->n_diffs ? VERDICT_DIVERGENCE : VERDICT_PASS;
	snprintf(v->detail, sizeof(v->detail), "%.75s / %.75s",
		 a->status == CASE_OK ? "ok" : a->detail,
		 b->status == CASE_OK ? "ok" : b->detail);
	return v->n_diffs;
}
