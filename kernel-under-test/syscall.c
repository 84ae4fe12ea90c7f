// SPDX-License-Identifier: MIT
/*
 * The syscall table and the two syscall entries' C halves. The syscall
 * number is EAX: Linux treats it as an int ("the MSB is supposed to be
 * ignored", syscall_numbering.c) on every entry.
 */
#include "kernel.h"
#include "coverage.h"
#include "arch/processor-flags.h"
#include "arch/segment.h"
#include "arch/traps.h"

/* The 15 saved GPRs, indexed in hardware order; RSP lives in the frame. */
static uint64_t *regs_gpr(struct cpu_regs *regs, unsigned n)
{
	uint64_t *const slot[GC_NR_GPRS] = {
		&regs->rax, &regs->rcx, &regs->rdx, &regs->rbx,
		&regs->rsp, &regs->rbp, &regs->rsi, &regs->rdi,
		&regs->r8,  &regs->r9,	&regs->r10, &regs->r11,
		&regs->r12, &regs->r13, &regs->r14, &regs->r15,
	};
	return slot[n];
}

/* What Linux's sigreturn lets through: RPL 3 selectors, no VM86, no junk. */
static uint64_t sanitize_user_rflags(uint64_t rflags)
{
	return (rflags & X86_EFLAGS_DEFINED & ~X86_EFLAGS_VM) | X86_EFLAGS_FIXED;
}

/*
 * IOPL is not the user's to set (E19): Linux's sigreturn takes only
 * FIX_EFLAGS from the frame, which has no IOPL, and SYSRET would hand R11's
 * IOPL to user mode verbatim. With the defense on, the frame's IOPL is
 * ignored and the saved one (0: FMASK and the int80 gate leave it) kept.
 */
static uint64_t returned_rflags(uint64_t saved, uint64_t frame)
{
	uint64_t rflags = sanitize_user_rflags(frame);

	if (defense_on(GC_DEF_SIGRETURN_FIX_IOPL))
		rflags = (rflags & ~X86_EFLAGS_IOPL) | (saved & X86_EFLAGS_IOPL);
	return rflags;
}

/*
 * GC_SYS_SET_RETURN_STATE: the sigreturn analogue. The frame comes from the
 * testcase through a copy_from_user-style REP MOVSQ into a buffer with room
 * below it, so a DF left set by the entry (E7) corrupts the copy, not the
 * kernel.
 */
static struct {
	struct gc_ret_frame below;
	struct gc_ret_frame frame;
} ret_staging;

#define RET_FRAME_QWORDS (sizeof(struct gc_ret_frame) / 8)

static void set_return_state(struct cpu_regs *regs)
{
	const struct gc_testcase *tc = run_testcase();
	const struct gc_ret_frame *f = &ret_staging.frame;
	uint32_t mask = tc->ret_mask;

	memset(&ret_staging, 0, sizeof(ret_staging));
	copy_ret_frame_from_user(&ret_staging.frame, &tc->ret, RET_FRAME_QWORDS);

	for (unsigned n = 0; n < GC_NR_GPRS; n++)
		if (mask & GC_RET_GPR(n))
			*regs_gpr(regs, n) = f->gpr[n];
	if (mask & GC_RET_RIP)
		regs->rip = f->rip;
	if (mask & GC_RET_RFLAGS)
		regs->rflags = returned_rflags(regs->rflags, f->rflags);
	if (mask & GC_RET_CS)
		regs->cs = f->cs | 3;
	if (mask & GC_RET_SS)
		regs->ss = f->ss | 3;
}

/*
 * GC_SYS_MODIFY_LDT: one descriptor, checked as Linux checks it. Segment
 * registers already loaded from the old entry keep its cached descriptor
 * unless the kernel reloads them (E15): ldt_refresh_segments.
 */
static uint64_t modify_ldt(uint64_t index, uint64_t raw)
{
	int64_t ret = ldt_write_entry(index, raw);

	if (ret == 0 && defense_on(GC_DEF_LDT_REFRESH_SEGMENTS))
		ldt_refresh_segments();
	return ret;
}

/*
 * GC_SYS_IOPL (above) follows Linux >= 5.5 ("x86/iopl: Restrict iopl()
 * permission scope"): iopl(3) would grant port access through the I/O
 * bitmap, never by running user code with real IOPL, so CLI/STI keep
 * faulting and RFLAGS.IOPL stays 0. This kernel has no port to grant; the
 * call validates its level and changes no user-visible state.
 */
