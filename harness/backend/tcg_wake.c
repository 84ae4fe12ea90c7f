// SPDX-License-Identifier: MIT
/*
 * The guest-to-host wakeup of the tcg backend: a pipe whose write end is
 * QEMU's isa-debugcon at GC_DOORBELL_PORT. A host that has waited past its
 * spin budget sets mailbox->host_sleeping and sleeps in poll(); the guest,
 * having published guest_seq, writes the port when it sees the flag. A
 * spinning host would take the core a vCPU needs as soon as two VMs, or
 * anything else, share the machine (docs/internals.md "The mailbox and the doorbell"
 * §4-5: two spinning pairs collapse to CFS slices).
 *
 * The flag and guest_seq are a store-load handshake on both sides:
 * sequentially consistent here, MFENCE in the guest, which TCG honours
 * because QEMU runs with -smp 1,maxcpus=2 (MTTCG). A lost wakeup would
 * still only cost the poll timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "tcg_wake.h"

int tcg_wake_open(struct tcg_wake *w)
{
	int fds[2];

	w->rd = w->wr = -1;
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	w->rd = fds[0];
	w->wr = fds[1];
	if (fcntl(w->rd, F_SETFL, O_NONBLOCK)) {
		tcg_wake_close(w);
		return -1;
	}
	return 0;
}

void tcg_wake_close(struct tcg_wake *w)
{
	if (w->rd >= 0)
		close(w->rd);
	if (w->wr >= 0)
		close(w->wr);
	w->rd = w->wr = -1;
}

/* QEMU's arguments for the device, writing to the pipe it inherits. */
void tcg_wake_qemu_args(const struct tcg_wake *w, char *chardev,
			size_t chardev_len, char *device, size_t device_len)
{
	snprintf(chardev, chardev_len, "file,id=gcwake,path=/proc/self/fd/%d",
		 w->wr);
	snprintf(device, device_len, "isa-debugcon,chardev=gcwake,iobase=%#x",
		 GC_DOORBELL_PORT);
}

static void tcg_wake_drain(const struct tcg_wake *w)
{
	char buf[256];

	while (read(w->rd, buf, sizeof(buf)) > 0)
		;
}

void tcg_wake_sleep(const struct tcg_wake *w, struct gc_mailbox *mb,
		    uint64_t want, int timeout_ms)
{
	struct pollfd pfd = {.fd = w->rd, .events = POLLIN};
	uint64_t *guest_seq =
		(uint64_t *)((char *)mb +
			     __builtin_offsetof(struct gc_mailbox, guest_seq));

	__atomic_store_n(&mb->host_sleeping, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(guest_seq, __ATOMIC_SEQ_CST) != want)
		while (poll(&pfd, 1, timeout_ms) < 0 && errno == EINTR)
			;
	__atomic_store_n(&mb->host_sleeping, 0, __ATOMIC_RELAXED);
	tcg_wake_drain(w);
}
