/* SPDX-License-Identifier: MIT */
/*
 * N hangs and VM crashes in a row on one tcg backend, each followed by a
 * normal batch (the campaign goes on): how long detection took, and what
 * the harness process holds before and after. Shared by
 * tests/reliability/test_vm_events.c (N = 200) and bench/reliability.c
 * (N = 10000 by default).
 *
 * Latency is the selftest call alone: the normal batch before it has
 * booted the VM, so the call is ring, detection and the kill of QEMU.
 * A hang's latency minus the case timeout is what the check costs.
 */
#ifndef GC_VM_EVENTS_H
#define GC_VM_EVENTS_H

#include <stdlib.h>

#include "backend.h"
#include "proc_stats.h"
#include "testcase.h"

struct vm_events_report {
	unsigned events, hangs, crashes, wrong, batches_bad;
	unsigned timeout_ms;
	long rss0_kb, rss1_kb;
	int fds0, fds1, qemu_during, qemu_after;
	double hang_med_ms, hang_max_ms, crash_med_ms, crash_max_ms;
	double seconds;
};

static int vm_events__batch_ok(struct backend *b)
{
	struct case_outcome out[4];
	struct gc_testcase tc[4];
	char err[256];

	for (unsigned i = 0; i < 4; i++)
		tc_default(&tc[i]);
	if (backend_run(b, tc, 4, GC_DEFENSES_ALL, out, err, sizeof(err))) {
		fprintf(stderr, "batch after an event: %s\n", err);
		return 0;
	}
	for (unsigned i = 0; i < 4; i++) {
		if (out[i].status != CASE_OK ||
		    out[i].result.mech.end != GC_END_LANDED) {
			fprintf(stderr, "batch after an event: case %u: "
					"status %d: %s\n",
				i, out[i].status, out[i].detail);
			return 0;
		}
	}
	return 1;
}

/* One selftest event; returns its latency in ms, or -1. */
static double vm_events__one(struct backend *b, enum gc_selftest what,
			     struct vm_events_report *r)
{
	enum case_status want =
		what == GC_SELFTEST_HANG ? CASE_HANG : CASE_VM_CRASH;
	struct case_outcome out;
	char err[256];
	double t0 = proc_now_ms(), ms;

	if (backend_run_selftest(b, what, &out, err, sizeof(err)))
		return -1;
	ms = proc_now_ms() - t0;
	if (out.status != want) {
		if (!r->wrong++)
			fprintf(stderr, "event %u: status %d, want %d: %s\n",
				r->events, out.status, want, out.detail);
	}
	return ms;
}

static void vm_events__stats(double *v, unsigned n, double *med, double *max)
{
	if (!n) {
		*med = *max = 0;
		return;
	}
	qsort(v, n, sizeof(*v), proc_cmp_double);
	*med = v[n / 2];
	*max = v[n - 1];
}

/* Runs n events (hang and triple fault alternating); 0, or -1 if the
 * backend broke. progress: print a line every that many events (0: no). */
static int vm_events_run(struct backend *b, unsigned n, unsigned timeout_ms,
			 unsigned progress, struct vm_events_report *r)
{
	double *hang = calloc(n + 1, sizeof(double));
	double *crash = calloc(n + 1, sizeof(double));
	double t0 = proc_now_ms(), ms;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	r->timeout_ms = timeout_ms;
	if (!hang || !crash || !vm_events__batch_ok(b)) {
		free(hang);
		free(crash);
		return -1;
	}
	r->rss0_kb = proc_rss_kb();
	r->fds0 = proc_fd_count();
	for (unsigned i = 0; i < n; i++, r->events++) {
		int h = i & 1;

		ms = vm_events__one(b, h ? GC_SELFTEST_HANG
					 : GC_SELFTEST_TRIPLE_FAULT, r);
		if (ms < 0) {
			ret = -1;
			break;
		}
		if (h)
			hang[r->hangs++] = ms;
		else
			crash[r->crashes++] = ms;
		if (!vm_events__batch_ok(b))
			r->batches_bad++;
		if (progress && (i + 1) % progress == 0)
			fprintf(stderr, "%u events, RSS %ld KiB, fds %d\n",
				i + 1, proc_rss_kb(), proc_fd_count());
	}
	r->qemu_during = proc_qemu_running(getpid(), NULL);
	r->rss1_kb = proc_rss_kb();
	r->fds1 = proc_fd_count();
	r->seconds = (proc_now_ms() - t0) / 1e3;
	vm_events__stats(hang, r->hangs, &r->hang_med_ms, &r->hang_max_ms);
	vm_events__stats(crash, r->crashes, &r->crash_med_ms,
			 &r->crash_max_ms);
	free(hang);
	free(crash);
	return ret;
}

static void vm_events_print(const struct vm_events_report *r)
{
	printf("events: %u (%u hangs, %u triple faults) in %.1f s; "
	       "wrong verdicts %u, failed batches after %u\n",
	       r->events, r->hangs, r->crashes, r->seconds, r->wrong,
	       r->batches_bad);
	printf("hang detection: median %.1f ms, max %.1f ms (timeout %u ms: "
	       "check costs median %.1f ms, max %.1f ms)\n",
	       r->hang_med_ms, r->hang_max_ms, r->timeout_ms,
	       r->hang_med_ms - r->timeout_ms, r->hang_max_ms - r->timeout_ms);
	printf("triple fault detection: median %.1f ms, max %.1f ms\n",
	       r->crash_med_ms, r->crash_max_ms);
	printf("RSS %ld -> %ld KiB, fds %d -> %d, QEMU running %d "
	       "(1 expected), after close %d\n",
	       r->rss0_kb, r->rss1_kb, r->fds0, r->fds1, r->qemu_during,
	       r->qemu_after);
}

#endif
