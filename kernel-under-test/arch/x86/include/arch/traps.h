/* SPDX-License-Identifier: MIT */
/* Exception vectors (SDM Vol. 3A 6.3.1) and which push an error code. */
#ifndef ARCH_TRAPS_H
#define ARCH_TRAPS_H

#define X86_TRAP_DE 0
#define X86_TRAP_DB 1
#define X86_TRAP_NMI 2
#define X86_TRAP_BP 3
#define X86_TRAP_OF 4
#define X86_TRAP_BR 5
#define X86_TRAP_UD 6
#define X86_TRAP_NM 7
#define X86_TRAP_DF 8
#define X86_TRAP_TS 10
#define X86_TRAP_NP 11
#define X86_TRAP_SS 12
#define X86_TRAP_GP 13
#define X86_TRAP_PF 14
#define X86_TRAP_MF 16
#define X86_TRAP_AC 17
#define X86_TRAP_MC 18
#define X86_TRAP_XM 19
#define X86_TRAP_CP 21

/* Vectors whose delivery pushes an error code: 8, 10-14, 17, 21. */
#define X86_TRAPS_WITH_ERROR_CODE 0x00227d00

#define SYSCALL_VECTOR 0x80
/* Pseudo-vectors stored in the frame by the SYSCALL entries (not IDT
 * vectors). */
#define SYSCALL64_FRAME_VECTOR 0x100
#define SYSCALL32_FRAME_VECTOR 0x101
#define SYSENTER32_FRAME_VECTOR 0x102
#define CALL_GATE_FRAME_VECTOR 0x103

/* DR6.BS: the #DB was a single-step trap (SDM Vol. 3B 18.2.3). */
#define X86_DR6_BS (1u << 14)
#define X86_DR6_TRAP_BITS 0xfu /* B0..B3: which breakpoint hit */
#define X86_DR6_RESET 0xffff0ff0u /* DR6 with no cause bit set */

#endif
