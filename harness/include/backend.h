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
	const char *vendor; /* guest CPUID vendor: intel, amd, host/NULL
			     * (tcg: host/NULL is -cpu max's own) */
	int force;	    /* kvm: run even where the fidelity probe fails */
	int probe_no_cache; /* linux, qemu-user: rerun the fidelity probe */
};

struct backend;

/* Returns 0, or -1 with a one-line reason that says what to do in err. */
int backend_open(const char *name, const struct backend_config *cfg,
		 struct backend **out, char *err, size_t errlen);
/* Runs n cases (any number: mailbox-sized pieces) with the given defenses
 * on for the mechanism run. Fills out[0..n). A hang or VM crash marks that case and
 * the VM is restarted for the rest of the batch. Returns 0, or -1 if the
 * backend itself is unusable (err says why; outcomes are CASE_ERROR). */
int backend_run(struct backend *b, const struct gc_testcase *cases,
		unsigned n, uint64_t defenses, struct case_outcome *out,
		char *err, size_t errlen);
/* backend_run, with the guest in self-test mode what (the bench floor runs
 * GC_SELFTEST_NOP_CASES batches through it). */
int backend_run_selftest_cases(struct backend *b, enum gc_selftest what,
			       const struct gc_testcase *cases, unsigned n,
			       uint64_t defenses, struct case_outcome *out,
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
	uint64_t resets;	/* kvm: snapshot restores */
	double reset_us_last;	/* kvm: cost of the last restore */
	char host_vendor[16];	/* CPUID leaf 0 of the host ("" if unknown) */
	char guest_vendor[16];	/* what the guest's CPUID says */
	/* tcg: the fewest guest TSC ticks per case over batches of at least
	 * 64 real cases (mailbox->batch_tsc; 0 before one). The guest's TSC is the
	 * host's under TCG, and a minimum is the run no other load cut into. */
	double guest_tsc_per_case_min;
	/* The same for the bench floor (GC_SELFTEST_RAW_ROUND_TRIP). */
	double floor_tsc_per_case_min;
};
void backend_get_stats(const struct backend *b, struct backend_stats *st);
/* 1 if this backend's results are hardware-exact (kvm whose fidelity probe
 * passed); 0 for emulators and for kvm opened with force past a failure. */
int backend_faithful(const struct backend *b);

/*
 * Cross-backend differential: the mechanism runs of one case on two
 * backends, compared field by field (end, user state under the oracle's
 * compat masks, exceptions). Returns the number of diffs put in v->diffs
 * (mech = backend a, ref = backend b); v->cls is VERDICT_DIVERGENCE when
 * they differ, VERDICT_PASS when not, VERDICT_ERROR if either is not OK.
 */
unsigned backend_diff(const struct gc_testcase *tc,
		      const struct case_outcome *a,
		      const struct case_outcome *b, struct verdict *v);

/* What `gatecrash probe` prints for one backend. */
struct probe_report {
	const char *backend;
	int usable;	     /* can run testcases here */
	int faithful;	     /* hardware-exact entry/exit semantics */
	char reason[640];    /* why not usable / not faithful, or what it is */
	/* linux, qemu-user: the fidelity probe, capability by capability
	 * (docs/backends.md, "Fidelity probe"); n_caps 0 elsewhere. */
	unsigned n_caps;
	int caps_cached; /* reused from this boot's cache */
	struct probe_cap {
		char name[32];
		char state[12]; /* ok, missing, unfaithful */
		char evidence[200];
	} caps[16];
};
void backend_probe(const char *name, const struct backend_config *cfg,
		   struct probe_report *rep);
/* This CPU's CPUID vendor string ("AuthenticAMD"), NUL-padded. */
void backend_host_vendor(char out[16]);
/* Is this host itself a QEMU TCG guest (CPUID 0x40000000 "TCGTCGTCGTCG")?
 * Then every instruction, its kernel's and its KVM's guests', is QEMU's,
 * with QEMU's infidelities (docs/semantics.md §6). */
int backend_host_is_tcg_guest(void);

/*
 * Guest coverage (docs/fuzzing.md): the kernel's counter block
 * (__gc_cov_start..__gc_cov_end: clang's inline 8-bit counters, then the
 * explicit ones). Every CASE_OK outcome carries the counter words its case
 * touched, result.cov[0..n_cov), already checked: no counter at or past
 * len, n_cov <= GC_MAX_COV_WORDS. backend_coverage gives len (bytes, one
 * counter each); returns 0, or -1 if the backend or the kernel has no
 * counters.
 */
int backend_coverage(struct backend *b, size_t *len);
/* One case's coverage as a dense array of len counters (all zero unless
 * the case is CASE_OK): what libFuzzer and AFL++ read. */
void case_coverage_expand(const struct case_outcome *o, uint8_t *counters,
			  size_t len);
/* 0 for backends without a test kernel (linux, qemu-user, a pair): a
 * campaign on them learns from outcome features alone. */
int backend_has_guest_coverage(const struct backend *b);

/* The kernel ELF: where it is, and its symbols for reports. */
const char *kernel_image_default_path(void);
int kernel_image_load_symbols(const char *path, char *err, size_t errlen);
const char *kernel_image_symbolize(uint64_t rip, char *buf, size_t len);
/* A symbol's address from the loaded table; 0 if absent or none loaded. */
uint64_t kernel_image_symbol_address(const char *name);

#endif