/*
 * The syscall number: EAX, zero-extended, as Linux's compat entries do
 * (`movl %eax, %eax` in entry_64_compat.S; XSA-454 is what trusting the
 * upper half of a compat GPR costs).
 *
 * GC_SELFTEST_COMPAT_INT80_NR is defined only in the planted-bug kernel
 * (gatecrash-kernel-int80-nr.elf, kernel-under-test/CMakeLists.txt), never
 * in the one the harness boots by default: its mechanism run's compat
 * int $0x80 forgets the zero extension, so a RAX whose upper half compat
 * code cannot even see selects -ENOSYS. The reference is the hardened
 * kernel and keeps it. tests/engine/test_findings.c fuzzes this kernel.
 */
static uint64_t syscall_nr(const struct cpu_regs *regs)
{
#ifdef GC_SELFTEST_COMPAT_INT80_NR
	if (regs->vector == SYSCALL_VECTOR && regs->cs == __USER32_CS &&
	    !run_is_reference())
		return regs->rax;
#endif
	return (uint32_t)regs->rax;
}

void syscall_dispatch(struct cpu_regs *regs)
{
	if (!run_count_entry())
		run_end(GC_END_BUDGET, regs);

	switch (syscall_nr(regs)) {
	case GC_SYS_NOP:
		regs->rax = 0;
		break;
	case GC_SYS_GETPID:
		regs->rax = GC_PID;
		break;
	case GC_SYS_SET_RETURN_STATE:
		set_return_state(regs);
		break;
	case GC_SYS_MODIFY_LDT:
		regs->rax = modify_ldt(regs->rdi, regs->rsi);
		break;
	case GC_SYS_IOPL:
		regs->rax = regs->rdi > 3 ? -(uint64_t)GC_EINVAL : 0;
		break;
	default:
		regs->rax = -(uint64_t)GC_ENOSYS;
		break;
	}
}

/*
 * The reference enters by its own int $0x80 but must leave the user where
 * the mechanism's instruction would, with what the architecture says that
 * instruction leaves (docs/catalog.md §0, docs/semantics.md §2): the return
 * RIP is the landing, and SYSCALL also puts that RIP in RCX and RFLAGS (RF
 * cleared) in R11. Only the entry the reference run starts with is
 * emulated; later entries are whatever the user code executes, in both
 * runs alike. (Software-interrupt mechanisms have no int80 reference: see
 * user_entry_rip().)
 */
static void emulate_mechanism_entry(struct cpu_regs *regs)
{
	unsigned mechanism = run_mechanism();

	regs->rip = GC_USER_LANDING;
	if (mechanism == GC_MECH_SYSCALL64 ||
	    mechanism == GC_MECH_SYSCALL_COMPAT) {
		regs->rcx = regs->rip;
		regs->r11 = regs->rflags & ~X86_EFLAGS_RF;
		/* SYSCALL saves no SS: the entry's frame says __USER_DS, as
		 * Linux's pt_regs->ss, and SYSRET loads that from STAR. A user
		 * SS from the LDT does not survive a SYSCALL. */
		regs->ss = __USER_DS;
	}
}

static bool is_reference_entry(const struct cpu_regs *regs)
{
	return run_is_reference() && run_is_first_entry() &&
	       regs->rip == user_ref_return_rip();
}

/*
 * Planted bugs (GC_SELFTEST_*): what a broken kernel would do on these
 * paths, for the oracle's tests (tests/groundtruth/test_model.c). Never on
 * a normal batch.
 */
static void selftest_int80_exit(struct cpu_regs *regs)
{
	if (mailbox->selftest == GC_SELFTEST_INT80_LOSES_RDX)
		regs->rdx = 0;
}

static void selftest_compat_exit(struct cpu_regs *regs)
{
	unsigned m = run_mechanism();

	if (mailbox->selftest == GC_SELFTEST_COMPAT_TO_64_RBX &&
	    !run_is_reference() && regs->cs == __USER_CS &&
	    (m == GC_MECH_INT80_COMPAT || m == GC_MECH_SYSCALL_COMPAT))
		regs->rbx = (uint32_t)regs->rbx;
}

void do_int80(struct cpu_regs *regs)
{
	bool reference_entry = is_reference_entry(regs);

	/* SYSENTER's convention is the entry's own doing (sysenter.c): the
	 * reference runs the same code, from its int $0x80 frame. */
	if (reference_entry &&
	    run_testcase()->mechanism == GC_MECH_SYSENTER_COMPAT) {
		sysenter_syscall(regs);
	} else {
		if (reference_entry)
			emulate_mechanism_entry(regs);
		syscall_dispatch(regs);
	}
	selftest_int80_exit(regs);
	selftest_compat_exit(regs);
	debug_deliver_pending(regs);
	run_record_exit(GC_EXIT_IRETQ, regs);
}

