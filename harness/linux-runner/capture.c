// SPDX-License-Identifier: MIT
/*
 * The signal handler: the capture. It runs with the testcase's FS/GS bases
 * and selectors still loaded, so it calls no libc (no TLS, no errno, no
 * stack protector: the runner is built with -fno-stack-protector and
 * -fno-builtin) and leaves by a raw exit_group.
 *
 * Like the test kernel's traps.c: a #GP on a HLT of the code page is the
 * capture; #DB/#BP/#OF are traps the run survives (recorded, then resumed);
 * any other fault ends the run as a fatal signal would.
 */
#include <signal.h>

#include "arch/traps.h"
#include "runner.h"

#define HLT 0xf4

struct lr_capture lr_cap;

static __attribute__((noreturn)) void raw_exit_group(int code)
{
	/* exit_group is on the seccomp allowlist; nothing else is needed. */
	__asm__ volatile("syscall"
			 :
			 : "a"(LR_NR64_EXIT_GROUP), "D"(code)
			 : "rcx", "r11", "memory");
	__builtin_unreachable();
}

static uint64_t raw_arch_prctl_get(int code)
{
	uint64_t v = 0;
	long ret;

	/* ARCH_GET_FS/GS write the base to *arg2. */
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(LR_NR64_ARCH_PRCTL), "D"(code), "S"(&v)
			 : "rcx", "r11", "memory");
	return ret ? 0 : v;
}

/* The FS/GS selectors and bases: signal delivery to a 64-bit handler leaves
 * them as user mode had them, and the sigcontext does not carry them. */
static void capture_segments(struct gc_user_state *st)
{
	uint16_t sel;

	__asm__ volatile("mov %%ds, %0" : "=r"(sel));
	st->sel[GC_DS] = sel;
	__asm__ volatile("mov %%es, %0" : "=r"(sel));
	st->sel[GC_ES] = sel;
	__asm__ volatile("mov %%fs, %0" : "=r"(sel));
	st->sel[GC_FS] = sel;
	__asm__ volatile("mov %%gs, %0" : "=r"(sel));
	st->sel[GC_GS] = sel;
	if (lr_cap.use_rdbase) {
		__asm__ volatile("rdfsbase %0" : "=r"(st->fs_base));
		__asm__ volatile("rdgsbase %0" : "=r"(st->gs_base));
	} else {
		st->fs_base = raw_arch_prctl_get(0x1003); /* ARCH_GET_FS */
		st->gs_base = raw_arch_prctl_get(0x1004); /* ARCH_GET_GS */
	}
}

static void capture_state(const struct lr_ucontext *uc)
{
	const struct lr_sigcontext *sc = &uc->mc;
	struct gc_user_state *st = &lr_cap.run->state;
	const struct lr_plan *p = lr_cap.plan;
	uint64_t rax = sc->ax, rcx = sc->cx;

	if (p->map_pid && rax == lr_cap.pid)
		rax = GC_PID;
	if (p->fix_rcx && rcx == p->rcx_planted)
		rcx = p->rcx_wanted;
	st->gpr[GC_RAX] = rax;
	st->gpr[GC_RCX] = rcx;
	st->gpr[GC_RDX] = sc->dx;
	st->gpr[GC_RBX] = sc->bx;
	st->gpr[GC_RSP] = sc->sp;
	st->gpr[GC_RBP] = sc->bp;
	st->gpr[GC_RSI] = sc->si;
	st->gpr[GC_RDI] = sc->di;
	st->gpr[GC_R8] = sc->r8;
	st->gpr[GC_R9] = sc->r9;
	st->gpr[GC_R10] = sc->r10;
	st->gpr[GC_R11] = sc->r11;
	st->gpr[GC_R12] = sc->r12;
	st->gpr[GC_R13] = sc->r13;
	st->gpr[GC_R14] = sc->r14;
	st->gpr[GC_R15] = sc->r15;
	st->rip = sc->ip;
	st->rflags = sc->flags;
	st->sel[GC_CS] = sc->cs;
	st->sel[GC_SS] = sc->ss;
	capture_segments(st);
}

