/* SPDX-License-Identifier: MIT */
/*
 * The defenses table: one row per enum gc_defense, in enum order, naming
 * the check, its edge-case catalog entry, the seed that proves the fuzzer
 * finds it, and the verdict that seed must get with the check off.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "defenses.h"

#define SEED(name) "seeds/defenses/" name ".tc"
#define DEFENSE(id, name_, case_, expected_, summary_) \
	DEFENSE_ON(id, name_, case_, expected_, NULL, summary_)
/* A defense whose seed shows only on a guest CPU of one vendor. */
#define DEFENSE_ON(id, name_, case_, expected_, vendor_, summary_) \
	[id] = {.name = name_,                                     \
		.bit = id,                                         \
		.catalog_case = case_,                             \
		.seed = SEED(name_),                               \
		.expected = expected_,                             \
		.vendor = vendor_,                                 \
		.summary = summary_}

const struct defense defenses[] = {
	DEFENSE(GC_DEF_SYSRET_CANONICAL_RIP, "sysret_canonical_rip", "E1",
		"hazard",
		"SYSRET only to a canonical RIP (Intel #GPs in ring 0 on the "
		"user stack otherwise, CVE-2012-0217)"),
	DEFENSE(GC_DEF_SYSRET_RCX_IS_RIP, "sysret_rcx_is_rip", "E2",
		"divergence",
		"SYSRET only if RCX == RIP (SYSRET jumps to RCX)"),
	DEFENSE(GC_DEF_SYSRET_R11_IS_RFLAGS, "sysret_r11_is_rflags", "E2",
		"divergence",
		"SYSRET only if R11 == RFLAGS (SYSRET loads RFLAGS from R11)"),
	DEFENSE(GC_DEF_SYSRET_NO_TF_RF, "sysret_no_tf_rf", "E3", "divergence",
		"IRET, not SYSRET, when TF or RF is set (SYSRET traps at once "
		"on TF and cannot restore RF)"),
	DEFENSE(GC_DEF_SYSRET_USER_CS_SS, "sysret_user_cs_ss", "E2",
		"divergence",
		"SYSRET only if CS and SS are the flat user selectors it "
		"loads"),
	DEFENSE(GC_DEF_ENTRY_CLEAR_DF, "entry_clear_df", "E7", "divergence",
		"CLD on int $0x80 entry (INT n does not clear DF; kernel "
		"string copies run backwards)"),
	DEFENSE(GC_DEF_IRET_FAULT_FIXUP, "iret_fault_fixup", "E9",
		"kernel_fault",
		"a fault on the exit IRET becomes a user fault "
		"(fixup_bad_iret)"),
	DEFENSE(GC_DEF_SYSCALL_STACK_SWITCH, "syscall_stack_switch", "E11",
		"kernel_fault",
		"switch to the kernel stack first thing on SYSCALL entry "
		"(SYSCALL leaves the user RSP)"),
	DEFENSE(GC_DEF_SYSRETL_USER32_CS_SS, "sysretl_user32_cs_ss", "E2",
		"divergence",
		"SYSRETL only if CS and SS are the compat user selectors it "
		"loads"),
	DEFENSE(GC_DEF_SYSRETL_NO_TF_RF, "sysretl_no_tf_rf", "E3",
		"divergence",
		"IRET, not SYSRETL, when TF or RF is set (SYSRETL traps at "
		"once on TF and cannot restore RF)"),
	DEFENSE(GC_DEF_SYSRETL_EIP_FITS, "sysretl_eip_fits", "E2",
		"divergence",
		"SYSRETL only to a RIP below 4 GiB (it returns to EIP = ECX, "
		"truncating where IRET would fault)"),
	DEFENSE(GC_DEF_SYSRETL_CLEAR_R8_R10, "sysretl_clear_r8_r10", "E13",
		"divergence",
		"zero R8-R10 on the SYSRETL path (it does not restore them: "
		"they would leak kernel values)"),
	DEFENSE(GC_DEF_DB_GATE_DPL0, "db_gate_dpl0", "E17", "divergence",
		"the #DB gate is DPL 0, so int $1 from user mode is a #GP, not "
		"a debug exception the kernel takes for a real one"),
	DEFENSE(GC_DEF_FMASK_TF, "fmask_tf", "E5", "kernel_fault",
		"SYSCALL clears TF (FMASK): else the entry code single-steps "
		"in ring 0 on the user's state"),
	DEFENSE(GC_DEF_FMASK_NT, "fmask_nt", "E7", "divergence",
		"SYSCALL clears NT (FMASK): else the kernel's IRET raises #GP "
		"in IA-32e mode"),
	DEFENSE(GC_DEF_DB_IST, "db_ist", "E8", "kernel_fault",
		"#DB runs on its own IST stack: a #DB that MOV SS defers into "
		"SYSCALL arrives before the entry has left the user's RSP"),
	DEFENSE(GC_DEF_BP_NO_IST, "bp_no_ist", "E8", "kernel_fault",
		"#BP uses no IST stack (CVE-2018-8897): else a #DB that MOV SS "
		"defers into int3 overwrites the #BP frame on the shared stack"),
	DEFENSE(GC_DEF_DB_KERNEL_USER_BP, "db_kernel_user_bp", "E8",
		"kernel_fault",
		"a #DB in ring 0 from a user's breakpoint is reported to the "
		"user and the entry resumes (Xen XSA-260 treated it as its "
		"own bug)"),
	DEFENSE(GC_DEF_PARANOID_GSBASE, "paranoid_gsbase", "E18",
		"kernel_fault",
		"a #DB/NMI/#DF/#MC from ring 0 saves the live GS base and loads "
		"the kernel's (FSGSBASE), instead of guessing from its sign, "
		"which a user's kernel-looking GS base defeats"),
	DEFENSE(GC_DEF_ESPFIX16, "espfix16", "E10", "divergence",
		"IRET to an LDT SS from the espfix alias (a 16-bit SS keeps "
		"only SP[15:0]: kernel RSP bits would leak into ESP[31:16])"),
	DEFENSE(GC_DEF_LDT_REFRESH_SEGMENTS, "ldt_refresh_segments", "E15",
		"divergence",
		"modify_ldt reloads DS/ES that name the LDT, 0 if the entry is "
		"gone (else they keep a stale cached descriptor)"),
	DEFENSE(GC_DEF_SIGRETURN_FIX_IOPL, "sigreturn_fix_iopl", "E19",
		"divergence",
		"set_return_state keeps the saved IOPL (Linux FIX_EFLAGS): else "
		"SYSRET/IRET hand the user real IOPL 3"),
	DEFENSE(GC_DEF_SYSENTER_TF_TOLERATE, "sysenter_tf_tolerate", "E6",
		"kernel_fault",
		"ignore the single-step #DBs of the SYSENTER entry (SYSENTER "
		"keeps TF, so the entry traps at CPL 0)"),
	DEFENSE(GC_DEF_SYSENTER_FIX_FLAGS, "sysenter_fix_flags", "E7",
		"divergence",
		"clear NT, AC and TF on SYSENTER entry (SYSENTER does not "
		"filter flags; NT makes the kernel's IRET #GP)"),
	DEFENSE_ON(GC_DEF_SYSEXIT_USER32_CS_SS, "sysexit_user32_cs_ss",
		   "E2", "divergence", "intel",
		   "SYSEXIT only if CS and SS are the compat user selectors it "
		   "loads"),
	DEFENSE_ON(GC_DEF_SYSEXIT_NO_TF_RF, "sysexit_no_tf_rf", "E3",
		   "divergence", "intel",
		   "IRET, not SYSEXIT, when TF, RF, VIF or VIP is set (TF traps "
		   "at once after SYSEXIT; POPFQ cannot restore the others)"),
	DEFENSE_ON(GC_DEF_SYSEXIT_EIP_FITS, "sysexit_eip_fits", "E2",
		   "divergence", "intel",
		   "SYSEXIT only to a RIP below 4 GiB (it returns to EIP = EDX, "
		   "truncating where IRET would fault)"),
	DEFENSE(GC_DEF_SYSENTER_ARG_FIXUP, "sysenter_arg_fixup", "E12",
		"kernel_fault",
		"a fault fetching EBP from the user stack (the vDSO "
		"convention) is -EFAULT to the user, not a kernel fault"),
	DEFENSE_ON(GC_DEF_SYSEXIT_INTEL_ONLY, "sysexit_intel_only", "E14",
		   "kernel_fault", "amd",
		   "SYSEXIT only on an Intel CPU (AMD raises #UD for it in long "
		   "mode: a ring-0 #UD on the exit)"),
	DEFENSE(GC_DEF_LRET_NO_TF_RF, "lret_no_tf_rf", "E20", "divergence",
		"IRET, not POPFQ+LRETQ, from a call gate when TF, RF, VIF or "
		"VIP is set (TF traps at once; POPFQ cannot restore the "
		"others)"),
	DEFENSE(GC_DEF_LRET_FAULT_FIXUP, "lret_fault_fixup", "E20",
		"kernel_fault",
		"a fault on the call gate's LRETQ (bad CS/SS) becomes a user "
		"fault, as fixup_bad_iret does for IRET"),
	DEFENSE(GC_DEF_SYSENTER_ARG_ACCESS_OK, "sysenter_arg_access_ok", "E12",
		"divergence",
		"refuse a vDSO EBP pointer into kernel memory (access_ok), "
		"else the kernel reads its own memory as the user's EBP"),
};
const size_t defense_count = sizeof(defenses) / sizeof(defenses[0]);

