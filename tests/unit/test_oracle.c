/* SPDX-License-Identifier: MIT */
/*
 * The oracle on synthetic results: what it allows, what it reports, and
 * that a hostile guest result cannot make it read out of bounds (run this
 * under GC_SANITIZE=ON too).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../harness/oracle/rules.h"
#include "arch/processor-flags.h"
#include "arch/segment.h"
#include "test.h"
#include "testcase.h"
#include "verdict.h"

#define LANDING GC_USER_LANDING

static struct gc_testcase tc;
static struct case_outcome out;
static struct verdict v;

/* A run that landed cleanly with a plausible 64-bit user state. */
static void landed_run(struct gc_run *run, uint16_t cs)
{
	memset(run, 0, sizeof(*run));
	run->end = GC_END_LANDED;
	for (unsigned i = 0; i < GC_NR_GPRS; i++)
		run->state.gpr[i] = 0x1111111111111111ull * (i + 1);
	run->state.rip = LANDING;
	run->state.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF;
	run->state.sel[GC_CS] = cs;
	run->state.sel[GC_SS] = __USER_DS;
}

/* Identical landed runs for the mechanism; the caller then perturbs them.
 * The testcase is a set_return_state with a breakpoint armed, outside the
 * specification model, so that these tests see the comparison alone; the
 * model has its own. */
static void setup(unsigned mechanism)
{
	tc_default(&tc);
	tc.mechanism = (uint8_t)mechanism;
	tc.gpr[GC_RAX] = GC_SYS_SET_RETURN_STATE;
	tc_normalize(&tc);
	tc.dbg.dr7 = 1;
	memset(&out, 0, sizeof(out));
	out.status = CASE_OK;
	out.result.magic = GC_RESULT_MAGIC;
	landed_run(&out.result.mech, tc.sel[GC_CS]);
	landed_run(&out.result.ref, tc.sel[GC_CS]);
}

static void judge(void)
{
	oracle_judge(&tc, &out, &v);
}

static int has_diff(const char *field)
{
	for (unsigned i = 0; i < v.n_diffs; i++)
		if (!strcmp(v.diffs[i].field, field))
			return 1;
	return 0;
}

static int has_hazard(const char *rule)
{
	for (unsigned i = 0; i < v.n_hazards; i++)
		if (!strcmp(v.hazards[i]->name, rule))
			return 1;
	return 0;
}

static void add_sysret(struct gc_run *run, uint64_t rcx, uint16_t ss)
{
	struct gc_exit_record *e = &run->exits[run->n_exits++];

	e->kind = GC_EXIT_SYSRETQ;
	e->rcx = rcx;
	e->ss = ss;
	e->target_rip = rcx;
}

static void add_exc(struct gc_run *run, uint8_t vector, uint64_t rip)
{
	struct gc_exception *e = &run->exc[run->n_exc++];

	e->vector = vector;
	e->rip = rip;
}

TEST(identical_runs_pass)
{
	for (unsigned m = 0; m < GC_MECH_COUNT; m++) {
		setup(m);
		judge();
		ASSERT_EQ(v.cls, VERDICT_PASS);
		ASSERT_EQ(v.n_diffs, 0);
		ASSERT_EQ(v.n_hazards, 0);
	}
}

TEST(rip_difference_diverges)
{
	setup(GC_MECH_SYSCALL64);
	out.result.mech.state.rip = LANDING + 1;
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT_EQ(v.n_diffs, 1);
	ASSERT_STREQ(v.diffs[0].field, "rip");
	ASSERT_EQ(v.diffs[0].mech, LANDING + 1);
	ASSERT_EQ(v.diffs[0].ref, LANDING);
}

TEST(compat_upper_halves_are_allowed)
{
	setup(GC_MECH_INT80_COMPAT);
	out.result.mech.state.gpr[GC_RSP] ^= 0xdead000000000000ull;
	out.result.mech.state.gpr[GC_R8] ^= 0x0000000100000000ull;
	out.result.mech.state.gpr[GC_R15] ^= 0xffffffff00000000ull;
	out.result.mech.state.rip |= 0x0000000500000000ull;
	judge();
	ASSERT_EQ(v.cls, VERDICT_PASS);
	ASSERT_EQ(v.n_diffs, 0);
}

