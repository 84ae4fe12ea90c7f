/* SPDX-License-Identifier: MIT */
/* The state enter_user() loads before its IRETQ to ring 3 (asm-visible). */
#ifndef USER_ENTRY_H
#define USER_ENTRY_H

#define UE_GPR(n) ((n) * 8) /* hardware GPR order, gpr[4] is RSP */
#define UE_RIP 128
#define UE_RFLAGS 136
#define UE_FS_BASE 144
#define UE_GS_BASE 152
#define UE_CS 160
#define UE_SS 168
#define UE_DS 176
#define UE_ES 178
#define UE_FS 180
#define UE_GS 182
#define UE_SIZE 184

#ifndef __ASSEMBLER__
#include <stdint.h>

struct user_entry {
	uint64_t gpr[16];
	uint64_t rip, rflags;
	uint64_t fs_base, gs_base;
	uint64_t cs, ss;
	uint16_t ds, es, fs, gs;
};
_Static_assert(__builtin_offsetof(struct user_entry, rip) == UE_RIP, "rip");
_Static_assert(__builtin_offsetof(struct user_entry, cs) == UE_CS, "cs");
_Static_assert(__builtin_offsetof(struct user_entry, ds) == UE_DS, "ds");
_Static_assert(__builtin_offsetof(struct user_entry, gs) == UE_GS, "gs");
_Static_assert(sizeof(struct user_entry) == UE_SIZE, "user_entry");
#endif

#endif
