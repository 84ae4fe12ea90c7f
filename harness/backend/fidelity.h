/* SPDX-License-Identifier: MIT */
/*
 * The fidelity probe: what a Linux user-mode backend (linux, qemu-user, a
 * Linux guest in a VM) can run on this host, capability by capability, and
 * where it deviates from Linux on hardware. docs/backends.md, "Fidelity
 * probe"; docs/semantics.md, "Host capabilities".
 *
 * The probe only needs a way to run one testcase (fid_run_fn), so any
 * backend that executes testcases as Linux processes can reuse it.
 */
#ifndef GC_BACKEND_FIDELITY_H
#define GC_BACKEND_FIDELITY_H

#include <stddef.h>

#include "backend.h"
#include "testcase.h"

enum fid_cap {
	FID_SYSCALL64,	      /* SYSCALL from 64-bit mode */
	FID_INT80_64,	      /* int $0x80 from 64-bit mode: the reference */
	FID_INT80_COMPAT,     /* int $0x80 from compat mode: a 32-bit CS */
	FID_SYSCALL_COMPAT,   /* SYSCALL from compat mode (AMD) */
	FID_SYSENTER_COMPAT,  /* SYSENTER from compat mode (Intel) */
	FID_FLAG_NT,	      /* each flag survives a SYSCALL round trip */
	FID_FLAG_AC,
	FID_FLAG_DF,
	FID_FLAG_TF,
	FID_FLAG_RF,
	FID_DEBUGREGS,	      /* a DR0 instruction breakpoint fires */
	FID_LDT,	      /* an LDT data segment loads */
	FID_HIGH_BASES,	      /* FS/GS bases up to the canonical limit */
	FID_NR_CAPS
};

enum fid_state {
	FID_OK,		/* as Linux on hardware */
	FID_MISSING,	/* cannot run here: testcases needing it unsupported */
	FID_UNFAITHFUL, /* runs, but deviates: a named host defect */
};

struct fid_cap_report {
	enum fid_state state;
	char evidence[200];
};

struct fid_report {
	struct fid_cap_report cap[FID_NR_CAPS];
};

/* Runs one testcase, as the backend would; 0, or -1 on harness trouble. */
typedef int (*fid_run_fn)(void *ctx, const struct gc_testcase *tc,
			  struct case_outcome *out);

struct fid_ops {
	fid_run_fn run; /* raw: before fid_gate */
	/* Whether an LDT data segment loads where the testcases run; NULL
	 * if the backend cannot tell (then FID_LDT is missing). */
	void (*ldt)(void *ctx, struct fid_cap_report *out);
	void *ctx;
};

void fid_probe(const struct fid_ops *ops, struct fid_report *r);
/* The probe's testcase: getpid through mechanism m on the plain stack; and
 * whether its mechanism run landed with the pid. */
void fid_getpid_case(struct gc_testcase *tc, enum gc_mechanism m);
int fid_landed_getpid(const struct case_outcome *o);

const char *fid_cap_name(enum fid_cap c);
const char *fid_state_name(enum fid_state s);
/* A one-line command that shows the deviation or absence by itself. */
const char *fid_cap_reproducer(enum fid_cap c);

/*
 * Whether testcase tc needs a missing capability or touches a known host
 * defect (an unfaithful capability, when defects_are_host: the linux
 * backend's deviations are the host kernel's, qemu-user's are QEMU's own
 * and stay findings): then FID_GATE_MISSING or FID_GATE_DEFECT, with the
 * reason in why (the case is then unsupported, never a finding). 0
 * otherwise. A run that touched a host defect shows it: its results are
 * not the kernel's to compare with anything (a pair's other side).
 */
enum { FID_GATE_MISSING = 1, FID_GATE_DEFECT = 2 };
int fid_gate(const struct fid_report *r, const struct gc_testcase *tc,
	     int defects_are_host, char *why, size_t len);

/*
 * The probe, cached per host boot (/proc/sys/kernel/random/boot_id) and
 * identity of what runs the testcases (key: the caller's, e.g. the runner
 * binary's device, inode, size and mtime): in $GATECRASH_CACHE_DIR, else
 * $XDG_CACHE_HOME/gatecrash, else ~/.cache/gatecrash. A cache that cannot
 * be read or written only costs a rerun. Sets *cached when it was reused.
 */
void fid_probe_cached(const struct fid_ops *ops, const char *backend,
		      const char *key, struct fid_report *r, int *cached);

#endif
