// SPDX-License-Identifier: MIT
/*
 * B1 (batched testcases/s vs the guest's per-case floor) and B3 (reset
 * cost after a faulting testcase vs a plain one), on one tcg backend.
 * B1 goes through backend_run(), as every command does; B3 drives the
 * backend's ops, one case per round trip.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "backend_ops.h"
#include "bench.h"
#include "defenses.h"
#include "seeds.h"
#include "testcase.h"

static struct gc_testcase cases[GC_MAX_BATCH];
static struct case_outcome outs[GC_MAX_BATCH];

/* The minimal seeds, cycled through a batch: the B1 workload. */
static void load_minimal(void)
{
	static const char *const seeds[] = {
		"syscall64", "syscall_compat", "int80_64", "int80_compat",
		"int3",	     "int_3",	       "into",	   "int_1",
	};

	seeds_load_minimal(cases, GC_MAX_BATCH, seeds, 8);
}

/* Cases/s of n-case batches for secs; judge: oracle on every result. */
static double run_for(struct backend *b, unsigned n,
		      const struct gc_testcase *tc, uint64_t defs,
		      enum gc_selftest st, int judge, double secs, char *err,
		      size_t errlen)
{
	struct verdict v;
	unsigned long done = 0;
	double t0 = bench_now(), t;

	do {
		if (backend_run_selftest_cases(b, st, tc, n, defs, outs, err,
					       errlen))
			return -1;
		for (unsigned i = 0; judge && i < n; i++)
			oracle_judge(&tc[i], &outs[i], &v);
		done += n;
		t = bench_now() - t0;
	} while (t < secs);
	return done / t;
}

/* One slice of each, interleaved, so a burst of foreign load hits all. */
struct b1_rates {
	double full, floor, nop;
};

static int b1_round(struct backend *b, double slice, unsigned rounds,
		    struct b1_rates *r, char *err, size_t errlen)
{
	static const enum gc_selftest modes[] = {
		GC_SELFTEST_NONE,
		GC_SELFTEST_RAW_ROUND_TRIP,
		GC_SELFTEST_NOP_CASES,
	};
	double *into[] = {&r->full, &r->floor, &r->nop};

	for (unsigned m = 0; m < 3; m++) {
		double v = run_for(b, GC_MAX_BATCH, cases, GC_DEFENSES_ALL,
				   modes[m], modes[m] == GC_SELFTEST_NONE,
				   slice, err, errlen);

		if (v < 0)
			return -1;
		*into[m] += v / rounds;
	}
	return 0;
}

void bench_b1(const struct bench_opts *o, struct bench_fig *f)
{
	struct backend_config cfg = {0};
	double slice = o->quick ? 0.25 : 1.5, hz, guest_us, floor_us;
	struct b1_rates r = {0};
	unsigned rounds = 4;
	struct backend_stats st;
	struct backend *b;
	char err[256];

	f->unit = "testcases/s";
	if (backend_open("tcg", &cfg, &b, err, sizeof(err))) {
		snprintf(f->note, sizeof(f->note), "tcg: %s", err);
		return;
	}
	load_minimal();
	/* Warm up: the first batches translate the kernel's paths. */
	run_for(b, GC_MAX_BATCH, cases, GC_DEFENSES_ALL, GC_SELFTEST_NONE, 1,
		0.1, err, sizeof(err));
	for (unsigned i = 0; i < rounds; i++)
		if (b1_round(b, slice, rounds, &r, err, sizeof(err)))
			break;
	backend_get_stats(b, &st);
	backend_close(b);
	if (r.full <= 0 || r.floor <= 0 || r.nop <= 0) {
		snprintf(f->note, sizeof(f->note), "tcg: %s", err);
		return;
	}
	f->have_value = f->have_floor = 1;
	f->value = r.full;
	f->floor = r.floor;
	hz = bench_tsc_hz();
	guest_us = st.guest_tsc_per_case_min * 1e6 / hz;
	floor_us = st.floor_tsc_per_case_min * 1e6 / hz;
	bench_extra(f,
		    ", \"us_per_case\": %.3f, \"floor_us_per_case\": %.3f"
		    ", \"doorbell_us_per_case\": %.3f"
		    ", \"guest_us_per_case_min\": %.3f"
		    ", \"guest_floor_us_per_case_min\": %.3f"
		    ", \"guest_ratio\": %.3f",
		    1e6 / r.full, 1e6 / r.floor, 1e6 / r.nop, guest_us,
		    floor_us, guest_us > 0 ? floor_us / guest_us : 0.0);
	snprintf(f->note, sizeof(f->note),
		 "batches of %u minimal seeds, every defense on, oracle on "
		 "each; floor: the same batches where each case is the raw "
		 "round trip (ring 3, one SYSCALL and one INT through stubs, "
		 "GC_SELFTEST_RAW_ROUND_TRIP); doorbell: no user mode at all; "
		 "guest_*_min: the guest's own clock of its fastest batch, "
		 "whatever the host's load",
		 GC_MAX_BATCH);
}

