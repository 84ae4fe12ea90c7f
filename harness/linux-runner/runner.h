/* SPDX-License-Identifier: MIT */
/*
 * Inside gatecrash-linux-runner: how one execution of a testcase is planned
 * (plan.c: pure, also linked into the host tests), entered (enter.S) and
 * captured (capture.c), and the kernel signal ABI those need.
 *
 * The layouts below are the kernel's x86-64 user ABI
 * (include/uapi/asm-generic/ucontext.h, arch/x86/include/uapi/asm/
 * sigcontext.h), spelled out here because glibc's ucontext_t hides ss and
 * the rt_sigreturn frame must be built byte for byte.
 */
#ifndef GC_LINUX_RUNNER_H
#define GC_LINUX_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "debugregs.h"
#include "ldt.h"
#include "protocol.h"

/* struct sigcontext (64-bit), 256 bytes. */
struct lr_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t di, si, bp, bx, dx, ax, cx, sp, ip, flags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate; /* NULL in a crafted frame: FPU reset to init */
	uint64_t reserved1[8];
};
_Static_assert(sizeof(struct lr_sigcontext) == 256, "sigcontext");

/* struct sigcontext_32 (arch/x86/include/uapi/asm/sigcontext.h), the
 * register part of the i386 rt_sigreturn frame. */
struct lr_sigcontext32 {
	uint16_t gs, gsh, fs, fsh, es, esh, ds, dsh;
	uint32_t di, si, bp, sp, bx, dx, cx, ax;
	uint32_t trapno, err, ip;
	uint16_t cs, csh;
	uint32_t flags, sp_at_signal;
	uint16_t ss, ssh;
	uint32_t fpstate; /* 0 in a crafted frame: FPU reset to init */
	uint32_t oldmask, cr2;
};
_Static_assert(sizeof(struct lr_sigcontext32) == 88, "sigcontext_32");

/*
 * struct rt_sigframe_ia32 (arch/x86/include/asm/sigframe.h) up to the
 * ucontext: the i386 rt_sigreturn reads it at ESP - 4 (the handler's RET
 * popped pretcode).
 */
struct lr_sigframe32 {
	uint32_t pretcode;
	int32_t sig;
	uint32_t pinfo, puc;
	uint8_t info[128]; /* compat_siginfo_t */
	uint32_t uc_flags, uc_link;
	uint32_t ss_sp; /* compat_stack_t uc_stack */
	int32_t ss_flags;
	uint32_t ss_size;
	struct lr_sigcontext32 mc;
	uint64_t uc_sigmask;
} __attribute__((packed));
_Static_assert(offsetof(struct lr_sigframe32, mc) == 164, "rt_sigframe_ia32");

struct lr_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	uint64_t ss_sp; /* stack_t uc_stack */
	int32_t ss_flags;
	int32_t ss_pad;
	uint64_t ss_size;
	struct lr_sigcontext mc;
	uint64_t uc_sigmask;
};
_Static_assert(offsetof(struct lr_ucontext, mc) == 40, "ucontext");

/* uc_flags: sigcontext.ss is valid, and restore it without "fixing" it
 * (arch/x86/include/uapi/asm/ucontext.h, selftests/x86/sigreturn.c). */
#define LR_UC_SIGCONTEXT_SS	0x2
#define LR_UC_STRICT_RESTORE_SS 0x4

/*
 * RFLAGS bits rt_sigreturn takes from the frame (FIX_EFLAGS,
 * arch/x86/include/asm/sighandling.h): AC OF DF TF SF ZF AF PF CF RF. The
 * rest (IF, IOPL, NT, ID, ...) keep the task's current value.
 */
#define LR_SIGRETURN_FLAGS 0x50dd5ull

/* Where the runner puts things, next to the test kernel's user pages. */
/* Not + 0x20000: another branch puts the test kernel's user data page
 * (GC_USER_DATA_VA) there, which a testcase may name. */
#define LR_FRAME_PAGE (GC_USER_CODE_VA + 0x30000)
#define LR_FRAME_RSP  (LR_FRAME_PAGE + 0x100)
/*
 * Where a compat execution maps the kernel's 32-bit vDSO (arch_prctl
 * ARCH_MAP_VDSO_32, after unmapping the 64-bit one): below 4 GiB, so the
 * landing pad a compat SYSCALL returns to is reachable from compat mode.
 */
#define LR_VDSO32_VA (GC_USER_CODE_VA + 0x200000)
/* What __kernel_vsyscall pushes before its SYSCALL (EBP, EDX, ECX) plus
 * the return address of the call to it: the landing pad pops all four. */
#define LR_VSYSCALL_FRAME 16

/*
 * What enter.S loads. rip..ss are an IRETQ frame in the order IRETQ pops
 * it, so enter.S points RSP at &rip and executes IRETQ: RIP, CS, RFLAGS
 * (TF included), RSP and SS change in one instruction.
 */
