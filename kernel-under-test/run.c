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
	struct gc_run *out;
	bool reference;
	bool kernel_faulted;
};

static struct run current;

const struct gc_testcase *run_testcase(void)
{
	return current.tc;
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
			       uint64_t rip, uint64_t cr2, uint8_t flags)
{
	struct gc_run *out = current.out;

	if (out->n_exc < GC_MAX_EXC)
		out->exc[out->n_exc] = (struct gc_exception){
			.vector = vector,
			.flags = flags,
			.error_code = error_code,
			.rip = rip,
			.cr2 = cr2,
		};
	if (out->n_exc < 255)
		out->n_exc++;
}

/* The machine state at the instant of the exit instruction (hazards). */
void run_record_exit(enum gc_exit_kind kind, const struct cpu_regs *regs)
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
	st->gs_base = rdmsr(MSR_GS_BASE);
}

__noreturn void run_end(enum gc_end end, const struct cpu_regs *regs)
{
	current.out->end = end;
	cov_hit(GC_COV_END + current.reference * GC_END_COUNT + end);
	if (regs)
		capture_user_state(regs, &current.out->state);
	leave_user();
}

static void build_user_entry(const struct gc_testcase *tc, bool reference,
			     struct user_entry *ue)
{
	memcpy(ue->gpr, tc->gpr, sizeof(ue->gpr));
	ue->rip = user_entry_rip(tc, reference);
	ue->rflags = tc->rflags;
	ue->fs_base = tc->fs_base;
	ue->gs_base = tc->gs_base;
	ue->cs = tc->sel[GC_CS];
	ue->ss = tc->sel[GC_SS];
	ue->ds = tc->sel[GC_DS];
	ue->es = tc->sel[GC_ES];
	ue->fs = tc->sel[GC_FS];
	ue->gs = tc->sel[GC_GS];
}

static void run_one(const struct gc_testcase *tc, bool reference,
		    uint64_t defenses, struct gc_run *out)
{
	struct user_entry ue;

	memset(out, 0, sizeof(*out));
	current = (struct run){ .tc = tc, .out = out, .reference = reference };
	defenses_activate(reference ? GC_DEFENSES_ALL : defenses);
	paging_map_user_code(user_page_for(tc->mechanism));
	desc_set_call_gate(&tc->gate);
	build_user_entry(tc, reference, &ue);
	enter_user(&ue);
	/* A run that faulted in ring 0 may have left the tables in any state. */
	if (current.kernel_faulted)
		desc_init();
}

void run_case(const struct gc_testcase *tc, uint64_t defenses,
	      struct gc_result *res)
{
	run_one(tc, false, defenses, &res->mech);
	run_one(tc, true, defenses, &res->ref);
	current = (struct run){ 0 }; /* a fault from here on is the kernel's */
}