TEST(compat_lower_halves_diverge)
{
	setup(GC_MECH_INT80_COMPAT);
	out.result.mech.state.gpr[GC_R9] ^= 0x0000000080000000ull;
	out.result.mech.state.gpr[GC_RAX] ^= 0xffffffff00000001ull;
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT_EQ(v.n_diffs, 2);
	ASSERT(has_diff("rax"));
	ASSERT(has_diff("r9"));
}

/*
 * Allowances follow the mode the user was captured in: a compat entry
 * that returned to CS 0x33 (set_return_state) shows a 64-bit user the
 * upper halves, so a kernel that clears RBX[63:32] there is caught; one
 * whose return lands in an LDT 64-bit segment too. A 64-bit entry that
 * returned to compat mode gets the compat allowances.
 */
TEST(allowances_follow_the_captured_mode)
{
	setup(GC_MECH_INT80_COMPAT);
	out.result.mech.state.sel[GC_CS] = __USER_CS;
	out.result.ref.state.sel[GC_CS] = __USER_CS;
	out.result.mech.state.gpr[GC_RBX] &= 0xffffffffull;
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT(has_diff("rbx"));

	setup(GC_MECH_SYSCALL_COMPAT);
	tc.seg.ldt[1] = 0x0020fa000000ffffull; /* L = 1: 64-bit code */
	out.result.mech.state.sel[GC_CS] = GC_LDT_SEL(1, 3);
	out.result.ref.state.sel[GC_CS] = GC_LDT_SEL(1, 3);
	out.result.mech.state.gpr[GC_RBX] &= 0xffffffffull;
	judge();
	ASSERT(has_diff("rbx"));

	setup(GC_MECH_INT80_64);
	out.result.mech.state.sel[GC_CS] = __USER32_CS;
	out.result.ref.state.sel[GC_CS] = __USER32_CS;
	out.result.mech.state.gpr[GC_RBX] &= 0xffffffffull;
	judge();
	ASSERT_EQ(v.cls, VERDICT_PASS);
}

/* The compat mask must not leak into 64-bit mechanisms. */
TEST(upper_halves_diverge_in_64bit_mode)
{
	unsigned mechs[] = {GC_MECH_INT80_64, GC_MECH_SYSCALL64};

	for (unsigned i = 0; i < 2; i++) {
		setup(mechs[i]);
		out.result.mech.state.gpr[GC_R8] ^= 0x0000000100000000ull;
		judge();
		ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
		ASSERT(has_diff("r8"));
	}
}

/* The reference emulates SYSCALL's RCX/R11: no allowance may hide them. */
TEST(syscall64_rcx_r11_are_compared)
{
	setup(GC_MECH_SYSCALL64);
	out.result.mech.state.gpr[GC_RCX] = 0;
	out.result.mech.state.gpr[GC_R11] |= X86_EFLAGS_RF;
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT(has_diff("rcx"));
	ASSERT(has_diff("r11"));
}

TEST(rflags_rf_is_compared)
{
	setup(GC_MECH_SYSCALL64);
	out.result.ref.state.rflags |= X86_EFLAGS_RF;
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT_EQ(v.n_diffs, 1);
	ASSERT_STREQ(v.diffs[0].field, "rflags");
}

TEST(selector_and_base_differences_diverge)
{
	setup(GC_MECH_INT80_COMPAT);
	out.result.mech.state.sel[GC_SS] = 0;
	out.result.mech.state.gs_base = 0xffff888000000000ull;
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT(has_diff("ss"));
	ASSERT(has_diff("gs_base"));
	ASSERT_EQ(v.n_diffs, 2);
}

