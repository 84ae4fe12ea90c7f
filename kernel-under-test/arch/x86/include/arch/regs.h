/* SPDX-License-Identifier: MIT */
/*
 * The saved user/kernel register frame, in push order: the entry stubs push
 * the GPRs below the vector and error code, below the hardware frame.
 *
 *   +--------------------+  <- stack top at entry
 *   | ss                 |  \
 *   | rsp                |   |
 *   | rflags             |   | pushed by the CPU (or by the SYSCALL entry)
 *   | cs                 |   |
 *   | rip                |  /
 *   | error_code         |  pushed by the CPU or a dummy 0
 *   | vector             |
 *   | rax ... r15        |  pushed by SAVE_REGS
 *   +--------------------+  <- %rsp == struct cpu_regs *
 */
#ifndef ARCH_REGS_H
#define ARCH_REGS_H

#define REGS_R15 0
#define REGS_R14 8
#define REGS_R13 16
#define REGS_R12 24
#define REGS_R11 32
#define REGS_R10 40
#define REGS_R9 48
#define REGS_R8 56
#define REGS_RDI 64
#define REGS_RSI 72
#define REGS_RBP 80
#define REGS_RBX 88
#define REGS_RDX 96
#define REGS_RCX 104
#define REGS_RAX 112
#define REGS_VECTOR 120
#define REGS_ERROR_CODE 128
#define REGS_RIP 136
#define REGS_CS 144
#define REGS_RFLAGS 152
#define REGS_RSP 160
#define REGS_SS 168
#define REGS_SIZE 176

#ifndef __ASSEMBLER__
#include <stdint.h>

struct cpu_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(__builtin_offsetof(struct cpu_regs, r11) == REGS_R11, "r11");
_Static_assert(__builtin_offsetof(struct cpu_regs, rcx) == REGS_RCX, "rcx");
_Static_assert(__builtin_offsetof(struct cpu_regs, rax) == REGS_RAX, "rax");
_Static_assert(__builtin_offsetof(struct cpu_regs, vector) == REGS_VECTOR, "vec");
_Static_assert(__builtin_offsetof(struct cpu_regs, rip) == REGS_RIP, "rip");
_Static_assert(__builtin_offsetof(struct cpu_regs, rsp) == REGS_RSP, "rsp");
_Static_assert(sizeof(struct cpu_regs) == REGS_SIZE, "cpu_regs");

/* The five words IRETQ pops. */
struct iret_frame {
	uint64_t rip, cs, rflags, rsp, ss;
};
#endif

#endif
