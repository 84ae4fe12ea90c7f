/* SPDX-License-Identifier: MIT */
/* One execution in a forked child (child.c). */
#ifndef GC_LINUX_RUNNER_CHILD_H
#define GC_LINUX_RUNNER_CHILD_H

#include "runner.h"

/*
 * Runs plan p with its result in run and reasons in slot->detail.
 * under_qemu: no seccomp allowlist (QEMU refuses PR_SET_SECCOMP to its
 * guests), and sigcontext.trapno is not the vector. use_rdbase: the
 * handler reads FS/GS base with RDFSBASE. dr6_box: where the runner, as
 * tracer, leaves DR6 when the plan sets debug registers.
 * Never returns; the exit code is one of LR_EXIT_*.
 */
__attribute__((noreturn)) void
lr_child_run(struct lr_slot *slot, struct gc_run *run, const struct lr_plan *p,
	     unsigned timeout_ms, int under_qemu, int use_rdbase,
	     struct lr_dr6_mailbox *dr6_box);

#endif