TEST(fpu_state_compared_only_when_both_captured)
{
	setup(GC_MECH_SYSCALL64);
	out.result.mech.state.fpu_captured = 1;
	out.result.ref.state.fpu_captured = 1;
	out.result.mech.state.mxcsr = GC_MXCSR_DEFAULT;
	out.result.ref.state.mxcsr = GC_MXCSR_DEFAULT | 0x1; /* IE flag */
	out.result.mech.state.xmm0[1] = 0x8000000000000000ull;
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT(has_diff("mxcsr"));
	ASSERT(has_diff("xmm0_hi"));
	ASSERT(!has_diff("fcw") && !has_diff("xmm0_lo"));
	/* A backend that captured no x87/SSE state (linux) compares none. */
	out.result.ref.state.fpu_captured = 0;
	judge();
	ASSERT_EQ(v.cls, VERDICT_PASS);
}

TEST(ss_probe_fault_in_one_run_diverges)
{
	setup(GC_MECH_SYSCALL64);
	out.result.mech.ss_probe = GC_PROBE_FAULTED;
	out.result.mech.ss_probe_vector = X86_TRAP_GP;
	out.result.ref.ss_probe = GC_PROBE_OK;
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT(has_diff("ss_probe"));
	/* Both faulting alike is no finding; a different vector is. */
	out.result.ref.ss_probe = GC_PROBE_FAULTED;
	out.result.ref.ss_probe_vector = X86_TRAP_GP;
	judge();
	ASSERT_EQ(v.cls, VERDICT_PASS);
	out.result.ref.ss_probe_vector = X86_TRAP_PF;
	judge();
	ASSERT(has_diff("ss_probe_vector"));
	/* Out of range from the guest: an error, not a finding. */
	out.result.mech.ss_probe = GC_PROBE_COUNT;
	judge();
	ASSERT_EQ(v.cls, VERDICT_ERROR);
}

TEST(extra_debug_trap_diverges)
{
	setup(GC_MECH_SYSCALL64);
	add_exc(&out.result.mech, 1, LANDING);
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT_EQ(v.n_diffs, 1);
	ASSERT_STREQ(v.diffs[0].field, "n_exc");
	ASSERT_EQ(v.diffs[0].mech, 1);
	ASSERT_EQ(v.diffs[0].ref, 0);
}

TEST(exception_fields_are_compared)
{
	setup(GC_MECH_INT80_64);
	add_exc(&out.result.mech, 13, LANDING);
	add_exc(&out.result.ref, 13, LANDING);
	out.result.mech.exc[0].error_code = 0x2b;
	out.result.mech.end = out.result.ref.end = GC_END_USER_FAULT;
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT_EQ(v.n_diffs, 1);
	ASSERT_STREQ(v.diffs[0].field, "exc[0].error_code");
}

TEST(cr2_compared_only_for_page_faults)
{
	setup(GC_MECH_INT80_64);
	add_exc(&out.result.mech, 13, LANDING);
	add_exc(&out.result.ref, 13, LANDING);
	out.result.mech.exc[0].cr2 = 0x1234;
	judge();
	ASSERT_EQ(v.cls, VERDICT_PASS);

	out.result.mech.exc[0].vector = out.result.ref.exc[0].vector = 14;
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT_EQ(v.n_diffs, 1);
	ASSERT_STREQ(v.diffs[0].field, "exc[0].cr2");

	/* Different vectors: the vector is the difference, not the slot. */
	out.result.ref.exc[0].vector = 13;
	judge();
	ASSERT_EQ(v.n_diffs, 1);
	ASSERT_STREQ(v.diffs[0].field, "exc[0].vector");
}

/* For #DB the kernel stores DR6 in the cr2 slot: single step vs B0. */
TEST(dr6_compared_for_debug_traps)
{
	setup(GC_MECH_SYSCALL64);
	add_exc(&out.result.mech, 1, LANDING);
	add_exc(&out.result.ref, 1, LANDING);
	out.result.mech.exc[0].dr6 = 0xffff4ff0; /* BS */
	out.result.ref.exc[0].dr6 = 0xffff0ff1;	 /* B0 */
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT_EQ(v.n_diffs, 1);
	ASSERT_STREQ(v.diffs[0].field, "exc[0].dr6");
}

TEST(end_difference_diverges)
{
	setup(GC_MECH_SYSCALL64);
	out.result.mech.end = GC_END_BUDGET;
	memset(&out.result.mech.state, 0, sizeof(out.result.mech.state));
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT(has_diff("end"));
	/* A budget run captured no state: nothing else to compare. */
	ASSERT_EQ(v.n_diffs, 1);
}

