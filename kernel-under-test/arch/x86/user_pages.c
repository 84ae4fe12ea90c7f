// SPDX-License-Identifier: MIT
/*
 * The user code pages: all HLT (0xF4) but for the entry instruction, which
 * ends at GC_USER_LANDING. HLT at CPL 3 raises #GP(0) before it does
 * anything, so whichever HLT the user reaches first is a capture point that
 * perturbs no register (traps.c).
 */
#include "kernel.h"

#define HLT 0xf4

struct entry_insn {
	uint8_t len;
	uint8_t bytes[15];
};

static const struct entry_insn insn_int80 = { 2, { 0xcd, 0x80 } };
static const struct entry_insn insn_syscall = { 2, { 0x0f, 0x05 } };

static const struct entry_insn *const mechanism_insn[GC_MECH_COUNT] = {
	[GC_MECH_INT80_64] = &insn_int80,
	[GC_MECH_INT80_COMPAT] = &insn_int80,
	[GC_MECH_SYSCALL64] = &insn_syscall,
};

/* One page per mechanism, and one for the int $0x80 reference. */
static uint8_t mechanism_pages[GC_MECH_COUNT][GC_USER_PAGE_SIZE] __page_aligned_bss;
static uint8_t reference_page[GC_USER_PAGE_SIZE] __page_aligned_bss;

#define LANDING_OFFSET (GC_USER_LANDING - GC_USER_CODE_VA)

static void build_page(uint8_t *page, const struct entry_insn *insn)
{
	memset(page, HLT, GC_USER_PAGE_SIZE);
	memcpy(page + LANDING_OFFSET - insn->len, insn->bytes, insn->len);
}

void user_pages_init(void)
{
	for (unsigned m = 0; m < GC_MECH_COUNT; m++)
		build_page(mechanism_pages[m], mechanism_insn[m]);
	build_page(reference_page, &insn_int80);
}

const uint8_t *user_page_for(unsigned mechanism, bool reference)
{
	return reference ? reference_page : mechanism_pages[mechanism];
}

uint64_t user_entry_rip(unsigned mechanism, bool reference)
{
	const struct entry_insn *insn =
		reference ? &insn_int80 : mechanism_insn[mechanism];

	return GC_USER_LANDING - insn->len;
}

/* Is the byte at this user address a HLT of the page mapped now? */
bool user_page_is_hlt(uint64_t rip)
{
	const uint8_t *page = paging_user_code_page();

	if (!page || rip - GC_USER_CODE_VA >= GC_USER_PAGE_SIZE)
		return false;
	return page[rip - GC_USER_CODE_VA] == HLT;
}
