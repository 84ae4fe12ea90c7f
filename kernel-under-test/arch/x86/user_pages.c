// SPDX-License-Identifier: MIT
/*
 * The user code pages, one per mechanism, shared by both executions: all
 * HLT (0xF4) but for the mechanism's instruction, which ends at
 * GC_USER_LANDING, and the reference's int $0x80 at GC_USER_REF_ENTRY. HLT
 * at CPL 3 raises #GP(0) before it does anything, so whichever HLT the user
 * reaches first is a capture point that perturbs no register (traps.c).
 * A testcase's prefix instruction (MOV SS / POP SS, E8) sits immediately
 * before both the mechanism's instruction and the reference's int $0x80,
 * so there is one page per mechanism and prefix.
 */
#include "kernel.h"
#include "arch/segment.h"
#include "arch/traps.h"
#include "user_insn.h"

#define HLT 0xf4

static const struct gc_user_insn insn_int80 = GC_INSN_INT80;
static const struct gc_user_insn insn_syscall = GC_INSN_SYSCALL;
static const struct gc_user_insn insn_int3 = GC_INSN_INT3;
static const struct gc_user_insn insn_int3_prefixed = GC_INSN_INT3_PREFIXED;
static const struct gc_user_insn insn_int_3 = GC_INSN_INT_3;
static const struct gc_user_insn insn_into = GC_INSN_INTO;
static const struct gc_user_insn insn_int_1 = GC_INSN_INT_1;
static const struct gc_user_insn insn_sysenter = GC_INSN_SYSENTER;
/*
 * lcall *far_ptr(%rip): FF /3, m16:32 (no REX.W: AMD has no m16:64 form).
 * A far call through a call gate ignores the pointer's offset and takes
 * the selector; the pointer sits on the same page at GC_CALL_GATE_PTR.
 */
#define GC_CALL_GATE_PTR (GC_USER_CODE_VA + 0x200)
#define LCALL_LEN 6
#define LCALL_DISP ((uint32_t)(GC_CALL_GATE_PTR - GC_USER_LANDING))
static const struct gc_user_insn insn_lcall = {
	LCALL_LEN,
	{ 0xff, 0x1d, LCALL_DISP & 0xff, (LCALL_DISP >> 8) & 0xff,
	  (LCALL_DISP >> 16) & 0xff, LCALL_DISP >> 24 },
};
static const struct gc_user_insn call_gate_far_ptr = {
	6, { 0, 0, 0, 0, __CALL_GATE_SEL & 0xff, __CALL_GATE_SEL >> 8 },
};

/* mov GC_USER_SS_WORD_VA, %ss: ModRM 0x14 (reg = SS, SIB), SIB 0x25 (no
 * base, no index: disp32), the same bytes in 64-bit and compat mode. */
#define SS_WORD_DISP32                                                        \
	(GC_USER_SS_WORD_VA & 0xff), ((GC_USER_SS_WORD_VA >> 8) & 0xff),      \
		((GC_USER_SS_WORD_VA >> 16) & 0xff), (GC_USER_SS_WORD_VA >> 24)
_Static_assert(GC_USER_SS_WORD_VA < 0x80000000ull, "disp32 reaches it");
static const struct gc_user_insn prefix_insn[GC_PREFIX_COUNT] = {
	[GC_PREFIX_NONE] = { 0, { 0 } },
	[GC_PREFIX_MOV_SS] = { 7, { 0x8e, 0x14, 0x25, SS_WORD_DISP32 } },
	[GC_PREFIX_POP_SS] = { 1, { 0x17 } },
};

static const struct gc_user_insn *const mechanism_insn[GC_MECH_COUNT] = {
	[GC_MECH_INT80_64] = &insn_int80,
	[GC_MECH_INT80_COMPAT] = &insn_int80,
	[GC_MECH_SYSCALL64] = &insn_syscall,
	[GC_MECH_SYSCALL_COMPAT] = &insn_syscall,
	[GC_MECH_INT3] = &insn_int3,
	[GC_MECH_INT_3] = &insn_int_3,
	[GC_MECH_INTO] = &insn_into,
	[GC_MECH_INT_1] = &insn_int_1,
	[GC_MECH_SYSENTER_COMPAT] = &insn_sysenter,
	[GC_MECH_CALL_GATE] = &insn_lcall,
	[GC_MECH_INT3_PREFIXED] = &insn_int3_prefixed,
};