TEST(reference_kernel_fault)
{
	setup(GC_MECH_SYSCALL64);
	out.result.ref.end = GC_END_KERNEL_FAULT;
	out.result.ref.fault.vector = 14;
	out.result.ref.fault.rip = 0xffffffff81000123ull;
	out.result.ref.fault.cr2 = 0x7ffffffff000ull;
	judge();
	ASSERT_EQ(v.cls, VERDICT_KERNEL_FAULT);
	ASSERT_EQ(v.fault_in_ref, 1);
	ASSERT_EQ(v.fault.vector, 14);
	ASSERT_EQ(v.fault.rip, 0xffffffff81000123ull);
	ASSERT_EQ(v.fault.cr2, 0x7ffffffff000ull);
}

/* The guest saw the emulator do what no CPU does (TCG's double #DB):
 * the emulator's verdict, whichever run, never a kernel fault. */
TEST(emulator_end_is_the_emulator_verdict)
{
	setup(GC_MECH_CALL_GATE);
	out.result.ref.end = GC_END_EMULATOR;
	out.result.ref.fault.vector = X86_TRAP_DB;
	out.result.mech.end = GC_END_KERNEL_FAULT;
	judge();
	ASSERT_EQ(v.cls, VERDICT_EMULATOR);
	ASSERT(v.fault_in_ref);
	ASSERT(strstr(v.detail, "reference run") != NULL);
	ASSERT(!verdict_is_finding(v.cls));
}

/* Runs that land as the model says: getpid on int80_64. */
static void model_setup(void)
{
	setup(GC_MECH_INT80_64);
	tc.dbg.dr7 = 0;
	out.test_kernel = 1;
	tc.gpr[GC_RAX] = GC_SYS_GETPID;
	tc.gpr[GC_RDX] = 0x1234;
	for (int i = 0; i < 2; i++) {
		struct gc_run *r = i ? &out.result.ref : &out.result.mech;

		memcpy(r->state.gpr, tc.gpr, sizeof(tc.gpr));
		r->state.gpr[GC_RAX] = GC_PID;
		r->state.rflags = tc.rflags;
	}
}

TEST(model_passes_a_correct_return)
{
	model_setup();
	judge();
	ASSERT_EQ(v.cls, VERDICT_PASS);
	ASSERT_EQ(v.model_broken, 0);
}

/* Both runs lost RDX alike: equal to each other, wrong by the model. */
TEST(model_names_the_run_that_broke_it)
{
	model_setup();
	out.result.mech.state.gpr[GC_RDX] = 0;
	out.result.ref.state.gpr[GC_RDX] = 0;
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT_EQ(v.model_broken, MODEL_BROKEN_MECH | MODEL_BROKEN_REF);
	ASSERT(has_diff("mech:rdx"));
	ASSERT(has_diff("ref:rdx"));
	ASSERT(!has_diff("rdx"));

	model_setup();
	out.result.ref.state.gpr[GC_RAX] = 0;
	judge();
	ASSERT_EQ(v.model_broken, MODEL_BROKEN_REF);
	ASSERT(has_diff("ref:rax"));
	ASSERT(has_diff("rax"));
}

/* Outside its domain (a breakpoint armed, or a backend that is not the
 * test kernel: a real Linux has its own syscalls) the model says nothing. */
TEST(model_stays_out_of_what_it_does_not_cover)
{
	model_setup();
	out.test_kernel = 0;
	out.result.mech.state.gpr[GC_RDX] = 0;
	out.result.ref.state.gpr[GC_RDX] = 0;
	judge();
	ASSERT_EQ(v.cls, VERDICT_PASS);

	model_setup();
	tc.dbg.dr7 = 1;
	out.result.mech.state.gpr[GC_RDX] = 0;
	out.result.ref.state.gpr[GC_RDX] = 0;
	judge();
	ASSERT_EQ(v.cls, VERDICT_PASS);
}

