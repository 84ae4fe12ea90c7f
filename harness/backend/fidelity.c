// SPDX-License-Identifier: MIT
/*
 * The fidelity probe (fidelity.h): one small testcase per capability, run
 * through the backend itself, judged against what Linux on hardware does
 * (the expectations of tools/testing/selftests/x86: syscall_nt.c,
 * sysret_rip.c, ldt_gdt.c, fsgsbase.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/processor-flags.h"
#include "arch/traps.h"
#include "backend.h"
#include "fidelity.h"

struct fid_cap_info {
	const char *name;
	const char *reproducer;
};

#define LIVE "gatecrash probe --no-cache --backend linux"

static const struct fid_cap_info cap_info[FID_NR_CAPS] = {
	[FID_SYSCALL64] = {"entry.syscall64", LIVE},
	[FID_INT80_64] = {"entry.int80_64", LIVE},
	[FID_INT80_COMPAT] = {"entry.int80_compat", LIVE},
	[FID_SYSCALL_COMPAT] = {"entry.syscall_compat", LIVE},
	[FID_SYSENTER_COMPAT] = {"entry.sysenter_compat", LIVE},
	[FID_FLAG_NT] = {"flags.nt", LIVE},
	[FID_FLAG_AC] = {"flags.ac", LIVE},
	[FID_FLAG_DF] = {"flags.df", LIVE},
	[FID_FLAG_TF] = {"flags.tf", LIVE},
	[FID_FLAG_RF] = {"flags.rf", LIVE},
	[FID_DEBUGREGS] = {"debugregs", LIVE},
	[FID_LDT] = {"ldt", LIVE},
	[FID_HIGH_BASES] = {"fsgs.high_bases", LIVE},
};

const char *fid_cap_name(enum fid_cap c)
{
	return c < FID_NR_CAPS ? cap_info[c].name : "?";
}

const char *fid_cap_reproducer(enum fid_cap c)
{
	return c < FID_NR_CAPS ? cap_info[c].reproducer : "?";
}

const char *fid_state_name(enum fid_state s)
{
	switch (s) {
	case FID_OK:
		return "ok";
	case FID_MISSING:
		return "missing";
	case FID_UNFAITHFUL:
		return "unfaithful";
	}
	return "?";
}

static void set_cap(struct fid_report *r, enum fid_cap c, enum fid_state s,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void set_cap(struct fid_report *r, enum fid_cap c, enum fid_state s,
		    const char *fmt, ...)
{
	va_list ap;

	r->cap[c].state = s;
	va_start(ap, fmt);
	vsnprintf(r->cap[c].evidence, sizeof(r->cap[c].evidence), fmt, ap);
	va_end(ap);
}

/* The mechanism run is there: the whole case ran, or only its reference
 * was inexpressible (verdict.h). The probe judges the mechanism alone. */
static int mech_ran(const struct case_outcome *o)
{
	return o->status == CASE_OK ||
	       (o->status == CASE_UNSUPPORTED &&
		o->result.mech.end != GC_END_NOT_RUN);
}

/* What a run did, in a few words, for the evidence. */
static void describe(const struct case_outcome *o, char *buf, size_t len)
{
	const struct gc_run *m = &o->result.mech;

	if (!mech_ran(o)) {
		snprintf(buf, len, "status %d: %.120s", (int)o->status,
			 o->detail);
		return;
	}
	if (m->n_exc)
		snprintf(buf, len,
			 "end %u, vector %u error 0x%x at rip 0x%llx, rax "
			 "0x%llx",
			 m->end, m->exc[0].vector, m->exc[0].error_code,
			 (unsigned long long)m->exc[0].rip,
			 (unsigned long long)m->state.gpr[GC_RAX]);
	else
		snprintf(buf, len, "end %u, no exception, rax 0x%llx", m->end,
			 (unsigned long long)m->state.gpr[GC_RAX]);
}

void fid_getpid_case(struct gc_testcase *tc, enum gc_mechanism m)
{
	tc_default(tc);
	tc->mechanism = m;
	tc->gpr[GC_RAX] = GC_SYS_GETPID;
	tc->gpr[GC_RSP] = GC_USER_STACK_TOP;
	tc_normalize(tc);
}

int fid_landed_getpid(const struct case_outcome *o)
{
	const struct gc_run *m = &o->result.mech;

	return mech_ran(o) && m->end == GC_END_LANDED &&
	       (uint32_t)m->state.gpr[GC_RAX] == GC_PID;
}

