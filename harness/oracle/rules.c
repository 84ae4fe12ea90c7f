/* SPDX-License-Identifier: MIT */
/*
 * What the oracle compares, and the differences it allows. Every rule here
 * has a row in the allowed-difference table of docs/semantics.md with the
 * same name and reason.
 *
 * Deliberately absent (see docs/semantics.md for why): RCX/R11 on
 * syscall64 (the reference emulates them), RF (the reference returns it
 * exactly as a correct kernel does), #DB counts under TF (an extra #DB is
 * how E3 shows), the AMD SS cache (a hazard, not a mask).
 */
#include <stddef.h>
#include <string.h>

#include "rules.h"

#define GPR_FIELD(reg, str)                                           \
	[SF_GPR0 + GC_##reg] = {str,                                  \
				offsetof(struct gc_user_state, gpr) + \
					GC_##reg * sizeof(uint64_t),  \
				8}
#define SEL_FIELD(reg, str)                                           \
	[SF_SEL0 + GC_##reg] = {str,                                  \
				offsetof(struct gc_user_state, sel) + \
					GC_##reg * sizeof(uint16_t),  \
				2}
#define U64_FIELD(idx, member) \
	[idx] = {#member, offsetof(struct gc_user_state, member), 8}

const struct state_field_desc state_fields[SF_COUNT] = {
	GPR_FIELD(RAX, "rax"),
	GPR_FIELD(RCX, "rcx"),
	GPR_FIELD(RDX, "rdx"),
	GPR_FIELD(RBX, "rbx"),
	GPR_FIELD(RSP, "rsp"),
	GPR_FIELD(RBP, "rbp"),
	GPR_FIELD(RSI, "rsi"),
	GPR_FIELD(RDI, "rdi"),
	GPR_FIELD(R8, "r8"),
	GPR_FIELD(R9, "r9"),
	GPR_FIELD(R10, "r10"),
	GPR_FIELD(R11, "r11"),
	GPR_FIELD(R12, "r12"),
	GPR_FIELD(R13, "r13"),
	GPR_FIELD(R14, "r14"),
	GPR_FIELD(R15, "r15"),
	U64_FIELD(SF_RIP, rip),
	U64_FIELD(SF_RFLAGS, rflags),
	U64_FIELD(SF_FS_BASE, fs_base),
	U64_FIELD(SF_GS_BASE, gs_base),
	SEL_FIELD(ES, "es"),
	SEL_FIELD(CS, "cs"),
	SEL_FIELD(SS, "ss"),
	SEL_FIELD(DS, "ds"),
	SEL_FIELD(FS, "fs"),
	SEL_FIELD(GS, "gs"),
	[SF_FCW] = {"fcw", offsetof(struct gc_user_state, fcw), 2},
	[SF_MXCSR] = {"mxcsr", offsetof(struct gc_user_state, mxcsr), 4},
	[SF_XMM0_LO] = {"xmm0_lo", offsetof(struct gc_user_state, xmm0), 8},
	[SF_XMM0_HI] = {"xmm0_hi", offsetof(struct gc_user_state, xmm0) + 8,
			8},
};

#define UPPER_HALF 0xffffffff00000000ull

const struct allowed_diff allowed_diffs[] = {
	{
		.name = "compat_gpr_upper_halves",
		.reason = "GPR bits 63:32 are architecturally undefined "
			  "after leaving 64-bit mode (docs/catalog.md §1)",
		.modes = MODE_BIT(GC_MODE_COMPAT),
		.fields = SF_ALL_GPRS,
		.may_differ = UPPER_HALF,
	},
	{
		.name = "compat_rip_upper_half",
		.reason = "compat code runs on EIP: RIP bits 63:32 are not "
			  "user-visible there (a return to 64-bit mode shows "
			  "as a cs difference)",
		.modes = MODE_BIT(GC_MODE_COMPAT),
		.fields = SF_BIT(SF_RIP),
		.may_differ = UPPER_HALF,
	},
	{
		.name = "compat_syscall_clears_r8_r10",
		.reason = "Linux's SYSRETL path zeroes R8-R10 instead of "
			  "restoring them; non-int80 compat entries may clear "
			  "R8+ (test_syscall_vdso.c, docs/catalog.md §1)",
		.mechanisms = MECH_BIT(GC_MECH_SYSCALL_COMPAT),
		.fields = SF_BIT(SF_GPR0 + GC_R8) | SF_BIT(SF_GPR0 + GC_R9) |
			  SF_BIT(SF_GPR0 + GC_R10),
		.kind = ALLOW_MECH_ZERO,
	},
	{
		.name = "compat_syscall_clears_r12_r15",
		.reason = "Linux clears R12-R15 on compat SYSCALL entry and "
			  "its SYSRETL exit does not restore them; non-int80 "
			  "compat entries may clear R8+ (test_syscall_vdso.c, "
			  "docs/catalog.md §1)",
		.mechanisms = MECH_BIT(GC_MECH_SYSCALL_COMPAT),
		.fields = SF_BIT(SF_GPR0 + GC_R12) | SF_BIT(SF_GPR0 + GC_R13) |
			  SF_BIT(SF_GPR0 + GC_R14) | SF_BIT(SF_GPR0 + GC_R15),
		.kind = ALLOW_MECH_ZERO,
	},
	{
		.name = "compat_syscall_ecx_is_return_eip",
		.reason = "SYSRETL returns to EIP = ECX, so ECX reads back as "
			  "the EIP the SYSRETL exit returned to; the compat "
			  "ABI leaves ECX to the vDSO (docs/catalog.md §1)",
		.mechanisms = MECH_BIT(GC_MECH_SYSCALL_COMPAT),
		.fields = SF_BIT(SF_GPR0 + GC_RCX),
		.kind = ALLOW_SYSRETL_RCX,
	},
	{
		.name = "compat_syscall_r11_is_eflags",
		.reason = "SYSRETL loads EFLAGS from R11, so R11 reads back as "
			  "the EFLAGS the SYSRETL exit loaded (docs/catalog.md "
			  "§1)",
		.mechanisms = MECH_BIT(GC_MECH_SYSCALL_COMPAT),
		.fields = SF_BIT(SF_GPR0 + GC_R11),
		.kind = ALLOW_SYSRETL_R11,
	},
	{
		.name = "compat_sysexit_ecx_is_esp",
		.reason = "SYSEXIT returns to ESP = ECX, so ECX reads back as "
			  "the ESP the SYSEXIT exit loaded; the vDSO saves "
			  "and restores ECX around sysenter (docs/catalog.md §1)",
		.mechanisms = MECH_BIT(GC_MECH_SYSENTER_COMPAT),
		.fields = SF_BIT(SF_GPR0 + GC_RCX),
		.kind = ALLOW_SYSEXIT_RCX,
	},
	{
		.name = "compat_sysexit_edx_is_eip",
		.reason = "SYSEXIT returns to EIP = EDX, so EDX reads back as "
			  "the EIP the SYSEXIT exit returned to; the vDSO saves "
			  "and restores EDX around sysenter (docs/catalog.md §1)",
		.mechanisms = MECH_BIT(GC_MECH_SYSENTER_COMPAT),
		.fields = SF_BIT(SF_GPR0 + GC_RDX),
		.kind = ALLOW_SYSEXIT_RDX,
	},
};
const size_t allowed_diff_count =
	sizeof(allowed_diffs) / sizeof(allowed_diffs[0]);

uint64_t state_field_get(const struct gc_user_state *st, enum state_field f)
{
	const struct state_field_desc *d = &state_fields[f];
	uint64_t v = 0;

	/* Little-endian host: a narrow field lands in the low bytes. */
	memcpy(&v, (const uint8_t *)st + d->offset, d->size);
	return v;
}

int state_field_compared(const struct gc_user_state *a,
			 const struct gc_user_state *b, enum state_field f)
{
	if (SF_BIT(f) & SF_FPU)
		return a->fpu_captured && b->fpu_captured;
	return 1;
}

const struct state_field_desc *state_field_by_name(const char *name)
{
	for (unsigned f = 0; f < SF_COUNT; f++)
		if (!strcmp(state_fields[f].name, name))
			return &state_fields[f];
	return NULL;
}

static int rule_applies(const struct allowed_diff *r, unsigned mechanism,
			enum gc_user_mode mode)
{
	if (r->mechanisms && !(r->mechanisms & MECH_BIT(mechanism)))
		return 0;
	if (r->modes && !(r->modes & MODE_BIT(mode)))
		return 0;
	return 1;
}

uint64_t allowed_diff_bits(unsigned mechanism, enum gc_user_mode mode,
			   enum state_field f)
{
	uint64_t bits = 0;

	for (size_t i = 0; i < allowed_diff_count; i++) {
		const struct allowed_diff *r = &allowed_diffs[i];

		if (r->kind == ALLOW_BITS && (r->fields & SF_BIT(f)) &&
		    rule_applies(r, mechanism, mode))
			bits |= r->may_differ;
	}
	return bits;
}

/* The exit whose loads a value rule names, and the value it loaded. */
static unsigned exit_kind_of(enum allow_kind kind)
{
	return kind == ALLOW_SYSEXIT_RCX || kind == ALLOW_SYSEXIT_RDX
		       ? GC_EXIT_SYSEXITL
		       : GC_EXIT_SYSRETL;
}

static uint64_t loaded_value(enum allow_kind kind,
			     const struct gc_exit_record *x)
{
	switch (kind) {
	case ALLOW_SYSRETL_R11:
		return x->r11;
	case ALLOW_SYSEXIT_RDX:
		return x->target_rip;
	default: /* ALLOW_SYSRETL_RCX, ALLOW_SYSEXIT_RCX */
		return x->rcx;
	}
}

/* Does the value match what the rule allows, outside may_differ? */
static int value_allowed(const struct allowed_diff *r, uint64_t mech,
			 const struct gc_run *run, uint64_t may_differ)
{
	if (r->kind == ALLOW_MECH_ZERO)
		return !(mech & ~may_differ);
	for (unsigned i = 0; i < run_kept_exits(run); i++) {
		const struct gc_exit_record *x = &run->exits[i];

		if (x->kind == exit_kind_of(r->kind) &&
		    !((mech ^ loaded_value(r->kind, x)) & ~may_differ))
			return 1;
	}
	return 0;
}

int allowed_diff_value(unsigned mechanism, enum gc_user_mode mode,
		       enum state_field f, uint64_t mech,
		       const struct gc_run *mech_run, uint64_t may_differ)
{
	for (size_t i = 0; i < allowed_diff_count; i++) {
		const struct allowed_diff *r = &allowed_diffs[i];

		if (r->kind == ALLOW_BITS || !(r->fields & SF_BIT(f)) ||
		    !rule_applies(r, mechanism, mode))
			continue;
		if (value_allowed(r, mech, mech_run, may_differ))
			return 1;
	}
	return 0;
}