_Static_assert(sizeof(defenses) / sizeof(defenses[0]) == GC_DEF_COUNT,
	       "one row per enum gc_defense");

const struct defense *defense_by_name(const char *name)
{
	for (size_t i = 0; i < defense_count; i++)
		if (!strcmp(defenses[i].name, name))
			return &defenses[i];
	return NULL;
}

/* The bits one name stands for: a defense, or "all". */
static int defense_bits(const char *name, uint64_t *bits)
{
	const struct defense *d;

	if (!strcmp(name, "all")) {
		*bits = GC_DEFENSES_ALL;
		return 0;
	}
	d = defense_by_name(name);
	if (!d)
		return -1;
	*bits = 1ull << d->bit;
	return 0;
}

/* Copies the next comma-separated name, trimmed, into name; advances *s.
 * Returns the name's full length, which may exceed what fits. */
static size_t next_name(const char **s, char *name, size_t len)
{
	const char *start = *s, *end = strchr(start, ',');

	if (!end)
		end = start + strlen(start);
	*s = *end ? end + 1 : end;
	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	snprintf(name, len, "%.*s", (int)(end - start), start);
	return (size_t)(end - start);
}

/* Empty names ("a,,b", a trailing comma) are skipped: they name nothing. */
int defenses_disable_list(const char *list, uint64_t *enabled, char *err,
			  size_t errlen)
{
	uint64_t off = 0, bits;
	char name[64];

	while (*list) {
		size_t n = next_name(&list, name, sizeof(name));

		if (!n)
			continue;
		if (n >= sizeof(name) || defense_bits(name, &bits)) {
			snprintf(err, errlen,
				 "unknown defense '%s' (see 'gatecrash "
				 "defenses')",
				 name);
			return -1;
		}
		off |= bits;
	}
	*enabled &= ~off;
	return 0;
}
