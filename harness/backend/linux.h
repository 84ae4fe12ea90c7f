/* SPDX-License-Identifier: MIT */
/*
 * Private to harness/backend/: the linux and qemu-user backends (linux.c),
 * which run testcases in gatecrash-linux-runner (harness/linux-runner/) on
 * the running kernel, natively or under qemu-x86_64. docs/backends.md.
 */
#ifndef GC_BACKEND_LINUX_H
#define GC_BACKEND_LINUX_H

#include "backend_ops.h"

extern const struct backend_ops linux_ops;
extern const struct backend_ops qemu_user_ops;
extern const struct backend_ops linux_vm_ops;

struct lr_slot;
/* A runner slot, checked, as an outcome (the linux-vm backend's too). */
void linux_collect_slot(const struct lr_slot *slot, unsigned index,
			struct case_outcome *o);
/* CLOCK_MONOTONIC in ms, and a read of len bytes of fd by such a deadline
 * (-1 on timeout, EOF or error): the runner's replies, on the host and
 * from the linux-vm guest alike. */
uint64_t linux_mono_ms(void);
int linux_read_by(int fd, void *buf, size_t len, uint64_t deadline_ms);
/* The runner's reply to batch seq of n cases, by the deadline: 0, or -1
 * on timeout, a dead runner (or guest) or a reply that does not match. */
int linux_await_reply(int fd, uint32_t seq, unsigned n, uint64_t deadline_ms);
/* Every outcome of out[0, nr) harness trouble (CASE_ERROR), detail why. */
void linux_fail_all(struct case_outcome *out, unsigned nr, const char *why);
/* Marks what no runner expresses (the test kernel's LDT, SS probe...). */
void linux_mark_unsupported(const struct gc_testcase *cases, unsigned n,
			    struct case_outcome *out);

/* Per-execution deadlines: a native fork is ~0.1 ms, a qemu-x86_64 one
 * several ms; a deadline only costs time when a case hangs. */
#define LINUX_CASE_TIMEOUT_MS	  1000
#define QEMU_USER_CASE_TIMEOUT_MS 3000
/* Start-up allowance per batch (qemu-x86_64 translating the runner). */
#define LINUX_BATCH_SLACK_MS 5000

#endif