struct lr_entry {
	uint64_t gpr[GC_NR_GPRS]; /* gpr[GC_RSP] unused: see rsp */
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
	uint64_t fs_base;
	uint64_t gs_base;
	uint16_t ds, es, fs, gs;
	uint32_t flags; /* LR_ENTRY_* */
};
#define LR_ENTRY_WRBASE	 0x1 /* set FS/GS base with WRFSBASE/WRGSBASE */
#define LR_ENTRY_SKIP_FS 0x2 /* keep FS as arch_prctl left it */
#define LR_ENTRY_SKIP_GS 0x4 /* keep GS as arch_prctl left it */
_Static_assert(offsetof(struct lr_entry, rip) == 128, "enter.S");
_Static_assert(offsetof(struct lr_entry, fs_base) == 168, "enter.S");
_Static_assert(offsetof(struct lr_entry, ds) == 184, "enter.S");
_Static_assert(offsetof(struct lr_entry, flags) == 192, "enter.S");

/* Linux system call numbers the runner maps the test kernel's onto. */
#define LR_NR64_SCHED_YIELD  24
#define LR_NR64_GETPID	     39
#define LR_NR64_RT_SIGRETURN 15
#define LR_NR64_EXIT_GROUP   231
#define LR_NR64_ARCH_PRCTL   158
#define LR_NR32_SCHED_YIELD  158
#define LR_NR32_GETPID	     20
#define LR_NR32_EXIT_GROUP   252
#define LR_NR32_RT_SIGRETURN 173
#define LR_ARCH_MAP_VDSO_32 0x2002 /* arch_prctl code (CHECKPOINT_RESTORE) */
/* No such system call in either table: -ENOSYS, as the test kernel's
 * default case returns. */
#define LR_NR_NONE 1023

/* One execution, fully decided before the child forks. */
struct lr_plan {
	struct lr_entry entry;
	uint8_t insn[4];
	uint8_t insn_len;
	int reference;
	int vdso32; /* map the 32-bit vDSO at LR_VDSO32_VA (compat SYSCALL) */
	int vsyscall_frame; /* write vsyscall[] at entry.rsp */
	uint32_t vsyscall[LR_VSYSCALL_FRAME / 4];
	int has_frame; /* an rt_sigreturn frame at LR_FRAME_RSP */
	struct lr_sigcontext frame;
	int has_frame32; /* an i386 rt_sigreturn frame at LR_FRAME_RSP - 4 */
	struct lr_sigcontext32 frame32;
	int map_pid; /* RAX == getpid() at capture means GC_PID */
	int survive_of; /* SIGSEGV from #OF is a trap the run survives */
	int fix_rcx; /* the forced-IRET reference: undo the RCX change */
	uint64_t rcx_planted, rcx_wanted;
	int check_rip; /* ret.rip must not land in the runner's own memory */
	uint64_t ret_rip;
	/* Debug registers, set through ptrace by the runner (debugregs.h).
	 * No testcase field carries them yet: dr7 stays 0 until one does. */
	struct lr_debugregs dr;
	/* LDT entries, installed with modify_ldt (ldt.h); none until a
	 * testcase field describes them. */
	struct lr_ldt ldt;
};

/* Options of the environment that change what is expressible. */
#define LR_PLAN_QEMU_USER 0x1
#define LR_PLAN_FSGSBASE  0x2

/*
 * Plans one execution (reference = 0: the mechanism). Returns 0, or -1 with
 * why the testcase cannot be expressed here.
 */
int lr_plan_build(const struct gc_testcase *tc, int reference, unsigned opts,
		  struct lr_plan *p, char *why, size_t len);
/* plan.c: the frame the test kernel's set_return_state would return to. */
void lr_plan_ret_frame(const struct gc_testcase *tc, struct lr_sigcontext *sc);
/* plan_vdso32.c: a compat syscall's mechanism run, through the 32-bit
 * vDSO's landing pad. 0, or -1 with why. */
int lr_plan_compat_syscall(const struct gc_testcase *tc, struct lr_plan *p,
			   char *why, size_t len);
/* plan_sigreturn32.c: set_return_state through int $0x80 or a compat
 * syscall, as the i386 rt_sigreturn. 0, or -1 with why. */
int lr_plan_sigreturn32(const struct gc_testcase *tc, int reference,
			struct lr_plan *p, char *why, size_t len);

/* enter.S */
__attribute__((noreturn)) void lr_enter(const struct lr_entry *e);
extern const char lr_enter_iretq[]; /* the IRETQ: a fault there is ours */
void lr_signal_entry(int sig, void *si, void *uc);

/* capture.c: what the handler needs, set before entering. */
struct lr_capture {
	struct gc_run *run;
	const struct lr_plan *plan;
	uint64_t pid;
	int use_rdbase;
	int trapno_unreliable; /* qemu-x86_64: sigcontext.trapno is not
				* the vector */
	struct lr_dr6_mailbox *dr6_box; /* the tracer's DR6; NULL: none */
	uint32_t dr6_seen;
	char *detail; /* the slot's detail line, for entry faults */
	size_t detail_len;
};
extern struct lr_capture lr_cap;
void lr_on_signal(int sig, void *si, struct lr_ucontext *uc);

/* Exit codes of an execution child (anything else is an error). */
#define LR_EXIT_DONE	    0
#define LR_EXIT_UNSUPPORTED 77
#define LR_EXIT_SETUP	    78

#endif
