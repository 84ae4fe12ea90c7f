/* SPDX-License-Identifier: MIT */
/*
 * The contract between the linux / qemu-user backends (harness/backend/
 * linux.c) and gatecrash-linux-runner: one shared memory file (a memfd the
 * runner inherits as LR_SHM_FD), a command pipe on the runner's stdin and a
 * reply pipe on its stdout.
 *
 * One batch: the host fills slots[0..n) with testcases, writes a struct
 * lr_command on the pipe, and waits for a struct lr_reply. For each slot the
 * runner forks one child per execution (mechanism, then reference); each
 * child writes its gc_run into the slot and exits. The runner then fills the
 * slot's status. Everything the runner writes is untrusted by the host: the
 * children run fuzzed register state, so results go through result_check.
 */
#ifndef GC_LINUX_RUNNER_PROTOCOL_H
#define GC_LINUX_RUNNER_PROTOCOL_H

#include <stdint.h>

#include "abi.h"

#define LR_SHM_FD  3
#define LR_MAGIC   0x4c52474bu /* "KGRL" */
#define LR_VERSION 1

/* What became of one slot (the runner's view, mapped to case_status). */
enum lr_status {
	LR_NOT_RUN = 0,
	LR_OK = 1,
	LR_HANG = 2,	    /* an execution outlived its deadline */
	LR_UNSUPPORTED = 3, /* this runner cannot express the testcase */
	LR_ERROR = 4,	    /* setup failed, seccomp kill, odd death */
	LR_CRASH = 5,	    /* qemu-x86_64 itself died under the execution */
	LR_STATUS_COUNT
};

/* Host flags in struct lr_shm.flags. */
#define LR_FLAG_QEMU_USER 0x1 /* the runner runs under qemu-x86_64 */

struct lr_slot {
	struct gc_testcase tc; /* host-written */
	uint32_t status;       /* enum lr_status, runner-written */
	char detail[120];      /* for non-OK: one line */
	struct gc_result result;
} __attribute__((packed));

struct lr_shm {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;	     /* LR_FLAG_* */
	uint32_t timeout_ms; /* per execution */
	struct lr_slot slots[GC_MAX_BATCH];
} __attribute__((packed));

struct lr_command {
	uint32_t n; /* slots to run; 0 asks the runner to exit */
	uint32_t seq;
};

struct lr_reply {
	uint32_t n_done;
	uint32_t seq;
};

#endif
