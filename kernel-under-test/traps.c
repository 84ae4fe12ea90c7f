// SPDX-License-Identifier: MIT
/*
 * Every IDT vector but int $0x80 lands in do_exception(). From ring 3 an
 * exception is either the capture (the first HLT after return), a trap the
 * user survives (#DB, #BP, #OF: recorded, then resumed), or a fault that ends
 * the run the way a fatal signal would. From ring 0 it is a kernel fault,
 * unless it is the exit IRET faulting on a bad user frame, which Linux's
 * fixup_bad_iret turns into a user fault (E9).
 */
#include "kernel.h"
#include "coverage.h"
#include "arch/processor.h"
#include "arch/segment.h"
#include "arch/traps.h"

static bool from_user(const struct cpu_regs *regs)
{
	return (regs->cs & SEG_RPL_MASK) == 3;
}

static bool is_capture(const struct cpu_regs *regs)
{
	return regs->vector == X86_TRAP_GP && regs->error_code == 0 &&
	       user_page_is_hlt(regs->rip);
}

static bool is_user_trap(unsigned vector)
{
	return vector == X86_TRAP_DB || vector == X86_TRAP_BP ||
	       vector == X86_TRAP_OF;
}

/* CR2 for #PF, DR6 for #DB: what a signal handler would be given. */
static uint64_t exception_address(unsigned vector)
{
	uint64_t dr6;

	if (vector == X86_TRAP_PF)
		return read_cr2();
	if (vector != X86_TRAP_DB)
		return 0;
	dr6 = read_dr6();
	write_dr6(0xffff0ff0); /* DR6 is sticky: clear it for the next #DB */
	return dr6;
}

/*
 * A fault on the reference's prefix instruction (pop %ss with a bad RSP,
 * or in 64-bit mode) is the fault the mechanism's identical prefix takes at
 * its own address: report it there, so both runs say the same.
 */
static void rebase_reference_prefix_fault(struct cpu_regs *regs)
{
	unsigned mechanism = run_mechanism(), prefix = run_prefix();
	uint64_t start = user_entry_rip(mechanism, prefix, true);
	uint64_t insn = user_entry_insn_rip(mechanism, true);

	if (run_is_reference() && regs->rip >= start && regs->rip < insn)
		regs->rip += user_entry_rip(mechanism, prefix, false) - start;
}

static void do_user_exception(struct cpu_regs *regs)
{
	unsigned vector = regs->vector;
	uint64_t addr;

	if (vector == X86_TRAP_DB && debug_replay_early_db(regs))
		return; /* TCG's early MOV SS #DB: the entry replays it */
	if (run_probe_exception(regs))
		run_end(GC_END_LANDED, regs);
	if (is_capture(regs)) {
		debug_deliver_pending(regs);
		run_end(GC_END_LANDED, regs);
	}
	cov_hit(GC_COV_USER_VECTOR + run_is_reference() * GC_COV_VECTORS +
		cov_vector(vector));
	if (!is_user_trap(vector))
		rebase_reference_prefix_fault(regs);
	addr = exception_address(vector);
	run_record_user_exception(vector, regs->error_code, regs->rip, addr, 0);
	/* A #DB this entry took in ring 0 (MOV SS before int3) comes after
	 * the exception it interrupted, at the return to user mode. */
	debug_deliver_pending(regs);
	if (!run_count_entry())
		run_end(GC_END_BUDGET, regs);
	if (!is_user_trap(vector))
		run_end(GC_END_USER_FAULT, regs);
	if (vector == X86_TRAP_DB)
		debug_resume_flags(regs, addr);
	/* A trap: return to user mode and carry on, as after a SIGTRAP. */
}

static bool is_iret_fault_vector(unsigned vector)
{
	return vector == X86_TRAP_GP || vector == X86_TRAP_NP ||
	       vector == X86_TRAP_SS;
}

static bool is_iret_fault(const struct cpu_regs *regs)
{
	return regs->rip == (uintptr_t)native_irq_return_iret &&
	       is_iret_fault_vector(regs->vector);
}

/* The IRET that starts a run: a testcase SS or CS that cannot be loaded is
 * the process faulting at its first instruction, whatever the profile. */
static bool is_enter_user_fault(const struct cpu_regs *regs)
{
	return regs->rip == (uintptr_t)enter_user_iret &&
	       is_iret_fault_vector(regs->vector);
}

/*
 * The exit IRET faulted: the GPRs are the user's, %rsp points at the frame
 * IRET was popping. Report the fault as if the user had taken it there.
 */
static __noreturn void report_bad_iret(const struct cpu_regs *regs,
				       uint64_t rip)
{
	const struct iret_frame *f = (const struct iret_frame *)regs->rsp;
	struct cpu_regs user = *regs;

	user.rip = rip;
	user.cs = f->cs;
	user.rflags = f->rflags;
	user.rsp = f->rsp;
	user.ss = f->ss;
	cov_hit(GC_COV_IRET_FIXUP);
	run_record_user_exception(regs->vector, regs->error_code, rip, 0,
				  GC_EXC_VIA_IRET_FIXUP);
	run_end(GC_END_USER_FAULT, &user);
}

/*
 * The exit IRET to a 32-bit code segment with RIP above its 4 GiB limit:
 * hardware raises #GP(0) on the IRET itself (SDM IRET: "IF tempEIP is
 * beyond code segment limit THEN #GP(0)"). QEMU 7.2 TCG does not check: it
 * runs on at the truncated EIP, and an instruction breakpoint at that
 * address then crashes QEMU (SIGSEGV; docs/semantics.md §6). So the exit
 * raises that #GP itself, as the CPU would have, from the IRET's address,
 * with %rsp at the frame: the usual IRET-fault handling (E9) follows.
 */
void exit_iret_check_limit(struct cpu_regs *regs)
{
	struct cpu_regs fault = *regs;

	if ((regs->cs | 3) != __USER32_CS || !(regs->rip >> 32))
		return;
	fault.vector = X86_TRAP_GP;
	fault.error_code = 0;
	fault.rip = (uintptr_t)native_irq_return_iret;
	fault.cs = __KERNEL_CS;
	fault.rsp = (uintptr_t)&regs->rip;
	fault.ss = __KERNEL_DS;
	do_exception(&fault);
}

static __noreturn void fixup_bad_iret(const struct cpu_regs *regs)
{
	report_bad_iret(regs,
			((const struct iret_frame *)regs->rsp)->rip);
}

/*
 * The process could not even start: its SS or CS cannot be loaded. Both
 * runs report it at the mechanism's instruction, the process's first, so
 * that where the reference's own int $0x80 happens to sit cannot make a
 * difference.
 */
static __noreturn void fixup_enter_user(const struct cpu_regs *regs)
{
	report_bad_iret(regs,
			user_entry_rip(run_mechanism(), run_prefix(), false));
}

void do_exception(struct cpu_regs *regs)
{
	if (from_user(regs)) {
		do_user_exception(regs);
		return;
	}
	if (is_iret_fault(regs) && defense_on(GC_DEF_IRET_FAULT_FIXUP))
		fixup_bad_iret(regs);
	if (regs->vector == X86_TRAP_DB && debug_kernel_db())
		return; /* a user breakpoint: resume the entry it interrupted */
	if (is_enter_user_fault(regs))
		fixup_enter_user(regs);
	cov_hit(GC_COV_KERNEL_VECTOR + run_is_reference() * GC_COV_VECTORS +
		cov_vector(regs->vector));
	run_record_kernel_fault(regs);
	run_end(GC_END_KERNEL_FAULT, NULL);
}
