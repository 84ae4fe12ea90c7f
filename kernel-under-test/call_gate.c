// SPDX-License-Identifier: MIT
/*
 * The 64-bit call gate (E20): the C half of entry_call_gate, the LRETQ
 * exit's preconditions, and which gates the int $0x80 reference can stand
 * in for.
 *
 * A far CALL through a call gate to a more privileged, 64-bit code segment
 * pushes SS:RSP and CS:RIP and nothing else; LRETQ pops the same four
 * words. RFLAGS are neither saved nor restored, so the exit loads them by
 * POPFQ, and anything POPFQ plus LRETQ cannot return to must go by IRET.
 */
#include "kernel.h"
#include "arch/processor-flags.h"
#include "arch/segment.h"
#include "arch/traps.h"

/*
 * The gate the kernel installs when the testcase asks for no change: the
 * call delivers, and the int $0x80 reference says what the user must see.
 * The target selector's RPL is ignored by the CPU (SDM CALL: the new CS
 * gets RPL = the new CPL), so it does not make a gate ill-formed. Any
 * other change makes the call fault; the reference then executes the same
 * call with every defense on (docs/semantics.md §2).
 */
bool call_gate_is_own_reference(const struct gc_gate_ext *g)
{
	return g->dpl_xor || g->type_xor || g->not_present || g->upper_type ||
	       g->target || g->offset_high;
}

/*
 * LRETQ after POPFQ restores everything but RF, VIF and VIP (POPF cannot
 * set them), and a TF loaded by POPFQ traps right after LRETQ, in user
 * mode (E3). A bad CS or SS makes LRETQ fault in ring 0, like IRET:
 * lret_fault_fixup. And LRETQ to a 16-bit SS loads only SP[15:0], like
 * IRETQ: an LDT SS leaves through the IRET path and its espfix (E10), so
 * espfix16 covers every exit (found by a hardened campaign: the kernel's
 * RSP[31:16] came back in the user's ESP).
 */
static bool lret_is_safe(const struct cpu_regs *regs)
{
	if (defense_on(GC_DEF_LRET_NO_TF_RF) &&
	    (regs->rflags & (X86_EFLAGS_TF | X86_EFLAGS_NOT_POPF)))
		return false;
	if (defense_on(GC_DEF_ESPFIX16) && (regs->ss & SEG_TI_LDT))
		return false;
	return true;
}

/* Returns 1 to leave by LRETQ, 0 to leave by IRETQ. */
int do_call_gate(struct cpu_regs *regs)
{
	syscall_dispatch(regs);
	debug_deliver_pending(regs);
	if (!lret_is_safe(regs)) {
		run_record_exit(GC_EXIT_IRETQ, regs);
		return 0;
	}
	run_record_exit(GC_EXIT_LRETQ, regs);
	return 1;
}

/* A #DB in the call gate entry before it clears TF (as sysenter.c). */
bool call_gate_is_singlestep(const struct cpu_regs *regs)
{
	uint64_t start = (uintptr_t)entry_call_gate;
	uint64_t end = (uintptr_t)call_gate_singlestep_end;

	return regs->vector == X86_TRAP_DB && regs->rip - start < end - start;
}
