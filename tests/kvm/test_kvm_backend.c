// SPDX-License-Identifier: MIT
/*
 * The kvm backend on whatever /dev/kvm this host has, kvm_pvm included:
 * VM creation and kernel load up to READY, a ring-0 mailbox round trip,
 * reset after a forced triple fault, the watchdog catching a hung guest,
 * the vendor override, and the fidelity probe's verdict. Guest ring 0 is
 * emulated under kvm_pvm (~0.5 us per instruction): batches stay small.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test.h"

#include "kvm_test.h"
#include "seeds.h"
#include "testcase.h"

static struct case_outcome outs[8];
static struct gc_testcase cases[8];

static int open_kvm(struct backend **b, const char *vendor, unsigned timeout)
{
	struct backend_config cfg = {
		.kernel_path = kvm_test_kernel(),
		.vendor = vendor,
		.force = 1,
		.case_timeout_ms = timeout,
	};
	char err[512];

	if (backend_open("kvm", &cfg, b, err, sizeof(err))) {
		fprintf(stderr, "backend_open(kvm): %s\n", err);
		return -1;
	}
	return 0;
}

static void load_minimal(unsigned n)
{
	static const char *const seeds[] = {"syscall64", "int80_64",
					    "int80_compat"};

	seeds_load_minimal(cases, n, seeds, 3);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

TEST(boot_to_ready)
{
	struct backend_stats st;
	struct backend *b;

	if (open_kvm(&b, NULL, 0))
		FAIL("the kernel did not boot to READY under kvm");
	backend_get_stats(b, &st);
	printf("  boot to READY %.1f ms; host %s, "
	       "guest %s\n",
	       st.boot_ms_last, st.host_vendor, st.guest_vendor);
	ASSERT(st.boot_ms_last > 0);
	ASSERT(st.host_vendor[0]);
	ASSERT_STREQ(st.guest_vendor, st.host_vendor);
	ASSERT_STREQ(backend_name(b), "kvm");
	backend_close(b);
}

/* A batch in, validated results out: every case CASE_OK, indices right. */
TEST(mailbox_round_trip)
{
	struct backend_stats st;
	struct backend *b;
	char err[256];

	if (open_kvm(&b, NULL, 0))
		FAIL("open");
	load_minimal(6);
	if (backend_run(b, cases, 6, GC_DEFENSES_ALL, outs, err, sizeof(err)))
		FAIL("backend_run: %s", err);
	for (unsigned i = 0; i < 6; i++) {
		if (outs[i].status != CASE_OK)
			FAIL("case %u: status %d: %s", i, outs[i].status,
			     outs[i].detail);
		ASSERT_EQ(outs[i].result.index, i);
		ASSERT(outs[i].result.mech.end != GC_END_NOT_RUN);
		ASSERT(outs[i].result.ref.end != GC_END_NOT_RUN);
	}
	backend_get_stats(b, &st);
	ASSERT_EQ(st.cases, 6);
	ASSERT_EQ(st.batches, 1);
	backend_close(b);
}

/* The same cases before and after a reset give the same results. */
static void assert_same_runs(const struct case_outcome *a,
			     const struct case_outcome *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (a[i].status != CASE_OK || b[i].status != CASE_OK)
			FAIL("case %u: status %d / %d (%s)", i, a[i].status,
			     b[i].status, b[i].detail);
		if (memcmp(&a[i].result.mech, &b[i].result.mech,
			   sizeof(a[i].result.mech)) ||
		    memcmp(&a[i].result.ref, &b[i].result.ref,
			   sizeof(a[i].result.ref)))
			FAIL("case %u: results differ after the reset", i);
	}
}

