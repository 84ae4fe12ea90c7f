/* SPDX-License-Identifier: MIT */
/*
 * The kvm backend's costs (kvm_bench.c), for the kvm_bench program and for
 * `gatecrash bench` (B6), so both measure the same thing the same way.
 */
#ifndef GC_KVM_BENCH_H
#define GC_KVM_BENCH_H

#include <stddef.h>

struct kvm_bench {
	int usable, faithful;	/* the fidelity probe's verdict */
	char reason[640];	/* the probe's words */
	double exits_per_s;	/* floor: bare VM, one ring-0 OUT per exit */
	double boot_ms;		/* kernel load + PVH entry to READY */
	double cases_per_s;	/* batches of 256 minimal seeds */
	double restore_us;	/* snapshot restore alone */
	double reset_cycle_us;	/* triple fault + restore */
	double mailbox_per_s;	/* empty-batch doorbell round trips */
	unsigned long n_exits, n_cases, n_resets, n_mailbox;
};

/* Measures each part for secs seconds. Returns 0 (r->usable says whether
 * kvm could run at all), or -1 with err set when a part failed. */
int kvm_bench_measure(const char *vendor, double secs, struct kvm_bench *r,
		      char *err, size_t errlen);

#endif
