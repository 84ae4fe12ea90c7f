/* SPDX-License-Identifier: MIT */
/* The tcg backend's guest-to-host wakeup (tcg_wake.c). */
#ifndef GATECRASH_TCG_WAKE_H
#define GATECRASH_TCG_WAKE_H

#include <stddef.h>
#include <stdint.h>

#include "abi.h"

struct tcg_wake {
	int rd; /* the harness's end */
	int wr; /* QEMU's: isa-debugcon at GC_DOORBELL_PORT */
};

int tcg_wake_open(struct tcg_wake *w);
void tcg_wake_close(struct tcg_wake *w);
void tcg_wake_qemu_args(const struct tcg_wake *w, char *chardev,
			size_t chardev_len, char *device, size_t device_len);
/* Sleep until the guest rings, answers want, or timeout_ms passes. */
void tcg_wake_sleep(const struct tcg_wake *w, struct gc_mailbox *mb,
		    uint64_t want, int timeout_ms);

#endif
