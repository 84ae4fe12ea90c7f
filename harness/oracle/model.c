/* SPDX-License-Identifier: MIT */
/*
 * The specification model: for the testcases whose correct outcome follows
 * from the testcase alone, the user state each run must end with, judged
 * for each run on its own. The reference run goes through the same
 * int $0x80 path and IRET as int80_64 and int80_compat (and the same
 * instruction as the software interrupts), so a bug there is invisible to
 * the mechanism-vs-reference comparison; the model sees it, and names the
 * run that broke it. docs/semantics.md §8 lists every rule with its
 * source; model_rules[] is that list, checked word for word by
 * tests/unit/test_oracle.
 */
#include <stdio.h>
#include <string.h>

#include "arch/processor-flags.h"
#include "arch/segment.h"
#include "arch/traps.h"
#include "rules.h"
#include "testcase.h"

const struct model_rule model_rules[] = {
	{"model_syscall_return",
	 "nop returns 0, getpid GC_PID, iopl 0 or -EINVAL, an unknown number "
	 "-ENOSYS, in RAX (the test kernel's ABI, abi.h)"},
	{"model_syscall_preserves",
	 "every other GPR, RSP, RFLAGS, CS and SS are the user's own after "
	 "int $0x80 and SYSCALL, but RCX and R11 after SYSCALL (x86-64 ABI: "
	 "the kernel preserves all registers but RAX, RCX, R11)"},
	{"model_syscall_rcx_r11",
	 "after SYSCALL, RCX is the address of the next instruction and R11 "
	 "the RFLAGS it was executed with, RF clear (SDM Vol. 2 SYSCALL)"},
	{"model_compat_low_halves",
	 "in compat mode only bits 31:0 of each GPR are compared: the upper "
	 "halves are undefined after leaving 64-bit mode (SDM Vol. 1 3.4.1.1)"},
	{"model_int3_trap",
	 "int3, int $3 and a prefixed int3 raise #BP as a trap: one exception, "
	 "its RIP after the instruction, then the user carries on there with "
	 "its state untouched (SDM Vol. 3A 6.5, Linux's SIGTRAP)"},
	{"model_into",
	 "into raises #OF as a trap when OF is set, and does nothing when it "
	 "is clear (SDM Vol. 2 INTO)"},
	{"model_int1_gp",
	 "int $1 through a DPL 0 gate faults #GP with error code 0x0a (vector "
	 "1, IDT), at the instruction, ending the run (SDM Vol. 3A 6.12.1.1); "
	 "0x12, QEMU TCG's 16-byte gate offset (section 6), is accepted too"},
};
const size_t model_rule_count = sizeof(model_rules) / sizeof(model_rules[0]);

#define LANDING GC_USER_LANDING

/* What the model expects of one run. */
struct model_expect {
	uint8_t end;
	uint8_t n_exc;
	struct gc_exception exc;
	struct gc_user_state st; /* GPRs, RIP, RFLAGS, CS, SS */
	uint64_t gpr_mask;	 /* the bits of each GPR compared */
	uint16_t skip_gprs;	 /* GPRs the model says nothing about */
};

static int is_syscall_mech(unsigned m)
{
	return m == GC_MECH_INT80_64 || m == GC_MECH_INT80_COMPAT ||
	       m == GC_MECH_SYSCALL64;
}

static int is_swint_mech(unsigned m)
{
	return m == GC_MECH_INT3 || m == GC_MECH_INT_3 ||
	       m == GC_MECH_INT3_PREFIXED || m == GC_MECH_INTO ||
	       m == GC_MECH_INT_1;
}

/*
 * The testcases the model covers: a plain process (its own CS, the user
 * data segment for SS, no selector the kernel would change), no prefix,
 * no breakpoint, no single step, no LDT, and for the syscalls one whose
 * result follows from the registers alone.
 */
static int model_applies(const struct gc_testcase *tc)
{
	uint32_t nr = (uint32_t)tc->gpr[GC_RAX];

	if (!is_syscall_mech(tc->mechanism) && !is_swint_mech(tc->mechanism))
		return 0;
	if (tc->dbg.prefix || (tc->dbg.dr7 & GC_DR7_ENABLE_MASK) ||
	    (tc->rflags & (X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_AC)))
		return 0;
	if (tc->sel[GC_SS] != __USER_DS)
		return 0;
	for (unsigned i = 0; i < GC_LDT_ENTRIES; i++)
		if (tc->seg.ldt[i])
			return 0;
	if (is_swint_mech(tc->mechanism))
		return 1;
	return nr == GC_SYS_NOP || nr == GC_SYS_GETPID || nr == GC_SYS_IOPL ||
	       nr >= GC_SYS_COUNT;
}

static uint64_t syscall_return(const struct gc_testcase *tc)
{
	switch ((uint32_t)tc->gpr[GC_RAX]) {
	case GC_SYS_NOP:
		return 0;
	case GC_SYS_GETPID:
		return GC_PID;
	case GC_SYS_IOPL:
		return tc->gpr[GC_RDI] > 3 ? -(uint64_t)GC_EINVAL : 0;
	default:
		return -(uint64_t)GC_ENOSYS;
	}
}

static void expect_syscall(const struct gc_testcase *tc, struct model_expect *e)
{
	e->st.gpr[GC_RAX] = syscall_return(tc);
	if (tc->mechanism == GC_MECH_SYSCALL64) {
		e->st.gpr[GC_RCX] = LANDING;
		e->st.gpr[GC_R11] = tc->rflags & ~(uint64_t)X86_EFLAGS_RF;
	}
}

