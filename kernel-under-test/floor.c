// SPDX-License-Identifier: MIT
/*
 * The bench floor (GC_SELFTEST_RAW_ROUND_TRIP, docs/bench.md B1): per case,
 * the least a testcase can cost under TCG as the feasibility prototype
 * measured it (docs/bench.md, the floor): IRETQ into ring
 * 3, one SYSCALL/SYSRETQ and one INT/IRETQ round trip through stubs that
 * do nothing else, an INT back to the kernel, and the result slot written.
 * Its vectors and LSTAR are installed for the batch and taken down by
 * desc_init(), so the real entry paths carry no test for it.
 */
#include "kernel.h"
#include "arch/msr-index.h"
#include "arch/processor-flags.h"
#include "arch/processor.h"
#include "arch/segment.h"

#define FLOOR_VECTOR_ROUND_TRIP 0x81
#define FLOOR_VECTOR_EXIT	0x82

/* syscall; int $0x81; int $0x82 */
static const uint8_t floor_code[] = {
	0x0f, 0x05, 0xcd, FLOOR_VECTOR_ROUND_TRIP, 0xcd, FLOOR_VECTOR_EXIT,
};

static uint8_t floor_page[GC_USER_PAGE_SIZE] __page_aligned_bss;

void floor_begin(void)
{
	memcpy(floor_page, floor_code, sizeof(floor_code));
	desc_set_gate(FLOOR_VECTOR_ROUND_TRIP, (void *)floor_int_return, 3, 0);
	desc_set_gate(FLOOR_VECTOR_EXIT, (void *)floor_int_exit, 3, 0);
	wrmsr(MSR_LSTAR, (uintptr_t)floor_syscall);
}

void floor_run_case(struct gc_result *res)
{
	struct user_entry ue = {
		.rip = GC_USER_CODE_VA,
		.rflags = X86_EFLAGS_FIXED | X86_EFLAGS_IF,
		.cs = __USER_CS,
		.ss = __USER_DS,
	};

	ue.gpr[GC_RSP] = GC_USER_STACK_TOP;
	paging_map_user_code(floor_page);
	enter_user(&ue);
	res->n_cov = 0;
	memset(&res->mech, 0, sizeof(res->mech));
	memset(&res->ref, 0, sizeof(res->ref));
	res->mech.end = GC_END_LANDED;
	res->ref.end = GC_END_LANDED;
}

void floor_end(void)
{
	desc_init();
}
