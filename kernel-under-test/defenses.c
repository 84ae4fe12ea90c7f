// SPDX-License-Identifier: MIT
/*
 * The kernel profile for the run in progress. The mechanism run gets the
 * profile the host asked for; the reference run always gets every defense.
 */
#include "kernel.h"
#include "arch/desc.h"
#include "arch/traps.h"

uint64_t active_defenses = GC_DEFENSES_ALL;
uint8_t defense_syscall_stack_switch = 1;
uint8_t defense_entry_clear_df = 1;
uint8_t defense_sysretl_clear_r8_r10 = 1;
uint8_t defense_paranoid_gsbase = 1;
uint8_t defense_espfix16 = 1;
uint8_t defense_sysenter_fix_flags = 1;

/*
 * FMASK as the profile has it: each defense is a flag SYSCALL must clear
 * because the kernel cannot run with the user's value (E5, E7): TF would
 * single-step the entry itself, NT makes the kernel's IRET #GP in IA-32e
 * mode. (DF is not a switch: QEMU's SYSCALL clears DF whatever FMASK says,
 * so TCG could never show it; docs/semantics.md §6.)
 */
static uint64_t syscall_mask(void)
{
	uint64_t fmask = SYSCALL_FMASK;

	if (!defense_on(GC_DEF_FMASK_TF))
		fmask &= ~X86_EFLAGS_TF;
	if (!defense_on(GC_DEF_FMASK_NT))
		fmask &= ~X86_EFLAGS_NT;
	return fmask;
}

/* The profile the IDT and MSRs were last set for (~0: unknown). */
static uint64_t tables_profile = ~0ull;

void defenses_forget(void)
{
	tables_profile = ~0ull;
}

/* Runs before every execution, so it returns at once when nothing
 * changes: under TCG each IDT or MSR write costs the guest time. */
void defenses_activate(uint64_t enabled)
{
	enabled &= GC_DEFENSES_ALL;
	if (enabled == tables_profile)
		return;
	tables_profile = enabled;
	active_defenses = enabled;
	defense_syscall_stack_switch = defense_on(GC_DEF_SYSCALL_STACK_SWITCH);
	defense_entry_clear_df = defense_on(GC_DEF_ENTRY_CLEAR_DF);
	defense_sysretl_clear_r8_r10 = defense_on(GC_DEF_SYSRETL_CLEAR_R8_R10);
	defense_paranoid_gsbase = defense_on(GC_DEF_PARANOID_GSBASE);
	defense_espfix16 = defense_on(GC_DEF_ESPFIX16);
	defense_sysenter_fix_flags = defense_on(GC_DEF_SYSENTER_FIX_FLAGS);
	/* Linux's #DB gate is DPL 0: `int $1` from user mode is a #GP, never
	 * a debug exception the handler would take for a real one (E17). */
	desc_set_gate_dpl(X86_TRAP_DB, defense_on(GC_DEF_DB_GATE_DPL0) ? 0 : 3);
	desc_set_syscall_mask(syscall_mask());
	/* CVE-2018-8897 (E8): a #DB deferred by MOV SS into an entry arrives
	 * at its first kernel instruction, where SYSCALL has left the user's
	 * RSP: #DB needs its own IST stack. And #BP must use none: "Don't use
	 * IST entry for #BP stack", or that #DB, taken on the same IST stack
	 * at #BP's first instruction, overwrites the #BP frame. */
	desc_set_gate_ist(X86_TRAP_DB,
			  defense_on(GC_DEF_DB_IST) ? IST_DEBUG : 0);
	desc_set_gate_ist(X86_TRAP_BP,
			  defense_on(GC_DEF_BP_NO_IST) ? 0 : IST_DEBUG);
}
