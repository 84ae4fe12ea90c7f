// SPDX-License-Identifier: MIT
/*
 * Entering the testcase state, and the first instructions of every signal
 * handler. File-scope assembly: no compiler-generated prologue may run
 * once the testcase's selectors are loaded.
 *
 * lr_enter(const struct lr_entry *e) loads every register from *e and
 * IRETQs to the mechanism instruction. IRETQ from CPL 3 to CPL 3 is the one
 * user-mode instruction that sets RIP, CS, RFLAGS, RSP and SS at once: a
 * POPFQ with TF set would single-step the loads after it, and a far jump
 * sets neither RSP nor RFLAGS. It is also how the test kernel enters user
 * mode (enter_user, kernel-under-test/arch/x86/entry_64.S), so TF, AC and a
 * compat CS reach the mechanism instruction exactly as they do there.
 *
 * After the selector loads nothing may touch FS-relative memory: the FS
 * base is the testcase's, not libc's TLS.
 */
#include "runner.h"

_Static_assert(LR_ENTRY_WRBASE == 0x1 && LR_ENTRY_SKIP_FS == 0x2 &&
		       LR_ENTRY_SKIP_GS == 0x4,
	       "the flag tests below");

__asm__(".text\n"
	".globl lr_enter\n"
	".type lr_enter, @function\n"
	"lr_enter:\n\t"
	/* DS/ES first: 64-bit mode ignores their bases, so the loads from
	 * (%rdi) below work with any selector the testcase names. */
	"movw 184(%rdi), %ax\n\t"
	"movw %ax, %ds\n\t"
	"movw 186(%rdi), %ax\n\t"
	"movw %ax, %es\n\t"
	/* Loading FS/GS rewrites their bases. Without WRFSBASE, arch_prctl
	 * set the base already and a null selector load would wipe it on
	 * Intel and under QEMU: LR_ENTRY_SKIP_* keeps FS/GS as they are. */
	"testl $0x2, 192(%rdi)\n\t"
	"jnz 1f\n\t"
	"movw 188(%rdi), %ax\n\t"
	"movw %ax, %fs\n"
	"1:\n\t"
	"testl $0x4, 192(%rdi)\n\t"
	"jnz 2f\n\t"
	"movw 190(%rdi), %ax\n\t"
	"movw %ax, %gs\n"
	"2:\n\t"
	/* Bases after selectors, so no selector load can undo them. */
	"testl $0x1, 192(%rdi)\n\t"
	"jz 3f\n\t"
	"movq 168(%rdi), %rax\n\t"
	"wrfsbase %rax\n\t"
	"movq 176(%rdi), %rax\n\t"
	"wrgsbase %rax\n"
	"3:\n\t"
	/* RSP -> the IRETQ frame inside *e: rip, cs, rflags, rsp, ss. */
	"leaq 128(%rdi), %rsp\n\t"
	"movq 0(%rdi), %rax\n\t"
	"movq 8(%rdi), %rcx\n\t"
	"movq 16(%rdi), %rdx\n\t"
	"movq 24(%rdi), %rbx\n\t"
	"movq 40(%rdi), %rbp\n\t"
	"movq 48(%rdi), %rsi\n\t"
	"movq 64(%rdi), %r8\n\t"
	"movq 72(%rdi), %r9\n\t"
	"movq 80(%rdi), %r10\n\t"
	"movq 88(%rdi), %r11\n\t"
	"movq 96(%rdi), %r12\n\t"
	"movq 104(%rdi), %r13\n\t"
	"movq 112(%rdi), %r14\n\t"
	"movq 120(%rdi), %r15\n\t"
	/* RDI last: it is the pointer. */
	"movq 56(%rdi), %rdi\n"
	".globl lr_enter_iretq\n"
	"lr_enter_iretq:\n\t"
	"iretq\n"
	".size lr_enter, . - lr_enter\n");

/*
 * Every handled signal starts here. Linux clears DF, TF and RF for a
 * handler but not AC (handle_signal(), arch/x86/kernel/signal.c), and a
 * testcase may set AC: with CR0.AM on, the handler's unaligned stores into
 * the packed result would raise #AC. Clear AC, then tail-call the C
 * handler (the stack is aligned as at a call), which returns through the
 * libc restorer for the traps a run survives.
 */
__asm__(".text\n"
	".globl lr_signal_entry\n"
	".type lr_signal_entry, @function\n"
	"lr_signal_entry:\n\t"
	"pushfq\n\t"
	"andq $~0x40000, (%rsp)\n\t"
	"popfq\n\t"
	"jmp lr_on_signal\n"
	".size lr_signal_entry, . - lr_signal_entry\n");