/* getpid through mechanism m: landed with the pid, or what happened. */
static void probe_entry(fid_run_fn run, void *ctx, struct fid_report *r,
			enum fid_cap c, enum gc_mechanism m)
{
	struct gc_testcase tc;
	struct case_outcome o;
	char what[160];

	fid_getpid_case(&tc, m);
	if (run(ctx, &tc, &o)) {
		set_cap(r, c, FID_MISSING, "the backend could not run it");
		return;
	}
	describe(&o, what, sizeof(what));
	if (fid_landed_getpid(&o)) {
		set_cap(r, c, FID_OK, "getpid landed: %s", what);
		return;
	}
	/* A getpid that lands but returns something else is an entry that
	 * dispatches differently (qemu-x86_64's int $0x80 in a 64-bit
	 * process goes through the 64-bit table). */
	if (mech_ran(&o) && o.result.mech.end == GC_END_LANDED &&
	    !o.result.mech.n_exc)
		set_cap(r, c, FID_UNFAITHFUL,
			"getpid landed without the pid (%s)", what);
	else
		set_cap(r, c, FID_MISSING, "getpid did not land (%s)", what);
}

/*
 * syscall_nt.c: a flag set before SYSCALL is back after it, in RFLAGS and
 * in R11 (RF excepted: the capturing fault's frame may carry it).
 */
static void probe_flag(fid_run_fn run, void *ctx, struct fid_report *r,
		       enum fid_cap c, uint64_t flag)
{
	const uint64_t rf = X86_EFLAGS_RF;
	const struct gc_run *m;
	struct gc_testcase tc;
	struct case_outcome o;
	char what[160];

	if (r->cap[FID_SYSCALL64].state != FID_OK) {
		set_cap(r, c, FID_MISSING, "needs entry.syscall64");
		return;
	}
	fid_getpid_case(&tc, GC_MECH_SYSCALL64);
	tc.rflags |= flag;
	tc_normalize(&tc);
	if (run(ctx, &tc, &o)) {
		set_cap(r, c, FID_MISSING, "the backend could not run it");
		return;
	}
	m = &o.result.mech;
	describe(&o, what, sizeof(what));
	if (!fid_landed_getpid(&o) || m->n_exc) {
		set_cap(r, c, FID_MISSING,
			"a syscall with the flag set did not land (%s)", what);
		return;
	}
	if ((m->state.rflags & ~rf) != (tc.rflags & ~rf) ||
	    (m->state.gpr[GC_R11] & ~rf) != (tc.rflags & ~rf)) {
		set_cap(r, c, FID_UNFAITHFUL,
			"RFLAGS 0x%llx in, 0x%llx back, R11 0x%llx",
			(unsigned long long)tc.rflags,
			(unsigned long long)m->state.rflags,
			(unsigned long long)m->state.gpr[GC_R11]);
		return;
	}
	set_cap(r, c, FID_OK, "RFLAGS 0x%llx in, 0x%llx back, R11 0x%llx",
		(unsigned long long)tc.rflags,
		(unsigned long long)m->state.rflags,
		(unsigned long long)m->state.gpr[GC_R11]);
}

/*
 * RF: testcases cannot enter with it (tc_normalize clears it, as every
 * instruction that completes does), so what is checked is the fault that
 * captures the landing: a fault pushes RFLAGS with RF set (SDM 17.3.1.1),
 * while R11 holds SYSCALL's RFLAGS, RF clear.
 */
static void probe_rf(fid_run_fn run, void *ctx, struct fid_report *r)
{
	const uint64_t rf = X86_EFLAGS_RF;
	const struct gc_run *m;
	struct gc_testcase tc;
	struct case_outcome o;
	char what[160];

	if (r->cap[FID_SYSCALL64].state != FID_OK) {
		set_cap(r, FID_FLAG_RF, FID_MISSING, "needs entry.syscall64");
		return;
	}
	fid_getpid_case(&tc, GC_MECH_SYSCALL64);
	if (run(ctx, &tc, &o)) {
		set_cap(r, FID_FLAG_RF, FID_MISSING,
			"the backend could not run it");
		return;
	}
	m = &o.result.mech;
	describe(&o, what, sizeof(what));
	if (!fid_landed_getpid(&o)) {
		set_cap(r, FID_FLAG_RF, FID_MISSING, "did not land (%s)", what);
		return;
	}
	set_cap(r, FID_FLAG_RF,
		(m->state.rflags & rf) && !(m->state.gpr[GC_R11] & rf)
			? FID_OK
			: FID_UNFAITHFUL,
		"capturing fault's RFLAGS 0x%llx (RF expected), R11 0x%llx "
		"(RF clear expected)",
		(unsigned long long)m->state.rflags,
		(unsigned long long)m->state.gpr[GC_R11]);
}