static uint8_t mechanism_pages[GC_MECH_COUNT][GC_PREFIX_COUNT]
			      [GC_USER_PAGE_SIZE] __page_aligned_bss;
static uint8_t probe_pages[GC_MECH_COUNT][GC_PREFIX_COUNT]
			  [GC_USER_PAGE_SIZE] __page_aligned_bss;

#define PAGE_OFFSET_OF(va) ((va) - GC_USER_CODE_VA)

static void place(uint8_t *page, uint64_t end, const struct gc_user_insn *insn)
{
	memcpy(page + PAGE_OFFSET_OF(end) - insn->len, insn->bytes, insn->len);
}

/* The entry instruction ending at end, with the prefix just before it. */
static void place_entry(uint8_t *page, uint64_t end,
			const struct gc_user_insn *insn, unsigned prefix)
{
	place(page, end, insn);
	place(page, end - insn->len, &prefix_insn[prefix]);
}

/*
 * The SS probe (E4) at the landing, for the probe's re-execution of a run.
 * It must work whichever mode the exit returned to, so it opens with a
 * polyglot: in both modes XOR sets ZF; 0x40 is a REX prefix in 64-bit mode
 * but INC EAX (clearing ZF) in compat mode, so only 64-bit code takes the
 * JZ, to a far JMP through memory to compat mode. A far JMP loads CS and
 * nothing else: SS stays exactly as the exit left it (LS/sysret_ss_attrs.c
 * does the same with call32_from_64). In compat mode the stack is used
 * with SS's cached attributes: ESP := the user stack page, PUSH, POP, HLT.
 */
#define PROBE_COMPAT (GC_USER_LANDING + 5)
#define PROBE_PUSH (GC_USER_LANDING + 10)
#define PROBE_DONE (GC_USER_LANDING + 12) /* the HLT after POP */
#define PROBE_FAR_PTR (GC_USER_LANDING + 19)

static const uint8_t probe_code[] = {
	0x31, 0xc0,		      /* xor %eax, %eax */
	0x40,			      /* REX (64) / inc %eax (compat) */
	0x74, 0x08,		      /* jz to_64 (GC_USER_LANDING + 13) */
	0xbc, 0, 0, 0, 0,	      /* PROBE_COMPAT: mov $stack, %esp */
	0x50,			      /* PROBE_PUSH: push %eax */
	0x58,			      /* pop %eax */
	HLT,			      /* PROBE_DONE */
	0xff, 0x2d, 0, 0, 0, 0,	      /* to_64: ljmp *PROBE_FAR_PTR(%rip) */
	0, 0, 0, 0, 0, 0,	      /* PROBE_FAR_PTR: m16:32 */
};
_Static_assert(sizeof(probe_code) == PROBE_FAR_PTR + 6 - GC_USER_LANDING,
	       "probe layout");

static void place_probe(uint8_t *page)
{
	uint8_t *p = page + PAGE_OFFSET_OF(GC_USER_LANDING);
	uint32_t stack = GC_USER_STACK_TOP, target = PROBE_COMPAT;
	uint16_t cs = __USER32_CS;

	memcpy(p, probe_code, sizeof(probe_code));
	memcpy(p + 6, &stack, sizeof(stack));
	memcpy(p + PROBE_FAR_PTR - GC_USER_LANDING, &target, sizeof(target));
	memcpy(p + PROBE_FAR_PTR - GC_USER_LANDING + 4, &cs, sizeof(cs));
}

void user_pages_init(void)
{
	for (unsigned m = 0; m < GC_MECH_COUNT; m++) {
		for (unsigned p = 0; p < GC_PREFIX_COUNT; p++) {
			uint8_t *page = mechanism_pages[m][p];

			memset(page, HLT, GC_USER_PAGE_SIZE);
			place_entry(page, GC_USER_LANDING, mechanism_insn[m], p);
			place_entry(page, GC_USER_REF_ENTRY + insn_int80.len,
				    &insn_int80, p);
			if (m == GC_MECH_CALL_GATE)
				place(page,
				      GC_CALL_GATE_PTR + call_gate_far_ptr.len,
				      &call_gate_far_ptr);
			memcpy(probe_pages[m][p], page, GC_USER_PAGE_SIZE);
			place_probe(probe_pages[m][p]);
		}
	}
}

