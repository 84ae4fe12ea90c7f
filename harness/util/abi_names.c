// SPDX-License-Identifier: MIT
/*
 * Names for the codes a run reports. The x86 exception vectors' mnemonics
 * follow the SDM (Vol. 3A, Table 6-1): vector 9 (coprocessor segment
 * overrun) and 15 are reserved on x86-64 and have none; nor do the vectors
 * above 21 but #HV, #VC and #SX.
 */
#include <stdio.h>

#include "abi.h"
#include "abi_names.h"
#include "arch/traps.h"

static const char *const vector_mnemonics[32] = {
	[X86_TRAP_DE] = "#DE", [X86_TRAP_DB] = "#DB", [X86_TRAP_NMI] = "NMI",
	[X86_TRAP_BP] = "#BP", [X86_TRAP_OF] = "#OF", [X86_TRAP_BR] = "#BR",
	[X86_TRAP_UD] = "#UD", [X86_TRAP_NM] = "#NM", [X86_TRAP_DF] = "#DF",
	[X86_TRAP_TS] = "#TS", [X86_TRAP_NP] = "#NP", [X86_TRAP_SS] = "#SS",
	[X86_TRAP_GP] = "#GP", [X86_TRAP_PF] = "#PF", [X86_TRAP_MF] = "#MF",
	[X86_TRAP_AC] = "#AC", [X86_TRAP_MC] = "#MC", [X86_TRAP_XM] = "#XM",
	[20] = "#VE",	       [X86_TRAP_CP] = "#CP", [28] = "#HV",
	[29] = "#VC",	       [30] = "#SX",
};

const char *x86_vector_name(unsigned vector, char *buf, size_t len)
{
	if (vector < 32 && vector_mnemonics[vector])
		return vector_mnemonics[vector];
	snprintf(buf, len, "#%u", vector);
	return buf;
}

static const char *const end_names[GC_END_COUNT] = {
	[GC_END_NOT_RUN] = "not_run",
	[GC_END_LANDED] = "landed",
	[GC_END_USER_FAULT] = "user_fault",
	[GC_END_KERNEL_FAULT] = "kernel_fault",
	[GC_END_BUDGET] = "budget",
	[GC_END_EMULATOR] = "emulator",
};

const char *run_end_name(uint64_t end)
{
	return end < GC_END_COUNT && end_names[end] ? end_names[end] : "?";
}
