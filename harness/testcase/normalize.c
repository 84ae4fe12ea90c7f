/* SPDX-License-Identifier: MIT */
/*
 * Normalization: clamp any byte string to a testcase the harness can
 * express. Deterministic and idempotent, and it never rejects, so every
 * fuzzer input is a valid testcase and equal inputs mean equal runs.
 */
#include <string.h>

#include "arch/processor-flags.h"
#include "arch/segment.h"
#include "testcase.h"

/*
 * The selectors a testcase may load, per segment register. A value outside
 * its set is mapped onto it (allowed[value % n]) rather than rejected, so a
 * mutation of a selector still lands on some valid one. Grow these sets
 * here when the kernel learns to load more (LDT, odd DPLs).
 */
static const uint16_t ss_allowed[] = {__USER_DS};
static const uint16_t data_seg_allowed[] = {
	0,	   1,		2,	   3, /* null, with each RPL */
	__USER_DS, __USER32_CS, __USER_CS,
};

struct selector_set {
	const uint16_t *values;
	unsigned count;
};

#define SELECTOR_SET(a)                       \
	{                                     \
		a, sizeof(a) / sizeof((a)[0]) \
	}

/* Indexed by enum gc_sreg; CS is not here: it follows the mode. */
static const struct selector_set selector_sets[GC_NR_SREGS] = {
	[GC_ES] = SELECTOR_SET(data_seg_allowed),
	[GC_SS] = SELECTOR_SET(ss_allowed),
	[GC_DS] = SELECTOR_SET(data_seg_allowed),
	[GC_FS] = SELECTOR_SET(data_seg_allowed),
	[GC_GS] = SELECTOR_SET(data_seg_allowed),
};

static uint16_t clamp_selector(const struct selector_set *set, uint16_t sel)
{
	for (unsigned i = 0; i < set->count; i++)
		if (set->values[i] == sel)
			return sel;
	return set->values[sel % set->count];
}

/* 4-level paging: bits 63..48 copy bit 47. WRMSR of anything else #GPs. */
static uint64_t canonical_48(uint64_t addr)
{
	return (uint64_t)((int64_t)(addr << 16) >> 16);
}

/* Zero every ret.* value whose bit is clear, so equal testcases are equal
 * bytes. */
static void clear_unmasked_ret(struct gc_testcase *tc)
{
	struct gc_ret_frame *ret = &tc->ret;

	for (unsigned i = 0; i < GC_NR_GPRS; i++)
		if (!(tc->ret_mask & GC_RET_GPR(i)))
			ret->gpr[i] = 0;
	if (!(tc->ret_mask & GC_RET_RIP))
		ret->rip = 0;
	if (!(tc->ret_mask & GC_RET_RFLAGS))
		ret->rflags = 0;
	if (!(tc->ret_mask & GC_RET_CS))
		ret->cs = 0;
	if (!(tc->ret_mask & GC_RET_SS))
		ret->ss = 0;
	ret->reserved = 0;
}

static void normalize_selectors(struct gc_testcase *tc)
{
	for (unsigned i = 0; i < GC_NR_SREGS; i++)
		if (selector_sets[i].count)
			tc->sel[i] =
				clamp_selector(&selector_sets[i], tc->sel[i]);
	tc->sel[GC_CS] = tc_mode_cs(tc_mode(tc));
}

/*
 * The call gate's deltas (struct gc_gate_ext): each clamped to the bits the
 * kernel uses, so equal gates are equal bytes; zero for every other
 * mechanism, which has no gate.
 */
static void normalize_gate(struct gc_testcase *tc)
{
	struct gc_gate_ext *g = &tc->gate;

	if (tc->mechanism != GC_MECH_CALL_GATE) {
		memset(g, 0, sizeof(*g));
		return;
	}
	g->dpl_xor &= 3;
	g->type_xor &= 0xf;
	g->not_present &= 1;
	g->upper_type &= 0x1f;
	g->target %= GC_GATE_TARGET_COUNT;
	g->target_rpl &= 3;
}

void tc_normalize(struct gc_testcase *tc)
{
	tc->version = GC_TESTCASE_VERSION;
	memset(tc->reserved0, 0, sizeof(tc->reserved0));
	tc->reserved1 = 0;
	tc->mechanism %= GC_MECH_COUNT;

	tc->ret_mask &= GC_RET_ALL;
	clear_unmasked_ret(tc);

	/*
	 * What a process at CPL 3, IOPL 0 can hold: POPF changes only the
	 * user-settable bits, and IF is always on in user mode. ret.rflags is
	 * left alone on purpose: feeding odd flags to the exit path is the
	 * point of set_return_state, and the kernel sanitizes it itself.
	 */
	tc->rflags = (tc->rflags & X86_EFLAGS_USER_SETTABLE) |
		     X86_EFLAGS_FIXED | X86_EFLAGS_IF;

	tc->fs_base = canonical_48(tc->fs_base);
	tc->gs_base = canonical_48(tc->gs_base);
	normalize_selectors(tc);
	normalize_gate(tc);
}
