// SPDX-License-Identifier: MIT
/*
 * User debug registers, and the #DB that reaches ring 0 because of them.
 *
 * The testcase's DR0-DR3/DR7 are what a debugger set (ptrace POKEUSER, the
 * host normalizes them like Linux's ptrace): they are live for the whole
 * run, ring 0 included, as on Linux. A MOV SS / POP SS that hits a data
 * breakpoint defers the #DB past the next instruction; if that instruction
 * enters the kernel (SYSCALL, INT n, INT3), the #DB is taken at the first
 * kernel instruction, in ring 0 (CVE-2018-8897, E8). Linux's
 * exc_debug_kernel() then disarms DR7 (no recursion), notes the hit for the
 * user (ptrace_triggered() adds it to the thread's virtual DR6, which the
 * user's SIGTRAP carries), re-arms DR7 and resumes the entry; here the user
 * is told with a #DB record when the kernel returns to it.
 */
#include "kernel.h"
#include "coverage.h"
#include "arch/processor.h"
#include "arch/traps.h"
#include "percpu.h"

#define DR6_RESET 0xffff0ff0ull	 /* DR6 with no cause (SDM 17.2.3) */
#define DR6_TRAP_BITS 0xfull	 /* B0..B3: which breakpoint hit */
#define DR6_BS (1ull << 14)	 /* single step */
#define DR7_FIXED (1ull << 10)	 /* reads as 1 */

uint8_t movss_db_replay; /* read by the entry code (MOVSS_DB_REPLAY) */
static uint64_t replay_bits; /* the B0..B3 of the early #DB replayed */

/* The breakpoints a pending replay stands for. TCG rewrites DR6's B bits
 * at every #DB, so a single step taken before the replay (TF kept by the
 * entry: SYSENTER, call gates) no longer shows them. */
uint64_t debug_replay_bits(void)
{
	return movss_db_replay ? replay_bits : 0;
}
static bool armed;

/*
 * Before a run enters user mode: its debug registers, nothing pending.
 * Writing a debug register costs QEMU TCG dearly (it re-plants its
 * breakpoints): a testcase without breakpoints touches none of them, which
 * keeps the plain case as fast as before they existed (~5x otherwise).
 */
void debug_arm(const struct gc_testcase *tc)
{
	uint64_t dr7 = tc->dbg.dr7 & (GC_DR7_ENABLE_MASK | GC_DR7_RW_LEN_MASK);

	percpu.pending_dr6 = 0;
	movss_db_replay = 0;
	if (!(dr7 & GC_DR7_ENABLE_MASK))
		return;
	write_dr6(DR6_RESET);
	write_dr0_3(tc->dbg.dr);
	write_dr7(dr7 | DR7_FIXED);
	armed = true;
}

/* When a run ends: no breakpoint may fire in the kernel between runs. */
void debug_disarm(void)
{
	if (!armed)
		return;
	write_dr7(DR7_FIXED);
	/* A replay that never ran (a fault dropped it) left DR6's B bits:
	 * the next run's first #DB must not see them. */
	write_dr6(DR6_RESET);
	armed = false;
}

/*
 * A #DB in ring 0. Returns true when it was a user breakpoint, noted for
 * the user (defense db_kernel_user_bp; Xen's XSA-260 crashed here instead).
 * A single step in ring 0 is never the user's business: the kernel does not
 * single-step itself, so it stays a kernel fault (Linux WARNs).
 */
bool debug_kernel_db(void)
{
	uint64_t dr7 = read_dr7();
	uint64_t dr6 = read_dr6();

	write_dr7(DR7_FIXED); /* local_db_save() */
	write_dr6(DR6_RESET);
	if ((dr6 & DR6_BS) || !(dr6 & DR6_TRAP_BITS) ||
	    !defense_on(GC_DEF_DB_KERNEL_USER_BP)) {
		write_dr7(dr7);
		return false;
	}
	cov_hit(GC_COV_KERNEL_USER_BP);
	/* Through GS, like Linux's current->thread.virtual_dr6: the paranoid
	 * entry must have made it the kernel's (E18). */
	this_cpu()->pending_dr6 = dr6;
	write_dr7(dr7); /* local_db_restore(): re-armed */
	return true;
}

/* On the way back to user mode: the #DB the kernel took for the user. */
void debug_deliver_pending(const struct cpu_regs *regs)
{
	struct percpu *cpu = this_cpu();

	if (!cpu->pending_dr6)
		return;
	run_record_user_exception(X86_TRAP_DB, 0, regs->rip, cpu->pending_dr6,
				  GC_EXC_VIA_KERNEL_DB);
	cpu->pending_dr6 = 0;
}

/*
 * QEMU TCG (7.2) does not hold a data breakpoint's #DB over the instruction
 * after MOV SS / POP SS: it delivers it at once, in user mode, at the entry
 * instruction (docs/semantics.md §6). Hardware delivers it after that
 * instruction has entered the kernel, at the first kernel instruction. So
 * that the kernel's handling of that #DB (IST stacks, E8) is tested on TCG
 * too, this early #DB is not the user's: the kernel keeps DR6 as it is and
 * arms the replay, and the entry the instruction reaches raises the #DB
 * itself, through the same gate, where hardware would have
 * (MOVSS_DB_REPLAY in entry_64.S). On a CPU that defers the #DB (kvm on
 * hardware) this never matches. A fault on the way in (int $1 through a
 * DPL 0 gate) drops the replay, as hardware drops the pending #DB.
 */
/*
 * Both entry instructions of the page follow the prefix, the mechanism's
 * and the reference's int $0x80, and a return into the page can run either
 * in either run: both are sites of an early #DB, whichever run this is
 * (a hardened campaign found the reference returning into the mechanism's
 * prefix, where only the mechanism run replayed).
 */
static bool is_prefixed_entry_insn(uint64_t rip)
{
	return rip == user_entry_insn_rip(run_mechanism(), false) ||
	       rip == user_entry_insn_rip(run_mechanism(), true);
}

bool debug_replay_early_db(const struct cpu_regs *regs)
{
	uint64_t dr6 = read_dr6();

	if (run_prefix() == GC_PREFIX_NONE || (dr6 & DR6_BS) ||
	    !(dr6 & DR6_TRAP_BITS) || !is_prefixed_entry_insn(regs->rip))
		return false;
	cov_hit(GC_COV_MOVSS_DB_REPLAY);
	movss_db_replay = 1;
	replay_bits = dr6 & DR6_TRAP_BITS;
	return true;
}

/*
 * Resuming after a user #DB: an instruction breakpoint is a fault, taken
 * before its instruction runs, so the return must set RF or it fires again
 * for ever. Linux's hw_breakpoint_handler() does the same ("Set up resume
 * flag to avoid breakpoint recursion when returning back to origin").
 */
void debug_resume_flags(struct cpu_regs *regs, uint64_t dr6)
{
	uint64_t dr7 = run_testcase()->dbg.dr7;

	for (unsigned n = 0; n < 4; n++)
		if ((dr6 & (1ull << n)) && !((dr7 >> GC_DR7_RW_SHIFT(n)) & 3))
			regs->rflags |= X86_EFLAGS_RF;
}