/* The landing's instruction breakpoint (seeds/edge/landing_breakpoint.tc):
 * #DB at the landing with DR6.B0. */
static void probe_debugregs(fid_run_fn run, void *ctx, struct fid_report *r)
{
	struct gc_testcase tc;
	struct case_outcome o;
	const struct gc_run *m = &o.result.mech;
	char what[160];

	if (r->cap[FID_SYSCALL64].state != FID_OK) {
		set_cap(r, FID_DEBUGREGS, FID_MISSING, "needs entry.syscall64");
		return;
	}
	fid_getpid_case(&tc, GC_MECH_SYSCALL64);
	tc.dbg.dr[0] = GC_USER_LANDING;
	tc.dbg.dr7 = 0x1;
	tc_normalize(&tc);
	if (run(ctx, &tc, &o)) {
		set_cap(r, FID_DEBUGREGS, FID_MISSING,
			"the backend could not run it");
		return;
	}
	describe(&o, what, sizeof(what));
	if (mech_ran(&o) && m->n_exc >= 1 &&
	    m->exc[0].vector == X86_TRAP_DB &&
	    m->exc[0].rip == GC_USER_LANDING && (m->exc[0].dr6 & 0xf) == 1)
		set_cap(r, FID_DEBUGREGS, FID_OK,
			"DR0 breakpoint at the landing: #DB, DR6 0x%llx",
			(unsigned long long)m->exc[0].dr6);
	else
		set_cap(r, FID_DEBUGREGS, FID_MISSING,
			"DR0 breakpoint at the landing did not fire (%s)",
			what);
}

/* fsgsbase.c: ARCH_SET_FS takes any canonical user address. The highest
 * user page is where this host's refusal starts (0x7ffffffff000). */
static void probe_high_bases(fid_run_fn run, void *ctx, struct fid_report *r)
{
	const uint64_t base = 0x7ffffffff000ull;
	struct gc_testcase tc;
	struct case_outcome o;
	char what[160];

	if (r->cap[FID_SYSCALL64].state != FID_OK) {
		set_cap(r, FID_HIGH_BASES, FID_MISSING,
			"needs entry.syscall64");
		return;
	}
	fid_getpid_case(&tc, GC_MECH_SYSCALL64);
	tc.fs_base = base;
	tc.gs_base = base;
	tc_normalize(&tc);
	if (run(ctx, &tc, &o)) {
		set_cap(r, FID_HIGH_BASES, FID_MISSING,
			"the backend could not run it");
		return;
	}
	describe(&o, what, sizeof(what));
	if (fid_landed_getpid(&o) && o.result.mech.state.fs_base == base &&
	    o.result.mech.state.gs_base == base)
		set_cap(r, FID_HIGH_BASES, FID_OK,
			"FS/GS base 0x%llx set and read back",
			(unsigned long long)base);
	else
		set_cap(r, FID_HIGH_BASES, FID_MISSING,
			"FS/GS base 0x%llx: %s", (unsigned long long)base,
			what);
}

/*
 * An Intel CPU model under QEMU TCG: QEMU 7.2 runs a compat-mode SYSCALL
 * where Intel hardware raises #UD, and Linux leaves MSR_CSTAR 0 on Intel,
 * so the kernel this runs under jumps to RIP 0 in ring 0 and panics
 * (docs/backends.md, linux-vm). Not probed there: missing.
 */
static int compat_syscall_panics_this_kernel(void)
{
	char vendor[16];

	backend_host_vendor(vendor);
	return !strcmp(vendor, "GenuineIntel") && backend_host_is_tcg_guest();
}

