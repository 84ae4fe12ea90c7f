// SPDX-License-Identifier: MIT
/*
 * The segment topic on the real test kernel under QEMU TCG:
 *  - the SS probe (E4) against a kernel variant that really leaves SS
 *    stale (GC_SELFTEST_STALE_SS) must fault in the mechanism run only,
 *    and be a divergence on ss_probe alone (the primary capture is not
 *    perturbed); on the normal kernel it must not fault;
 *  - the probe really uses SS's cached attributes: with a 16-bit SS (SP
 *    wraps to a supervisor page) it faults in both runs, so no divergence;
 *  - espfix16 (E10): the user's ESP[31:16] survive an IRET to a 16-bit SS,
 *    and without espfix the kernel's RSP bits show instead;
 *  - modify_ldt refuses what Linux refuses (system descriptors, call
 *    gates, present conforming code).
 */
#include <stdio.h>
#include <stdlib.h>

#include "arch/segment.h"
#include "backend.h"
#include "test.h"
#include "testcase.h"
#include "verdict.h"

#define X86_TRAP_PF 14
#define LDT_DATA16  0x0000f2000000ffffull /* data RW, DPL 3, B = 0 */
#define LDT_DATA32  0x00cff2000000ffffull /* flat data RW, DPL 3, B = 1 */

static struct backend *tcg;

static struct backend *backend(void)
{
	char err[512];

	if (!tcg && backend_open("tcg", &(struct backend_config){0}, &tcg, err,
				 sizeof(err))) {
		fprintf(stderr, "cannot open the tcg backend: %s\n", err);
		exit(1);
	}
	return tcg;
}

static void run(const struct gc_testcase *tc, uint64_t enabled,
		struct case_outcome *out, struct verdict *v)
{
	char err[512];

