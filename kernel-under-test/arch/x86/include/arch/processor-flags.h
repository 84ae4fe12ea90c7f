/* SPDX-License-Identifier: MIT */
/*
 * RFLAGS, CR0, CR4 and EFER bits (SDM Vol. 3A 2.3, 2.5; Vol. 1 3.4.3).
 * Shared by the test kernel and the host: the oracle and the testcase
 * normalizer speak in the same bit names the kernel uses.
 */
#ifndef ARCH_PROCESSOR_FLAGS_H
#define ARCH_PROCESSOR_FLAGS_H

#ifdef __ASSEMBLER__
#define _BITUL(n) (1 << (n))
#else
#define _BITUL(n) (1ULL << (n))
#endif

#define X86_EFLAGS_CF_BIT 0
#define X86_EFLAGS_FIXED_BIT 1 /* always reads as 1 */
#define X86_EFLAGS_PF_BIT 2
#define X86_EFLAGS_AF_BIT 4
#define X86_EFLAGS_ZF_BIT 6
#define X86_EFLAGS_SF_BIT 7
#define X86_EFLAGS_TF_BIT 8
#define X86_EFLAGS_IF_BIT 9
#define X86_EFLAGS_DF_BIT 10
#define X86_EFLAGS_OF_BIT 11
#define X86_EFLAGS_IOPL_BIT 12 /* two bits */
#define X86_EFLAGS_NT_BIT 14
#define X86_EFLAGS_RF_BIT 16
#define X86_EFLAGS_VM_BIT 17
#define X86_EFLAGS_AC_BIT 18
#define X86_EFLAGS_VIF_BIT 19
#define X86_EFLAGS_VIP_BIT 20
#define X86_EFLAGS_ID_BIT 21

#define X86_EFLAGS_CF _BITUL(X86_EFLAGS_CF_BIT)
#define X86_EFLAGS_FIXED _BITUL(X86_EFLAGS_FIXED_BIT)
#define X86_EFLAGS_PF _BITUL(X86_EFLAGS_PF_BIT)
#define X86_EFLAGS_AF _BITUL(X86_EFLAGS_AF_BIT)
#define X86_EFLAGS_ZF _BITUL(X86_EFLAGS_ZF_BIT)
#define X86_EFLAGS_SF _BITUL(X86_EFLAGS_SF_BIT)
#define X86_EFLAGS_TF _BITUL(X86_EFLAGS_TF_BIT)
#define X86_EFLAGS_IF _BITUL(X86_EFLAGS_IF_BIT)
#define X86_EFLAGS_DF _BITUL(X86_EFLAGS_DF_BIT)
#define X86_EFLAGS_OF _BITUL(X86_EFLAGS_OF_BIT)
#define X86_EFLAGS_IOPL (3 * _BITUL(X86_EFLAGS_IOPL_BIT))
#define X86_EFLAGS_NT _BITUL(X86_EFLAGS_NT_BIT)
#define X86_EFLAGS_RF _BITUL(X86_EFLAGS_RF_BIT)
#define X86_EFLAGS_VM _BITUL(X86_EFLAGS_VM_BIT)
#define X86_EFLAGS_AC _BITUL(X86_EFLAGS_AC_BIT)
#define X86_EFLAGS_VIF _BITUL(X86_EFLAGS_VIF_BIT)
#define X86_EFLAGS_VIP _BITUL(X86_EFLAGS_VIP_BIT)
#define X86_EFLAGS_ID _BITUL(X86_EFLAGS_ID_BIT)

/* The arithmetic flags: what test_syscall_vdso.c lets Xen PV change. */
#define X86_EFLAGS_ARITH                                                      \
	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF |      \
	 X86_EFLAGS_SF | X86_EFLAGS_OF)

/* What POPF at CPL 3, IOPL 0 can change: a real process can hold these. */
#define X86_EFLAGS_USER_SETTABLE                                              \
	(X86_EFLAGS_ARITH | X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_NT |   \
	 X86_EFLAGS_AC | X86_EFLAGS_ID)

/* Every bit the architecture defines in RFLAGS; the rest are reserved 0. */
#define X86_EFLAGS_DEFINED                                                    \
	(X86_EFLAGS_USER_SETTABLE | X86_EFLAGS_FIXED | X86_EFLAGS_IF |        \
	 X86_EFLAGS_IOPL | X86_EFLAGS_RF | X86_EFLAGS_VM | X86_EFLAGS_VIF |   \
	 X86_EFLAGS_VIP)

/* What POPF at CPL 0 cannot set (SDM POPF: RF is cleared, "VIP and VIF
 * are cleared, and VM is unaffected"): an exit that loads the user's flags
 * by POPFQ (SYSEXIT, LRET) cannot return them. */
#define X86_EFLAGS_NOT_POPF                                                   \
	(X86_EFLAGS_RF | X86_EFLAGS_VM | X86_EFLAGS_VIF | X86_EFLAGS_VIP)

/* SYSRET: RFLAGS := (R11 & 3C7FD7H) | 2 (SDM SYSRET operation). */
#define X86_SYSRET_RFLAGS_MASK 0x3C7FD7ULL

#define X86_CR0_PE _BITUL(0)
#define X86_CR0_MP _BITUL(1)
#define X86_CR0_ET _BITUL(4)
#define X86_CR0_NE _BITUL(5)
#define X86_CR0_WP _BITUL(16)
#define X86_CR0_PG _BITUL(31)

#define X86_CR4_PAE _BITUL(5)
#define X86_CR4_PGE _BITUL(7)
#define X86_CR4_OSFXSR _BITUL(9)
#define X86_CR4_OSXMMEXCPT _BITUL(10)
#define X86_CR4_FSGSBASE _BITUL(16)

#define X86_EFER_SCE _BITUL(0)
#define X86_EFER_LME _BITUL(8)
#define X86_EFER_LMA _BITUL(10)
#define X86_EFER_NXE _BITUL(11)

#endif
