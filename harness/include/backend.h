/* SPDX-License-Identifier: MIT */
/*
 * A backend runs batches of normalized testcases on the test kernel and
 * returns one case_outcome per case. The kernel image and the mailbox
 * protocol are the same on every backend; only the transport differs.
 */
#ifndef GC_BACKEND_H
#define GC_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "verdict.h"

struct backend_config {
	const char *kernel_path; /* NULL: kernel_image_default_path() */
	const char *qemu_path;	 /* NULL: "qemu-system-x86_64" from PATH */
	unsigned case_timeout_ms; /* 0: default (50 ms per case + boot) */
	int verbose;
};

struct backend;

/* Returns 0, or -1 with a one-line reason that says what to do in err. */
int backend_open(const char *name, const struct backend_config *cfg,
		 struct backend **out, char *err, size_t errlen);
/* Runs n (<= GC_MAX_BATCH) cases with the given defenses on for the
 * mechanism run. Fills out[0..n). A hang or VM crash marks that case and
 * the VM is restarted for the rest of the batch. Returns 0, or -1 if the
 * backend itself is unusable (err says why; outcomes are CASE_ERROR). */
int backend_run(struct backend *b, const struct gc_testcase *cases,
		unsigned n, uint64_t defenses, struct case_outcome *out,
		char *err, size_t errlen);
/* Harness self-test: run one batch with the guest told to misbehave. */
int backend_run_selftest(struct backend *b, enum gc_selftest what,
			 struct case_outcome *out, char *err, size_t errlen);
void backend_close(struct backend *b);
const char *backend_name(const struct backend *b);

/* Statistics for progress lines and benchmarks. */
struct backend_stats {
	uint64_t cases;
	uint64_t batches;
	uint64_t restarts;
	double boot_ms_last;
};
void backend_get_stats(const struct backend *b, struct backend_stats *st);

/* What `gatecrash probe` prints for one backend. */
struct probe_report {
	const char *backend;
	int usable;	     /* can run testcases here */
	int faithful;	     /* hardware-exact entry/exit semantics */
	char reason[256];    /* why not usable / not faithful, or what it is */
};
void backend_probe(const char *name, const struct backend_config *cfg,
		   struct probe_report *rep);

/* The kernel ELF: where it is, and its symbols for reports. */
const char *kernel_image_default_path(void);
int kernel_image_load_symbols(const char *path, char *err, size_t errlen);
const char *kernel_image_symbolize(uint64_t rip, char *buf, size_t len);

#endif