	if (backend_run(backend(), tc, 1, enabled, out, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	oracle_judge(tc, out, v);
}

static void probe_case(struct gc_testcase *tc, unsigned mechanism)
{
	tc_default(tc);
	tc->mechanism = mechanism;
	tc->gpr[GC_RSP] = GC_USER_STACK_TOP;
	tc->seg.flags = GC_SEG_PROBE_SS;
	tc_normalize(tc);
}

TEST(stale_ss_kernel_variant_faults_the_probe_in_the_mechanism_run)
{
	struct gc_testcase tc;
	struct case_outcome out;
	struct verdict v;
	char err[512];

	/* backend_run_selftest runs tc_default(): int80_64, exit by IRET,
	 * which is what loads the patched descriptor. */
	ASSERT_EQ(backend_run_selftest(backend(), GC_SELFTEST_STALE_SS, &out,
				       err, sizeof(err)),
		  0);
	tc_default(&tc);
	ASSERT_EQ(out.status, CASE_OK);
	oracle_judge(&tc, &out, &v);
	ASSERT_EQ(out.result.mech.ss_probe, GC_PROBE_FAULTED);
	ASSERT_EQ(out.result.mech.ss_probe_vector, X86_TRAP_PF);
	ASSERT_EQ(out.result.ref.ss_probe, GC_PROBE_OK);
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT_EQ(v.n_diffs, 1);
	ASSERT_STREQ(v.diffs[0].field, "ss_probe");
	/* The selector the user sees is the right one: only the hidden
	 * state is stale. */
	ASSERT_EQ(out.result.mech.state.sel[GC_SS], __USER_DS);
}

TEST(normal_kernel_probe_does_not_fault)
{
	static const unsigned mechs[] = {GC_MECH_INT80_64, GC_MECH_INT80_COMPAT,
					 GC_MECH_SYSCALL64,
					 GC_MECH_SYSCALL_COMPAT};
	struct gc_testcase tc;
	struct case_outcome out;
	struct verdict v;

	for (size_t i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
		probe_case(&tc, mechs[i]);
		run(&tc, GC_DEFENSES_ALL, &out, &v);
		ASSERT_EQ(out.status, CASE_OK);
		ASSERT_EQ(out.result.mech.ss_probe, GC_PROBE_OK);
		ASSERT_EQ(out.result.ref.ss_probe, GC_PROBE_OK);
		ASSERT_EQ(v.cls, VERDICT_PASS);
	}
}

TEST(probe_uses_the_cached_ss_attributes)
{
	struct gc_testcase tc;
	struct case_outcome out;
	struct verdict v;

	probe_case(&tc, GC_MECH_INT80_COMPAT);
	tc.gpr[GC_RAX] = GC_SYS_SET_RETURN_STATE;
	tc.ret_mask = GC_RET_SS;
	tc.ret.ss = GC_LDT_SEL(0, 3);
	tc.seg.ldt[0] = LDT_DATA16;
	run(&tc, GC_DEFENSES_ALL, &out, &v);
	/* 16-bit stack: PUSH goes to SP - 4 = 0x0ffc, a supervisor page. */
	ASSERT_EQ(out.result.mech.ss_probe, GC_PROBE_FAULTED);
	ASSERT_EQ(out.result.ref.ss_probe, GC_PROBE_FAULTED);
	ASSERT_EQ(out.result.mech.ss_probe_vector, X86_TRAP_PF);
	ASSERT_EQ(v.cls, VERDICT_PASS);
	/* The same with a 32-bit LDT stack segment: no fault. */
	tc.seg.ldt[0] = LDT_DATA32;
	run(&tc, GC_DEFENSES_ALL, &out, &v);
	ASSERT_EQ(out.result.mech.ss_probe, GC_PROBE_OK);
	ASSERT_EQ(v.cls, VERDICT_PASS);
}

static void espfix_case(struct gc_testcase *tc, uint64_t rsp)
{
	tc_default(tc);
	tc->mechanism = GC_MECH_INT80_COMPAT;
	tc->gpr[GC_RAX] = GC_SYS_SET_RETURN_STATE;
	tc->gpr[GC_RSP] = rsp;
	tc->ret_mask = GC_RET_SS;
	tc->ret.ss = GC_LDT_SEL(0, 3);
	tc->seg.ldt[0] = LDT_DATA16;
	tc_normalize(tc);
}

TEST(espfix_keeps_the_users_esp_bits_31_16)
{
	static const uint64_t rsps[] = {GC_USER_STACK_TOP, 0x12345678,
					0xffff0000, 0x0000fffe};
	struct gc_testcase tc;
	struct case_outcome out;
	struct verdict v;

	for (size_t i = 0; i < sizeof(rsps) / sizeof(rsps[0]); i++) {
		espfix_case(&tc, rsps[i]);
		run(&tc, GC_DEFENSES_ALL, &out, &v);
		ASSERT_EQ(out.result.mech.end, GC_END_LANDED);
		ASSERT_EQ((uint32_t)out.result.mech.state.gpr[GC_RSP],
			  (uint32_t)rsps[i]);
		ASSERT_EQ(v.cls, VERDICT_PASS);
		/* Without it, ESP[31:16] is not the user's. */
		run(&tc, GC_DEFENSES_ALL & ~(1ull << GC_DEF_ESPFIX16), &out,
		    &v);
		ASSERT_EQ((uint16_t)out.result.mech.state.gpr[GC_RSP],
			  (uint16_t)rsps[i]);
		ASSERT((uint32_t)out.result.mech.state.gpr[GC_RSP] !=
		       (uint32_t)rsps[i]);
		ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	}
}

/* modify_ldt's return value in RAX, after the syscall from 64-bit mode;
 * NOT_PASSED if the case did not pass (then no comparison can match). */
#define NOT_PASSED 0xbad0bad0bad0bad0ull
static uint64_t modify_ldt_returns(uint64_t raw)
{
	struct gc_testcase tc;
	struct case_outcome out;
	struct verdict v;

	tc_default(&tc);
	tc.gpr[GC_RAX] = GC_SYS_MODIFY_LDT;
	tc.gpr[GC_RDI] = 1;
	tc.gpr[GC_RSI] = raw;
	tc_normalize(&tc);
	run(&tc, GC_DEFENSES_ALL, &out, &v);
	if (v.cls != VERDICT_PASS)
		return NOT_PASSED;
	return out.result.mech.state.gpr[GC_RAX];
}

TEST(modify_ldt_checks_like_linux)
{
	const uint64_t einval = -(uint64_t)GC_EINVAL;

	ASSERT_EQ(modify_ldt_returns(LDT_DATA16), 0);
	ASSERT_EQ(modify_ldt_returns(0), 0); /* clears */
	/* A 64-bit call gate (S = 0, type 0xc), DPL 3. */
	ASSERT_EQ(modify_ldt_returns(0x0000ec0000100000ull), einval);
	/* An LDT descriptor (system, type 2). */
	ASSERT_EQ(modify_ldt_returns(0x0000e2000000ffffull), einval);
	/* Present conforming code (type 0xe); not present is allowed. */
	ASSERT_EQ(modify_ldt_returns(0x00cffe000000ffffull), einval);
	ASSERT_EQ(modify_ldt_returns(0x00cf7e000000ffffull), 0);
	/* DPL 0 code: allowed, made DPL 3 (fill_ldt always does). */
	ASSERT_EQ(modify_ldt_returns(0x00af9a000000ffffull), 0);
}

/* The initial state from the LDT is what the testcase says, exactly: SS a
 * 16-bit LDT segment (the first IRET uses espfix too), DS an LDT entry,
 * ES a not-present one (0 in the process, never a ring-0 fault). */
TEST(initial_ldt_state_is_exact)
{
	struct gc_testcase tc;
	struct case_outcome out;
	struct verdict v;
	const struct gc_user_state *st = &out.result.mech.state;

	tc_default(&tc);
	tc.mechanism = GC_MECH_INT80_COMPAT;
	tc.gpr[GC_RAX] = GC_SYS_GETPID;
	tc.gpr[GC_RSP] = 0x4001fff0;
	tc.sel[GC_SS] = GC_LDT_SEL(0, 3);
	tc.sel[GC_DS] = GC_LDT_SEL(1, 3);
	tc.sel[GC_ES] = GC_LDT_SEL(2, 3);
	tc.seg.ldt[0] = LDT_DATA16;
	tc.seg.ldt[1] = LDT_DATA32;
	tc.seg.ldt[2] = LDT_DATA32 & ~(1ull << 47); /* not present */
	tc_normalize(&tc);
	ASSERT_EQ(tc.sel[GC_SS], GC_LDT_SEL(0, 3));
	run(&tc, GC_DEFENSES_ALL, &out, &v);
	ASSERT_EQ(v.cls, VERDICT_PASS);
	ASSERT_EQ(out.result.mech.end, GC_END_LANDED);
	ASSERT_EQ((uint32_t)st->gpr[GC_RSP], 0x4001fff0);
	ASSERT_EQ(st->sel[GC_SS], GC_LDT_SEL(0, 3));
	ASSERT_EQ(st->sel[GC_DS], GC_LDT_SEL(1, 3));
	ASSERT_EQ(st->sel[GC_ES], 0);
	ASSERT_EQ(st->gpr[GC_RAX], GC_PID);
}

/* x87/SSE: what the testcase loads is what both runs capture, and the
 * defaults (FNINIT's FCW, reset MXCSR) when it loads nothing. */
TEST(fpu_state_round_trips)
{
	struct gc_testcase tc;
	struct case_outcome out;
	struct verdict v;
	const struct gc_user_state *st = &out.result.mech.state;
	const struct tc_field *fcw = tc_field_by_name("fcw");
	const struct tc_field *mxcsr = tc_field_by_name("mxcsr");

	tc_default(&tc);
	tc.mechanism = GC_MECH_SYSCALL64;
	tc.gpr[GC_RSP] = GC_USER_STACK_TOP;
	tc_normalize(&tc);
	run(&tc, GC_DEFENSES_ALL, &out, &v);
	ASSERT_EQ(v.cls, VERDICT_PASS);
	/* No x87/SSE field set: neither loaded nor captured (fpu.c). */
	ASSERT_EQ(st->fpu_captured, 0);
	ASSERT_EQ(st->fcw | st->mxcsr, 0);
	ASSERT_EQ(st->xmm0[0] | st->xmm0[1], 0);

	ASSERT(fcw && mxcsr);
	tc_field_set(&tc, fcw, 0x0e5f);
	tc_field_set(&tc, mxcsr, 0xa040);
	tc.seg.xmm0[0] = 0x0123456789abcdefull;
	tc.seg.xmm0[1] = 0xfedcba9876543210ull;
	tc_normalize(&tc);
	run(&tc, GC_DEFENSES_ALL, &out, &v);
	ASSERT_EQ(v.cls, VERDICT_PASS);
	ASSERT_EQ(st->fpu_captured, 1);
	ASSERT_EQ(st->fcw, 0x0e5f);
	ASSERT_EQ(st->mxcsr, 0xa040);
	ASSERT_EQ(st->xmm0[0], 0x0123456789abcdefull);
	ASSERT_EQ(st->xmm0[1], 0xfedcba9876543210ull);
	ASSERT_EQ(out.result.ref.state.xmm0[1], 0xfedcba9876543210ull);
}
