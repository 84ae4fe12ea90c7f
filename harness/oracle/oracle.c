/* SPDX-License-Identifier: MIT */
/*
 * The oracle: one testcase's mechanism run against its int80 + IRET
 * reference run, under the rules of docs/semantics.md. The guest is
 * untrusted, so its result is validated before any array is read, and
 * every array is read only up to its real size.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"
#include "testcase.h"
#include "verdict.h"

/* end, every state field, n_exc, four fields per kept exception, the SS
 * probe; the model's diffs come after them and may be cut short. */
_Static_assert(1 + SF_COUNT + 1 + 4 * GC_MAX_EXC + 1 <= VERDICT_MAX_DIFFS,
	       "every possible diff fits in struct verdict");

static const char *const verdict_names[VERDICT_COUNT] = {
	[VERDICT_PASS] = "pass",
	[VERDICT_HAZARD] = "hazard",
	[VERDICT_DIVERGENCE] = "divergence",
	[VERDICT_KERNEL_FAULT] = "kernel_fault",
	[VERDICT_HANG] = "hang",
	[VERDICT_VM_CRASH] = "vm_crash",
	[VERDICT_ERROR] = "error",
	[VERDICT_UNSUPPORTED] = "unsupported",
	[VERDICT_EMULATOR] = "emulator",
};

const char *verdict_name(enum verdict_class cls)
{
	return (unsigned)cls < VERDICT_COUNT ? verdict_names[cls] : "?";
}

/* Unsupported and emulator sort after error but, like it, are never
 * findings: neither says anything about the kernel under test. */
int verdict_is_finding(enum verdict_class cls)
{
	return cls > VERDICT_PASS && cls < VERDICT_ERROR;
}

/* The classes are declared in precedence order: the most severe wins. */
static void verdict_raise(struct verdict *v, enum verdict_class cls)
{
	if (cls > v->cls)
		v->cls = cls;
}

static void judge_status(const struct case_outcome *out, struct verdict *v)
{
	switch (out->status) {
	case CASE_HANG:
		v->cls = VERDICT_HANG;
		break;
	case CASE_VM_CRASH:
		v->cls = VERDICT_VM_CRASH;
		break;
	case CASE_ERROR:
		v->cls = VERDICT_ERROR;
		break;
	case CASE_UNSUPPORTED:
		v->cls = VERDICT_UNSUPPORTED;
		break;
	case CASE_EMULATOR_CRASH:
		v->cls = VERDICT_EMULATOR;
		break;
	default:
		v->cls = VERDICT_ERROR;
		snprintf(v->detail, sizeof(v->detail),
			 "backend returned unknown case status %d",
			 (int)out->status);
		return;
	}
	/* The backend's detail need not be NUL-terminated. */
	snprintf(v->detail, sizeof(v->detail), "%.*s", (int)sizeof(out->detail),
		 out->detail);
}

static int run_is_valid(const struct gc_run *run, const char *which,
			struct verdict *v)
{
	if (run->end == GC_END_NOT_RUN || run->end >= GC_END_COUNT) {
		snprintf(v->detail, sizeof(v->detail),
			 "%s run: end %u is not a finished run", which,
			 run->end);
		return 0;
	}
	for (unsigned i = 0; i < run_kept_exits(run); i++) {
		if (run->exits[i].kind >= GC_EXIT_KIND_COUNT) {
			snprintf(v->detail, sizeof(v->detail),
				 "%s run: exit[%u] kind %u out of range", which,
				 i, run->exits[i].kind);
			return 0;
		}
	}
	if (run->ss_probe >= GC_PROBE_COUNT) {
		snprintf(v->detail, sizeof(v->detail),
			 "%s run: ss_probe %u out of range", which,
			 run->ss_probe);
		return 0;
	}
	return 1;
}

static int result_is_valid(const struct gc_testcase *tc,
			   const struct gc_result *res, struct verdict *v)
{
	if (tc->mechanism >= GC_MECH_COUNT) {
		snprintf(v->detail, sizeof(v->detail),
			 "testcase mechanism %u out of range (not normalized)",
			 tc->mechanism);
		return 0;
	}
	if (res->magic != GC_RESULT_MAGIC) {
		snprintf(v->detail, sizeof(v->detail),
			 "result magic 0x%08x, expected 0x%08x", res->magic,
			 GC_RESULT_MAGIC);
		return 0;
	}
	return run_is_valid(&res->mech, "mechanism", v) &&
	       run_is_valid(&res->ref, "reference", v);
}