TEST(reset_after_triple_fault)
{
	static struct case_outcome before[3], after[3];
	struct backend_stats st;
	struct case_outcome crash;
	struct backend *b;
	char err[256];

	if (open_kvm(&b, NULL, 0))
		FAIL("open");
	load_minimal(3);
	if (backend_run(b, cases, 3, GC_DEFENSES_ALL, before, err,
			sizeof(err)))
		FAIL("backend_run: %s", err);
	if (backend_run_selftest(b, GC_SELFTEST_TRIPLE_FAULT, &crash, err,
				 sizeof(err)))
		FAIL("selftest: %s", err);
	ASSERT_EQ(crash.status, CASE_VM_CRASH);
	printf("  triple fault: %s\n", crash.detail);
	ASSERT(strstr(crash.detail, "SHUTDOWN"));
	/* Twice: the reset itself must leave a VM that can crash again. */
	if (backend_run_selftest(b, GC_SELFTEST_TRIPLE_FAULT, &crash, err,
				 sizeof(err)))
		FAIL("selftest: %s", err);
	ASSERT_EQ(crash.status, CASE_VM_CRASH);
	if (backend_run(b, cases, 3, GC_DEFENSES_ALL, after, err, sizeof(err)))
		FAIL("backend_run after the reset: %s", err);
	assert_same_runs(before, after, 3);
	backend_get_stats(b, &st);
	printf("  reset %.1f us\n", st.reset_us_last);
	ASSERT_EQ(st.resets, 2);
	backend_close(b);
}

TEST(watchdog_catches_hang)
{
	struct case_outcome hang, ok[1];
	struct backend *b;
	double t0, ms;
	char err[256];

	if (open_kvm(&b, NULL, 100))
		FAIL("open");
	t0 = now_ms();
	if (backend_run_selftest(b, GC_SELFTEST_HANG, &hang, err, sizeof(err)))
		FAIL("selftest: %s", err);
	ms = now_ms() - t0;
	printf("  hang caught after %.0f ms (timeout 100 ms): %s\n", ms,
	       hang.detail);
	ASSERT_EQ(hang.status, CASE_HANG);
	ASSERT(ms >= 100 && ms < 1000);
	load_minimal(1);
	if (backend_run(b, cases, 1, GC_DEFENSES_ALL, ok, err, sizeof(err)))
		FAIL("backend_run after the hang: %s", err);
	ASSERT_EQ(ok[0].status, CASE_OK);
	backend_close(b);
}

TEST(vendor_override)
{
	struct backend_stats st;
	struct backend *b;
	struct backend_config cfg = {.kernel_path = kvm_test_kernel(),
				     .vendor = "bogus",
				     .force = 1};
	char err[256];

	if (open_kvm(&b, "intel", 0))
		FAIL("open --vendor intel");
	backend_get_stats(b, &st);
	ASSERT_STREQ(st.guest_vendor, "GenuineIntel");
	backend_close(b);
	if (open_kvm(&b, "amd", 0))
		FAIL("open --vendor amd");
	backend_get_stats(b, &st);
	ASSERT_STREQ(st.guest_vendor, "AuthenticAMD");
	backend_close(b);
	ASSERT(backend_open("kvm", &cfg, &b, err, sizeof(err)) != 0);
	ASSERT(strstr(err, "--vendor intel, amd or host"));
}

/* On kvm_pvm the probe must fail, naming the checks that failed. */
TEST(probe_verdict)
{
	struct backend_config cfg = {.kernel_path = kvm_test_kernel()};
	struct probe_report rep;
	struct backend *b;
	char err[512];

	backend_probe("kvm", &cfg, &rep);
	printf("  probe: usable %d faithful %d: %s\n", rep.usable,
	       rep.faithful, rep.reason);
	ASSERT(rep.usable);
	if (!kvm_test_is_pvm())
		return;
	ASSERT(!rep.faithful);
	ASSERT(strstr(rep.reason, "kvm_pvm: a software hypervisor"));
	ASSERT(strstr(rep.reason, "SYSCALL reached LSTAR at CPL 3"));
	ASSERT(strstr(rep.reason, "ring-3 int $0x80 (64-bit) raised #UD "
				  "instead of reaching its gate"));
	ASSERT(strstr(rep.reason, "ring-3 int $0x80 (compat) raised #UD"));
	/* Without --force the backend refuses, saying what to do. */
	ASSERT(backend_open("kvm", &cfg, &b, err, sizeof(err)) != 0);
	ASSERT(strstr(err, "kvm_pvm is a software hypervisor"));
	ASSERT(strstr(err, "--backend tcg, or --force"));
}