double bench_b1_rate(double secs, char *err, size_t errlen)
{
	struct backend_config cfg = {0};
	struct backend *b;
	double v;

	if (backend_open("tcg", &cfg, &b, err, errlen))
		return -1;
	load_minimal();
	run_for(b, GC_MAX_BATCH, cases, GC_DEFENSES_ALL, GC_SELFTEST_NONE, 1,
		0.1, err, errlen);
	v = run_for(b, GC_MAX_BATCH, cases, GC_DEFENSES_ALL, GC_SELFTEST_NONE,
		    1, secs, err, errlen);
	backend_close(b);
	return v;
}

double bench_replay_rate(const struct gc_testcase *tcs, unsigned n,
			 double secs, char *err, size_t errlen)
{
	struct backend_config cfg = {0};
	unsigned long done = 0, next = 0;
	struct backend *b;
	struct verdict v;
	double t0, t;

	if (!n || backend_open("tcg", &cfg, &b, err, errlen))
		return -1;
	t0 = bench_now();
	do {
		for (unsigned i = 0; i < GC_MAX_BATCH; i++)
			cases[i] = tcs[next++ % n];
		if (backend_run(b, cases, GC_MAX_BATCH, GC_DEFENSES_ALL, outs,
				err, errlen)) {
			backend_close(b);
			return -1;
		}
		for (unsigned i = 0; i < GC_MAX_BATCH; i++)
			oracle_judge(&cases[i], &outs[i], &v);
		done += GC_MAX_BATCH;
		t = bench_now() - t0;
	} while (t < secs);
	backend_close(b);
	return done / t;
}

/* µs per single-case round trip; *ends counts results with that end. */
static double us_per_case(void *priv, const struct gc_testcase *tc,
			  uint64_t defs, enum gc_selftest st, double secs,
			  unsigned long max, enum gc_end end,
			  unsigned long *ends)
{
	unsigned long n = 0;
	char err[256];
	double t0 = bench_now(), t;

	do {
		if (tcg_ops.run(priv, tc, 1, defs, st, outs, err, sizeof(err)))
			return -1;
		if (outs[0].status == CASE_OK && outs[0].result.mech.end == end)
			(*ends)++;
		else if (end == GC_END_NOT_RUN &&
			 outs[0].status == CASE_VM_CRASH)
			(*ends)++;
		n++;
		t = bench_now() - t0;
	} while (t < secs && n < max);
	return t / n * 1e6;
}

void bench_b3(const struct bench_opts *o, struct bench_fig *f)
{
	const struct defense *d = defense_by_name("iret_fault_fixup");
	struct backend_config cfg = {0};
	double secs = o->quick ? 0.3 : 2, plain, kfault, crash;
	unsigned long n_plain = 0, n_kfault = 0, n_crash = 0;
	struct gc_testcase tc, ktc;
	char err[256], path[512];
	void *priv;

	f->unit = "us/case";
	tc_default(&tc);
	snprintf(path, sizeof(path), "%s/%s", GC_SOURCE_DIR, d->seed);
	if (tc_load_file(path, &ktc, NULL, err, sizeof(err)) ||
	    tcg_ops.open(&cfg, &priv, err, sizeof(err))) {
		snprintf(f->note, sizeof(f->note), "%s", err);
		return;
	}
	plain = us_per_case(priv, &tc, GC_DEFENSES_ALL, GC_SELFTEST_NONE, secs,
			    ~0ul, GC_END_LANDED, &n_plain);
	kfault = us_per_case(priv, &ktc, GC_DEFENSES_ALL & ~(1ull << d->bit),
			     GC_SELFTEST_NONE, secs, ~0ul, GC_END_KERNEL_FAULT,
			     &n_kfault);
	crash = us_per_case(priv, &tc, GC_DEFENSES_ALL,
			    GC_SELFTEST_TRIPLE_FAULT, secs, 400, GC_END_NOT_RUN,
			    &n_crash);
	tcg_ops.close(priv);
	if (plain < 0 || crash < 0 || kfault < 0) {
		snprintf(f->note, sizeof(f->note), "tcg run failed");
		return;
	}
	f->have_value = f->have_floor = 1;
	f->value = kfault;
	f->floor = plain;
	bench_extra(f,
		    ", \"reset_us\": %.2f, \"kernel_fault_n\": %lu"
		    ", \"plain_n\": %lu, \"vm_crash_us\": %.1f"
		    ", \"vm_crash_n\": %lu",
		    kfault > plain ? kfault - plain : 0.0, n_kfault, n_plain,
		    crash, n_crash);
	snprintf(f->note, sizeof(f->note),
		 "value: a case that faults in ring 0 (iret_fault_fixup seed "
		 "with it off; the guest reloads GDT/IDT/TSS), reset_us = "
		 "value - floor; floor: a plain case; one case per round trip. "
		 "vm_crash_us: a triple fault, which costs a QEMU restart");
}
