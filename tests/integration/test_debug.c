// SPDX-License-Identifier: MIT
/*
 * E8 on the real test kernel under QEMU TCG: what the user is told when a
 * MOV SS / POP SS data breakpoint defers its #DB into a kernel entry. Both
 * runs must see the #DB once, with DR6 = B0, flagged as taken in ring 0
 * and reported at the return to user mode (the syscall completes);
 * after int $3, #BP then #DB; after int $1 (a fault), no #DB. And an
 * instruction breakpoint at the landing fires once (the kernel returns
 * with RF set, as Linux's hw_breakpoint_handler does), not for ever.
 */
#include <stdlib.h>

#include "test.h"
#include "tcg_test.h"

#include "abi.h"
#include "backend.h"
#include "testcase.h"

#define DR6_B0 0x1ull
#define X86_TRAP_DB 1
#define X86_TRAP_BP 3
#define X86_TRAP_GP 13

static struct backend *be;

/* One VM for every test, opened before them and closed after. */
__attribute__((constructor(200))) static void open_backend(void)
{
	be = open_tcg(0);
	if (!be)
		exit(1);
}

__attribute__((destructor)) static void close_backend(void)
{
	if (be)
		backend_close(be);
}

static int run_seed(const char *rel, struct case_outcome *o)
{
	char path[512], err[256];
	struct gc_testcase tc;
	int is_text;

	snprintf(path, sizeof(path), GC_SOURCE_DIR "/%s", rel);
	if (tc_load_file(path, &tc, &is_text, err, sizeof(err)) ||
	    backend_run(be, &tc, 1, GC_DEFENSES_ALL, o, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", path, err);
		return -1;
	}
	return o->status == CASE_OK ? 0 : -1;
}

/* exc[i] is the #DB of breakpoint 0, taken in ring 0, told at return. */
static int is_kernel_taken_db(const struct gc_run *r, unsigned i)
{
	const struct gc_exception *e = &r->exc[i];

	return i < r->n_exc && e->vector == X86_TRAP_DB &&
	       (e->dr6 & DR6_B0) && (e->flags & GC_EXC_VIA_KERNEL_DB) &&
	       e->rip == GC_USER_LANDING;
}

static int both(const struct case_outcome *o,
		int (*check)(const struct gc_run *, unsigned), unsigned i)
{
	return check(&o->result.mech, i) && check(&o->result.ref, i);
}

TEST(movss_db_into_syscall_and_int80_reaches_the_user)
{
	static const char *const seeds[] = {
		"seeds/edge/movss_syscall.tc",
		"seeds/edge/movss_int80.tc",
		"seeds/edge/popss_int80_compat.tc",
		"seeds/edge/popss_syscall_compat.tc",
		"seeds/defenses/db_ist.tc",
		"seeds/defenses/db_kernel_user_bp.tc",
	};
	struct case_outcome o;

	for (size_t i = 0; i < sizeof(seeds) / sizeof(*seeds); i++) {
		ASSERT_EQ(run_seed(seeds[i], &o), 0);
		ASSERT_EQ(o.result.mech.end, GC_END_LANDED);
		ASSERT_EQ(o.result.ref.end, GC_END_LANDED);
		ASSERT_EQ(o.result.mech.n_exc, 1);
		ASSERT_EQ(o.result.ref.n_exc, 1);
		ASSERT(both(&o, is_kernel_taken_db, 0));
		ASSERT_EQ(o.result.mech.state.gpr[GC_RAX], GC_PID);
	}
}

TEST(movss_db_into_int3_follows_the_bp)
{
	static const char *const seeds[] = {
		"seeds/defenses/bp_no_ist.tc",
		"seeds/edge/movss_int_3.tc",
	};
	struct case_outcome o;

	for (size_t i = 0; i < sizeof(seeds) / sizeof(*seeds); i++) {
		const struct gc_run *r = &o.result.mech;

		ASSERT_EQ(run_seed(seeds[i], &o), 0);
		ASSERT_EQ(r->end, GC_END_LANDED);
		ASSERT_EQ(r->n_exc, 2);
		ASSERT_EQ(r->exc[0].vector, X86_TRAP_BP);
		ASSERT_EQ(r->exc[1].vector, X86_TRAP_DB);
		ASSERT(r->exc[1].dr6 & DR6_B0);
		ASSERT(r->exc[1].flags & GC_EXC_VIA_KERNEL_DB);
	}
}

TEST(a_fault_drops_the_pending_db)
{
	struct case_outcome o;

	ASSERT_EQ(run_seed("seeds/edge/movss_int_1.tc", &o), 0);
	ASSERT_EQ(o.result.mech.end, GC_END_USER_FAULT);
	ASSERT_EQ(o.result.mech.n_exc, 1);
	ASSERT_EQ(o.result.mech.exc[0].vector, X86_TRAP_GP);
}

TEST(no_breakpoint_no_db)
{
	struct case_outcome o;

	ASSERT_EQ(run_seed("seeds/edge/movss_syscall_no_bp.tc", &o), 0);
	ASSERT_EQ(o.result.mech.end, GC_END_LANDED);
	ASSERT_EQ(o.result.mech.n_exc, 0);
	ASSERT_EQ(o.result.ref.n_exc, 0);
}

TEST(instruction_breakpoint_at_the_landing_fires_once)
{
	char err[256];
	struct case_outcome o;
	struct gc_testcase tc;

	tc_default(&tc);
	tc.mechanism = GC_MECH_SYSCALL64;
	tc.gpr[GC_RAX] = GC_SYS_GETPID;
	tc.dbg.dr[1] = GC_USER_LANDING;
	tc.dbg.dr7 = 0x8; /* G1, RW1 = 00 (instruction), LEN1 = 00 */
	tc_normalize(&tc);
	ASSERT_EQ(backend_run(be, &tc, 1, GC_DEFENSES_ALL, &o, err,
			      sizeof(err)),
		  0);
	ASSERT_EQ(o.status, CASE_OK);
	ASSERT_EQ(o.result.mech.end, GC_END_LANDED);
	ASSERT_EQ(o.result.mech.n_exc, 1);
	ASSERT_EQ(o.result.mech.exc[0].vector, X86_TRAP_DB);
	ASSERT_EQ(o.result.mech.exc[0].dr6 & 0xf, 0x2);
	ASSERT_EQ(o.result.mech.exc[0].rip, GC_USER_LANDING);
	ASSERT_EQ(o.result.ref.n_exc, 1);
}

/* E18: a kernel-looking GS base survives a #DB taken before SWAPGS, and
 * the user gets its own GS base back on both paths. */
TEST(user_gs_base_survives_the_paranoid_db)
{
	struct case_outcome o;

	ASSERT_EQ(run_seed("seeds/defenses/paranoid_gsbase.tc", &o), 0);
	ASSERT_EQ(o.result.mech.end, GC_END_LANDED);
	ASSERT_EQ(o.result.ref.end, GC_END_LANDED);
	ASSERT(both(&o, is_kernel_taken_db, 0));
	ASSERT_EQ(o.result.mech.state.gs_base, 0xffff800000000000ull);
	ASSERT_EQ(o.result.ref.state.gs_base, 0xffff800000000000ull);
}

/* A replay a fault dropped (mov ss; int $1) must not leave DR6's B0 for
 * the next testcase: its first #DB (here int $1 through a DPL 3 gate, a
 * #DB with no cause) must read a clean DR6. */
TEST(dropped_replay_leaves_no_dr6_behind)
{
	char path[512], err[256];
	struct case_outcome o[2];
	struct gc_testcase tc[2];
	int is_text;
	uint64_t defs = GC_DEFENSES_ALL & ~(1ull << GC_DEF_DB_GATE_DPL0);

	snprintf(path, sizeof(path), GC_SOURCE_DIR "/%s",
		 "seeds/edge/movss_int_1.tc");
	ASSERT_EQ(tc_load_file(path, &tc[0], &is_text, err, sizeof(err)), 0);
	tc_default(&tc[1]);
	tc[1].mechanism = GC_MECH_INT_1;
	tc_normalize(&tc[1]);
	ASSERT_EQ(backend_run(be, tc, 2, defs, o, err, sizeof(err)), 0);
	ASSERT_EQ(o[1].status, CASE_OK);
	ASSERT_EQ(o[1].result.mech.n_exc, 1);
	ASSERT_EQ(o[1].result.mech.exc[0].vector, X86_TRAP_DB);
	ASSERT_EQ(o[1].result.mech.exc[0].dr6 & 0xf, 0);
}