TEST(mechanism_kernel_fault_is_preferred)
{
	setup(GC_MECH_SYSCALL64);
	out.result.mech.end = GC_END_KERNEL_FAULT;
	out.result.mech.fault.vector = 13;
	out.result.ref.end = GC_END_KERNEL_FAULT;
	out.result.ref.fault.vector = 8;
	judge();
	ASSERT_EQ(v.cls, VERDICT_KERNEL_FAULT);
	ASSERT_EQ(v.fault_in_ref, 0);
	ASSERT_EQ(v.fault.vector, 13);
	ASSERT(strstr(v.detail, "reference run faulted too"));
}

TEST(sysret_noncanonical_rcx_hazard)
{
	setup(GC_MECH_SYSCALL64);
	add_sysret(&out.result.mech, 0x0000800000000000ull, __KERNEL_DS);
	judge();
	ASSERT_EQ(v.cls, VERDICT_HAZARD);
	ASSERT_EQ(v.n_hazards, 1);
	ASSERT_STREQ(v.hazards[0]->name, "sysret_noncanonical_rcx");
	ASSERT_STREQ(v.hazards[0]->vendor, "intel");
	ASSERT_STREQ(v.hazards[0]->cve, "CVE-2012-0217");
}

TEST(sysret_canonical_rcx_no_hazard)
{
	uint64_t edges[] = {0x00007fffffffffffull, 0xffff800000000000ull, 0,
			    ~0ull};

	for (unsigned i = 0; i < 4; i++) {
		setup(GC_MECH_SYSCALL64);
		add_sysret(&out.result.mech, edges[i], __KERNEL_DS);
		judge();
		ASSERT_EQ(v.cls, VERDICT_PASS);
		ASSERT_EQ(v.n_hazards, 0);
	}
	setup(GC_MECH_SYSCALL64);
	add_sysret(&out.result.mech, 0xffff7fffffffffffull, __KERNEL_DS);
	judge();
	ASSERT(has_hazard("sysret_noncanonical_rcx"));
}

TEST(iretq_with_noncanonical_rcx_no_hazard)
{
	setup(GC_MECH_SYSCALL64);
	add_sysret(&out.result.mech, 0x0000800000000000ull, 0);
	out.result.mech.exits[0].kind = GC_EXIT_IRETQ;
	judge();
	ASSERT_EQ(v.cls, VERDICT_PASS);
}

TEST(sysret_null_ss_hazard)
{
	uint16_t nulls[] = {0, 3};

	for (unsigned i = 0; i < 2; i++) {
		setup(GC_MECH_SYSCALL64);
		add_sysret(&out.result.mech, LANDING, nulls[i]);
		judge();
		ASSERT_EQ(v.cls, VERDICT_HAZARD);
		ASSERT(has_hazard("sysret_null_ss"));
		ASSERT_STREQ(v.hazards[0]->vendor, "amd");
	}
	/* LDT entry 0 (TI set) is not a null selector. */
	setup(GC_MECH_SYSCALL64);
	add_sysret(&out.result.mech, LANDING, SEG_TI_LDT);
	judge();
	ASSERT_EQ(v.cls, VERDICT_PASS);
}

TEST(sysret_rf_set_hazard)
{
	setup(GC_MECH_SYSCALL64);
	add_sysret(&out.result.mech, LANDING, __KERNEL_DS);
	out.result.mech.exits[0].r11 = X86_EFLAGS_RF | X86_EFLAGS_IF | 2;
	judge();
	ASSERT_EQ(v.cls, VERDICT_HAZARD);
	ASSERT(has_hazard("sysret_rf_set"));
	/* The same R11 on the IRET path is what a correct kernel does. */
	out.result.mech.exits[0].kind = GC_EXIT_IRETQ;
	judge();
	ASSERT_EQ(v.cls, VERDICT_PASS);
}

TEST(hazards_are_judged_on_mechanism_run_only)
{
	setup(GC_MECH_SYSCALL64);
	add_sysret(&out.result.ref, 0x0000800000000000ull, 0);
	judge();
	ASSERT_EQ(v.cls, VERDICT_PASS);
}

