/* SPDX-License-Identifier: MIT */
/*
 * The binary form: the bytes of struct gc_testcase, little-endian, as the
 * fuzzers mutate them. Decoding never fails; see normalize.c for what a
 * byte string is turned into.
 */
#include <string.h>

#include "arch/segment.h"
#include "testcase.h"

static const char *const mechanism_names[GC_MECH_COUNT] = {
	[GC_MECH_INT80_64] = "int80_64",
	[GC_MECH_INT80_COMPAT] = "int80_compat",
	[GC_MECH_SYSCALL64] = "syscall64",
	[GC_MECH_SYSCALL_COMPAT] = "syscall_compat",
	[GC_MECH_INT3] = "int3",
	[GC_MECH_INT_3] = "int_3",
	[GC_MECH_INTO] = "into",
	[GC_MECH_INT_1] = "int_1",
	[GC_MECH_SYSENTER_COMPAT] = "sysenter_compat",
	[GC_MECH_CALL_GATE] = "call_gate",
	[GC_MECH_INT3_PREFIXED] = "int3_prefixed",
};

void tc_decode(const uint8_t *buf, size_t len, struct gc_testcase *out)
{
	memset(out, 0, sizeof(*out));
	if (len > sizeof(*out))
		len = sizeof(*out);
	if (len)
		memcpy(out, buf, len);
	tc_normalize(out);
}

void tc_encode(const struct gc_testcase *tc,
	       uint8_t out[sizeof(struct gc_testcase)])
{
	struct gc_testcase copy = *tc;

	tc_normalize(&copy);
	memcpy(out, &copy, sizeof(copy));
}

void tc_default(struct gc_testcase *tc)
{
	tc_decode(NULL, 0, tc);
}

/* The user mode each mechanism starts in. */
static const enum gc_user_mode mechanism_modes[GC_MECH_COUNT] = {
	[GC_MECH_INT80_64] = GC_MODE_64,
	[GC_MECH_INT80_COMPAT] = GC_MODE_COMPAT,
	[GC_MECH_SYSCALL64] = GC_MODE_64,
	[GC_MECH_SYSCALL_COMPAT] = GC_MODE_COMPAT,
	[GC_MECH_INT3] = GC_MODE_64,
	[GC_MECH_INT_3] = GC_MODE_64,
	[GC_MECH_INTO] = GC_MODE_COMPAT, /* INTO is #UD in 64-bit mode */
	[GC_MECH_INT_1] = GC_MODE_64,
	[GC_MECH_SYSENTER_COMPAT] = GC_MODE_COMPAT,
	[GC_MECH_CALL_GATE] = GC_MODE_64,
	[GC_MECH_INT3_PREFIXED] = GC_MODE_64,
};

enum gc_user_mode tc_mode(const struct gc_testcase *tc)
{
	return tc->mechanism < GC_MECH_COUNT ? mechanism_modes[tc->mechanism]
					     : GC_MODE_64;
}

/*
 * The mode a user state with this CS runs in: 64-bit for the GDT's 64-bit
 * user segment and an LDT code segment with L = 1, D = 0 (SDM Vol. 3A
 * 5.2.1); compat for the GDT's 32-bit one and any other LDT segment. A
 * selector the harness cannot place keeps the mechanism's mode.
 */
enum gc_user_mode tc_cs_mode(const struct gc_testcase *tc, uint16_t cs)
{
	unsigned index = cs >> 3;
	uint64_t d;

	if ((cs | 3) == __USER_CS)
		return GC_MODE_64;
	if ((cs | 3) == __USER32_CS)
		return GC_MODE_COMPAT;
	if (!(cs & 4) || index >= GC_LDT_ENTRIES)
		return tc_mode(tc);
	d = tc->seg.ldt[index];
	return ((d >> 53) & 3) == 1 ? GC_MODE_64 : GC_MODE_COMPAT;
}

uint16_t tc_mode_cs(enum gc_user_mode mode)
{
	return mode == GC_MODE_COMPAT ? __USER32_CS : __USER_CS;
}

const char *tc_mechanism_name(unsigned mechanism)
{
	return mechanism < GC_MECH_COUNT ? mechanism_names[mechanism] : "?";
}

static const char *const prefix_names[GC_PREFIX_COUNT] = {
	[GC_PREFIX_NONE] = "none",
	[GC_PREFIX_MOV_SS] = "mov_ss",
	[GC_PREFIX_POP_SS] = "pop_ss",
};

const char *tc_prefix_name(unsigned prefix)
{
	return prefix < GC_PREFIX_COUNT ? prefix_names[prefix] : "?";
}

