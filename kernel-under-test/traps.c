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
	write_dr6(X86_DR6_RESET); /* DR6 is sticky: clear it for the next #DB */
	return dr6;
}

/*
 * A fault on the reference's prefix instruction (pop %ss with a bad RSP,
 * or in 64-bit mode) is the fault the mechanism's identical prefix takes at
 * its own address: report it there, so both runs say the same. Only the
 * run's first instruction, before any kernel entry: a return later into
 * the reference's prefix bytes runs them in both runs alike (a hardened
 * false positive returned to the middle of the reference's MOV SS, and the
 * reference alone moved its #PF to the mechanism's page).
 */
static void rebase_reference_prefix_fault(struct cpu_regs *regs)
{
	unsigned mechanism = run_mechanism(), prefix = run_prefix();
	uint64_t start = user_entry_rip(mechanism, prefix, true);

	if (run_at_ref_entry() && run_is_first_entry() && regs->rip == start &&
	    prefix != GC_PREFIX_NONE)
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
 * The exit IRET to a 16- or 32-bit code segment with RIP beyond its limit:
 * hardware raises #GP(0) on the IRET itself (SDM IRET: "IF tempEIP is
 * beyond code segment limit THEN #GP(0)"), once CS and SS have passed
 * their checks. QEMU 7.2 TCG does not check a RIP above 4 GiB: it runs on
 * at the truncated EIP, and an instruction breakpoint at that address then
 * crashes QEMU (SIGSEGV; docs/semantics.md §6), whether CS is the GDT's
 * 32-bit user segment or one of the LDT's. So the exit raises that #GP
 * itself, as the CPU would have, from the IRET's address, with %rsp at the
 * frame: the usual IRET-fault handling (E9) follows.
 */
static void raise_exit_limit_gp(const struct cpu_regs *regs,
				const char *exit_insn, uint64_t rflags)
{
	struct cpu_regs fault = *regs;
	uint64_t limit;

	if (mailbox->selftest == GC_SELFTEST_NO_EXIT_LIMIT_CHECK ||
	    !selector_is_legacy_user_code(regs->cs, regs->ss, &limit) ||
	    regs->rip <= limit)
		return;
	fault.vector = X86_TRAP_GP;
	fault.error_code = 0;
	fault.rip = (uintptr_t)exit_insn;
	fault.cs = __KERNEL_CS;
	fault.rflags = rflags;
	fault.rsp = (uintptr_t)&regs->rip;
	fault.ss = __KERNEL_DS;
	do_exception(&fault);
}

void exit_iret_check_limit(struct cpu_regs *regs)
{
	raise_exit_limit_gp(regs, native_irq_return_iret, regs->rflags);
}

/*
 * The same for the call gate's LRETQ exit (SDM RET: "IF tempEIP is beyond
 * code segment limit THEN #GP(0)"), where TCG also runs on at the
 * truncated EIP. The frame is already LRETQ's (entry_64.S): RIP and CS in
 * place, the user's RFLAGS in the error code slot.
 */
void exit_lret_check_limit(struct cpu_regs *regs)
{
	raise_exit_limit_gp(regs, call_gate_lretq, regs->error_code);
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

static bool is_lret_fault(const struct cpu_regs *regs)
{
	return regs->rip == (uintptr_t)call_gate_lretq &&
	       (regs->vector == X86_TRAP_GP || regs->vector == X86_TRAP_NP ||
		regs->vector == X86_TRAP_SS);
}

/*
 * The call gate's LRETQ faulted (bad CS or SS in a changed return state):
 * as fixup_bad_iret, but %rsp points at the four words LRETQ pops, and
 * RFLAGS are the user's already (the exit's POPFQ loaded them).
 */
static __noreturn void fixup_bad_lret(const struct cpu_regs *regs)
{
	const uint64_t *f = (const uint64_t *)regs->rsp; /* rip cs rsp ss */
	struct cpu_regs user = *regs;

	user.rip = f[0];
	user.cs = f[1];
	user.rsp = f[2];
	user.ss = f[3];
	cov_hit(GC_COV_IRET_FIXUP);
	run_record_user_exception(regs->vector, regs->error_code, f[0], 0,
				  GC_EXC_VIA_IRET_FIXUP);
	run_end(GC_END_USER_FAULT, &user);
}

/*
 * A call gate whose target offset is not canonical: the SDM's CALL raises
 * #GP(0) before the privilege change, at the call, in user mode [U: SDM
 * pseudocode, not seen on hardware]. QEMU TCG instead delivers the call
 * and faults at CPL 0 on the target, with the gate's frame (RIP, CS, RSP,
 * SS of the caller) on the stack (docs/semantics.md §6). Report that as
 * the user fault hardware gives, so no backend shows a kernel fault for a
 * malformed gate. On hardware this never runs.
 */
static bool is_gate_target_fault(const struct cpu_regs *regs)
{
	/* With TF set TCG's single-step #DB comes first, at the target. */
	return (regs->vector == X86_TRAP_GP || regs->vector == X86_TRAP_DB) &&
	       regs->rip == call_gate_target &&
	       regs->rip != (uintptr_t)entry_call_gate;
}

static __noreturn void fixup_gate_target_fault(const struct cpu_regs *regs)
{
	const uint64_t *f = (const uint64_t *)regs->rsp; /* rip cs rsp ss */
	struct cpu_regs user = *regs;

	if (regs->vector == X86_TRAP_DB)
		write_dr6(X86_DR6_RESET);
	user.rip = user_entry_rip(run_mechanism(), run_prefix(), false); /* the lcall */
	user.cs = f[1];
	user.rsp = f[2];
	user.ss = f[3];
	run_record_user_exception(X86_TRAP_GP, 0, user.rip, 0, 0);
	run_end(GC_END_USER_FAULT, &user);
}

/*
 * SYSENTER (and a call gate) kept the user's TF, so the entry single-steps
 * at CPL 0 until it clears the flags (E6). The trap is the entry's, not the
 * user's: drop it and carry on stepping, as Linux's exc_debug_kernel() does;
 * the frame already holds, or is about to hold, the user's TF.
 */
static bool ignore_entry_singlestep(const struct cpu_regs *regs)
{
	bool sysenter = defense_on(GC_DEF_SYSENTER_TF_TOLERATE) &&
			sysenter_is_singlestep(regs);
	uint64_t dr6 = read_dr6() | debug_replay_bits();

	/* The call gate keeps TF too; its tolerance is not a switch. */
	if (!(sysenter || call_gate_is_singlestep(regs)) ||
	    !(dr6 & X86_DR6_BS))
		return false;
	/*
	 * A MOV SS / POP SS data breakpoint arrives with the entry's first
	 * single step (hardware: one #DB, B0..B3 and BS; TCG: the bits the
	 * early delivery left, E8). Drop the step, keep the breakpoint: it
	 * is the user's, and the replay is no longer due.
	 */
	if (dr6 & X86_DR6_TRAP_BITS) {
		movss_db_replay = 0;
		write_dr6(dr6 & ~(uint64_t)X86_DR6_BS);
		return debug_kernel_db();
	}
	write_dr6(X86_DR6_RESET);
	cov_hit(GC_COV_SYSENTER_SINGLESTEP);
	return true;
}

/*
 * A #PF on the one user load the kernel makes (copy_u32_from_user): go on
 * at its fixup, which reports the fault to the caller, as an exception
 * table entry does in Linux (E12).
 */
static bool fixup_user_access(struct cpu_regs *regs)
{
	if (!defense_on(GC_DEF_SYSENTER_ARG_FIXUP) ||
	    regs->vector != X86_TRAP_PF ||
	    regs->rip != (uintptr_t)copy_u32_from_user_load)
		return false;
	regs->rip = (uintptr_t)copy_u32_from_user_fixup;
	cov_hit(GC_COV_USER_ACCESS_FIXUP);
	return true;
}

/*
 * QEMU TCG (7.2) raises a #DB twice for one instruction that runs with TF
 * set and writes to a page holding a data breakpoint: the single step
 * (DR6 BS and B0..B3), then, before the first instruction of the #DB gate
 * it is being delivered through, the watchpoint's own #DB, same DR6, the
 * interrupted RFLAGS.TF clear (docs/semantics.md §6). No instruction ran
 * there with TF set: on hardware this #DB cannot exist. It lands on the
 * #DB IST stack's top, where the first #DB's frame was: the user's RIP,
 * RSP and RFLAGS are gone, and nothing can resume the run. The run ends
 * as the emulator's doing, never as a fault of this kernel.
 */
static bool is_emulator_double_db(const struct cpu_regs *regs)
{
	return regs->vector == X86_TRAP_DB &&
	       regs->rip == (uintptr_t)(idt_stubs + 16 * X86_TRAP_DB) &&
	       !(regs->rflags & X86_EFLAGS_TF) && (read_dr6() & X86_DR6_BS);
}

void do_exception(struct cpu_regs *regs)
{
	if (from_user(regs)) {
		do_user_exception(regs);
		return;
	}
	if (is_emulator_double_db(regs)) {
		run_record_kernel_fault(regs);
		run_end(GC_END_EMULATOR, NULL);
	}
	if (ignore_entry_singlestep(regs) || fixup_user_access(regs))
		return;
	if (is_iret_fault(regs) && defense_on(GC_DEF_IRET_FAULT_FIXUP))
		fixup_bad_iret(regs);
	if (regs->vector == X86_TRAP_DB && debug_kernel_db())
		return; /* a user breakpoint: resume the entry it interrupted */
	if (is_enter_user_fault(regs))
		fixup_enter_user(regs);
	if (is_lret_fault(regs) && defense_on(GC_DEF_LRET_FAULT_FIXUP))
		fixup_bad_lret(regs);
	if (is_gate_target_fault(regs))
		fixup_gate_target_fault(regs);
	cov_hit(GC_COV_KERNEL_VECTOR + run_is_reference() * GC_COV_VECTORS +
		cov_vector(regs->vector));
	run_record_kernel_fault(regs);
	run_end(GC_END_KERNEL_FAULT, NULL);
}
