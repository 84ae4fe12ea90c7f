/* SPDX-License-Identifier: MIT */
/*
 * An LDT for an execution (ldt.c), installed with modify_ldt before the
 * seccomp filter, so that LDT selectors a testcase names (TI = 1) load in
 * user mode as they do on the test kernel. No testcase field describes LDT
 * descriptors on this branch (another branch adds them): until one does,
 * plans install none, and tests/linux/test_ldt checks the plumbing with a
 * hand-made descriptor.
 */
#ifndef GC_LINUX_RUNNER_LDT_H
#define GC_LINUX_RUNNER_LDT_H

#include <asm/ldt.h>

#define LR_LDT_MAX 4

struct lr_ldt {
	unsigned n;
	struct user_desc e[LR_LDT_MAX]; /* modify_ldt's descriptor form */
};

/* Writes each entry (modify_ldt func 0x11: the new format, which also
 * takes "useable"). 0, or -1 with errno. */
int lr_ldt_install(const struct lr_ldt *l);

#endif
