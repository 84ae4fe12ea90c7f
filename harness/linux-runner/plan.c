// SPDX-License-Identifier: MIT
/*
 * Planning one execution: what the test kernel would do with a testcase,
 * expressed as a native Linux process state. The test kernel's system calls
 * map onto harmless Linux ones with the same visible effect (docs/
 * backends.md): nop -> sched_yield (returns 0), getpid -> getpid (RAX mapped
 * back to GC_PID at capture), set_return_state -> rt_sigreturn with a frame
 * built from the testcase, anything else -> a number no table has
 * (-ENOSYS, as the test kernel's default).
 *
 * Pure: no system calls here, so the host tests link it too.
 */
#include <stdio.h>
#include <string.h>

#include "arch/processor-flags.h"
#include "arch/segment.h"
#include "runner.h"
#include "user_insn.h"

#define LR_LOW32 0xffffffffull

/* The test kernel's instructions (include/user_insn.h), each ending at
 * GC_USER_LANDING. sysenter_compat, call_gate and int3_prefixed are not
 * expressed here: lr_plan_build() says why. */
static const struct gc_user_insn insn_int80 = GC_INSN_INT80;
static const struct gc_user_insn insn_syscall = GC_INSN_SYSCALL;
static const struct gc_user_insn insn_int3 = GC_INSN_INT3;
static const struct gc_user_insn insn_int_3 = GC_INSN_INT_3;
static const struct gc_user_insn insn_into = GC_INSN_INTO;
static const struct gc_user_insn insn_int_1 = GC_INSN_INT_1;

static const struct gc_user_insn *const mechanism_insn[GC_MECH_COUNT] = {
	[GC_MECH_INT80_64] = &insn_int80,
	[GC_MECH_INT80_COMPAT] = &insn_int80,
	[GC_MECH_SYSCALL64] = &insn_syscall,
	[GC_MECH_SYSCALL_COMPAT] = &insn_syscall,
	[GC_MECH_INT3] = &insn_int3,
	[GC_MECH_INT_3] = &insn_int_3,
	[GC_MECH_INTO] = &insn_into,
	[GC_MECH_INT_1] = &insn_int_1,
};

/* int3, int $3, into, int $1: their own reference, as on the test kernel
 * (docs/semantics.md section 2), and no system call at all. */
static int is_software_interrupt(unsigned mechanism)
{
	return mechanism == GC_MECH_INT3 || mechanism == GC_MECH_INT_3 ||
	       mechanism == GC_MECH_INTO || mechanism == GC_MECH_INT_1;
}

/*
 * The mechanisms this runner expresses. Anything else, including any
 * mechanism added to abi.h after this list, is unsupported with its
 * number, never run as something it is not.
 */
static int is_known(unsigned mechanism)
{
	return mechanism < GC_MECH_COUNT && mechanism_insn[mechanism];
}

static int is_compat(unsigned mechanism)
{
	return mechanism == GC_MECH_INT80_COMPAT ||
	       mechanism == GC_MECH_SYSCALL_COMPAT ||
	       mechanism == GC_MECH_INTO;
}

static int fail(char *why, size_t len, const char *reason)
{
	snprintf(why, len, "%s", reason);
	return -1;
}

/*
 * The testcase's debug registers, set by the parent through ptrace as a
 * debugger would (debugregs.c), for both runs. The MOV SS / POP SS prefix
 * would need the runner's entry slot to hold it: unsupported.
 */
static int plan_debugregs(const struct gc_testcase *tc, unsigned opts,
			  struct lr_plan *p, char *why, size_t len)
{
	if (tc->dbg.prefix != GC_PREFIX_NONE)
		return fail(why, len,
			    "a prefix instruction (mov_ss, pop_ss) before "
			    "the entry: the runner's entry slot holds the "
			    "entry instruction alone");
	if (!(tc->dbg.dr7 & GC_DR7_ENABLE_MASK))
		return 0;
	if (opts & LR_PLAN_QEMU_USER)
		return fail(why, len,
			    "debug registers: qemu-x86_64 gives its guest "
			    "no ptrace of its own registers");
	memcpy(p->dr.dr, tc->dbg.dr, sizeof(p->dr.dr));
	p->dr.dr7 = tc->dbg.dr7;
	return 0;
}

