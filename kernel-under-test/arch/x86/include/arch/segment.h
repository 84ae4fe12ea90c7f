/* SPDX-License-Identifier: MIT */
/*
 * The test kernel's GDT layout. Shared with the host, which normalizes
 * testcase selectors against it and names them in reports.
 *
 * The order is Linux's and is forced by STAR (SDM SYSCALL/SYSRET):
 *   SYSCALL:  CS = STAR[47:32],       SS = STAR[47:32] + 8
 *   SYSRETQ:  CS = STAR[63:48] + 16,  SS = STAR[63:48] + 8
 *   SYSRETL:  CS = STAR[63:48],       SS = STAR[63:48] + 8
 * so KERNEL_DS must follow KERNEL_CS, and USER32_CS, USER_DS, USER_CS must
 * follow one another in that order.
 */
#ifndef ARCH_SEGMENT_H
#define ARCH_SEGMENT_H

#define GDT_ENTRY_KERNEL32_CS 1
#define GDT_ENTRY_KERNEL_CS 2
#define GDT_ENTRY_KERNEL_DS 3
#define GDT_ENTRY_USER32_CS 4
#define GDT_ENTRY_USER_DS 5
#define GDT_ENTRY_USER_CS 6
#define GDT_ENTRY_TSS 8 /* 16-byte system descriptor: slots 8 and 9 */
#define GDT_ENTRY_LDT 12 /* 16-byte system descriptor: slots 12 and 13 */
#define GDT_ENTRY_CALL_GATE 10 /* 16-byte 64-bit call gate: slots 10, 11 */
#define GDT_ENTRIES 16

#define SEG_RPL_MASK 0x3
#define SEG_TI_LDT 0x4

#define __KERNEL32_CS (GDT_ENTRY_KERNEL32_CS * 8)
#define __KERNEL_CS (GDT_ENTRY_KERNEL_CS * 8)
#define __KERNEL_DS (GDT_ENTRY_KERNEL_DS * 8)
#define __USER32_CS (GDT_ENTRY_USER32_CS * 8 + 3)
#define __USER_DS (GDT_ENTRY_USER_DS * 8 + 3)
#define __USER_CS (GDT_ENTRY_USER_CS * 8 + 3)
#define __TSS_SEL (GDT_ENTRY_TSS * 8)
#define __LDT_SEL (GDT_ENTRY_LDT * 8)
#define __CALL_GATE_SEL (GDT_ENTRY_CALL_GATE * 8 + 3) /* what lcall names */

/* STAR as Linux programs it: SYSRET bases on USER32_CS, SYSCALL on KERNEL_CS. */
#define STAR_SYSCALL_CS __KERNEL_CS
#define STAR_SYSRET_CS (__USER32_CS & ~SEG_RPL_MASK)

/*
 * IA32_SYSENTER_CS as Linux programs it. The SDM fixes the rest from it:
 *   SYSENTER:        CS = SYSENTER_CS,      SS = SYSENTER_CS + 8
 *   SYSEXIT (32-bit): CS = SYSENTER_CS + 16, SS = SYSENTER_CS + 24 (RPL 3)
 * which with the order above is __KERNEL_CS/__KERNEL_DS in and
 * __USER32_CS/__USER_DS out.
 */
#define SYSENTER_CS __KERNEL_CS
#define SYSEXIT32_CS ((SYSENTER_CS + 16) | 3)
#define SYSEXIT32_SS ((SYSENTER_CS + 24) | 3)

#ifndef __ASSEMBLER__
_Static_assert(SYSENTER_CS + 8 == __KERNEL_DS, "SYSENTER SS is KERNEL_DS");
_Static_assert(SYSEXIT32_CS == __USER32_CS, "SYSEXIT CS is USER32_CS");
_Static_assert(SYSEXIT32_SS == __USER_DS, "SYSEXIT SS is USER_DS");
#endif

#endif
