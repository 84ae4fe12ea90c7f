// SPDX-License-Identifier: MIT
/*
 * The oracle against planted bugs on the real test kernel under QEMU TCG
 * (docs/semantics.md §8):
 *  - GC_SELFTEST_COMPAT_TO_64_RBX: a compat entry that returns to CS 0x33
 *    through set_return_state clears RBX[63:32] in the mechanism run. The
 *    allowances follow the captured CS, so a 64-bit user's RBX is compared
 *    whole: found, on rbx;
 *  - GC_SELFTEST_INT80_LOSES_RDX: the int $0x80 path returns RDX = 0. The
 *    reference shares that path with int80_64, so the runs agree; the
 *    specification model sees both break it, and the bucket names the
 *    int80 path;
 *  - the normal kernel passes the same testcases, model included.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "tcg_test.h"

#include "testcase.h"
#include "triage.h"
#include "verdict.h"

static struct case_outcome out;
static struct verdict v;

static void run(struct backend *b, enum gc_selftest planted,
		struct gc_testcase *tc)
{
	char err[256];

	if (backend_run_selftest_cases(b, planted, tc, 1, GC_DEFENSES_ALL, &out,
				       err, sizeof(err)))
		FAIL("run: %s", err);
	ASSERT_EQ(out.status, CASE_OK);
	oracle_judge(tc, &out, &v);
}

static int has_diff(const char *field)
{
	for (unsigned i = 0; i < v.n_diffs; i++)
		if (!strcmp(v.diffs[i].field, field))
			return 1;
	return 0;
}

/* int80_compat, set_return_state to the 64-bit user CS at the landing. */
static void compat_to_64(struct gc_testcase *tc)
{
	tc_default(tc);
	tc->mechanism = GC_MECH_INT80_COMPAT;
	tc->gpr[GC_RAX] = GC_SYS_SET_RETURN_STATE;
	tc->gpr[GC_RBX] = 0x8765432112345678ull;
	tc->ret_mask = GC_RET_CS | GC_RET_GPR(GC_RBX);
	tc->ret.cs = 0x33;
	tc->ret.gpr[GC_RBX] = 0x8765432112345678ull;
	tc_normalize(tc);
}

TEST(compat_entry_to_64bit_return_clears_rbx_high)
{
	struct backend *b = open_tcg(50);
	struct gc_testcase tc;

	ASSERT(b);
	compat_to_64(&tc);
	run(b, GC_SELFTEST_NONE, &tc);
	ASSERT_EQ(out.result.mech.state.sel[GC_CS], 0x33);
	ASSERT_EQ(v.cls, VERDICT_PASS);
	run(b, GC_SELFTEST_COMPAT_TO_64_RBX, &tc);
	printf("planted rbx bug: %s, %u diffs, rbx 0x%llx vs 0x%llx\n",
	       verdict_name(v.cls), v.n_diffs,
	       (unsigned long long)out.result.mech.state.gpr[GC_RBX],
	       (unsigned long long)out.result.ref.state.gpr[GC_RBX]);
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT(has_diff("rbx"));
	backend_close(b);
}

TEST(broken_int80_path_is_found_on_int80_64)
{
	struct backend *b = open_tcg(50);
	struct gc_testcase tc;
	struct gc_signature sig;

	ASSERT(b);
	tc_default(&tc);
	tc.mechanism = GC_MECH_INT80_64;
	tc.gpr[GC_RAX] = GC_SYS_GETPID;
	tc.gpr[GC_RDX] = 0x1234;
	tc_normalize(&tc);
	run(b, GC_SELFTEST_NONE, &tc);
	ASSERT_EQ(v.cls, VERDICT_PASS);
	run(b, GC_SELFTEST_INT80_LOSES_RDX, &tc);
	/* Both runs lost RDX alike: only the model can tell. */
	ASSERT_EQ(out.result.mech.state.gpr[GC_RDX], 0);
	ASSERT_EQ(out.result.ref.state.gpr[GC_RDX], 0);
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT_EQ(v.model_broken, MODEL_BROKEN_MECH | MODEL_BROKEN_REF);
	ASSERT(has_diff("ref:rdx"));
	ASSERT(has_diff("mech:rdx"));
	ASSERT(!has_diff("rdx"));
	signature_bucket(&tc, &out, &v, "tcg", &sig);
	printf("bucket: %s\n", sig.text);
	ASSERT(strstr(sig.text, "int80-path") != NULL);
	ASSERT(strstr(sig.text, "int80_64") == NULL);
	backend_close(b);
}
