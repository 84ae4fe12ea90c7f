// SPDX-License-Identifier: MIT
/*
 * One testcase, executed twice: the mechanism under test with the host's
 * kernel profile, then the int $0x80 + IRETQ reference with every defense
 * on. Each execution enters ring 3 from a clean kernel context and ends in
 * run_end(), which records the user state and unwinds to run_one().
 */
#include "kernel.h"
#include "coverage.h"
#include "arch/processor-flags.h"
#include "arch/msr-index.h"
#include "arch/processor.h"
#include "arch/segment.h"

struct run {
	const struct gc_testcase *tc;
	unsigned mechanism; /* tc->mechanism, clamped: the slot is untrusted */
	unsigned prefix;    /* tc->dbg.prefix, clamped likewise */
	bool at_ref_entry;  /* the reference's int $0x80 starts this run */
	struct gc_run *out;
	bool reference;
	bool probe;	     /* the SS probe's re-execution (E4) */
	bool probe_in_order; /* the last exit entered the probe code at its
			      * start (user_probe_return_in_order) */
	bool kernel_faulted;
	bool user_ds_stale;  /* GC_SELFTEST_STALE_SS patched the GDT */
};

static struct run current;

const struct gc_testcase *run_testcase(void)
{
	return current.tc;
}

unsigned run_mechanism(void)
{
	return current.mechanism;
}

unsigned run_prefix(void)
{
	return current.prefix;
}

/* The run starts at the reference's int $0x80, not the mechanism's own
 * instruction (the reference of a software interrupt or an ill-formed call
 * gate is the same instruction). */
bool run_at_ref_entry(void)
{
	return current.at_ref_entry;
}

bool run_is_reference(void)
{
	return current.reference;
}

/* Before run_count_entry() has counted it: the entry the run started with. */
bool run_is_first_entry(void)
{
	return current.out->n_entries == 0;
}

bool run_count_entry(void)
{
	if (current.out->n_entries < 255)
		current.out->n_entries++;
	return current.out->n_entries <= GC_ENTRY_BUDGET;
}

void run_record_user_exception(unsigned vector, uint32_t error_code,
			       uint64_t rip, uint64_t cr2_or_dr6, uint8_t flags)
{
	struct gc_run *out = current.out;

	if (out->n_exc < GC_MAX_EXC)
		out->exc[out->n_exc] = (struct gc_exception){
			.vector = vector,
			.flags = flags,
			.error_code = error_code,
			.rip = rip,
			.cr2 = cr2_or_dr6, /* the union's one word */
		};
	if (out->n_exc < 255)
		out->n_exc++;
}

/*
 * GC_SELFTEST_STALE_SS: a kernel that really leaves SS stale, to prove the
 * probe sees it. While the mechanism run's exits execute, GDT[USER_DS] has
 * a base of 2 GiB (nothing mapped there); the selector the exit loads still
 * reads __USER_DS, the hidden base does not. The descriptor is restored when
 * the run ends (run_one), i.e. after the user has run on the stale cache.
 */
static void selftest_stale_ss(void)
{
	if (mailbox->selftest != GC_SELFTEST_STALE_SS || current.reference)
		return;
	desc_set_user_ds_base(0x80000000u);
	current.user_ds_stale = true;
}

