/* SPDX-License-Identifier: MIT */
/*
 * Hazards: machine states at an exit instruction that are harmless on the
 * CPU the test ran on but not on every real CPU. The backend cannot show
 * them (QEMU TCG does not model the vendor behaviour; KVM runs on one
 * vendor), so the kernel records each exit and this table judges it. Only
 * the mechanism run is judged: the reference is the hardened int80 + IRET
 * path. docs/semantics.md has the same table in prose.
 */
#include "arch/processor-flags.h"
#include "arch/segment.h"
#include "rules.h"

/* The test kernel uses 4-level paging: 48-bit virtual addresses. */
#define VA_BITS 48

enum hazard_id {
	HAZARD_SYSRET_NONCANONICAL_RCX,
	HAZARD_SYSRET_NULL_SS,
	HAZARD_SYSRET_RF_SET,
	HAZARD_COUNT
};

const struct hazard_rule hazard_rules[] = {
	[HAZARD_SYSRET_NONCANONICAL_RCX] =
		{
			.name = "sysret_noncanonical_rcx",
			.vendor = "intel",
			.cve = "CVE-2012-0217",
			.what = "SYSRETQ with a non-canonical RCX raises #GP "
				"in ring 0 on the user's RSP (AMD faults "
				"after the switch to CPL 3; QEMU TCG does "
				"not check)",
		},
	[HAZARD_SYSRET_NULL_SS] =
		{
			.name = "sysret_null_ss",
			.vendor = "amd",
			.cve = "",
			.what = "SYSRETQ while SS is null loads the user SS "
				"selector but keeps unusable SS attributes: "
				"compat-mode stack use then faults "
				"(X86_BUG_SYSRET_SS_ATTRS)",
		},
	[HAZARD_SYSRET_RF_SET] =
		{
			.name = "sysret_rf_set",
			.vendor = "all",
			.cve = "",
			.what = "SYSRETQ with RF set in R11 returns with RF "
				"clear (RFLAGS := R11 & 3C7FD7H), so an "
				"instruction breakpoint at the return address "
				"fires again (QEMU TCG restores RF from R11)",
		},
};
const unsigned hazard_rule_count = HAZARD_COUNT;
_Static_assert(sizeof(hazard_rules) / sizeof(hazard_rules[0]) == HAZARD_COUNT,
	       "one hazard_rules[] entry per hazard_id");

static int address_is_canonical(uint64_t va)
{
	uint64_t top = va >> (VA_BITS - 1); /* bits 63:47 */

	return top == 0 || top == (1ull << (64 - VA_BITS + 1)) - 1;
}

/* Intel checks RCX while still at CPL 0 (SDM SYSRET; docs/catalog.md E1). */
static int sysret_noncanonical_rcx(const struct gc_exit_record *exit)
{
	return exit->kind == GC_EXIT_SYSRETQ &&
	       !address_is_canonical(exit->rcx);
}

static int exit_is_sysret(const struct gc_exit_record *exit)
{
	return exit->kind == GC_EXIT_SYSRETQ || exit->kind == GC_EXIT_SYSRETL;
}

/* AMD does not reload the SS descriptor cache on SYSRET (E4, E16); it
 * shows on a return to compat mode, so SYSRETL above all. */
static int sysret_null_ss(const struct gc_exit_record *exit)
{
	return exit_is_sysret(exit) && !(exit->ss & ~SEG_RPL_MASK);
}

/* SDM SYSRET (both forms): RF is forced to 0; only IRET can return with RF
 * set (E3). */
static int sysret_rf_set(const struct gc_exit_record *exit)
{
	return exit_is_sysret(exit) && (exit->r11 & X86_EFLAGS_RF);
}

static int (*const hazard_checks[HAZARD_COUNT])(
	const struct gc_exit_record *exit) = {
	[HAZARD_SYSRET_NONCANONICAL_RCX] = sysret_noncanonical_rcx,
	[HAZARD_SYSRET_NULL_SS] = sysret_null_ss,
	[HAZARD_SYSRET_RF_SET] = sysret_rf_set,
};

static void hazard_add(struct verdict *v, const struct hazard_rule *rule)
{
	for (unsigned i = 0; i < v->n_hazards; i++)
		if (v->hazards[i] == rule)
			return;
	if (v->n_hazards < VERDICT_MAX_HAZARDS)
		v->hazards[v->n_hazards++] = rule;
}

void hazards_judge(const struct gc_run *mech, struct verdict *v)
{
	for (unsigned i = 0; i < run_kept_exits(mech); i++)
		for (unsigned h = 0; h < HAZARD_COUNT; h++)
			if (hazard_checks[h](&mech->exits[i]))
				hazard_add(v, &hazard_rules[h]);
}
