/* SPDX-License-Identifier: MIT */
/*
 * Debug registers for an execution, through ptrace (debugregs.c): user
 * mode cannot write DR0-DR7, so the runner server, as the execution's
 * tracer, pokes them before the testcase starts and reads DR6 at every
 * SIGTRAP it passes on, for the capture handler to report (the sigcontext
 * has no DR6). Natively only: qemu-x86_64 implements no ptrace for its
 * guests.
 *
 * Small and self-contained so it can be tested with a hand-made child
 * (tests/linux/test_debugregs.c) before any testcase field carries debug
 * registers.
 */
#ifndef GC_LINUX_RUNNER_DEBUGREGS_H
#define GC_LINUX_RUNNER_DEBUGREGS_H

#include <stdint.h>
#include <sys/types.h>

struct lr_debugregs {
	uint64_t dr[4]; /* DR0-DR3: linear addresses */
	uint64_t dr7;	/* 0: no debug registers, no tracing */
};

/* Where the tracer leaves DR6 for the traced child's handler: a page both
 * share (MAP_SHARED, mapped before the fork). */
struct lr_dr6_mailbox {
	volatile uint64_t dr6;
	volatile uint32_t seq; /* bumped with every DR6 written */
};

/* Child, before its seccomp filter: let the parent trace it, and stop
 * until the debug registers are set. 0 or -1 (errno). */
int lr_dr_child_stop(void);

/*
 * Parent: waits for the child's first stop, writes DR0-DR3 and then DR7
 * (the kernel validates DR7 against the addresses), and lets it run on,
 * still traced. 0, or -1 with the child killed.
 */
int lr_dr_attach(pid_t pid, const struct lr_debugregs *d);

/*
 * Parent: waits for the traced child to end, passing on every signal it
 * stops with; at a SIGTRAP stop it first puts DR6 in *box. Returns 0 with
 * the final wait status in *ws, or -1 (errno).
 */
int lr_dr_wait(pid_t pid, struct lr_dr6_mailbox *box, int *ws);

#endif