/*
 * A ring-0 fault in either run is a finding: in the mechanism run it is the
 * bug under test, in the reference run the hardened kernel itself broke.
 * The mechanism's fault is the one reported when both faulted.
 */
static int judge_kernel_faults(const struct gc_result *res, struct verdict *v)
{
	int mech_faulted = res->mech.end == GC_END_KERNEL_FAULT;
	int ref_faulted = res->ref.end == GC_END_KERNEL_FAULT;

	if (!mech_faulted && !ref_faulted)
		return 0;
	verdict_raise(v, VERDICT_KERNEL_FAULT);
	v->fault_in_ref = !mech_faulted;
	v->fault = mech_faulted ? res->mech.fault : res->ref.fault;
	if (mech_faulted && ref_faulted)
		snprintf(v->detail, sizeof(v->detail),
			 "the reference run faulted too: vector %u error "
			 "0x%x at 0x%" PRIx64,
			 res->ref.fault.vector, res->ref.fault.error_code,
			 res->ref.fault.rip);
	return 1;
}

static void diff_add(struct verdict *v, const char *field, uint64_t mech,
		     uint64_t ref)
{
	struct field_diff *d;

	if (v->n_diffs >= VERDICT_MAX_DIFFS)
		return;
	d = &v->diffs[v->n_diffs++];
	snprintf(d->field, sizeof(d->field), "%s", field);
	d->mech = mech;
	d->ref = ref;
}

static void compare_value(struct verdict *v, const char *field, uint64_t mech,
			  uint64_t ref, uint64_t may_differ)
{
	if ((mech ^ ref) & ~may_differ)
		diff_add(v, field, mech, ref);
}

/* LANDED and USER_FAULT capture a user state; the other ends do not. */
static int run_has_state(const struct gc_run *run)
{
	return run->end == GC_END_LANDED || run->end == GC_END_USER_FAULT;
}

/*
 * The mode the allowances are keyed by: the one the captured states run
 * in (their CS), not the entry's. A compat entry that returns to 64-bit
 * mode (set_return_state) shows a 64-bit user every upper half, so
 * compat-only allowances must not apply; when the two runs disagree, the
 * 64-bit one's view counts (the cs difference is reported anyway).
 */
static enum gc_user_mode captured_mode(const struct gc_testcase *tc,
				       const struct gc_run *mech,
				       const struct gc_run *ref)
{
	if (tc_cs_mode(tc, mech->state.sel[GC_CS]) == GC_MODE_64 ||
	    tc_cs_mode(tc, ref->state.sel[GC_CS]) == GC_MODE_64)
		return GC_MODE_64;
	return GC_MODE_COMPAT;
}

static void compare_states(const struct gc_testcase *tc,
			   const struct gc_run *mech, const struct gc_run *ref,
			   struct verdict *v)
{
	enum gc_user_mode mode = captured_mode(tc, mech, ref);

	/* The common case, and the oracle's hot path: nothing to explain. */
	if (!memcmp(&mech->state, &ref->state, sizeof(mech->state)))
		return;
	for (unsigned f = 0; f < SF_COUNT; f++) {
		uint64_t m = state_field_get(&mech->state, f);
		uint64_t r = state_field_get(&ref->state, f);
		uint64_t bits = allowed_diff_bits(tc->mechanism, mode, f);

		if (!state_field_compared(&mech->state, &ref->state, f))
			continue;
		if (!((m ^ r) & ~bits))
			continue;
		if (allowed_diff_value(tc->mechanism, mode, f, m, mech, bits))
			continue;
		diff_add(v, state_fields[f].name, m, r);
	}
}

static void compare_exc_field(struct verdict *v, uint8_t i, const char *what,
			      uint64_t mech, uint64_t ref)
{
	char field[sizeof(v->diffs[0].field)];

	if (mech == ref)
		return; /* the name is only for a difference */
	snprintf(field, sizeof(field), "exc[%u].%s", i, what);
	compare_value(v, field, mech, ref, 0);
}

