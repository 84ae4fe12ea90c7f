// SPDX-License-Identifier: MIT
/*
 * The fidelity probe. Not every /dev/kvm is hardware: kvm_pvm runs the
 * guest in ring 3 under shadow paging and emulates its ring 0, and on it
 * ring-3 int $0x80 raises #UD and SYSCALL reaches LSTAR at CPL 3
 * (feasibility-kvm.md). Before kvm serves as a reference, the minimal
 * seeds run through the ordinary pipeline with every defense on, and each
 * run must land cleanly the way real hardware makes it land.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "abi_names.h"
#include "kvm.h"
#include "paths.h"
#include "testcase.h"


struct probe_seed {
	const char *file; /* under seeds/minimal/ */
	const char *text; /* the same, for an installed tree without seeds */
};

static const struct probe_seed probe_seeds[] = {
	{"syscall64.tc", "gatecrash-testcase 1\nmechanism = syscall64\n"
			 "rax = 0x1\nrsp = 0x40011000\n"},
	{"int80_64.tc", "gatecrash-testcase 1\nmechanism = int80_64\n"
			"rax = 0x1\nrsp = 0x40011000\n"},
	{"int80_compat.tc", "gatecrash-testcase 1\nmechanism = int80_compat\n"
			    "rax = 0x1\nrsp = 0x40011000\nes = 0x2b\n"
			    "ds = 0x2b\n"},
};
#define N_PROBE_SEEDS (sizeof(probe_seeds) / sizeof(probe_seeds[0]))

static int path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int kvm__is_pvm(void)
{
	return path_exists("/sys/module/kvm_pvm");
}

/* What this /dev/kvm really is: three different answers. */
const char *kvm__module_name(void)
{
	if (kvm__is_pvm())
		return "kvm_pvm: a software hypervisor";
	if (backend_host_is_tcg_guest())
		return path_exists("/sys/module/kvm_amd")
			       ? "kvm_amd nested under QEMU TCG (CPUID "
				 "0x40000000 TCGTCGTCGTCG): KVM's code is real, "
				 "the CPU is TCG's, no hardware reference"
			       : "kvm nested under QEMU TCG";
	if (path_exists("/sys/module/kvm_intel"))
		return "kvm_intel";
	if (path_exists("/sys/module/kvm_amd"))
		return "kvm_amd";
	return "kvm (no kvm_intel or kvm_amd module)";
}

static int load_seed(const struct probe_seed *s, struct gc_testcase *tc)
{
	char path[512], err[256];

	snprintf(path, sizeof(path), "%s/%s", gc_path_minimal_seeds(),
		 s->file);
	if (path_exists(path) && !tc_load_file(path, tc, NULL, err,
					       sizeof(err)))
		return 0;
	return tc_parse_text(s->text, strlen(s->text), tc, err, sizeof(err));
}

/* What a run did, in words: "ended user_fault after #GP at 0x40000800". */
static void run_words(const struct gc_run *r, char *buf, size_t len)
{
	const char *end = run_end_name(r->end);
	char vec[16];

	if (r->end == GC_END_KERNEL_FAULT)
		snprintf(buf, len, "kernel %s at 0x%llx",
			 x86_vector_name(r->fault.vector, vec, sizeof(vec)),
			 (unsigned long long)r->fault.rip);
	else if (r->n_exc)
		snprintf(buf, len, "%s after %s at 0x%llx", end,
			 x86_vector_name(r->exc[0].vector, vec, sizeof(vec)),
			 (unsigned long long)r->exc[0].rip);
	else
		snprintf(buf, len, "%s", end);
}

static int run_has_sysretq(const struct gc_run *r)
{
	unsigned n = r->n_exits < GC_MAX_EXITS ? r->n_exits : GC_MAX_EXITS;

	for (unsigned i = 0; i < n; i++)
		if (r->exits[i].kind == GC_EXIT_SYSRETQ)
			return 1;
	return 0;
}

static void add_failure(struct kvm_fidelity *fid, const char *what)
{
	size_t len = strlen(fid->reason);

	if (strstr(fid->reason, what))
		return;
	snprintf(fid->reason + len, sizeof(fid->reason) - len, "%s%s",
		 len ? "; " : "", what);
}

