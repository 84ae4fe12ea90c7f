// SPDX-License-Identifier: MIT
/*
 * User mappings. The kernel keeps head.S's identity map of the first GiB
 * (supervisor only). The user code page lives at GC_USER_CODE_VA, under
 * PDPT[1], with the user stack and data pages beside it; the code page's
 * PTE is switched between the mechanism's page and the
 * reference's, so both executions return to the same address. Switching a
 * PTE keeps QEMU's translated code (cached per physical page) valid, where
 * rewriting the code would force a retranslation every run.
 */
#include "kernel.h"
#include "arch/processor.h"
#include "percpu.h"

#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_U 0x4ull
#define PTE_A 0x20ull
#define PTE_D 0x40ull
#define PTE_NX (1ull << 63)

extern uint64_t boot_pml4[512];
extern uint64_t boot_pdpt[512];

static uint64_t user_pd[512] __page_aligned_bss;
static uint64_t user_pt[512] __page_aligned_bss;
static const uint8_t *user_code_page;
static uint8_t user_stack[GC_USER_PAGE_SIZE] __page_aligned_bss;
static uint8_t user_data[GC_USER_PAGE_SIZE] __page_aligned_bss;
static uint64_t percpu_pdpt[512] __page_aligned_bss;
static uint64_t percpu_pd[512] __page_aligned_bss;
static uint64_t percpu_pt[512] __page_aligned_bss;

#define PT_INDEX(va) (((va) >> 12) & 511)

_Static_assert(GC_USER_CODE_VA == 1ull << 30, "user code is PDPT[1], PD[0]");
_Static_assert(GC_USER_STACK_VA - GC_USER_CODE_VA < (2u << 20), "same PT");
_Static_assert(GC_USER_DATA_VA - GC_USER_CODE_VA < (2u << 20), "same PT");

void paging_init(void)
{
	user_pt[PT_INDEX(GC_USER_STACK_VA)] =
		(uintptr_t)user_stack | PTE_P | PTE_W | PTE_U | PTE_NX;
	user_pt[PT_INDEX(GC_USER_DATA_VA)] =
		(uintptr_t)user_data | PTE_P | PTE_W | PTE_U | PTE_NX;
	user_pd[0] = (uintptr_t)user_pt | PTE_P | PTE_W | PTE_U;
	boot_pdpt[1] = (uintptr_t)user_pd | PTE_P | PTE_W | PTE_U;
	/* The per-CPU area's upper-half alias (percpu.h), supervisor only. */
	percpu_pt[0] = (uintptr_t)&percpu | PTE_P | PTE_W | PTE_NX;
	percpu_pd[0] = (uintptr_t)percpu_pt | PTE_P | PTE_W;
	percpu_pdpt[0] = (uintptr_t)percpu_pd | PTE_P | PTE_W;
	boot_pml4[(PERCPU_VA >> 39) & 511] = (uintptr_t)percpu_pdpt | PTE_P | PTE_W;
	asm volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
}

/*
 * Accessed is set up front: the page walk would set it anyway, and a PTE
 * that the CPU has changed would never compare equal here, so every run
 * would pay an INVLPG and a TLB refill (about 0.3 us under TCG).
 */
void paging_map_user_code(const uint8_t *page)
{
	uint64_t pte = (uintptr_t)page | PTE_P | PTE_U | PTE_A; /* read-only */

	if (user_pt[PT_INDEX(GC_USER_CODE_VA)] == pte)
		return;
	user_pt[PT_INDEX(GC_USER_CODE_VA)] = pte;
	user_code_page = page;
	invlpg(GC_USER_CODE_VA);
}

const uint8_t *paging_user_code_page(void)
{
	return user_code_page;
}

/*
 * What a prefix instruction loads SS from (E8): the SS word on the data
 * page for mov_ss, and, for pop_ss, the user's stack, every 16-bit word of
 * it, so any even RSP in the stack page pops the user's SS. Written through
 * the kernel's identity map, before the run arms its debug registers.
 */
/*
 * The user's writable pages start every run as the last clean run left
 * them: zero, but for the words the kernel sets. A page the user wrote
 * (the CPU set its PTE's Dirty bit) is cleared first; otherwise what one
 * run stored there would reach the next (a hardened soak found a return
 * into the prefix bytes whose `add [eax], al` wrote the data page, and the
 * next testcase's mechanism run read it back). Clean pages cost nothing.
 */
static bool reset_if_dirty(uint64_t va, uint8_t *page)
{
	uint64_t *pte = &user_pt[PT_INDEX(va)];

	if (!(*pte & PTE_D))
		return false;
	memset(page, 0, GC_USER_PAGE_SIZE);
	*pte &= ~PTE_D;
	invlpg(va);
	return true;
}

/* What every 16-bit word of the user stack page holds: 0, or the SS that
 * a pop_ss testcase's stack was filled with. The kernel's own stores do
 * not set the user PTE's Dirty bit, so the fill is tracked here: a
 * testcase after a pop_ss one must not start from its stack (another
 * order-dependent false positive of the soak). */
static uint16_t user_stack_fill;


void paging_prepare_user_pages(uint16_t ss, bool fill_stack)
{
	uint16_t want = fill_stack ? ss : 0;

	if (reset_if_dirty(GC_USER_STACK_VA, user_stack))
		user_stack_fill = 0;
	reset_if_dirty(GC_USER_DATA_VA, user_data);
	*(volatile uint16_t *)user_data = ss;
	if (want == user_stack_fill)
		return;
	for (unsigned i = 0; i < GC_USER_PAGE_SIZE / 2; i++)
		((volatile uint16_t *)user_stack)[i] = want;
	user_stack_fill = want;
}
