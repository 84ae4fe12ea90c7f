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
 * mutation of a selector still lands on some valid one. Each value is one
 * the kernel can be asked to load: the kernel turns a data selector it
 * cannot load into 0, and an SS the first IRET cannot load into a user
 * fault at the start (both runs alike). The sets before the LDT are
 * subsets of these, so a normalized old input keeps its meaning.
 */
#define LDT_SELECTORS(i)                                                    \
	GC_LDT_SEL(i, 0), GC_LDT_SEL(i, 1), GC_LDT_SEL(i, 2), GC_LDT_SEL(i, 3)
static const uint16_t ss_allowed[] = {
	__USER_DS,
	__USER_DS & ~SEG_RPL_MASK,	 /* RPL 0: RPL != CPL */
	3, /* null; not 0, which (as any value outside the set) means
	    * allowed[0]: a zero-filled testcase has SS = __USER_DS */
	__USER32_CS,	__USER_CS,	 /* code as SS */
	__KERNEL_DS,	__KERNEL_DS | 3, /* DPL 0 data */
	GC_LDT_SEL(0, 3), GC_LDT_SEL(1, 3), GC_LDT_SEL(2, 3),
	GC_LDT_SEL(3, 3),
	GC_LDT_SEL(GC_LDT_ENTRIES, 3),	 /* beyond the LDT's limit */
};
static const uint16_t data_seg_allowed[] = {
	0,	   1,		2,	   3, /* null, with each RPL */
	__USER_DS, __USER32_CS, __USER_CS,
	__KERNEL_DS | 3,		      /* DPL 0: the kernel loads 0 */
	LDT_SELECTORS(0), LDT_SELECTORS(1), LDT_SELECTORS(2),
	LDT_SELECTORS(3),
	GC_LDT_SEL(GC_LDT_ENTRIES, 3),
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
 * Debug registers as Linux's ptrace lets a debugger set them
 * (arch/x86/kernel/hw_breakpoint.c, ptrace.c): only the L/G enables and the
 * RW/LEN fields of DR7 (no GD, no LE/GE); no I/O breakpoints (RW = 10 needs
 * CR4.DE and Linux refuses it: made read/write); an instruction breakpoint
 * has LEN 1 (LEN made 00); every address is a user address, aligned to its
 * breakpoint's length. User addresses here are 0 or [1 GiB, TASK_SIZE_MAX):
 * the test kernel's own identity map covers the first GiB, which is kernel
 * space for this purpose (Linux refuses kernel addresses), and so is its
 * espfix window (GC_ESPFIX_WINDOW_VA): an address there moves up by the
 * window's size. Linux's espfix stacks are above TASK_SIZE_MAX; left in
 * reach, a breakpoint on the alias the exit writes its IRET frame to fired
 * in ring 0 on every return to a 16-bit SS, at the user's RIP of the moment,
 * which the reference's prefix places elsewhere (a hardened false positive
 * of the 20M soak, corpus/regression/hardened-fp-dr-on-espfix-window.tc).
 *
 * One clamp is the harness's own: a breakpoint on the user code page below
 * GC_USER_LANDING is moved to the landing. The two runs execute and read
 * different bytes there (the mechanism's instruction, the call gate's far
 * pointer that only the mechanism's lcall reads, the reference's int $0x80
 * and their prefixes), so a breakpoint there would fire in one run only;
 * from the landing on both runs run the same code.
 */
#define DBG_USER_LO 0x40000000ull
#define DBG_TASK_SIZE_MAX 0x00007ffffffff000ull

static uint64_t dr7_fields(uint64_t dr7)
{
	dr7 &= GC_DR7_ENABLE_MASK | GC_DR7_RW_LEN_MASK;
	for (unsigned n = 0; n < 4; n++) {
		uint64_t rw = (dr7 >> GC_DR7_RW_SHIFT(n)) & 3;

		if (rw == 2) /* I/O */
			dr7 |= 3ull << GC_DR7_RW_SHIFT(n);
		if (rw == 0) /* instruction: LEN 1 */
			dr7 &= ~(3ull << GC_DR7_LEN_SHIFT(n));
	}
	return dr7;
}

static uint64_t dr7_len_bytes(uint64_t dr7, unsigned n)
{
	static const uint8_t bytes[4] = {1, 2, 8, 4}; /* LEN 00 01 10 11 */

	return bytes[(dr7 >> GC_DR7_LEN_SHIFT(n)) & 3];
}

static uint64_t user_breakpoint_address(uint64_t addr, uint64_t len)
{
	if (addr && (addr < DBG_USER_LO || addr >= DBG_TASK_SIZE_MAX))
		addr = DBG_USER_LO + addr % (DBG_TASK_SIZE_MAX - DBG_USER_LO);
	if (addr - GC_ESPFIX_WINDOW_VA < GC_ESPFIX_WINDOW_SIZE)
		addr += GC_ESPFIX_WINDOW_SIZE;
	return addr & ~(len - 1);
}

static void normalize_debug_ext(struct gc_testcase *tc)
{
	struct gc_debug_ext *d = &tc->dbg;

	d->prefix %= GC_PREFIX_COUNT;
	memset(d->reserved, 0, sizeof(d->reserved));
	d->dr7 = dr7_fields(d->dr7);
	for (unsigned n = 0; n < 4; n++) {
		d->dr[n] = user_breakpoint_address(d->dr[n],
						   dr7_len_bytes(d->dr7, n));
		if (d->dr[n] >= GC_USER_CODE_VA && d->dr[n] < GC_USER_LANDING)
			d->dr[n] = GC_USER_LANDING;
	}
}

/* The LDT descriptors stay as given: the kernel checks them as modify_ldt
 * does (refusing is part of what is tested). */
static void normalize_seg_ext(struct gc_seg_ext *seg)
{
	seg->flags &= GC_SEG_PROBE_SS;
	seg->reserved = 0;
	/* MXCSR bits 31:16 are reserved: FXRSTOR #GPs on them (MXCSR_MASK
	 * 0xffff on QEMU's -cpu max). The default's bits are all below. */
	seg->mxcsr_xor_default &= 0xffff;
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
	normalize_debug_ext(tc);
	normalize_seg_ext(&tc->seg);
	normalize_gate(tc);
}
