/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU area, reached through GS as Linux reaches its own: the
 * entries SWAPGS from the user's GS base to this area's address (held in
 * MSR_KERNEL_GS_BASE while user code runs), and the paranoid entries (#DB,
 * NMI, #DF, #MC from ring 0, where either GS may be live) must make sure
 * they run on it before they use it (E18). Offsets are asm-visible.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

/*
 * Where GS points in the kernel: a supervisor alias of the area in the
 * upper half (PML4[511]), as Linux's per-CPU bases are kernel addresses.
 * The sign matters: the old paranoid entry took "GS base negative" to mean
 * "the kernel's GS is live already".
 */
#define PERCPU_VA 0xffffff8000000000

#define PCPU_SELF 0	   /* this area's own address: %gs:0 */
#define PCPU_USER_RSP 8	   /* SYSCALL entry's scratch for the user RSP */
#define PCPU_STACK_TOP 16  /* the kernel stack SYSCALL switches to */
#define PCPU_PENDING_DR6 24 /* a user breakpoint hit in ring 0 (E8) */
#define PCPU_SIZE 32

#ifndef __ASSEMBLER__
#include <stdint.h>

struct percpu {
	uint64_t self;
	uint64_t user_rsp;
	uint64_t stack_top;
	uint64_t pending_dr6;
};
_Static_assert(__builtin_offsetof(struct percpu, self) == PCPU_SELF, "self");
_Static_assert(__builtin_offsetof(struct percpu, user_rsp) == PCPU_USER_RSP,
	       "user_rsp");
_Static_assert(__builtin_offsetof(struct percpu, stack_top) == PCPU_STACK_TOP,
	       "stack_top");
_Static_assert(__builtin_offsetof(struct percpu, pending_dr6) ==
		       PCPU_PENDING_DR6,
	       "pending_dr6");
_Static_assert(sizeof(struct percpu) == PCPU_SIZE, "percpu");

/* The one CPU's area, by its symbol: for code outside any entry. */
extern struct percpu percpu;

/* The area as the live GS base says: what entry-time code must use. */
static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	asm volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}
#endif

#endif
