// SPDX-License-Identifier: MIT
/*
 * The compat syscall's mechanism run on Linux (AMD: CSTAR): through the
 * kernel's 32-bit vDSO, so that the user resumes after the instruction
 * as on the test kernel (docs/backends.md, "Compat syscall").
 *
 * Pure, like plan.c.
 */
#include <stdio.h>

#include "arch/processor-flags.h"
#include "runner.h"

static int fail(char *why, size_t len, const char *reason)
{
	snprintf(why, len, "%s", reason);
	return -1;
}

/*
 * A compat SYSCALL on Linux returns to the vDSO's int80_landing_pad, never
 * to the next instruction (do_fast_syscall_32; docs/catalog.md section 1),
 * and the landing pad pops EBP, EDX, ECX and returns: it expects the frame
 * __kernel_vsyscall pushed. So the runner maps the 32-bit vDSO and writes
 * that frame below the user ESP: EBP and EDX as they are, ECX := the
 * return EIP (what the SYSCALL instruction itself leaves in ECX, and what
 * the test kernel's SYSRETL returns), and the return address LANDING. The
 * user resumes at LANDING with ESP as it was: the test kernel's state.
 */
int lr_plan_compat_syscall(const struct gc_testcase *tc, struct lr_plan *p,
			   char *why, size_t len)
{
	uint32_t esp = (uint32_t)tc->gpr[GC_RSP];

	/* Measured: with TF Linux leaves by IRET (R8 = the entry ESP) and
	 * the user single-steps the landing pad's four instructions. */
	if (tc->rflags & X86_EFLAGS_TF)
		return fail(why, len,
			    "a compat syscall with TF: Linux returns to the vDSO "
			    "landing pad by IRET, so the user single-steps its "
			    "pops and ret (#DB in the vDSO) and R8 = ESP");
	if (esp < GC_USER_STACK_VA + LR_VSYSCALL_FRAME ||
	    esp > GC_USER_STACK_TOP)
		return fail(why, len,
			    "a compat syscall returns through the vDSO landing "
			    "pad, which pops EBP EDX ECX and a return address: "
			    "ESP must point into the user stack page");
	p->vdso32 = 1;
	p->vsyscall_frame = 1;
	p->vsyscall[0] = (uint32_t)tc->gpr[GC_RBP];
	p->vsyscall[1] = (uint32_t)tc->gpr[GC_RDX];
	p->vsyscall[2] = (uint32_t)GC_USER_LANDING;
	p->vsyscall[3] = (uint32_t)GC_USER_LANDING;
	p->entry.rsp = tc->gpr[GC_RSP] - LR_VSYSCALL_FRAME;
	return 0;
}
