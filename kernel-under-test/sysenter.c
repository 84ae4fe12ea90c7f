// SPDX-License-Identifier: MIT
/*
 * SYSENTER from compat mode: the C half of entry_SYSENTER_compat, the user
 * convention it shares with its int $0x80 reference, and the
 * opportunistic-SYSEXIT preconditions.
 *
 * SYSENTER saves no return EIP and no ESP, so the user side must say where
 * to go back to. The convention is Linux's vDSO (__kernel_vsyscall: push
 * %ebp; movl %esp, %ebp; sysenter): EBP holds the user ESP, the user's own
 * EBP is the u32 at 0(%ebp), and the return goes to a fixed landing pad,
 * here GC_USER_LANDING, right after the sysenter (docs/semantics.md §2).
 */
#include "kernel.h"
#include "coverage.h"
#include "arch/processor-flags.h"
#include "arch/processor.h"
#include "arch/segment.h"
#include "arch/traps.h"

/* access_ok() (defense sysenter_arg_access_ok): user memory starts at
 * GC_USER_CODE_VA; below it is the kernel's supervisor-only identity map,
 * which a user pointer must never reach (no SMAP here to stop the load).
 * Above it anything may be unmapped: the load's fixup handles that. */
static bool user_pointer_ok(uint64_t addr)
{
	return !defense_on(GC_DEF_SYSENTER_ARG_ACCESS_OK) ||
	       addr >= GC_USER_CODE_VA;
}

/*
 * Fetch EBP from where the vDSO stashed it, as Linux's
 * __do_fast_syscall_32(): a fault there is the user's, answered with
 * -EFAULT (E12: syscall_arg_fault.c sets every register to -1).
 */
static bool sysenter_fetch_ebp(struct cpu_regs *regs)
{
	uint64_t addr = (uint32_t)regs->rbp;
	uint32_t ebp;

	if (!user_pointer_ok(addr) || copy_u32_from_user(&ebp, addr))
		return false;
	regs->rbp = (regs->rbp & ~0xffffffffull) | ebp;
	return true;
}

/*
 * The entry's side of the convention, for the mechanism run and for the
 * reference's first int $0x80 alike: return to the landing pad on the
 * user stack the vDSO left in EBP, then run the syscall in EAX.
 */
void sysenter_syscall(struct cpu_regs *regs)
{
	regs->rip = GC_USER_LANDING;
	regs->rsp = (uint32_t)regs->rbp;
	/* SYSENTER saves no SS either: the entry's frame says __USER_DS, as
	 * Linux's entry_SYSENTER_compat pushes, and so must the reference's,
	 * whose int $0x80 saved the user's (an LDT SS does not survive). */
	regs->ss = __USER_DS;
	/* SYSENTER clobbers EFLAGS.IF; user mode always runs with it set. */
	regs->rflags |= X86_EFLAGS_IF;
	if (sysenter_fetch_ebp(regs)) {
		syscall_dispatch(regs);
		return;
	}
	cov_hit(GC_COV_SYSENTER_EFAULT);
	if (!run_count_entry())
		run_end(GC_END_BUDGET, regs);
	regs->rax = -(uint64_t)GC_EFAULT;
}

/*
 * SYSEXIT (32-bit form) loads CS/SS from SYSENTER_CS, EIP from EDX, ESP
 * from ECX, and nothing else: the exit loads RFLAGS by POPFQ first.
 * Anything that cannot come back that way must go by IRET, each a named
 * defense (Linux's 32-bit SYSEXIT test in do_fast_syscall_32()).
 */
static bool sysexit_is_safe(const struct cpu_regs *regs)
{
	static int intel = -1;

	if (intel < 0)
		intel = cpu_vendor_is_intel();
	/* AMD raises #UD for SYSEXIT in long mode (SDM, APM; E14). */
	if (defense_on(GC_DEF_SYSEXIT_INTEL_ONLY) && !intel)
		return false;
	/* SYSEXIT loads __USER32_CS and __USER_DS whatever the frame says. */
	if (defense_on(GC_DEF_SYSEXIT_USER32_CS_SS) &&
	    (regs->cs != __USER32_CS || regs->ss != __USER_DS))
		return false;
	/* POPFQ cannot set RF (nor VIF, VIP), and a TF it sets traps right
	 * after SYSEXIT (E3). */
	if (defense_on(GC_DEF_SYSEXIT_NO_TF_RF) &&
	    (regs->rflags & (X86_EFLAGS_TF | X86_EFLAGS_NOT_POPF)))
		return false;
	/* EIP = EDX: a RIP above 4 GiB would be truncated, not faulted. */
	if (defense_on(GC_DEF_SYSEXIT_EIP_FITS) && (regs->rip >> 32))
		return false;
	return true;
}

/* Returns 1 to leave by SYSEXIT, 0 to leave by IRETQ. */
int do_sysenter_compat(struct cpu_regs *regs)
{
	sysenter_syscall(regs);
	debug_deliver_pending(regs);
	if (!sysexit_is_safe(regs)) {
		run_record_exit(GC_EXIT_IRETQ, regs);
		return 0;
	}
	run_record_exit(GC_EXIT_SYSEXITL, regs);
	return 1;
}

/*
 * A #DB in the SYSENTER entry before it clears TF: the user set TF and
 * SYSENTER kept it (E6). Linux's is_sysenter_singlestep() does not try to
 * be precise about which instruction trapped, nor does this.
 */
bool sysenter_is_singlestep(const struct cpu_regs *regs)
{
	uint64_t start = (uintptr_t)entry_SYSENTER_compat;
	uint64_t end = (uintptr_t)sysenter_singlestep_end;

	return regs->vector == X86_TRAP_DB && regs->rip - start < end - start;
}