/* The machine state at the instant of the exit instruction (hazards). */
static void record_exit(enum gc_exit_kind kind, const struct cpu_regs *regs)
{
	struct gc_run *out = current.out;
	struct gc_exit_record *x;

	cov_hit(GC_COV_EXIT + current.reference * GC_EXIT_KIND_COUNT + kind);
	if (out->n_exits < 255)
		out->n_exits++;
	if (out->n_exits > GC_MAX_EXITS)
		return;
	x = &out->exits[out->n_exits - 1];
	*x = (struct gc_exit_record){
		.kind = kind,
		.ss = read_ss(),
		.rcx = regs->rcx,
		.r11 = regs->r11,
		.rsp = regs->rsp,
	};
	if (kind == GC_EXIT_SYSRETL) {
		/* What the SYSRETL path loads: ECX from RIP, R11 from RFLAGS. */
		x->rcx = (uint32_t)regs->rip;
		x->r11 = regs->rflags;
		x->target_rip = (uint32_t)regs->rip;
		x->target_rflags = (regs->rflags & X86_SYSRET_RFLAGS_MASK) |
				   X86_EFLAGS_FIXED;
		x->target_rsp = regs->rsp;
		x->target_cs = STAR_SYSRET_CS | 3;
		x->target_ss = (STAR_SYSRET_CS + 8) | 3;
	} else if (kind == GC_EXIT_SYSEXITL) {
		/* What the SYSEXIT path loads: EDX from RIP, ECX from RSP, and
		 * RFLAGS by POPFQ (which cannot set RF, VM, VIF, VIP). */
		x->rcx = (uint32_t)regs->rsp;
		x->target_rip = (uint32_t)regs->rip;
		x->target_rflags = regs->rflags & ~X86_EFLAGS_NOT_POPF;
		x->target_rsp = (uint32_t)regs->rsp;
		x->target_cs = SYSEXIT32_CS;
		x->target_ss = SYSEXIT32_SS;
	} else if (kind == GC_EXIT_LRETQ) {
		/* POPFQ then LRETQ: the frame, minus what POPF cannot set. */
		x->target_rip = regs->rip;
		x->target_rflags = regs->rflags & ~X86_EFLAGS_NOT_POPF;
		x->target_rsp = regs->rsp;
		x->target_cs = regs->cs;
		x->target_ss = regs->ss;
	} else if (kind == GC_EXIT_SYSRETQ) {
		x->target_rip = regs->rcx;
		x->target_rflags =
			(regs->r11 & X86_SYSRET_RFLAGS_MASK) | X86_EFLAGS_FIXED;
		x->target_rsp = regs->rsp;
		x->target_cs = (STAR_SYSRET_CS + 16) | 3;
		x->target_ss = (STAR_SYSRET_CS + 8) | 3;
	} else {
		x->target_rip = regs->rip;
		x->target_rflags = regs->rflags;
		x->target_rsp = regs->rsp;
		x->target_cs = regs->cs;
		x->target_ss = regs->ss;
	}
}

/* Where the exit instruction about to run returns to. */
static uint64_t exit_target_rip(enum gc_exit_kind kind,
				const struct cpu_regs *regs)
{
	if (kind == GC_EXIT_SYSRETQ)
		return regs->rcx;
	if (kind == GC_EXIT_SYSRETL || kind == GC_EXIT_SYSEXITL)
		return (uint32_t)regs->rip;
	return regs->rip;
}

void run_record_exit(enum gc_exit_kind kind, const struct cpu_regs *regs)
{
	record_exit(kind, regs);
	current.probe_in_order = user_probe_return_in_order(
		exit_target_rip(kind, regs), current.probe_in_order);
	selftest_stale_ss();
}

void run_record_kernel_fault(const struct cpu_regs *regs)
{
	if (!current.out) {
		console_hex("kernel fault outside a run, vector ", regs->vector);
		console_hex("  rip ", regs->rip);
		panic("the test kernel itself is broken");
	}
	current.kernel_faulted = true;
	current.out->fault = (struct gc_kernel_fault){
		.vector = regs->vector,
		.error_code = regs->error_code,
		.rip = regs->rip,
		.cr2 = read_cr2(),
		.rsp = regs->rsp,
	};
}

static void capture_user_state(const struct cpu_regs *regs,
			       struct gc_user_state *st)
{
	const uint64_t gpr[GC_NR_GPRS] = {
		regs->rax, regs->rcx, regs->rdx, regs->rbx,
		regs->rsp, regs->rbp, regs->rsi, regs->rdi,
		regs->r8,  regs->r9,  regs->r10, regs->r11,
		regs->r12, regs->r13, regs->r14, regs->r15,
	};

	memcpy(st->gpr, gpr, sizeof(gpr));
	st->rip = regs->rip;
	st->rflags = regs->rflags;
	/* Entry from ring 3 changes none of these: they are the user's. */
	st->sel[GC_CS] = regs->cs & 0xffff;
	st->sel[GC_SS] = regs->ss & 0xffff;
	st->sel[GC_DS] = read_ds();
	st->sel[GC_ES] = read_es();
	st->sel[GC_FS] = read_fs();
	st->sel[GC_GS] = read_gs();
	st->fs_base = rdmsr(MSR_FS_BASE);
	/* Every entry from user mode did SWAPGS: the user's base is parked. */
	st->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	fpu_capture_user(&current.tc->seg, st);
}

/*
 * In the SS probe's run, a user exception at the probe's push/pop or its
 * final HLT settles the probe (user_probe_outcome). Returns true if it did.
 */