static void compare_exception(struct verdict *v, uint8_t i,
			      const struct gc_exception *mech,
			      const struct gc_exception *ref)
{
	compare_exc_field(v, i, "vector", mech->vector, ref->vector);
	compare_exc_field(v, i, "error_code", mech->error_code,
			  ref->error_code);
	compare_exc_field(v, i, "rip", mech->rip, ref->rip);
	if (mech->vector != ref->vector)
		return;
	/*
	 * What a signal handler is given: CR2 for #PF, DR6 for #DB (the
	 * cause: single step or which breakpoint).
	 */
	if (mech->vector == X86_TRAP_PF)
		compare_exc_field(v, i, "cr2", mech->cr2, ref->cr2);
	if (mech->vector == X86_TRAP_DB)
		compare_exc_field(v, i, "dr6", mech->dr6, ref->dr6);
}

/* The counts, then the exceptions both runs kept, in order. */
static void compare_exceptions(const struct gc_run *mech,
			       const struct gc_run *ref, struct verdict *v)
{
	unsigned n = run_kept_exc(mech);

	if (run_kept_exc(ref) < n)
		n = run_kept_exc(ref);
	compare_value(v, "n_exc", mech->n_exc, ref->n_exc, 0);
	for (uint8_t i = 0; i < n; i++)
		compare_exception(v, i, &mech->exc[i], &ref->exc[i]);
}

/*
 * The SS probe (E4, docs/semantics.md §1): SS left unusable by the
 * mechanism's exit but not by the reference's is a divergence; so is the
 * converse. Whether each run got as far as the probe is the primary runs'
 * business, already compared.
 */
static void compare_ss_probe(const struct gc_run *mech,
			     const struct gc_run *ref, struct verdict *v)
{
	int mech_faulted = mech->ss_probe == GC_PROBE_FAULTED;
	int ref_faulted = ref->ss_probe == GC_PROBE_FAULTED;

	if (mech_faulted != ref_faulted)
		diff_add(v, "ss_probe", mech->ss_probe, ref->ss_probe);
	else if (mech_faulted)
		compare_value(v, "ss_probe_vector", mech->ss_probe_vector,
			      ref->ss_probe_vector, 0);
}

static void compare_runs(const struct gc_testcase *tc,
			 const struct case_outcome *out, struct verdict *v)
{
	const struct gc_result *res = &out->result;

	compare_value(v, "end", res->mech.end, res->ref.end, 0);
	if (run_has_state(&res->mech) && run_has_state(&res->ref))
		compare_states(tc, &res->mech, &res->ref, v);
	compare_exceptions(&res->mech, &res->ref, v);
	compare_ss_probe(&res->mech, &res->ref, v);
	if (out->test_kernel)
		model_judge(tc, res, v);
	if (v->n_diffs)
		verdict_raise(v, VERDICT_DIVERGENCE);
}

/*
 * The guest kernel saw the emulator do what no CPU does, and could not go
 * on (GC_END_EMULATOR; kernel-under-test/traps.c says which): whatever
 * else the runs show is the emulator's doing too.
 */
static int judge_emulator(const struct gc_result *res, struct verdict *v)
{
	const struct gc_run *run = res->mech.end == GC_END_EMULATOR ? &res->mech
				   : res->ref.end == GC_END_EMULATOR ? &res->ref
								     : NULL;

	if (!run)
		return 0;
	v->cls = VERDICT_EMULATOR;
	v->fault_in_ref = run == &res->ref;
	v->fault = run->fault;
	snprintf(v->detail, sizeof(v->detail),
		 "the emulator raised vector %u at 0x%" PRIx64
		 " where no CPU does, in the %s run (docs/semantics.md §6)",
		 run->fault.vector, run->fault.rip,
		 run == &res->ref ? "reference" : "mechanism");
	return 1;
}

void oracle_judge(const struct gc_testcase *tc, const struct case_outcome *out,
		  struct verdict *v)
{
	const struct gc_result *res = &out->result;

	memset(v, 0, sizeof(*v));
	v->cls = VERDICT_PASS;
	if (out->status != CASE_OK) {
		judge_status(out, v);
		return;
	}
	if (!result_is_valid(tc, res, v)) {
		v->cls = VERDICT_ERROR;
		return;
	}
	if (judge_emulator(res, v))
		return;
	hazards_judge(&res->mech, v);
	if (v->n_hazards)
		verdict_raise(v, VERDICT_HAZARD);
	if (!judge_kernel_faults(res, v))
		compare_runs(tc, out, v);
}
