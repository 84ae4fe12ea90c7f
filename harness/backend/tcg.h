/* SPDX-License-Identifier: MIT */
/*
 * Private to harness/backend/: the tcg backend's entry points, and the
 * validator of guest-written results that every backend shares (the ops
 * table is in backend_ops.h).
 */
#ifndef GC_BACKEND_TCG_H
#define GC_BACKEND_TCG_H

#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "backend.h"
#include "verdict.h"

#include "backend_ops.h"

/* Default deadlines. */
#define TCG_CASE_TIMEOUT_MS 50
#define TCG_BOOT_TIMEOUT_MS 5000

/*
 * Where qemu-system-x86_64 is: cfg_path if it names a file, else a search of
 * PATH. Returns 0 with the path in out, or -1 with what to do in err.
 */
int tcg__find_qemu(const char *cfg_path, char *out, size_t outlen, char *err,
		   size_t errlen);

/*
 * Test hook, for tests/reliability/ only: when set, called with the shared
 * mailbox and QEMU's pid at three points of each batch of k cases: with
 * the cases written but before host_seq is bumped (TCG_HOOK_RING), and
 * once the guest answered (TCG_HOOK_ANSWERED) or stopped, hung or dead
 * (TCG_HOOK_STOPPED), before the host copies anything out. So a test can
 * starve or freeze QEMU at a known moment and play a hostile guest that
 * scribbles on what the host is about to read. NULL otherwise: two untaken
 * branches per batch.
 */
enum tcg_hook_point { TCG_HOOK_RING, TCG_HOOK_ANSWERED, TCG_HOOK_STOPPED };
typedef void (*tcg_mailbox_hook_fn)(struct gc_mailbox *mb, unsigned k,
				    enum tcg_hook_point at, int qemu_pid,
				    void *arg);
extern tcg_mailbox_hook_fn tcg_test_mailbox_hook;
extern void *tcg_test_mailbox_hook_arg;

/*
 * Result validation (result_check.c). The guest is untrusted: out->result
 * must already be the host's private copy (copied out of shared memory
 * before this runs, so the guest cannot change it between check and use).
 * Sets out->status to CASE_OK, or to CASE_ERROR with a detail.
 *
 * The counts n_exc, n_exits and n_entries may legitimately exceed the
 * arrays they describe (the guest keeps the first GC_MAX_EXC / GC_MAX_EXITS
 * and counts the rest); they are left as the guest wrote them and every
 * reader must clamp them to the array size. Only a count no run within the
 * entry budget can reach (RESULT_MAX_COUNT) is an error.
 */
#define RESULT_MAX_COUNT (4 * GC_ENTRY_BUDGET)
/* cov_len: bytes in the kernel's counter block; per-case coverage past it
 * is dropped, n_cov clamped (0: the backend keeps none). */
void result_check(struct case_outcome *out, unsigned index, size_t cov_len);
/* The same check with the reason as a string: 0 if valid. */
int result_check_one(const struct gc_result *r, unsigned index, char *why,
		     size_t len);

#endif
