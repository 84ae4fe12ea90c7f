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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kvm.h"
#include "testcase.h"

#define FLOOR_CODE_GPA 0x1000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 32-bit protected mode, ring 0: mov $0x510, %dx; 1: out %al, %dx; jmp 1b */
static int bench_floor(const char *vendor, double secs)
{
	static const uint8_t code[] = {0x66, 0xba, 0x10, 0x05, 0xee, 0xeb,
				       0xfd};
	struct kvm_vm vm;
	char err[256], why[160];
	unsigned long n = 0;
	double t0, t;

	if (kvm__init(&vm, vendor, err, sizeof(err)) ||
	    (memcpy(vm.ram + FLOOR_CODE_GPA, code, sizeof(code)),
	     kvm__set_pvh_state(&vm, FLOOR_CODE_GPA, err, sizeof(err)))) {
		fprintf(stderr, "kvm_bench: %s\n", err);
		return -1;
	}
	t0 = now_s();
	do {
		for (int i = 0; i < 1000; i++, n++)
			if (vcpu__run(&vm, why, sizeof(why)) != VCPU_DOORBELL) {
				fprintf(stderr, "kvm_bench: floor: %s\n", why);
				kvm__exit(&vm);
				return -1;
			}
		t = now_s() - t0;
	} while (t < secs);
	printf("floor      ring-0 OUT round trip: %.0f exits/s (%.2f us "
	       "each, n=%lu)\n",
	       n / t, t / n * 1e6, n);
	kvm__exit(&vm);
	return 0;
}

static void load_cases(struct gc_testcase *tc, unsigned n)
{
	static const char *const files[] = {"syscall64", "int80_64",
					    "int80_compat"};
	char path[512], err[256];

	for (unsigned i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/seeds/minimal/%s.tc",
			 GC_SOURCE_DIR, files[i % 3]);
		if (tc_load_file(path, &tc[i], NULL, err, sizeof(err)))
			tc_default(&tc[i]);
	}
}

static void bench_testcases(void *priv, double secs)
{
	static struct gc_testcase tc[GC_MAX_BATCH];
	static struct case_outcome out[GC_MAX_BATCH];
	unsigned long n = 0;
	char err[256];
	double t0, t;

	load_cases(tc, GC_MAX_BATCH);
	t0 = now_s();
	do {
		if (kvm_ops.run(priv, tc, GC_MAX_BATCH, GC_DEFENSES_ALL,
				GC_SELFTEST_NONE, out, err, sizeof(err))) {
			fprintf(stderr, "kvm_bench: %s\n", err);
			return;
		}
		n += GC_MAX_BATCH;
		t = now_s() - t0;
	} while (t < secs);
	printf("testcases  batches of %u minimal seeds: %.0f testcases/s "
	       "(%.1f us each, n=%lu)\n",
	       GC_MAX_BATCH, n / t, t / n * 1e6, n);
}

static void bench_reset(void *priv, double secs)
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
	printf("reset      restore alone %.1f us; triple fault + restore "
	       "cycle %.1f us (n=%lu)\n",
	       restore_us / n, t / n * 1e6, n);
}

/* Last: it drives host_seq itself, which the backend cannot follow. */
static void bench_mailbox(void *priv, double secs)
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
				fprintf(stderr, "kvm_bench: mailbox: %s\n",
					why);
				return;
			}
		}
		t = now_s() - t0;
	} while (t < secs);
	printf("mailbox    empty batch round trip: %.0f exits/s (%.2f us "
	       "each, n=%lu)\n",
	       n / t, t / n * 1e6, n);
}

int main(int argc, char **argv)
{
	struct backend_config cfg = {.kernel_path = GC_KERNEL_ELF, .force = 1};
	struct backend_stats st;
	struct probe_report rep;
	double secs = 1;
	char err[640];
	void *priv;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--vendor") && i + 1 < argc)
			cfg.vendor = argv[++i];
		else
			secs = atof(argv[i]) > 0 ? atof(argv[i]) : 1;
	}
	backend_probe("kvm", &cfg, &rep);
	if (!rep.usable) {
		printf("kvm_bench: kvm not usable: %s\n", rep.reason);
		return 0;
	}
	printf("kvm %s: %s\n", rep.faithful ? "FAITHFUL" : "UNFAITHFUL",
	       rep.reason);
	if (bench_floor(cfg.vendor, secs))
		return 1;
	if (kvm_ops.open(&cfg, &priv, err, sizeof(err))) {
		fprintf(stderr, "kvm_bench: %s\n", err);
		return 1;
	}
	kvm_ops.get_stats(priv, &st);
	printf("boot       kernel load + PVH entry to READY: %.1f ms\n",
	       st.boot_ms_last);
	bench_testcases(priv, secs);
	bench_reset(priv, secs);
	bench_mailbox(priv, secs);
	kvm_ops.close(priv);
	return 0;
}