void fid_probe(const struct fid_ops *ops, struct fid_report *r)
{
	static const struct {
		enum fid_cap cap;
		enum gc_mechanism mech;
	} entries[] = {
		{FID_SYSCALL64, GC_MECH_SYSCALL64},
		{FID_INT80_64, GC_MECH_INT80_64},
		{FID_INT80_COMPAT, GC_MECH_INT80_COMPAT},
		{FID_SYSCALL_COMPAT, GC_MECH_SYSCALL_COMPAT},
		{FID_SYSENTER_COMPAT, GC_MECH_SYSENTER_COMPAT},
	};
	static const struct {
		enum fid_cap cap;
		uint64_t flag;
	} flags[] = {
		{FID_FLAG_NT, X86_EFLAGS_NT}, {FID_FLAG_AC, X86_EFLAGS_AC},
		{FID_FLAG_DF, X86_EFLAGS_DF}, {FID_FLAG_TF, X86_EFLAGS_TF},
	};

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < sizeof(entries) / sizeof(*entries); i++) {
		if (entries[i].cap == FID_SYSCALL_COMPAT &&
		    compat_syscall_panics_this_kernel()) {
			set_cap(r, FID_SYSCALL_COMPAT, FID_MISSING,
				"an Intel CPU under QEMU TCG: compat SYSCALL "
				"would panic this kernel (CSTAR is 0)");
			continue;
		}
		probe_entry(ops->run, ops->ctx, r, entries[i].cap,
			    entries[i].mech);
	}
	for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++)
		probe_flag(ops->run, ops->ctx, r, flags[i].cap, flags[i].flag);
	probe_rf(ops->run, ops->ctx, r);
	probe_debugregs(ops->run, ops->ctx, r);
	probe_high_bases(ops->run, ops->ctx, r);
	if (ops->ldt)
		ops->ldt(ops->ctx, &r->cap[FID_LDT]);
	else
		set_cap(r, FID_LDT, FID_MISSING,
			"this backend has no LDT check");
}

/* The capabilities a testcase's two runs need (fidelity.h). */
static unsigned needs(const struct gc_testcase *tc, enum fid_cap *caps)
{
	unsigned n = 0;
	int srs = (uint32_t)tc->gpr[GC_RAX] == GC_SYS_SET_RETURN_STATE;

	switch (tc->mechanism) {
	case GC_MECH_SYSCALL64:
		caps[n++] = FID_SYSCALL64;
		/* The reference is int $0x80, except set_return_state. */
		if (!srs)
			caps[n++] = FID_INT80_64;
		break;
	case GC_MECH_INT80_64:
		caps[n++] = FID_INT80_64;
		break;
	case GC_MECH_INT80_COMPAT:
		caps[n++] = FID_INT80_COMPAT;
		break;
	case GC_MECH_SYSCALL_COMPAT:
		caps[n++] = FID_SYSCALL_COMPAT;
		caps[n++] = FID_INT80_COMPAT;
		break;
	case GC_MECH_SYSENTER_COMPAT:
		caps[n++] = FID_SYSENTER_COMPAT;
		caps[n++] = FID_INT80_COMPAT;
		break;
	case GC_MECH_INTO:
		/* into is compat-only: it needs a 32-bit code segment. */
		caps[n++] = FID_INT80_COMPAT;
		break;
	}
	if (tc->dbg.dr7)
		caps[n++] = FID_DEBUGREGS;
	return n;
}

/* The flags a testcase enters or returns with. */
static uint64_t flags_touched(const struct gc_testcase *tc)
{
	uint64_t f = tc->rflags;

	if (tc->ret_mask & GC_RET_RFLAGS)
		f |= tc->ret.rflags;
	return f;
}