static __attribute__((noreturn)) void finish(enum gc_end end,
					     const struct lr_ucontext *uc)
{
	capture_state(uc);
	lr_cap.run->end = end;
	raw_exit_group(LR_EXIT_DONE);
}

/*
 * The capture: HLT at CPL 3 can do nothing but #GP(0), so a SIGSEGV with
 * trapno 13 and error code 0 on a HLT of the code page. Everything else
 * that arrives there is not one:
 *
 *  - #OF from into is a trap, reported at the RIP after into, which is
 *    the landing HLT;
 *  - a fault the exit IRET raised and Linux fixed up (fixup_bad_iret) is
 *    reported at the RIP it was returning to, the landing HLT, with the
 *    frame it could not load: #GP(selector), #SS or #NP(selector), or
 *    #GP(0) for a null CS or SS, which user mode can never run with, or
 *    for an LDT SS: that IRET runs on the espfix64 stack, and Linux turns
 *    its fault into a fake #GP(0) (exc_double_fault). An LDT CS or SS
 *    the plan did not install as such (none, so far) was never loaded.
 *
 * qemu-x86_64 does not put the vector in sigcontext.trapno (docs/
 * backends.md), so under QEMU only the signal, the RIP and the selectors
 * decide; every case would otherwise show that one QEMU difference
 * instead of its own.
 */
/* Did the plan install a present LDT entry sel can run with (code for CS,
 * writable data for SS)? */
static int ldt_loadable(uint16_t sel, int code)
{
	const struct lr_ldt *l = &lr_cap.plan->ldt;

	for (unsigned i = 0; i < l->n && i < LR_LDT_MAX; i++) {
		const struct user_desc *d = &l->e[i];

		if (d->entry_number != (unsigned)(sel >> 3) ||
		    d->seg_not_present)
			continue;
		return code ? d->contents >= 2
			    : d->contents < 2 && !d->read_exec_only;
	}
	return 0;
}

static int is_capture(int sig, const struct lr_sigcontext *sc)
{
	uint64_t off = sc->ip - GC_USER_CODE_VA;

	if (sig != SIGSEGV || off >= GC_USER_PAGE_SIZE ||
	    ((const uint8_t *)GC_USER_CODE_VA)[off] != HLT)
		return 0;
	if (!(sc->cs & 0xfffc) || !(sc->ss & 0xfffc))
		return 0;
	if (((sc->cs & 4) && !ldt_loadable(sc->cs, 1)) ||
	    ((sc->ss & 4) && !ldt_loadable(sc->ss, 0)))
		return 0;
	if (lr_cap.trapno_unreliable)
		return 1;
	return sc->trapno == X86_TRAP_GP && sc->err == 0;
}

/* DR6 is not in the sigcontext: the tracer's copy when the runner set
 * debug registers (debugregs.h), else what si_code says about why #DB
 * happened (get_si_code() in arch/x86/kernel/traps.c). */
static uint64_t debug_status(const siginfo_t *si)
{
	struct lr_dr6_mailbox *box = lr_cap.dr6_box;

	if (box && box->seq != lr_cap.dr6_seen) {
		lr_cap.dr6_seen = box->seq;
		return box->dr6;
	}
	if (si->si_code == TRAP_TRACE)
		return 0xffff4ff0; /* DR6.BS */
	return 0xffff0ff0;
}

static void record_exception(const struct lr_sigcontext *sc,
			     const siginfo_t *si)
{
	struct gc_run *run = lr_cap.run;
	struct gc_exception *x;

	if (run->n_exc < GC_MAX_EXC) {
		x = &run->exc[run->n_exc];
		x->vector = sc->trapno;
		x->error_code = sc->err;
		x->rip = sc->ip;
		if (sc->trapno == X86_TRAP_PF)
			x->cr2 = sc->cr2;
		else if (sc->trapno == X86_TRAP_DB)
			x->dr6 = debug_status(si);
	}
	if (run->n_exc < 255)
		run->n_exc++;
}

