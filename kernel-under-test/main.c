// SPDX-License-Identifier: MIT
/*
 * Boot, then serve the mailbox forever: wait for the host's doorbell, run
 * the batch, ring back. One boot serves any number of batches.
 */
#include "kernel.h"
#include "arch/processor.h"

static struct gc_result result_scratch;

static void publish_result(unsigned i, struct gc_result *res)
{
	res->index = i;
	res->magic = 0;
	memcpy(&mailbox->results[i], res, sizeof(*res));
	barrier(); /* magic last: the host trusts nothing without it */
	mailbox->results[i].magic = GC_RESULT_MAGIC;
}

/*
 * The bench floor (GC_SELFTEST_NOP_CASES): everything a case costs but the
 * runs themselves, i.e. doorbell, case copy-in, result publish, host check.
 */
static void publish_nop_result(unsigned i)
{
	memset(&result_scratch, 0, sizeof(result_scratch));
	result_scratch.mech.end = GC_END_LANDED;
	result_scratch.ref.end = GC_END_LANDED;
	publish_result(i, &result_scratch);
}

static void run_selftest(uint32_t what)
{
	if (what == GC_SELFTEST_HANG)
		for (;;)
			asm volatile("cli");
	if (what == GC_SELFTEST_TRIPLE_FAULT)
		triple_fault();
}

static void run_batch(void)
{
	uint32_t n = mailbox->batch_count;
	uint64_t defenses = mailbox->defenses;
	struct gc_testcase tc;

	if (n > GC_MAX_BATCH)
		n = GC_MAX_BATCH;
	for (uint32_t i = 0; i < n; i++) {
		mailbox->current = i;
		barrier();
		run_selftest(mailbox->selftest);
		memcpy(&tc, &mailbox->cases[i], sizeof(tc));
		tc.mechanism %= GC_MECH_COUNT; /* the host normalizes; be safe */
		if (mailbox->selftest == GC_SELFTEST_NOP_CASES) {
			publish_nop_result(i);
			continue;
		}
		run_case(&tc, defenses, &result_scratch);
		publish_result(i, &result_scratch);
	}
}

/* Under KVM the host waits in KVM_RUN: leave it with one port write. */
static void ring_doorbell(void)
{
	if (mailbox->doorbell == GC_DOORBELL_PIO)
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
		seq = wait_for_doorbell(seq);
		barrier();
		run_batch();
		barrier();
		mailbox->guest_seq = seq;
		ring_doorbell();
	}
}