/*
 * Linux's opportunistic-SYSRETL preconditions (do_fast_syscall_32), each a
 * named defense. SYSRETL returns to EIP = ECX with EFLAGS = R11 and the fixed
 * STAR selectors; Linux also insists on the vDSO landing pad, which here
 * means a RIP that ECX can hold at all.
 */
static bool sysretl_is_safe(const struct cpu_regs *regs)
{
	/* SYSRETL loads __USER32_CS and __USER_DS whatever the frame says. */
	if (defense_on(GC_DEF_SYSRETL_USER32_CS_SS) &&
	    (regs->cs != __USER32_CS || regs->ss != __USER_DS))
		return false;
	/* SYSRETL cannot restore RF, and TF traps at once in user mode (E3). */
	if (defense_on(GC_DEF_SYSRETL_NO_TF_RF) &&
	    (regs->rflags & (X86_EFLAGS_TF | X86_EFLAGS_RF)))
		return false;
	/* EIP = ECX: a RIP above 4 GiB would be truncated, not faulted. */
	if (defense_on(GC_DEF_SYSRETL_EIP_FITS) && (regs->rip >> 32))
		return false;
	return true;
}

/* SYSCALL from compat mode (AMD; Intel raises #UD, E14). Returns 1 to leave
 * by SYSRETL, 0 to leave by IRETQ. */
int do_syscall_compat(struct cpu_regs *regs)
{
	syscall_dispatch(regs);
	selftest_compat_exit(regs);
	debug_deliver_pending(regs);
	if (!sysretl_is_safe(regs)) {
		run_record_exit(GC_EXIT_IRETQ, regs);
		return 0;
	}
	run_record_exit(GC_EXIT_SYSRETL, regs);
	return 1;
}

static bool is_canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

/*
 * Linux's opportunistic-SYSRET preconditions (arch/x86/entry/common.c), each
 * a named defense. SYSRETQ restores RIP from RCX, RFLAGS from R11 (minus RF),
 * and fixed CS/SS; anything it cannot restore exactly must go through IRET.
 */
static bool sysret_is_safe(const struct cpu_regs *regs)
{
	/* SYSRET requires RCX == RIP: it jumps to RCX. */
	if (defense_on(GC_DEF_SYSRET_RCX_IS_RIP) && regs->rcx != regs->rip) {
		cov_hit(GC_COV_SYSRET_RCX_NOT_RIP);
		return false;
	}
	/* SYSRET requires R11 == RFLAGS: it loads RFLAGS from R11. */
	if (defense_on(GC_DEF_SYSRET_R11_IS_RFLAGS) &&
	    regs->r11 != regs->rflags) {
		cov_hit(GC_COV_SYSRET_R11_NOT_RFLAGS);
		return false;
	}
	/* Intel raises #GP on a non-canonical RCX in ring 0, on the user's
	 * RSP: CVE-2012-0217. */
	if (defense_on(GC_DEF_SYSRET_CANONICAL_RIP) &&
	    !is_canonical(regs->rip)) {
		cov_hit(GC_COV_SYSRET_NONCANONICAL);
		return false;
	}
	/* SYSRET loads the STAR selectors whatever the frame says. */
	if (defense_on(GC_DEF_SYSRET_USER_CS_SS) &&
	    (regs->cs != __USER_CS || regs->ss != __USER_DS)) {
		cov_hit(GC_COV_SYSRET_CS_SS);
		return false;
	}
	/* SYSRET cannot restore RF, and TF traps at once in user mode (E3). */
	if (defense_on(GC_DEF_SYSRET_NO_TF_RF) &&
	    (regs->rflags & (X86_EFLAGS_TF | X86_EFLAGS_RF))) {
		cov_hit(GC_COV_SYSRET_TF_RF);
		return false;
	}
	cov_hit(GC_COV_SYSRET_SAFE);
	return true;
}

/* Returns 1 to leave by SYSRETQ, 0 to leave by IRETQ. */
int do_syscall64(struct cpu_regs *regs)
{
	syscall_dispatch(regs);
	debug_deliver_pending(regs);
	if (!sysret_is_safe(regs)) {
		run_record_exit(GC_EXIT_IRETQ, regs);
		return 0;
	}
	run_record_exit(GC_EXIT_SYSRETQ, regs);
	return 1;
}
