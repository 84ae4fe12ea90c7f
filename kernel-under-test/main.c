// SPDX-License-Identifier: MIT
/*
 * Boot, then serve the mailbox forever: wait for the host's doorbell, run
 * the batch, ring back. One boot serves any number of batches.
 */
#include "kernel.h"
#include "arch/processor.h"
#include "coverage.h"

/*
 * Results are written in place, in the mailbox slot the host reads: each
 * line of a result crosses from the vCPU's core to the host's once, and no
 * copy runs in the guest, where TCG makes every word moved cost a few
 * nanoseconds (docs/bench.md, "Where the time goes").
 */
static void result_begin(struct gc_result *res)
{
	res->magic = 0;
	barrier(); /* a stale magic must never cover a half-written result */
}

static void result_publish(unsigned i, struct gc_result *res)
{
	res->index = i;
	barrier(); /* magic last: the host trusts nothing without it */
	res->magic = GC_RESULT_MAGIC;
}

/*
 * The bench floor (GC_SELFTEST_NOP_CASES): everything a case costs but the
 * runs themselves, i.e. doorbell, reading the case, result publish, host
 * check.
 */
static void run_nop_case(struct gc_result *res)
{
	res->n_cov = 0;
	memset(&res->mech, 0, sizeof(res->mech));
	memset(&res->ref, 0, sizeof(res->ref));
	res->mech.end = GC_END_LANDED;
	res->ref.end = GC_END_LANDED;
}

static void run_selftest(uint32_t what)
{
	if (what == GC_SELFTEST_HANG)
		for (;;)
			asm volatile("cli");
	if (what == GC_SELFTEST_TRIPLE_FAULT)
		triple_fault();
}

/*
 * The case is read where the host wrote it: the host does not touch the
 * slots of a batch in flight, and the kernel treats every byte of it as
 * untrusted data (run.c clamps the one index it uses).
 */
static void run_batch(void)
{
	uint32_t n = mailbox->batch_count;
	uint64_t defenses = mailbox->defenses;
	uint32_t selftest = mailbox->selftest;

	if (n > GC_MAX_BATCH)
		n = GC_MAX_BATCH;
	if (selftest == GC_SELFTEST_RAW_ROUND_TRIP)
		floor_begin();
	cov_collect(NULL);
	for (uint32_t i = 0; i < n; i++) {
		const struct gc_testcase *tc = &mailbox->cases[i];
		struct gc_result *res = &mailbox->results[i];

		mailbox->current = i;
		barrier();
		run_selftest(selftest);
		result_begin(res);
		if (selftest == GC_SELFTEST_NOP_CASES) {
			run_nop_case(res);
		} else if (selftest == GC_SELFTEST_RAW_ROUND_TRIP) {
			floor_run_case(res);
		} else {
			run_case(tc, defenses, res);
			cov_collect(res);
		}
		result_publish(i, res);
	}
	if (selftest == GC_SELFTEST_RAW_ROUND_TRIP)
		floor_end();
}

/*
 * Under KVM the host waits in KVM_RUN: leave it with one port write. Under
 * TCG the host spins a while, then sleeps with host_sleeping set; the port
 * write wakes it (abi.h, enum gc_doorbell). The fence orders the store of
 * guest_seq before the load of the flag, against the host's mirror image.
 */
static void ring_doorbell(void)
{
	if (mailbox->doorbell != GC_DOORBELL_PIO) {
		mb();
		if (!mailbox->host_sleeping)
			return;
	}
	outb(GC_DOORBELL_PORT, 0);
}

/* Plain loads in a tight loop: PAUSE would leave QEMU's translation block
 * and take the big lock every iteration (feasibility-doorbell.md §3). */
static uint64_t wait_for_doorbell(uint64_t seen)
{
	uint64_t seq;

	while ((seq = mailbox->host_seq) == seen)
		;
	return seq;
}

void kernel_main(void)
{
	uint64_t seq = 0;

	console_puts("gatecrash: test kernel booting\n");
	if (mailbox->magic != GC_MAILBOX_MAGIC)
		panic("no mailbox at GC_MAILBOX_GPA: not started by gatecrash");
	desc_init();
	paging_init();
	espfix_init();
	user_pages_init();

	mailbox->guest_abi_version = GC_ABI_VERSION;
	mailbox->boot_tsc = rdtsc();
	barrier();
	mailbox->guest_state = GC_GUEST_READY;
	console_puts("gatecrash: ready\n");
	ring_doorbell();

	for (;;) {
		uint64_t start;

		seq = wait_for_doorbell(seq);
		start = rdtsc();
		barrier();
		run_batch();
		mailbox->batch_tsc = rdtsc() - start;
		barrier();
		mailbox->guest_seq = seq;
		ring_doorbell();
	}
}