/* Appends "0x<hex>" to the detail being built at *at. */
static size_t put_hex(size_t at, uint64_t v)
{
	char digits[17];
	int n = 0;

	do
		digits[n++] = "0123456789abcdef"[v & 15];
	while ((v >>= 4) && n < 16);
	for (const char *p = "0x"; *p && at + 1 < lr_cap.detail_len; p++)
		lr_cap.detail[at++] = *p;
	while (n && at + 1 < lr_cap.detail_len)
		lr_cap.detail[at++] = digits[--n];
	lr_cap.detail[at] = 0;
	return at;
}

static size_t put_text(size_t at, const char *s)
{
	while (*s && at + 1 < lr_cap.detail_len)
		lr_cap.detail[at++] = *s++;
	lr_cap.detail[at] = 0;
	return at;
}

/* Between lr_enter and its IRETQ the runner loads the testcase's
 * selectors, bases and registers: a fault there is the runner's. */
static int in_entry(uint64_t ip)
{
	return ip >= (uintptr_t)lr_enter && ip <= (uintptr_t)lr_enter_iretq;
}

/*
 * The runner could not load the testcase's state in user mode (a selector
 * this kernel refuses, an IRETQ frame it faults on): the test kernel
 * loads it from ring 0, where other rules apply, so this backend cannot
 * express the case. The vector and error code say what refused it.
 */
static __attribute__((noreturn)) void
entry_fault(const struct lr_sigcontext *sc)
{
	size_t at = put_text(0, sc->ip == (uintptr_t)lr_enter_iretq
					? "the runner's IRETQ into the "
					  "testcase state faulted"
					: "loading the testcase's selectors "
					  "faulted");
	at = put_text(at, " (trapno ");
	at = put_hex(at, sc->trapno);
	at = put_text(at, " err ");
	at = put_hex(at, sc->err);
	put_text(at, "): a state user mode cannot load");
	raw_exit_group(LR_EXIT_UNSUPPORTED);
}

/* The linker's bounds of the runner's own code (static: libc included). */
extern const char __executable_start[], __etext[];

/*
 * A fault (not a trap: a testcase's debug registers may point anywhere)
 * at a RIP in the runner's own code, outside lr_enter: the runner broke,
 * e.g. libc touching TLS through a base the testcase set. Harness trouble,
 * never the testcase's result.
 */
static int runner_fault(int sig, const struct lr_sigcontext *sc)
{
	return sig != SIGTRAP && sc->ip >= (uintptr_t)__executable_start &&
	       sc->ip < (uintptr_t)__etext;
}

static __attribute__((noreturn)) void
runner_fault_exit(int sig, const struct lr_sigcontext *sc)
{
	size_t at = put_text(0, "the runner faulted in its own code (signal ");

	at = put_hex(at, (unsigned)sig);
	at = put_text(at, " at rip ");
	at = put_hex(at, sc->ip);
	at = put_text(at, " trapno ");
	at = put_hex(at, sc->trapno);
	put_text(at, "): harness trouble, not a result");
	raw_exit_group(LR_EXIT_SETUP);
}

void lr_on_signal(int sig, void *siv, struct lr_ucontext *uc)
{
	const struct lr_sigcontext *sc = &uc->mc;
	const siginfo_t *si = siv;
	struct gc_run *run = lr_cap.run;

	if (in_entry(sc->ip))
		entry_fault(sc);
	if (runner_fault(sig, sc))
		runner_fault_exit(sig, sc);
	if (is_capture(sig, sc))
		finish(GC_END_LANDED, uc);
	record_exception(sc, si);
	/* The mechanism's system call was the first kernel entry. */
	if (++run->n_entries > GC_ENTRY_BUDGET) {
		run->end = GC_END_BUDGET;
		raw_exit_group(LR_EXIT_DONE);
	}
	if (sig == SIGTRAP)
		return; /* #DB, #BP: resume, as after a SIGTRAP handler */
	/* #OF (into) is a trap too; Linux reports it as SIGSEGV. */
	if (sig == SIGSEGV && sc->trapno == X86_TRAP_OF &&
	    lr_cap.plan->survive_of)
		return;
	finish(GC_END_USER_FAULT, uc);
}