bool run_probe_exception(const struct cpu_regs *regs)
{
	enum gc_ss_probe p;

	if (!current.probe || !current.probe_in_order)
		return false;
	p = user_probe_outcome(regs->rip, regs->vector, regs->error_code);
	if (p == GC_PROBE_NOT_RUN)
		return false;
	current.out->ss_probe = p;
	current.out->ss_probe_vector = p == GC_PROBE_FAULTED ? regs->vector : 0;
	return true;
}

__noreturn void run_end(enum gc_end end, const struct cpu_regs *regs)
{
	debug_disarm();
	current.out->end = end;
	cov_hit(GC_COV_END + current.reference * GC_END_COUNT + end);
	if (regs)
		capture_user_state(regs, &current.out->state);
	leave_user();
}

/* A data selector the kernel cannot load at all is 0 in the process, as
 * Linux's loadsegment fixup would leave it: never a ring-0 fault here. */
static uint16_t user_data_selector(uint16_t sel)
{
	return selector_loads_as_data(sel) ? sel : 0;
}

static void build_user_entry(const struct gc_testcase *tc, bool reference,
			     struct user_entry *ue)
{
	memcpy(ue->gpr, tc->gpr, sizeof(ue->gpr));
	ue->rip = user_entry_rip(current.mechanism, current.prefix,
				run_at_ref_entry());
	ue->rflags = tc->rflags;
	ue->fs_base = tc->fs_base;
	ue->gs_base = tc->gs_base;
	ue->cs = tc->sel[GC_CS];
	ue->ss = tc->sel[GC_SS];
	ue->ds = user_data_selector(tc->sel[GC_DS]);
	ue->es = user_data_selector(tc->sel[GC_ES]);
	ue->fs = user_data_selector(tc->sel[GC_FS]);
	ue->gs = user_data_selector(tc->sel[GC_GS]);
}

static void run_one(const struct gc_testcase *tc, bool reference, bool probe,
		    uint64_t defenses, struct gc_run *out)
{
	struct user_entry ue;

	/* The counts and the end; the host zeroes what the run leaves unused
	 * (harness/backend/result_check.c), which is cheaper there. */
	memset(out, 0, __builtin_offsetof(struct gc_run, state));
	current = (struct run){
		.tc = tc,
		.mechanism = tc->mechanism % GC_MECH_COUNT,
		.prefix = tc->dbg.prefix % GC_PREFIX_COUNT,
		.out = out,
		.reference = reference,
		.probe = probe,
	};
	current.at_ref_entry =
		reference &&
		!user_is_own_reference(current.mechanism, &tc->gate);
	defenses_activate(reference ? GC_DEFENSES_ALL : defenses);
	paging_map_user_code(
		probe ? user_probe_page_for(current.mechanism, current.prefix)
		      : user_page_for(current.mechanism, current.prefix));
	paging_prepare_user_pages(tc->sel[GC_SS],
				 current.prefix == GC_PREFIX_POP_SS);
	ldt_reset(tc->seg.ldt);
	fpu_load_user(&tc->seg);
	desc_set_call_gate(&tc->gate);
	build_user_entry(tc, reference, &ue);
	debug_arm(tc);
	enter_user(&ue);
	if (current.user_ds_stale)
		desc_set_user_ds_base(0);
	/* A run that faulted in ring 0 may have left the tables in any state. */
	if (current.kernel_faulted)
		desc_init();
}

/*
 * The SS probe (E4) re-executes a run on the probe page, so the primary
 * capture is untouched, and keeps only its verdict on SS in that run.
 */
static void run_probe(const struct gc_testcase *tc, bool reference,
		      uint64_t defenses, struct gc_run *keep)
{
	static struct gc_run scratch;

	run_one(tc, reference, true, defenses, &scratch);
	keep->ss_probe = scratch.ss_probe ? scratch.ss_probe
					  : GC_PROBE_NOT_REACHED;
	keep->ss_probe_vector = scratch.ss_probe_vector;
}

static bool wants_ss_probe(const struct gc_testcase *tc)
{
	return (tc->seg.flags & GC_SEG_PROBE_SS) ||
	       mailbox->selftest == GC_SELFTEST_STALE_SS;
}

void run_case(const struct gc_testcase *tc, uint64_t defenses,
	      struct gc_result *res)
{
	run_one(tc, false, false, defenses, &res->mech);
	run_one(tc, true, false, defenses, &res->ref);
	if (wants_ss_probe(tc)) {
		run_probe(tc, false, defenses, &res->mech);
		run_probe(tc, true, defenses, &res->ref);
	}
	current = (struct run){ 0 }; /* a fault from here on is the kernel's */
}