TEST(hazards_listed_with_divergence)
{
	setup(GC_MECH_SYSCALL64);
	add_sysret(&out.result.mech, 0x0000800000000000ull, 0);
	add_sysret(&out.result.mech, 0x0000800000000000ull, 0);
	out.result.mech.state.rip = 0x0000800000000000ull;
	judge();
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT_EQ(v.n_hazards, 2); /* each rule once, however many exits */
	ASSERT(has_hazard("sysret_noncanonical_rcx"));
	ASSERT(has_hazard("sysret_null_ss"));
}

TEST(bad_magic_is_error)
{
	setup(GC_MECH_INT80_64);
	out.result.magic = 0;
	judge();
	ASSERT_EQ(v.cls, VERDICT_ERROR);
	ASSERT(strstr(v.detail, "magic"));
	ASSERT(!verdict_is_finding(v.cls));
}

TEST(end_out_of_range_is_error)
{
	setup(GC_MECH_INT80_64);
	out.result.ref.end = GC_END_COUNT;
	judge();
	ASSERT_EQ(v.cls, VERDICT_ERROR);
	ASSERT(strstr(v.detail, "reference run"));

	setup(GC_MECH_INT80_64);
	out.result.mech.end = GC_END_NOT_RUN;
	judge();
	ASSERT_EQ(v.cls, VERDICT_ERROR);
	ASSERT(strstr(v.detail, "mechanism run"));
}

TEST(exit_kind_out_of_range_is_error)
{
	setup(GC_MECH_SYSCALL64);
	add_sysret(&out.result.mech, LANDING, __KERNEL_DS);
	out.result.mech.exits[0].kind = GC_EXIT_KIND_COUNT;
	judge();
	ASSERT_EQ(v.cls, VERDICT_ERROR);
	ASSERT(strstr(v.detail, "exit[0]"));
}

/* Claimed counts beyond the arrays: compare counts, read only kept ones. */
TEST(oversized_counts_stay_in_bounds)
{
	struct case_outcome *heap;

	setup(GC_MECH_SYSCALL64);
	out.result.mech.n_exc = out.result.ref.n_exc = 200;
	out.result.mech.n_exits = out.result.ref.n_exits = 200;
	out.result.mech.exc[GC_MAX_EXC - 1].vector = 1;

	/* Alone in a heap block, so ASan sees any read past the arrays. */
	heap = malloc(sizeof(*heap));
	ASSERT(heap);
	*heap = out;
	oracle_judge(&tc, heap, &v);
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT_EQ(v.n_diffs, 1);
	ASSERT_STREQ(v.diffs[0].field, "exc[3].vector");

	heap->result.ref.n_exc = 199;
	heap->result.ref.exc[GC_MAX_EXC - 1].vector = 1;
	oracle_judge(&tc, heap, &v);
	free(heap);
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT_EQ(v.n_diffs, 1);
	ASSERT_STREQ(v.diffs[0].field, "n_exc");
}

TEST(backend_statuses_map)
{
	setup(GC_MECH_INT80_64);
	out.status = CASE_HANG;
	snprintf(out.detail, sizeof(out.detail), "no answer in 50 ms");
	judge();
	ASSERT_EQ(v.cls, VERDICT_HANG);
	ASSERT_STREQ(v.detail, "no answer in 50 ms");

	out.status = CASE_VM_CRASH;
	judge();
	ASSERT_EQ(v.cls, VERDICT_VM_CRASH);

	out.status = CASE_EMULATOR_CRASH;
	judge();
	ASSERT_EQ(v.cls, VERDICT_EMULATOR);

	out.status = CASE_ERROR;
	memset(out.detail, 'x', sizeof(out.detail)); /* no NUL */
	judge();
	ASSERT_EQ(v.cls, VERDICT_ERROR);
	ASSERT_EQ(strlen(v.detail), sizeof(out.detail));
}