const uint8_t *user_probe_page_for(unsigned mechanism, unsigned prefix)
{
	return probe_pages[mechanism][prefix];
}

/*
 * Whether the probe code runs in order after an exit returning to rip:
 * from its first instruction, or resumed inside it after a trap in code
 * that had. An exit into its middle (a set_return_state RIP) runs the
 * probe's bytes as other instructions, whose outcome depends on the
 * registers the exit loaded (ECX after SYSRETL), not on SS.
 */
bool user_probe_return_in_order(uint64_t rip, bool in_order)
{
	if (rip == GC_USER_LANDING)
		return true;
	return in_order && rip > GC_USER_LANDING && rip <= PROBE_DONE;
}

/* What a user exception in the probe's run says about SS, if anything. */
enum gc_ss_probe user_probe_outcome(uint64_t rip, unsigned vector,
				    uint32_t error_code)
{
	if (rip == PROBE_DONE && vector == X86_TRAP_GP && error_code == 0)
		return GC_PROBE_OK; /* the HLT after a PUSH/POP that worked */
	if (rip < PROBE_COMPAT || rip >= PROBE_DONE)
		return GC_PROBE_NOT_RUN;
	if (vector == X86_TRAP_DB || vector == X86_TRAP_BP)
		return GC_PROBE_NOT_RUN; /* traps: the user carries on */
	return GC_PROBE_FAULTED;
}

const uint8_t *user_page_for(unsigned mechanism, unsigned prefix)
{
	return mechanism_pages[mechanism][prefix];
}

/*
 * A software interrupt (int3, int $n, into) is its own reference: the
 * reference run executes the same instruction with every defense on. An
 * int $0x80 standing in for it could only restate the architecture, which
 * the CPU under test implements anyway, and where a CPU gets it wrong (TCG
 * pushes #GP(0x12), not 0x0a, for int $1: docs/semantics.md §6) that is a
 * finding about the CPU, for a cross-backend run, not about the kernel.
 */
static bool is_software_interrupt(unsigned mechanism)
{
	switch (mechanism) {
	case GC_MECH_INT3:
	case GC_MECH_INT3_PREFIXED:
	case GC_MECH_INT_3:
	case GC_MECH_INTO:
	case GC_MECH_INT_1:
		return true;
	}
	return false;
}

/*
 * Whether the reference run executes the mechanism's own instruction
 * rather than the int $0x80 at GC_USER_REF_ENTRY: software interrupts, and
 * an ill-formed call gate, which faults (the same call, every defense on,
 * is its reference).
 */
bool user_is_own_reference(unsigned mechanism, const struct gc_gate_ext *gate)
{
	return is_software_interrupt(mechanism) ||
	       (mechanism == GC_MECH_CALL_GATE &&
		call_gate_is_own_reference(gate));
}

/* The run's entry instruction: the mechanism's, or at_ref_entry the
 * reference's int $0x80. */
uint64_t user_entry_insn_rip(unsigned mechanism, bool at_ref_entry)
{
	if (at_ref_entry)
		return GC_USER_REF_ENTRY;
	return GC_USER_LANDING - mechanism_insn[mechanism]->len;
}

/* Where a run starts: its entry instruction, or the prefix before it. */
uint64_t user_entry_rip(unsigned mechanism, unsigned prefix, bool at_ref_entry)
{
	return user_entry_insn_rip(mechanism, at_ref_entry) -
	       prefix_insn[prefix].len;
}

/* Where the reference's own int $0x80 returns before it is redirected. */
uint64_t user_ref_return_rip(void)
{
	return GC_USER_REF_ENTRY + insn_int80.len;
}

/* Is the byte at this user address a HLT of the page mapped now? */
bool user_page_is_hlt(uint64_t rip)
{
	const uint8_t *page = paging_user_code_page();

	if (!page || rip - GC_USER_CODE_VA >= GC_USER_PAGE_SIZE)
		return false;
	return page[rip - GC_USER_CODE_VA] == HLT;
}
