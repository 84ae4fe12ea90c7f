// SPDX-License-Identifier: MIT
/*
 * kvm_bench: what the kvm backend costs on this host, labelled with the
 * fidelity probe's verdict (numbers from kvm_pvm are about a software
 * hypervisor, not about hardware virtualization).
 *
 *   floor      a bare VM looping on one ring-0 OUT: KVM exits/s
 *   mailbox    the test kernel's empty-batch doorbell round trip
 *   reset      triple fault + snapshot restore, and the restore alone
 *   testcases  batches of the minimal seeds, testcases/s
 *
 * usage: kvm_bench [--vendor intel|amd|host] [seconds per part, default 1]
 *
 * Built with KVM_BENCH_NO_MAIN, it is kvm_bench_measure() for `gatecrash
 * bench` (B6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kvm.h"
#include "kvm_bench.h"
#include "seeds.h"
#include "testcase.h"

#define FLOOR_CODE_GPA 0x1000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 32-bit protected mode, ring 0: mov $GC_DOORBELL_PORT, %dx;
 * 1: out %al, %dx; jmp 1b */
static int bench_floor(const char *vendor, double secs, struct kvm_bench *r,
		       char *err, size_t errlen)
{
	static const uint8_t code[] = {0x66, 0xba, GC_DOORBELL_PORT & 0xff,
				       GC_DOORBELL_PORT >> 8, 0xee, 0xeb,
				       0xfd};
	struct kvm_vm vm;
	char why[160];
	unsigned long n = 0;
	double t0, t;

	if (kvm__init(&vm, vendor, err, errlen) ||
	    (memcpy(vm.ram + FLOOR_CODE_GPA, code, sizeof(code)),
	     kvm__set_pvh_state(&vm, FLOOR_CODE_GPA, err, errlen)))
		return -1;
	t0 = now_s();
	do {
		for (int i = 0; i < 1000; i++, n++)
			if (vcpu__run(&vm, why, sizeof(why)) != VCPU_DOORBELL) {
				snprintf(err, errlen, "floor: %s", why);
				kvm__exit(&vm);
				return -1;
			}
		t = now_s() - t0;
	} while (t < secs);
	r->exits_per_s = n / t;
	r->n_exits = n;
	kvm__exit(&vm);
	return 0;
}

/* int80 and syscall seeds: what every backend can run. */
static const char *const kvm_bench_seeds[] = {"syscall64", "int80_64",
					      "int80_compat"};

static int bench_testcases(void *priv, double secs, struct kvm_bench *r,
			   char *err, size_t errlen)
{
	static struct gc_testcase tc[GC_MAX_BATCH];
	static struct case_outcome out[GC_MAX_BATCH];
	unsigned long n = 0;
	double t0, t;

	seeds_load_minimal(tc, GC_MAX_BATCH, kvm_bench_seeds, 3);
	t0 = now_s();
	do {
		if (kvm_ops.run(priv, tc, GC_MAX_BATCH, GC_DEFENSES_ALL,
				GC_SELFTEST_NONE, out, err, errlen))
			return -1;
		n += GC_MAX_BATCH;
		t = now_s() - t0;
	} while (t < secs);
	r->cases_per_s = n / t;
	r->n_cases = n;
	return 0;
}

static void bench_reset(void *priv, double secs, struct kvm_bench *r)
{
	struct backend_stats st;
	struct case_outcome out;
	struct gc_testcase tc;
	double t0, t, restore_us = 0;
	unsigned long n = 0;
	char err[256];

	tc_default(&tc);
	t0 = now_s();
	do {
		/* The backend restores the snapshot before it returns. */
		kvm_ops.run(priv, &tc, 1, GC_DEFENSES_ALL,
			    GC_SELFTEST_TRIPLE_FAULT, &out, err, sizeof(err));
		kvm_ops.get_stats(priv, &st);
		restore_us += st.reset_us_last;
		n++;
		t = now_s() - t0;
	} while (t < secs && n < 100000);
	r->restore_us = restore_us / n;
	r->reset_cycle_us = t / n * 1e6;
	r->n_resets = n;
}

