// SPDX-License-Identifier: MIT
/*
 * The user code pages, one per mechanism, shared by both executions: all
 * HLT (0xF4) but for the mechanism's instruction, which ends at
 * GC_USER_LANDING, and the reference's int $0x80 at GC_USER_REF_ENTRY. HLT
 * at CPL 3 raises #GP(0) before it does anything, so whichever HLT the user
 * reaches first is a capture point that perturbs no register (traps.c).
 */
#include "kernel.h"
#include "arch/segment.h"

#define HLT 0xf4

struct entry_insn {
	uint8_t len;
	uint8_t bytes[15];
};

static const struct entry_insn insn_int80 = { 2, { 0xcd, 0x80 } };
static const struct entry_insn insn_syscall = { 2, { 0x0f, 0x05 } };
static const struct entry_insn insn_int3 = { 1, { 0xcc } };
/* Redundant prefixes (XTF swint-emulation, mov_ss_trap.c's CS x2): still
 * INT3, a trap reported after the whole instruction. */
static const struct entry_insn insn_int3_prefixed = { 3, { 0x2e, 0x2e, 0xcc } };
static const struct entry_insn insn_int_3 = { 2, { 0xcd, 0x03 } };
static const struct entry_insn insn_into = { 1, { 0xce } };
static const struct entry_insn insn_int_1 = { 2, { 0xcd, 0x01 } };
static const struct entry_insn insn_sysenter = { 2, { 0x0f, 0x34 } };
/*
 * lcall *far_ptr(%rip): FF /3, m16:32 (no REX.W: AMD has no m16:64 form).
 * A far call through a call gate ignores the pointer's offset and takes
 * the selector; the pointer sits on the same page at GC_CALL_GATE_PTR.
 */
#define GC_CALL_GATE_PTR (GC_USER_CODE_VA + 0x200)
#define LCALL_LEN 6
#define LCALL_DISP ((uint32_t)(GC_CALL_GATE_PTR - GC_USER_LANDING))
static const struct entry_insn insn_lcall = {
	LCALL_LEN,
	{ 0xff, 0x1d, LCALL_DISP & 0xff, (LCALL_DISP >> 8) & 0xff,
	  (LCALL_DISP >> 16) & 0xff, LCALL_DISP >> 24 },
};
static const struct entry_insn call_gate_far_ptr = {
	6, { 0, 0, 0, 0, __CALL_GATE_SEL & 0xff, __CALL_GATE_SEL >> 8 },
};

static const struct entry_insn *const mechanism_insn[GC_MECH_COUNT] = {
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

static uint8_t mechanism_pages[GC_MECH_COUNT][GC_USER_PAGE_SIZE] __page_aligned_bss;

#define PAGE_OFFSET_OF(va) ((va) - GC_USER_CODE_VA)

static void place(uint8_t *page, uint64_t end, const struct entry_insn *insn)
{
	memcpy(page + PAGE_OFFSET_OF(end) - insn->len, insn->bytes, insn->len);
}

void user_pages_init(void)
{
	for (unsigned m = 0; m < GC_MECH_COUNT; m++) {
		memset(mechanism_pages[m], HLT, GC_USER_PAGE_SIZE);
		place(mechanism_pages[m], GC_USER_LANDING, mechanism_insn[m]);
		place(mechanism_pages[m], GC_USER_REF_ENTRY + insn_int80.len,
		      &insn_int80);
	}
	place(mechanism_pages[GC_MECH_CALL_GATE],
	      GC_CALL_GATE_PTR + call_gate_far_ptr.len, &call_gate_far_ptr);
}

const uint8_t *user_page_for(unsigned mechanism)
{
	return mechanism_pages[mechanism];
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

/* An ill-formed call gate faults: the same call is its own reference. */
static bool is_own_reference(const struct gc_testcase *tc)
{
	return is_software_interrupt(tc->mechanism) ||
	       (tc->mechanism == GC_MECH_CALL_GATE &&
		call_gate_is_own_reference(&tc->gate));
}

uint64_t user_entry_rip(const struct gc_testcase *tc, bool reference)
{
	if (reference && !is_own_reference(tc))
		return GC_USER_REF_ENTRY;
	return GC_USER_LANDING - mechanism_insn[tc->mechanism]->len;
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
