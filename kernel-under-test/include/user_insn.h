/* SPDX-License-Identifier: MIT */
/*
 * The bytes of each entry instruction a user page holds, ending at
 * GC_USER_LANDING (abi.h): the one copy the test kernel's user pages
 * (arch/x86/user_pages.c) and the linux runner's plans
 * (harness/linux-runner/plan.c) both build from, so the two targets run
 * the very same instructions.
 */
#ifndef GATECRASH_USER_INSN_H
#define GATECRASH_USER_INSN_H

#include <stdint.h>

struct gc_user_insn {
	uint8_t len;
	uint8_t bytes[15]; /* the architectural maximum */
};

#define GC_USER_INSN(...)                                            \
	{                                                            \
		sizeof((const uint8_t[]){ __VA_ARGS__ }), { __VA_ARGS__ } \
	}

#define GC_INSN_INT80 GC_USER_INSN(0xcd, 0x80)
#define GC_INSN_SYSCALL GC_USER_INSN(0x0f, 0x05)
#define GC_INSN_SYSENTER GC_USER_INSN(0x0f, 0x34)
#define GC_INSN_INT3 GC_USER_INSN(0xcc)
/* Redundant prefixes (XTF swint-emulation, mov_ss_trap.c's CS x2): still
 * INT3, a trap reported after the whole instruction. */
#define GC_INSN_INT3_PREFIXED GC_USER_INSN(0x2e, 0x2e, 0xcc)
#define GC_INSN_INT_3 GC_USER_INSN(0xcd, 0x03)
#define GC_INSN_INTO GC_USER_INSN(0xce)
#define GC_INSN_INT_1 GC_USER_INSN(0xcd, 0x01)

#endif