static uint32_t gc_nr(const struct gc_testcase *tc)
{
	return (uint32_t)tc->gpr[GC_RAX];
}

/* The Linux number for the test kernel's, in the table the entry uses. */
static uint32_t linux_nr(uint32_t nr, int i386_table)
{
	switch (nr) {
	case GC_SYS_NOP:
		return i386_table ? LR_NR32_SCHED_YIELD : LR_NR64_SCHED_YIELD;
	case GC_SYS_GETPID:
		return i386_table ? LR_NR32_GETPID : LR_NR64_GETPID;
	case GC_SYS_SET_RETURN_STATE:
		return i386_table ? LR_NR32_RT_SIGRETURN : LR_NR64_RT_SIGRETURN;
	default:
		return LR_NR_NONE;
	}
}

/*
 * The test kernel's sanitize_user_rflags(): what its set_return_state puts
 * in the frame.
 */
static uint64_t gc_sanitize_rflags(uint64_t rflags)
{
	return (rflags & X86_EFLAGS_DEFINED & ~X86_EFLAGS_VM) |
	       X86_EFLAGS_FIXED;
}

/*
 * The user frame the test kernel's set_return_state edits: what the entry
 * saved (for SYSCALL also RCX = return RIP, R11 = RFLAGS without RF; the
 * int80 reference emulates the same), with the ret_mask fields laid over
 * it.
 */
void lr_plan_ret_frame(const struct gc_testcase *tc, struct lr_sigcontext *sc)
{
	uint64_t g[GC_NR_GPRS];
	const struct gc_ret_frame *r = &tc->ret;
	uint32_t m = tc->ret_mask;
	uint64_t rip = GC_USER_LANDING, rflags = tc->rflags;
	uint16_t cs = tc->sel[GC_CS], ss = tc->sel[GC_SS];

	memcpy(g, tc->gpr, sizeof(g));
	if (tc->mechanism == GC_MECH_SYSCALL64 ||
	    tc->mechanism == GC_MECH_SYSCALL_COMPAT) {
		g[GC_RCX] = GC_USER_LANDING;
		g[GC_R11] = tc->rflags & ~(uint64_t)X86_EFLAGS_RF;
	}
	for (unsigned n = 0; n < GC_NR_GPRS; n++)
		if (m & GC_RET_GPR(n))
			g[n] = r->gpr[n];
	if (m & GC_RET_RIP)
		rip = r->rip;
	if (m & GC_RET_RFLAGS)
		rflags = gc_sanitize_rflags(r->rflags);
	if (m & GC_RET_CS)
		cs = r->cs | 3;
	if (m & GC_RET_SS)
		ss = r->ss | 3;

	*sc = (struct lr_sigcontext){
		.r8 = g[GC_R8],
		.r9 = g[GC_R9],
		.r10 = g[GC_R10],
		.r11 = g[GC_R11],
		.r12 = g[GC_R12],
		.r13 = g[GC_R13],
		.r14 = g[GC_R14],
		.r15 = g[GC_R15],
		.di = g[GC_RDI],
		.si = g[GC_RSI],
		.bp = g[GC_RBP],
		.bx = g[GC_RBX],
		.dx = g[GC_RDX],
		.ax = g[GC_RAX],
		.cx = g[GC_RCX],
		.sp = g[GC_RSP],
		.ip = rip,
		.flags = rflags,
		.cs = cs,
		.ss = ss,
	};
}

/* FS/GS: selector first, then base. Without WRFSBASE the base can only be
 * set by arch_prctl, which also zeroes the selector. */