/* Last: it drives host_seq itself, which the backend cannot follow. */
static int bench_mailbox(void *priv, double secs, struct kvm_bench *r,
			 char *err, size_t errlen)
{
	struct kvm_vm *vm = kvm__backend_vm(priv);
	uint64_t seq = vm->mb->host_seq;
	unsigned long n = 0;
	char why[160];
	double t0, t;

	vm->mb->batch_count = 0;
	vm->mb->selftest = GC_SELFTEST_NONE;
	t0 = now_s();
	do {
		for (int i = 0; i < 100; i++, n++) {
			__atomic_store_n(&vm->mb->host_seq, ++seq,
					 __ATOMIC_RELEASE);
			if (vcpu__run(vm, why, sizeof(why)) != VCPU_DOORBELL) {
				snprintf(err, errlen, "mailbox: %s", why);
				return -1;
			}
		}
		t = now_s() - t0;
	} while (t < secs);
	r->mailbox_per_s = n / t;
	r->n_mailbox = n;
	return 0;
}

static int bench_backend(const struct backend_config *cfg, double secs,
			 struct kvm_bench *r, char *err, size_t errlen)
{
	struct backend_stats st;
	void *priv;
	int rc;

	if (kvm_ops.open(cfg, &priv, err, errlen))
		return -1;
	kvm_ops.get_stats(priv, &st);
	r->boot_ms = st.boot_ms_last;
	rc = bench_testcases(priv, secs, r, err, errlen);
	if (!rc)
		bench_reset(priv, secs, r);
	if (!rc)
		rc = bench_mailbox(priv, secs, r, err, errlen);
	kvm_ops.close(priv);
	return rc;
}

int kvm_bench_measure(const char *vendor, double secs, struct kvm_bench *r,
		      char *err, size_t errlen)
{
	struct backend_config cfg = {.kernel_path = GC_KERNEL_ELF, .force = 1};
	struct probe_report rep;

	memset(r, 0, sizeof(*r));
	cfg.vendor = vendor;
	backend_probe("kvm", &cfg, &rep);
	r->usable = rep.usable;
	r->faithful = rep.faithful;
	snprintf(r->reason, sizeof(r->reason), "%s", rep.reason);
	if (!rep.usable)
		return 0;
	if (bench_floor(vendor, secs, r, err, errlen))
		return -1;
	return bench_backend(&cfg, secs, r, err, errlen);
}

#ifndef KVM_BENCH_NO_MAIN
static void print_results(const struct kvm_bench *r)
{
	printf("floor      ring-0 OUT round trip: %.0f exits/s (%.2f us "
	       "each, n=%lu)\n",
	       r->exits_per_s, 1e6 / r->exits_per_s, r->n_exits);
	printf("boot       kernel load + PVH entry to READY: %.1f ms\n",
	       r->boot_ms);
	printf("testcases  batches of %u minimal seeds: %.0f testcases/s "
	       "(%.1f us each, n=%lu)\n",
	       GC_MAX_BATCH, r->cases_per_s, 1e6 / r->cases_per_s,
	       r->n_cases);
	printf("reset      restore alone %.1f us; triple fault + restore "
	       "cycle %.1f us (n=%lu)\n",
	       r->restore_us, r->reset_cycle_us, r->n_resets);
	printf("mailbox    empty batch round trip: %.0f exits/s (%.2f us "
	       "each, n=%lu)\n",
	       r->mailbox_per_s, 1e6 / r->mailbox_per_s, r->n_mailbox);
}

int main(int argc, char **argv)
{
	const char *vendor = NULL;
	struct kvm_bench r;
	double secs = 1;
	char err[640];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--vendor") && i + 1 < argc)
			vendor = argv[++i];
		else
			secs = atof(argv[i]) > 0 ? atof(argv[i]) : 1;
	}
	if (kvm_bench_measure(vendor, secs, &r, err, sizeof(err))) {
		fprintf(stderr, "kvm_bench: %s\n", err);
		return 1;
	}
	if (!r.usable) {
		printf("kvm_bench: kvm not usable: %s\n", r.reason);
		return 0;
	}
	printf("kvm %s: %s\n", r.faithful ? "FAITHFUL" : "UNFAITHFUL",
	       r.reason);
	print_results(&r);
	return 0;
}
#endif