/* Length of each software interrupt's instruction, ending at LANDING. */
static uint64_t swint_len(unsigned m)
{
	return m == GC_MECH_INT3 || m == GC_MECH_INTO ? 1
	       : m == GC_MECH_INT3_PREFIXED	      ? 3
						      : 2;
}

static void expect_swint(const struct gc_testcase *tc, struct model_expect *e)
{
	unsigned m = tc->mechanism;

	if (m == GC_MECH_INTO && !(tc->rflags & X86_EFLAGS_OF))
		return;
	e->n_exc = 1;
	e->exc.vector = m == GC_MECH_INTO    ? X86_TRAP_OF
			: m == GC_MECH_INT_1 ? X86_TRAP_GP
					     : X86_TRAP_BP;
	e->exc.rip = LANDING;
	if (m == GC_MECH_INT_1) {
		e->exc.error_code = (X86_TRAP_DB << 3) | 2; /* IDT bit */
		e->exc.rip = LANDING - swint_len(m);
		e->st.rip = e->exc.rip;
		e->end = GC_END_USER_FAULT;
	}
}

static void model_expect(const struct gc_testcase *tc, struct model_expect *e)
{
	memset(e, 0, sizeof(*e));
	e->end = GC_END_LANDED;
	memcpy(e->st.gpr, tc->gpr, sizeof(e->st.gpr));
	e->st.rip = LANDING;
	e->st.rflags = tc->rflags;
	e->st.sel[GC_CS] =
		tc_mode(tc) == GC_MODE_COMPAT ? __USER32_CS : __USER_CS;
	e->st.sel[GC_SS] = __USER_DS;
	e->gpr_mask = tc_mode(tc) == GC_MODE_COMPAT ? 0xffffffffull : ~0ull;
	if (is_syscall_mech(tc->mechanism))
		expect_syscall(tc, e);
	else
		expect_swint(tc, e);
}

static void model_diff(struct verdict *v, const char *run, const char *what,
		       uint64_t got, uint64_t want)
{
	struct field_diff *d;

	if (v->n_diffs >= VERDICT_MAX_DIFFS)
		return;
	d = &v->diffs[v->n_diffs++];
	/* "ref:rdx": the run, then the field; at most 4 + 1 + 18 chars. */
	snprintf(d->field, sizeof(d->field), "%.4s:%.18s", run, what);
	d->mech = got;
	d->ref = want;
}

/* QEMU TCG's do_interrupt64 offsets the IDT by 16-byte gates in the
 * error code: (1 << 4) | 2 for int $1 (docs/semantics.md §6). */
static int tcg_int1_error_code(const struct model_expect *e, uint32_t got)
{
	return e->exc.vector == X86_TRAP_GP && got == ((X86_TRAP_DB << 4) | 2);
}

/* Returns the number of ways the run broke the model. */
static unsigned check_run(const struct model_expect *e, const struct gc_run *r,
			  const char *run, struct verdict *v)
{
	unsigned before = v->n_diffs;

	if (r->end != e->end) {
		model_diff(v, run, "end", r->end, e->end);
		return v->n_diffs - before; /* the rest follows from it */
	}
	if (r->n_exc != e->n_exc)
		model_diff(v, run, "n_exc", r->n_exc, e->n_exc);
	if (r->n_exc && e->n_exc) {
		if (r->exc[0].vector != e->exc.vector)
			model_diff(v, run, "exc[0].vector", r->exc[0].vector,
				   e->exc.vector);
		if (r->exc[0].error_code != e->exc.error_code &&
		    !tcg_int1_error_code(e, r->exc[0].error_code))
			model_diff(v, run, "exc[0].error_code",
				   r->exc[0].error_code, e->exc.error_code);
		if (r->exc[0].rip != e->exc.rip)
			model_diff(v, run, "exc[0].rip", r->exc[0].rip,
				   e->exc.rip);
	}
	for (unsigned i = 0; i < GC_NR_GPRS; i++)
		if ((r->state.gpr[i] ^ e->st.gpr[i]) & e->gpr_mask)
			model_diff(v, run, state_fields[SF_GPR0 + i].name,
				   r->state.gpr[i], e->st.gpr[i]);
	if ((r->state.rip ^ e->st.rip) & e->gpr_mask)
		model_diff(v, run, "rip", r->state.rip, e->st.rip);
	if (r->state.rflags != e->st.rflags)
		model_diff(v, run, "rflags", r->state.rflags, e->st.rflags);
	if (r->state.sel[GC_CS] != e->st.sel[GC_CS])
		model_diff(v, run, "cs", r->state.sel[GC_CS], e->st.sel[GC_CS]);
	if (r->state.sel[GC_SS] != e->st.sel[GC_SS])
		model_diff(v, run, "ss", r->state.sel[GC_SS], e->st.sel[GC_SS]);
	return v->n_diffs - before;
}

void model_judge(const struct gc_testcase *tc, const struct gc_result *res,
		 struct verdict *v)
{
	struct model_expect e;

	if (!model_applies(tc))
		return;
	model_expect(tc, &e);
	if (check_run(&e, &res->mech, "mech", v))
		v->model_broken |= MODEL_BROKEN_MECH;
	if (check_run(&e, &res->ref, "ref", v))
		v->model_broken |= MODEL_BROKEN_REF;
}