static int plan_segments(const struct gc_testcase *tc, unsigned opts,
			 struct lr_entry *e, char *why, size_t len)
{
	e->ds = tc->sel[GC_DS];
	e->es = tc->sel[GC_ES];
	e->fs = tc->sel[GC_FS];
	e->gs = tc->sel[GC_GS];
	e->fs_base = tc->fs_base;
	e->gs_base = tc->gs_base;
	if (opts & LR_PLAN_FSGSBASE) {
		e->flags |= LR_ENTRY_WRBASE;
		return 0;
	}
	if ((tc->fs_base && e->fs) || (tc->gs_base && e->gs))
		return fail(why, len,
			    "a non-zero FS/GS base with a non-zero selector "
			    "needs WRFSBASE, which this CPU/emulator does "
			    "not offer (AT_HWCAP2 lacks FSGSBASE)");
	if (!e->fs)
		e->flags |= LR_ENTRY_SKIP_FS;
	if (!e->gs)
		e->flags |= LR_ENTRY_SKIP_GS;
	return 0;
}

static int plan_set_return_state(const struct gc_testcase *tc, int reference,
				 struct lr_plan *p, char *why, size_t len)
{
	uint64_t changed;

	/* The test kernel re-runs set_return_state there until its entry
	 * budget ends the run; Linux would read the frame's RAX, a test
	 * kernel number, as one of its own system calls. */
	if ((tc->ret_mask & GC_RET_RIP) &&
	    tc->ret.rip == GC_USER_LANDING - insn_syscall.len)
		return fail(why, len,
			    "ret.rip re-enters the system call instruction with "
			    "the frame's RAX, a test kernel number Linux would "
			    "run as its own system call");
	if ((tc->ret_mask & GC_RET_RIP) && tc->ret.rip != GC_USER_LANDING) {
		p->check_rip = 1;
		p->ret_rip = tc->ret.rip;
	}
	/* int $0x80 and compat syscalls reach the i386 rt_sigreturn. */
	if (tc->mechanism != GC_MECH_SYSCALL64)
		return lr_plan_sigreturn32(tc, reference, p, why, len);
	lr_plan_ret_frame(tc, &p->frame);
	changed = (p->frame.flags ^ tc->rflags) & ~LR_SIGRETURN_FLAGS;
	if (changed)
		return fail(why, len,
			    "ret.rflags changes bits rt_sigreturn does not "
			    "restore (it takes only AC OF DF TF SF ZF AF PF "
			    "CF RF: FIX_EFLAGS, arch/x86)");
	p->has_frame = 1;
	p->entry.rsp = LR_FRAME_RSP;
	/*
	 * The reference must leave by IRET. Linux IRETs whenever RCX != RIP
	 * (do_syscall_64's SYSRET check), so plant an RCX one bit off and
	 * put the wanted value back at capture: IRET returns RCX verbatim
	 * and nothing in user mode reads it before the capture.
	 */
	if (reference && p->frame.cx == p->frame.ip) {
		p->fix_rcx = 1;
		p->rcx_wanted = p->frame.cx;
		p->rcx_planted = p->frame.cx ^ 1;
		p->frame.cx = p->rcx_planted;
	}
	return 0;
}

static int uses_int80_in_64bit_mode(const struct gc_testcase *tc, int reference)
{
	if (is_compat(tc->mechanism) || is_software_interrupt(tc->mechanism))
		return 0;
	return tc->mechanism == GC_MECH_INT80_64 ||
	       (reference && gc_nr(tc) != GC_SYS_SET_RETURN_STATE);
}

/* What this environment cannot run at all, whatever the testcase says. */
static int plan_environment(const struct gc_testcase *tc, int reference,
			    unsigned opts, char *why, size_t len)
{
	if (!(opts & LR_PLAN_QEMU_USER))
		return 0;
	if (uses_int80_in_64bit_mode(tc, reference))
		return fail(why, len,
			    "qemu-x86_64 does not emulate int $0x80 in a "
			    "64-bit process (it returns -EFAULT): no int80 "
			    "path to run there");
	if (is_compat(tc->mechanism))
		return fail(why, len,
			    "qemu-x86_64 cannot enter compat mode (IRETQ to "
			    "__USER32_CS faults there); qemu-i386 would need "
			    "an i386 runner and has no vDSO");
	return 0;
}