TEST(verdict_names_and_findings)
{
	ASSERT_STREQ(verdict_name(VERDICT_PASS), "pass");
	ASSERT_STREQ(verdict_name(VERDICT_KERNEL_FAULT), "kernel_fault");
	ASSERT_STREQ(verdict_name(VERDICT_VM_CRASH), "vm_crash");
	ASSERT_STREQ(verdict_name(VERDICT_COUNT), "?");
	ASSERT(!verdict_is_finding(VERDICT_PASS));
	ASSERT(!verdict_is_finding(VERDICT_ERROR));
	for (int c = VERDICT_HAZARD; c <= VERDICT_VM_CRASH; c++)
		ASSERT(verdict_is_finding((enum verdict_class)c));
	ASSERT_STREQ(verdict_name(VERDICT_EMULATOR), "emulator");
	ASSERT(!verdict_is_finding(VERDICT_EMULATOR));
	ASSERT_EQ(hazard_rule_count, 3);
}

/* Captures a printer's output in a NUL-terminated heap string. */
static char *capture(void (*print)(FILE *f))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	print(f);
	fclose(f);
	return buf;
}

static const char *fake_symbol(uint64_t rip, char *buf, size_t len)
{
	snprintf(buf, len, "entry_\"quoted\"+0x%x", (unsigned)(rip & 0xff));
	return buf;
}

static void print_json(FILE *f)
{
	verdict_print_json(f, "seeds/a \"b\".tc", &tc, &out, &v, "tcg",
			   fake_symbol);
}

static void print_text(FILE *f)
{
	verdict_print_text(f, "x.tc", &tc, &out, &v, fake_symbol);
}

/* One line; brackets and braces balance outside strings. */
static int json_is_balanced_line(const char *s)
{
	int depth = 0, in_string = 0;

	for (; *s && *s != '\n'; s++) {
		if (in_string && *s == '\\' && s[1])
			s++;
		else if (*s == '"')
			in_string = !in_string;
		else if (!in_string && (*s == '{' || *s == '['))
			depth++;
		else if (!in_string && (*s == '}' || *s == ']'))
			if (--depth < 0)
				return 0;
	}
	return !depth && !in_string && s[0] == '\n' && s[1] == '\0';
}

/* Where python3 exists, let a real parser have the last word. */
static int python_parses(const char *json)
{
	char path[] = "/tmp/test_oracle_XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f;

	if (fd < 0)
		return 0;
	f = fdopen(fd, "w");
	fputs(json, f);
	fclose(f);
	rc = system("command -v python3 >/dev/null 2>&1");
	if (rc == 0) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "python3 -m json.tool %s >/dev/null",
			 path);
		rc = system(cmd);
	} else {
		fprintf(stderr, "python3 missing: structural check only\n");
	}
	unlink(path);
	return rc == 0;
}

static void check_json(const char *const *keys, unsigned n)
{
	char *json = capture(print_json);

	ASSERT(json);
	for (unsigned i = 0; i < n; i++) {
		if (!strstr(json, keys[i])) {
			free(json);
			FAIL("missing %s", keys[i]);
		}
	}
	if (!json_is_balanced_line(json) || !python_parses(json)) {
		fprintf(stderr, "%s", json);
		free(json);
		FAIL("not one line of valid JSON");
	}
	free(json);
}

TEST(json_divergence)
{
	static const char *const keys[] = {
		"\"file\":\"seeds/a \\\"b\\\".tc\"",
		"\"backend\":\"tcg\"",
		"\"mechanism\":\"syscall64\"",
		"\"verdict\":\"divergence\"",
		"\"fields\":[\"rip\",\"n_exc\"]",
		"{\"field\":\"rip\",\"mechanism\":\"0x40000801\","
		"\"reference\":\"0x40000800\"}",
		"\"hazards\":[{\"rule\":\"sysret_noncanonical_rcx\","
		"\"vendor\":\"intel\",\"cve\":\"CVE-2012-0217\",\"what\":",
		"\"kernel_fault\":null",
		"\"detail\":\"\"",
	};

	setup(GC_MECH_SYSCALL64);
	out.result.mech.state.rip = LANDING + 1;
	add_exc(&out.result.mech, 1, LANDING);
	add_sysret(&out.result.mech, 0x0000800000000000ull, __KERNEL_DS);
	judge();
	check_json(keys, sizeof(keys) / sizeof(keys[0]));
}

