// SPDX-License-Identifier: MIT
/*
 * B8: the linux-vm backend's batched testcases/s (the runner as a server
 * in a Debian kernel under QEMU TCG), next to the host linux backend's on
 * the same batches: the ratio is what moving the runner into a VM costs.
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "bench.h"
#include "testcase.h"

static struct gc_testcase b7_cases[GC_MAX_BATCH];
static struct case_outcome b7_outs[GC_MAX_BATCH];

/* getpid by SYSCALL: the one entry every host's linux backend runs (a
 * software hypervisor's guest may refuse int $0x80 and compat mode). */
static void b7_fill(void)
{
	for (unsigned i = 0; i < GC_MAX_BATCH; i++) {
		struct gc_testcase *tc = &b7_cases[i];

		tc_default(tc);
		tc->mechanism = GC_MECH_SYSCALL64;
		tc->gpr[GC_RAX] = GC_SYS_GETPID;
		tc->gpr[GC_RSP] = GC_USER_STACK_TOP;
		tc_normalize(tc);
	}
}

/* Testcases/s over whole batches for at least secs (and one batch);
 * 0 with err on failure or when a case did not run. */
static double b7_rate(struct backend *b, double secs, char *err,
		      size_t errlen)
{
	double t0 = bench_now(), t;
	unsigned long n = 0;

	do {
		if (backend_run(b, b7_cases, GC_MAX_BATCH, GC_DEFENSES_ALL,
				b7_outs, err, errlen))
			return 0;
		for (unsigned i = 0; i < GC_MAX_BATCH; i++)
			if (b7_outs[i].status != CASE_OK) {
				snprintf(err, errlen, "case %u: %s", i,
					 b7_outs[i].detail);
				return 0;
			}
		n += GC_MAX_BATCH;
		t = bench_now() - t0;
	} while (t < secs);
	return n / t;
}

static double b7_backend(const char *name, const char *vendor, double secs,
			 double *boot_ms, char *err, size_t errlen)
{
	struct backend_config cfg = {.vendor = vendor};
	struct backend_stats st;
	struct backend *b;
	char why[256];
	double rate;

	if (backend_open(name, &cfg, &b, why, sizeof(why))) {
		snprintf(err, errlen, "%s: %s", name, why);
		return 0;
	}
	rate = b7_rate(b, secs, why, sizeof(why));
	backend_get_stats(b, &st);
	backend_close(b);
	if (boot_ms)
		*boot_ms = st.boot_ms_last;
	if (rate <= 0)
		snprintf(err, errlen, "%s: %s", name, why);
	return rate;
}

void bench_b8(const struct bench_opts *o, struct bench_fig *f)
{
	double secs = o->quick ? 0.5 : 5, vm, host, boot_ms = 0;
	char err[400] = "";

	f->unit = "testcases/s";
	b7_fill();
	host = b7_backend("linux", NULL, secs, NULL, err, sizeof(err));
	if (host > 0) {
		f->have_floor = 1;
		f->floor = host;
	}
	vm = b7_backend("linux-vm", "amd", secs, &boot_ms, err, sizeof(err));
	if (vm <= 0) {
		snprintf(f->note, sizeof(f->note), "%s", err);
		return;
	}
	f->have_value = 1;
	f->value = vm;
	bench_extra(f, ", \"boot_ms\": %.0f", boot_ms);
	snprintf(f->note, sizeof(f->note),
		 "batches of %u getpid-by-SYSCALL cases, oracle on each, "
		 "linux-vm on -cpu max,-smap; floor: the host's "
		 "linux backend on the same batches%s%s",
		 GC_MAX_BATCH, host > 0 ? "" : " (unusable here: ",
		 host > 0 ? "" : err);
	if (host <= 0)
		strncat(f->note, ")", sizeof(f->note) - strlen(f->note) - 1);
}
