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
#define GDT_ENTRY_LDT 10 /* 16-byte system descriptor: slots 10 and 11 */
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

/* STAR as Linux programs it: SYSRET bases on USER32_CS, SYSCALL on KERNEL_CS. */
#define STAR_SYSCALL_CS __KERNEL_CS
#define STAR_SYSRET_CS (__USER32_CS & ~SEG_RPL_MASK)

#endif