int fid_gate(const struct fid_report *r, const struct gc_testcase *tc,
	     int defects_are_host, char *why, size_t len)
{
	static const struct {
		enum fid_cap cap;
		uint64_t flag;
	} flags[] = {
		{FID_FLAG_NT, X86_EFLAGS_NT}, {FID_FLAG_AC, X86_EFLAGS_AC},
		{FID_FLAG_DF, X86_EFLAGS_DF}, {FID_FLAG_TF, X86_EFLAGS_TF},
		{FID_FLAG_RF, X86_EFLAGS_RF},
	};
	enum fid_cap caps[4];
	unsigned n = needs(tc, caps);

	for (unsigned i = 0; i < n; i++) {
		const struct fid_cap_report *c = &r->cap[caps[i]];

		if (c->state != FID_MISSING &&
		    !(defects_are_host && c->state == FID_UNFAITHFUL))
			continue;
		snprintf(why, len,
			 "needs %s, %s on this host (gatecrash probe says "
			 "why)",
			 fid_cap_name(caps[i]), fid_state_name(c->state));
		return c->state == FID_MISSING ? FID_GATE_MISSING
					       : FID_GATE_DEFECT;
	}
	if (!defects_are_host)
		return 0;
	for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++) {
		const struct fid_cap_report *c = &r->cap[flags[i].cap];

		if (c->state != FID_UNFAITHFUL ||
		    !(flags_touched(tc) & flags[i].flag))
			continue;
		snprintf(why, len,
			 "shows known host defect %s (reproduce: %s)",
			 fid_cap_name(flags[i].cap),
			 fid_cap_reproducer(flags[i].cap));
		return FID_GATE_DEFECT;
	}
	return 0;
}

/* ---- the cache ---------------------------------------------------- */

static int read_boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	int ok = f && fgets(buf, (int)len, f);

	if (f)
		fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static int cache_path(const char *backend, char *out, size_t len)
{
	const char *dir = getenv("GATECRASH_CACHE_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char base[4096];

	if (dir && *dir)
		snprintf(base, sizeof(base), "%s", dir);
	else if (xdg && *xdg)
		snprintf(base, sizeof(base), "%s/gatecrash", xdg);
	else if (home && *home)
		snprintf(base, sizeof(base), "%s/.cache/gatecrash", home);
	else
		return -1;
	if (!(dir && *dir)) {
		char parent[4096];

		snprintf(parent, sizeof(parent), "%.*s",
			 (int)(strrchr(base, '/') - base), base);
		if (mkdir(parent, 0755) && errno != EEXIST)
			return -1;
	}
	if (mkdir(base, 0755) && errno != EEXIST)
		return -1;
	return snprintf(out, len, "%s/probe-%s", base, backend) >= (int)len
		       ? -1
		       : 0;
}

/* First line: the key; then one line per capability: name state evidence. */
static int cache_read(const char *path, const char *key, struct fid_report *r)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int ok = 0;

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) ||
	    strncmp(line, key, strlen(key)) || line[strlen(key)] != '\n')
		goto out;
	for (unsigned c = 0; c < FID_NR_CAPS; c++) {
		char name[64], state[16];
		int at = 0;

		if (!fgets(line, sizeof(line), f) ||
		    sscanf(line, "%63s %15s %n", name, state, &at) != 2 ||
		    strcmp(name, fid_cap_name(c)))
			goto out;
		if (!strcmp(state, "ok"))
			r->cap[c].state = FID_OK;
		else if (!strcmp(state, "missing"))
			r->cap[c].state = FID_MISSING;
		else if (!strcmp(state, "unfaithful"))
			r->cap[c].state = FID_UNFAITHFUL;
		else
			goto out;
		line[strcspn(line, "\n")] = 0;
		snprintf(r->cap[c].evidence, sizeof(r->cap[c].evidence), "%s",
			 line + at);
	}
	ok = 1;
out:
	fclose(f);
	return ok ? 0 : -1;
}

/* Written to a temporary name and renamed: readers never see half. */
static void cache_write(const char *path, const char *key,
			const struct fid_report *r)
{
	char tmp[4300];
	FILE *f;
	int bad;

	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%s\n", key);
	for (unsigned c = 0; c < FID_NR_CAPS; c++)
		fprintf(f, "%s %s %s\n", fid_cap_name(c),
			fid_state_name(r->cap[c].state), r->cap[c].evidence);
	bad = ferror(f);
	if (fclose(f) || bad || rename(tmp, path))
		unlink(tmp);
}

void fid_probe_cached(const struct fid_ops *ops, const char *backend,
		      const char *key, struct fid_report *r, int *cached)
{
	char boot[64], full[1024], path[4200];
	int have_path;

	*cached = 0;
	if (read_boot_id(boot, sizeof(boot))) {
		fid_probe(ops, r);
		return;
	}
	snprintf(full, sizeof(full), "boot %s %s", boot, key);
	have_path = !cache_path(backend, path, sizeof(path));
	if (have_path && !cache_read(path, full, r)) {
		*cached = 1;
		return;
	}
	fid_probe(ops, r);
	if (have_path)
		cache_write(path, full, r);
}