/* One int $0x80 run (a mechanism or any reference) must reach its gate. */
static void check_int80(struct kvm_fidelity *fid, const struct gc_run *r,
			const char *mode)
{
	char what[160], seen[64], vec[16];

	if (r->end == GC_END_LANDED && !r->n_exc)
		return;
	if (r->n_exc && r->end != GC_END_KERNEL_FAULT)
		snprintf(what, sizeof(what),
			 "ring-3 int $0x80 (%s) raised %s instead of reaching "
			 "its gate",
			 mode,
			 x86_vector_name(r->exc[0].vector, vec, sizeof(vec)));
	else {
		run_words(r, seen, sizeof(seen));
		snprintf(what, sizeof(what),
			 "ring-3 int $0x80 (%s) did not return: %s", mode,
			 seen);
	}
	add_failure(fid, what);
}

/* The LSTAR entry fetched from ring 3: a user-mode #PF on kernel code. */
static int entered_at_cpl3(const struct gc_run *r)
{
	return r->n_exc && r->exc[0].vector == 14 &&
	       (r->exc[0].error_code & 0x4) && r->exc[0].rip < GC_KERNEL_LOAD +
	       GC_MAILBOX_GPA;
}

static void check_syscall(struct kvm_fidelity *fid, const struct gc_run *r)
{
	char what[200], seen[64];

	if (r->end == GC_END_LANDED && !r->n_exc && run_has_sysretq(r))
		return;
	if (entered_at_cpl3(r)) {
		snprintf(what, sizeof(what),
			 "SYSCALL reached LSTAR at CPL 3 (#PF err 0x%x: a "
			 "user-mode fetch of the kernel entry at 0x%llx)",
			 r->exc[0].error_code,
			 (unsigned long long)r->exc[0].rip);
		add_failure(fid, what);
		return;
	}
	run_words(r, seen, sizeof(seen));
	snprintf(what, sizeof(what),
		 "SYSCALL did not reach LSTAR at CPL 0 and return to ring 3 "
		 "by SYSRET (%s)",
		 seen);
	add_failure(fid, what);
}

static void check_outcome(struct kvm_fidelity *fid,
			  const struct gc_testcase *tc,
			  const struct case_outcome *o)
{
	const char *mode = tc_mode(tc) == GC_MODE_COMPAT ? "compat" : "64-bit";
	char what[200];

	if (o->status != CASE_OK) {
		snprintf(what, sizeof(what), "%s: %s",
			 tc_mechanism_name(tc->mechanism), o->detail);
		add_failure(fid, what);
		return;
	}
	if (tc->mechanism == GC_MECH_SYSCALL64)
		check_syscall(fid, &o->result.mech);
	else
		check_int80(fid, &o->result.mech, mode);
	check_int80(fid, &o->result.ref, mode);
}

int kvm__probe_fidelity(void *priv, struct kvm_fidelity *fid)
{
	struct gc_testcase tcs[N_PROBE_SEEDS];
	struct case_outcome outs[N_PROBE_SEEDS];
	char err[200];

	memset(fid, 0, sizeof(*fid));
	for (unsigned i = 0; i < N_PROBE_SEEDS; i++)
		if (load_seed(&probe_seeds[i], &tcs[i])) {
			snprintf(fid->reason, sizeof(fid->reason),
				 "probe seed %s does not parse",
				 probe_seeds[i].file);
			return -1;
		}
	if (kvm_ops.run(priv, tcs, N_PROBE_SEEDS, GC_DEFENSES_ALL,
			GC_SELFTEST_NONE, outs, err, sizeof(err))) {
		snprintf(fid->reason, sizeof(fid->reason), "%s", err);
		return -1;
	}
	for (unsigned i = 0; i < N_PROBE_SEEDS; i++)
		check_outcome(fid, &tcs[i], &outs[i]);
	fid->faithful = !fid->reason[0];
	if (fid->faithful)
		snprintf(fid->reason, sizeof(fid->reason),
			 "probe passed: SYSCALL/SYSRET and ring-3 int $0x80 "
			 "behave as on hardware");
	return 0;
}
