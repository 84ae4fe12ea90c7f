// SPDX-License-Identifier: MIT
/*
 * espfix64 (E10, CVE-2014-8133 family). IRETQ to a 16-bit stack segment
 * (SS.B = 0) in compat mode loads only SP[15:0]: RSP[31:16] keep what the
 * kernel's RSP held at the IRET, so the kernel stack address leaks to the
 * user and the user's ESP[31:16] is lost (docs/catalog.md §1 "RSP upper
 * bits"). Linux's fix, copied here: IRET from an alias of one page that is
 * mapped at every 64 KiB of a 4 GiB window, at the address whose bits 31:16
 * are the user's ESP[31:16]. The hardware then "keeps" the right bits.
 *
 * The window is PDPT[4..7] (VA 4 GiB .. 8 GiB): all four PDPT entries share
 * one PD, its 512 entries one PT, its 512 entries the one page. Supervisor
 * only, writable, NX. The entry code builds the frame through the alias
 * (entry_64.S, ESPFIX_IRET).
 */
#include "kernel.h"
#include "arch/espfix.h"
#include "arch/processor.h"

#define PTE_P		  0x1ull
#define PTE_W		  0x2ull
#define PTE_NX		  (1ull << 63)

#define ESPFIX_PDPT_FIRST 4
#define ESPFIX_PDPT_COUNT 4 /* 4 x 1 GiB: every value of bits 31:16 */

_Static_assert(ESPFIX_BASE == (uint64_t)ESPFIX_PDPT_FIRST << 30,
	       "ESPFIX_BASE is the window's first PDPT entry");
_Static_assert((ESPFIX_BASE & 0xffffffffull) == 0, "4 GiB aligned");
_Static_assert(ESPFIX_BASE == GC_ESPFIX_WINDOW_VA &&
		       ESPFIX_PDPT_COUNT * (1ull << 30) == GC_ESPFIX_WINDOW_SIZE,
	       "the window the host keeps user breakpoints out of (abi.h)");

extern uint64_t boot_pdpt[512];

static uint64_t espfix_pd[512] __page_aligned_bss;
static uint64_t espfix_pt[512] __page_aligned_bss;
static uint8_t espfix_page[4096] __page_aligned_bss;

void espfix_init(void)
{
	for (unsigned i = 0; i < 512; i++) {
		espfix_pt[i] = (uintptr_t)espfix_page | PTE_P | PTE_W | PTE_NX;
		espfix_pd[i] = (uintptr_t)espfix_pt | PTE_P | PTE_W;
	}
	for (unsigned i = 0; i < ESPFIX_PDPT_COUNT; i++)
		boot_pdpt[ESPFIX_PDPT_FIRST + i] =
			(uintptr_t)espfix_pd | PTE_P | PTE_W;
	asm volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" ::: "rax", "memory");
}