static void plan_entry(const struct gc_testcase *tc, const struct gc_user_insn *in,
		       struct lr_plan *p)
{
	struct lr_entry *e = &p->entry;

	memcpy(e->gpr, tc->gpr, sizeof(e->gpr));
	_Static_assert(sizeof(p->insn) >= 2, "the runner's insns fit");
	memcpy(p->insn, in->bytes,
	       in->len < sizeof(p->insn) ? in->len : sizeof(p->insn));
	p->insn_len = in->len;
	e->rip = GC_USER_LANDING - in->len;
	e->cs = tc->sel[GC_CS];
	e->rflags = tc->rflags;
	e->rsp = tc->gpr[GC_RSP];
	e->ss = tc->sel[GC_SS];
}

int lr_plan_build(const struct gc_testcase *tc, int reference, unsigned opts,
		  struct lr_plan *p, char *why, size_t len)
{
	struct lr_entry *e = &p->entry;
	unsigned m = tc->mechanism;
	int syscall_insn = m == GC_MECH_SYSCALL64 || m == GC_MECH_SYSCALL_COMPAT;
	int srs = gc_nr(tc) == GC_SYS_SET_RETURN_STATE;
	/* The reference is int $0x80, except set_return_state from
	 * syscall: int $0x80 cannot reach the 64-bit rt_sigreturn. */
	int via_int80 = !syscall_insn || (reference && !srs);

	memset(p, 0, sizeof(*p));
	p->reference = reference;
	if (m == GC_MECH_CALL_GATE)
		return fail(why, len,
			    "call gates: Linux's modify_ldt makes no gates, "
			    "so there is none to call on this backend");
	if (m == GC_MECH_INT3_PREFIXED)
		return fail(why, len,
			    "int3_prefixed (2E 2E CC): the runner's entry "
			    "slot holds two-byte instructions");
	if (m == GC_MECH_SYSENTER_COMPAT)
		return fail(why, len,
			    "raw sysenter: Linux returns to the vDSO landing "
			    "pad, and this AMD CPU raises #UD for it (SIGILL): "
			    "not expressible on this backend yet");
	if (!is_known(m)) {
		snprintf(why, len,
			 "mechanism %u is not expressible on this backend yet",
			 m);
		return -1;
	}
	if (plan_environment(tc, reference, opts, why, len) ||
	    plan_debugregs(tc, opts, p, why, len))
		return -1;
	if (is_software_interrupt(m)) {
		/* #OF is SIGSEGV on Linux; the test kernel resumes it. */
		plan_entry(tc, mechanism_insn[m], p);
		p->survive_of = m == GC_MECH_INTO;
		return plan_segments(tc, opts, e, why, len);
	}
	plan_entry(tc, via_int80 ? &insn_int80 : &insn_syscall, p);
	if (plan_segments(tc, opts, e, why, len))
		return -1;
	/* Compat entries, int $0x80 included, use the i386 table. */
	e->gpr[GC_RAX] = (tc->gpr[GC_RAX] & ~LR_LOW32) |
			 linux_nr(gc_nr(tc), via_int80 || is_compat(m));
	p->map_pid = gc_nr(tc) == GC_SYS_GETPID;
	if (srs)
		return plan_set_return_state(tc, reference, p, why, len);
	if (m == GC_MECH_SYSCALL_COMPAT && !reference)
		return lr_plan_compat_syscall(tc, p, why, len);
	/* What SYSCALL would have done, done in user mode before int $0x80
	 * (docs/semantics.md, "linux backend"). */
	if (syscall_insn && reference) {
		e->gpr[GC_RCX] = GC_USER_LANDING;
		e->gpr[GC_R11] = tc->rflags & ~(uint64_t)X86_EFLAGS_RF;
	}
	return 0;
}