TEST(json_kernel_fault)
{
	static const char *const keys[] = {
		"\"verdict\":\"kernel_fault\"",
		"\"vector\":13",
		"\"vector_name\":\"#GP\"",
		"\"error_code\":\"0x0\"",
		"\"rip\":\"0xffffffff81000042\"",
		"\"symbol\":\"entry_\\\"quoted\\\"+0x42\"",
		"\"run\":\"reference\"",
		"\"fields\":[]",
		"\"hazards\":[]",
	};

	setup(GC_MECH_INT80_64);
	out.result.ref.end = GC_END_KERNEL_FAULT;
	out.result.ref.fault.vector = 13;
	out.result.ref.fault.rip = 0xffffffff81000042ull;
	judge();
	check_json(keys, sizeof(keys) / sizeof(keys[0]));
}

TEST(json_error_detail_is_escaped)
{
	static const char *const keys[] = {
		"\"verdict\":\"error\"",
		"\"detail\":\"bad \\\"x\\\"\\n\"",
	};

	setup(GC_MECH_INT80_64);
	out.status = CASE_ERROR;
	snprintf(out.detail, sizeof(out.detail), "bad \"x\"\n");
	judge();
	check_json(keys, sizeof(keys) / sizeof(keys[0]));
}

TEST(text_divergence_names_rflags_bits)
{
	char *text;

	setup(GC_MECH_SYSCALL64);
	out.result.ref.state.rflags |= X86_EFLAGS_RF;
	add_exc(&out.result.mech, 1, LANDING);
	judge();
	text = capture(print_text);
	ASSERT(text);
	if (strncmp(text, "x.tc: syscall64: divergence\n", 28) ||
	    !strstr(text, "rflags") || !strstr(text, "IF|RF") ||
	    !strstr(text, "n_exc") || !strstr(text, "#DB")) {
		fprintf(stderr, "%s", text);
		free(text);
		FAIL("text report incomplete");
	}
	free(text);
}

TEST(text_kernel_fault_and_hazard)
{
	char *text;

	setup(GC_MECH_SYSCALL64);
	add_sysret(&out.result.mech, 0x0000800000000000ull, __KERNEL_DS);
	out.result.mech.end = GC_END_KERNEL_FAULT;
	out.result.mech.fault.vector = 13;
	out.result.mech.fault.rip = 0xffffffff81000042ull;
	judge();
	text = capture(print_text);
	ASSERT(text);
	if (!strstr(text, "kernel_fault") || !strstr(text, "#GP") ||
	    !strstr(text, "mechanism run") || !strstr(text, "+0x42>") ||
	    !strstr(text, "sysret_noncanonical_rcx [intel, CVE-2012-0217]\n")) {
		fprintf(stderr, "%s", text);
		free(text);
		FAIL("text report incomplete");
	}
	free(text);
}

static char *read_semantics_doc(void)
{
	FILE *f = fopen(GC_SOURCE_DIR "/docs/semantics.md", "r");
	char *buf;
	size_t len;

	if (!f)
		return NULL;
	buf = calloc(1, 1 << 17);
	len = buf ? fread(buf, 1, (1 << 17) - 1, f) : 0;
	fclose(f);
	if (buf && !len) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* No rule in the code that is not in docs/semantics.md, word for word. */
TEST(every_rule_is_documented)
{
	char *doc = read_semantics_doc();
	const char *missing = NULL;

	ASSERT(doc);
	for (size_t i = 0; i < allowed_diff_count && !missing; i++)
		if (!strstr(doc, allowed_diffs[i].name) ||
		    !strstr(doc, allowed_diffs[i].reason))
			missing = allowed_diffs[i].name;
	for (size_t i = 0; i < model_rule_count && !missing; i++)
		if (!strstr(doc, model_rules[i].name) ||
		    !strstr(doc, model_rules[i].reason))
			missing = model_rules[i].name;
	for (unsigned i = 0; i < hazard_rule_count && !missing; i++)
		if (!strstr(doc, hazard_rules[i].name) ||
		    !strstr(doc, hazard_rules[i].what))
			missing = hazard_rules[i].name;
	free(doc);
	if (missing)
		FAIL("rule %s (or its reason) is not in docs/semantics.md",
		     missing);
}
