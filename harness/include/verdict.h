/* SPDX-License-Identifier: MIT */
/*
 * What a backend hands the oracle for one testcase, and what the oracle
 * decides. Verdict classes follow XTF's idea: 'error' is trouble in the
 * harness or environment and is never a finding; every other non-pass class
 * is a finding.
 */
#ifndef GC_VERDICT_H
#define GC_VERDICT_H

#include <stdint.h>
#include <stdio.h>

#include "abi.h"

/* How the backend got on with one case. Only CASE_OK carries a result. */
enum case_status {
	CASE_OK = 0,
	CASE_HANG,     /* no answer within the deadline; VM restarted */
	CASE_VM_CRASH, /* triple fault, QEMU died, KVM shutdown/internal error */
	CASE_ERROR,    /* harness trouble: bad guest output, could not start */
	CASE_UNSUPPORTED, /* this backend cannot express the testcase; detail
			   * says why (result.mech may hold a mechanism run
			   * when only the reference was inexpressible) */
	CASE_EMULATOR_CRASH, /* the emulator itself died of a signal, not of
			      * the guest's triple fault: detail names it */
};

struct case_outcome {
	enum case_status status;
	char detail[120]; /* for non-OK: one line saying what happened */
	int test_kernel;  /* the test kernel ran it (tcg, kvm): its syscall
			   * ABI is the specification model's (semantics.md
			   * §8); 0 for a real Linux or QEMU's user mode */
	struct gc_result result;
};

enum verdict_class {
	VERDICT_PASS = 0,
	VERDICT_HAZARD,
	VERDICT_DIVERGENCE,
	VERDICT_KERNEL_FAULT,
	VERDICT_HANG,
	VERDICT_VM_CRASH,
	VERDICT_ERROR,
	VERDICT_UNSUPPORTED, /* the backend cannot express it: not a finding */
	VERDICT_EMULATOR,    /* the emulator crashed, or did what no CPU
			      * does: a bug of QEMU, not of the kernel under
			      * test; never a finding (docs/semantics.md §6) */
	VERDICT_COUNT
};

#define VERDICT_MAX_DIFFS 56
#define MODEL_BROKEN_MECH   1u
#define MODEL_BROKEN_REF    2u
#define VERDICT_MAX_HAZARDS 8

struct field_diff {
	char field[24]; /* "rip", "rflags", "exc[0].vector", "end" */
	uint64_t mech;
	uint64_t ref;
};

struct hazard_rule {
	const char *name;   /* "sysret_noncanonical_rcx" */
	const char *vendor; /* "intel", "amd", "all" */
	const char *cve;    /* "CVE-2012-0217" or "" */
	const char *what;   /* one sentence: what the real CPU does */
};

struct verdict {
	enum verdict_class cls;
	unsigned n_diffs;
	struct field_diff diffs[VERDICT_MAX_DIFFS];
	unsigned n_hazards;
	const struct hazard_rule *hazards[VERDICT_MAX_HAZARDS];
	int fault_in_ref; /* kernel_fault: 1 if the reference run faulted */
	unsigned model_broken; /* MODEL_BROKEN_*: which runs broke the
				* specification model (docs/semantics.md §8) */
	struct gc_kernel_fault fault;
	char detail[160]; /* hang / vm_crash / error: what happened */
};

const char *verdict_name(enum verdict_class cls); /* "pass", "kernel_fault" */
int verdict_is_finding(enum verdict_class cls);  /* not pass, error,
						  * unsupported, emulator */

/* The oracle: mechanism run vs reference run under docs/semantics.md. */
void oracle_judge(const struct gc_testcase *tc, const struct case_outcome *out,
		  struct verdict *v);

/* The hazard table, for docs and `gatecrash defenses`. */
extern const struct hazard_rule hazard_rules[];
extern const unsigned hazard_rule_count;

/* Printing. symbolize may be NULL; it turns a kernel RIP into "sym+0x12". */
typedef const char *(*symbolize_fn)(uint64_t rip, char *buf, size_t len);
void verdict_print_text(FILE *f, const char *file, const struct gc_testcase *tc,
			const struct case_outcome *out, const struct verdict *v,
			symbolize_fn symbolize);
void verdict_print_json(FILE *f, const char *file, const struct gc_testcase *tc,
			const struct case_outcome *out, const struct verdict *v,
			const char *backend, symbolize_fn symbolize);
/* verdict_print_json's members without the braces, for a command that
 * adds its own ("faithful", "reproduced", ...) to the same object. */
void verdict_print_json_members(FILE *f, const char *file,
				const struct gc_testcase *tc,
				const struct verdict *v, const char *backend,
				symbolize_fn symbolize);

#endif
