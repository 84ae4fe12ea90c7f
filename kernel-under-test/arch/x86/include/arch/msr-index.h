/* SPDX-License-Identifier: MIT */
/* Model-specific registers the test kernel programs (SDM Vol. 4). */
#ifndef ARCH_MSR_INDEX_H
#define ARCH_MSR_INDEX_H

#define MSR_IA32_SYSENTER_CS 0x174  /* SYSENTER CS; SYSEXIT bases on it */
#define MSR_IA32_SYSENTER_ESP 0x175 /* SYSENTER RSP */
#define MSR_IA32_SYSENTER_EIP 0x176 /* SYSENTER RIP */
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081	    /* SYSCALL/SYSRET segment bases */
#define MSR_LSTAR 0xc0000082	    /* 64-bit SYSCALL target */
#define MSR_CSTAR 0xc0000083	    /* compat-mode SYSCALL target (AMD) */
#define MSR_SYSCALL_MASK 0xc0000084 /* RFLAGS bits SYSCALL clears (FMASK) */
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#endif
