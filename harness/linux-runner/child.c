// SPDX-License-Identifier: MIT
/*
 * One execution in its own forked child: map the test kernel's user pages
 * at their addresses, build the rt_sigreturn frame if the plan has one,
 * install the capture handlers on an alternate stack, fence the process in
 * (deadline, no core, seccomp), set FS/GS base and enter. Never returns:
 * the capture handler exits, or setup fails with a reason in the slot.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "child.h"

#define HLT	      0xf4
#define ALTSTACK_SIZE (64 * 1024)

static uint8_t altstack[ALTSTACK_SIZE] __attribute__((aligned(64)));

static __attribute__((noreturn)) void child_fail(struct lr_slot *slot, int code,
						 const char *what)
{
	snprintf(slot->detail, sizeof(slot->detail), "%s: %s", what,
		 errno ? strerror(errno) : "failed");
	_exit(code);
}

/* MAP_FIXED_NOREPLACE: never clobber something of the runner's own. */
static int map_fixed(uint64_t va, int prot)
{
	void *p =
		mmap((void *)va, GC_USER_PAGE_SIZE, prot,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	if (p != (void *)va) { /* a kernel older than 4.17 took it as a hint */
		munmap(p, GC_USER_PAGE_SIZE);
		errno = EEXIST;
		return -1;
	}
	return 0;
}

static int map_user_pages(const struct lr_plan *p)
{
	uint8_t *code = (uint8_t *)GC_USER_CODE_VA;
	size_t at = GC_USER_LANDING - GC_USER_CODE_VA - p->insn_len;

	if (map_fixed(GC_USER_CODE_VA, PROT_READ | PROT_WRITE) ||
	    map_fixed(GC_USER_STACK_VA, PROT_READ | PROT_WRITE) ||
	    map_fixed(LR_FRAME_PAGE, PROT_READ | PROT_WRITE))
		return -1;
	memset(code, HLT, GC_USER_PAGE_SIZE);
	memcpy(code + at, p->insn, p->insn_len);
	return mprotect(code, GC_USER_PAGE_SIZE, PROT_READ | PROT_EXEC);
}

/* Is anything mapped on the page at va? */
static int page_mapped(uint64_t va)
{
	return msync((void *)va, GC_USER_PAGE_SIZE, MS_ASYNC) == 0;
}

/*
 * The 32-bit vDSO at LR_VDSO32_VA instead of the 64-bit one: a compat
 * SYSCALL returns to its int80_landing_pad (do_fast_syscall_32), and
 * ARCH_MAP_VDSO_32 (CRIU's call) refuses while any vDSO is mapped. The
 * child needs neither vDSO: it makes raw system calls only, and its
 * signal handlers return through libc's SA_RESTORER.
 */
static int map_vdso32(void)
{
	char line[256];
	unsigned long lo, hi;
	FILE *maps = fopen("/proc/self/maps", "r");

	if (!maps)
		return -1;
	while (fgets(line, sizeof(line), maps))
		if ((strstr(line, "[vdso]") || strstr(line, "[vvar")) &&
		    sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			munmap((void *)lo, hi - lo);
	fclose(maps);
	if (page_mapped(LR_VDSO32_VA)) {
		errno = EEXIST;
		return -1;
	}
	if (syscall(SYS_arch_prctl, LR_ARCH_MAP_VDSO_32, LR_VDSO32_VA) < 0)
		return -1;
	/* map_vdso() takes the address as a hint only. */
	if (!page_mapped(LR_VDSO32_VA)) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	return 0;
}

/* The frame __kernel_vsyscall would have pushed (plan.c). */
static void write_vsyscall_frame(const struct lr_plan *p)
{
	memcpy((void *)(uintptr_t)(uint32_t)p->entry.rsp, p->vsyscall,
	       sizeof(p->vsyscall));
}

/*
 * The rt_sigreturn frame at LR_FRAME_RSP: the kernel reads struct
 * rt_sigframe at RSP - 8 (the pretcode slot a handler's RET popped), so
 * the ucontext starts at RSP. uc_stack must name the current alternate
 * stack, or rt_sigreturn would switch it off (restore_altstack()).
 */
static void build_frame(const struct lr_plan *p)
{
	struct lr_ucontext *uc = (struct lr_ucontext *)LR_FRAME_RSP;

	memset(uc, 0, sizeof(*uc));
	uc->uc_flags = LR_UC_SIGCONTEXT_SS | LR_UC_STRICT_RESTORE_SS;
	uc->ss_sp = (uintptr_t)altstack;
	uc->ss_size = sizeof(altstack);
	uc->mc = p->frame;
}

/*
 * The i386 rt_sigreturn frame: the kernel reads struct rt_sigframe_ia32 at
 * ESP - 4. Its uc_stack must name the current alternate stack, which a
 * static runner has below 4 GiB.
 */
static int build_frame32(const struct lr_plan *p)
{
	struct lr_sigframe32 *f = (struct lr_sigframe32 *)(LR_FRAME_RSP - 4);

	if ((uintptr_t)altstack + sizeof(altstack) > 0xffffffffu) {
		errno = ERANGE;
		return -1;
	}
	memset(f, 0, sizeof(*f));
	f->ss_sp = (uint32_t)(uintptr_t)altstack;
	f->ss_size = sizeof(altstack);
	f->mc = p->frame32;
	return 0;
}

static int install_handlers(void)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
	struct sigaction sa;

	if (sigaltstack(&ss, NULL))
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = (void (*)(int, siginfo_t *, void *))lr_signal_entry;
	/* No SA_NODEFER: a fault inside the handler then finds its signal
	 * blocked, and the kernel kills the process instead of recursing. */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -1;
	return 0;
}

/* A wall-clock deadline (SIGALRM's default action kills), a CPU backstop,
 * and no core file for the many deaths to come. */
static int set_limits(unsigned timeout_ms)
{
	struct itimerval it = {
		.it_value = {timeout_ms / 1000, (timeout_ms % 1000) * 1000},
	};
	struct rlimit core = {0, 0}, cpu = {2, 2};

	if (setrlimit(RLIMIT_CORE, &core) || setrlimit(RLIMIT_CPU, &cpu))
		return -1;
	return setitimer(ITIMER_REAL, &it, NULL);
}

#define ALLOW_NR(nr)                                     \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/*
 * The allowlist: exactly the system calls the plans map onto, per table
 * (int $0x80 is AUDIT_ARCH_I386 even from 64-bit code), plus exit_group and
 * arch_prctl on the FS/GS base (ARCH_SET_* before entering without WRFSBASE,
 * ARCH_GET_* in the handler). Anything else kills the process: a
 * testcase that steers RIP into the runner's own code cannot do harm.
 */
static int install_seccomp(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		/* jump over the 19 statements of the x86-64 part */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 19, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		ALLOW_NR(LR_NR64_SCHED_YIELD),
		ALLOW_NR(LR_NR64_GETPID),
		ALLOW_NR(LR_NR64_RT_SIGRETURN),
		ALLOW_NR(LR_NR64_EXIT_GROUP),
		ALLOW_NR(LR_NR_NONE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, LR_NR64_ARCH_PRCTL, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x1001, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 0x1004, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		/* i386 table */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		ALLOW_NR(LR_NR32_SCHED_YIELD),
		ALLOW_NR(LR_NR32_GETPID),
		ALLOW_NR(LR_NR32_RT_SIGRETURN),
		ALLOW_NR(LR_NR_NONE),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = {
		.len = sizeof(f) / sizeof(f[0]),
		.filter = f,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* A ret.rip on a page the runner has mapped would run the runner's own
 * code; the test kernel's user space has nothing there. */
static int rip_hits_runner(const struct lr_plan *p)
{
	uint64_t page = p->ret_rip & ~(uint64_t)(GC_USER_PAGE_SIZE - 1);

	if (!p->check_rip || page == GC_USER_CODE_VA)
		return 0;
	if ((uint64_t)((int64_t)(page << 16) >> 16) != page)
		return 0; /* not canonical: nothing can be mapped there */
	return page_mapped(page);
}

static long raw_arch_prctl_set(int code, uint64_t base)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(LR_NR64_ARCH_PRCTL), "D"(code), "S"(base)
			 : "rcx", "r11", "memory");
	return ret;
}

static __attribute__((noreturn)) void raw_exit(int code)
{
	__asm__ volatile("syscall"
			 :
			 : "a"(LR_NR64_EXIT_GROUP), "D"(code)
			 : "rcx", "r11", "memory");
	__builtin_unreachable();
}

/* No libc: the detail without snprintf (which may touch TLS). */
static void raw_detail(struct lr_slot *slot, const char *msg)
{
	size_t i = 0;

	for (; msg[i] && i + 1 < sizeof(slot->detail); i++)
		slot->detail[i] = msg[i];
	slot->detail[i] = 0;
}

/*
 * Last before entering: after ARCH_SET_FS, libc's TLS is gone, so the
 * calls are raw (libc's syscall() would store errno through the new FS
 * base and fault in the runner's own code). A base the kernel refuses
 * (some hosts refuse the top user page) makes the testcase unsupported:
 * it cannot be set up here, and running on would compare other bases.
 */
static void set_bases_raw(struct lr_slot *slot, const struct lr_entry *e)
{
	if (e->flags & LR_ENTRY_WRBASE)
		return;
	if (raw_arch_prctl_set(0x1002, e->fs_base)) { /* ARCH_SET_FS */
		raw_detail(slot, "arch_prctl(ARCH_SET_FS) refused the "
				 "testcase's FS base on this host");
		raw_exit(LR_EXIT_UNSUPPORTED);
	}
	if (raw_arch_prctl_set(0x1001, e->gs_base)) { /* ARCH_SET_GS */
		raw_detail(slot, "arch_prctl(ARCH_SET_GS) refused the "
				 "testcase's GS base on this host");
		raw_exit(LR_EXIT_UNSUPPORTED);
	}
}

__attribute__((noreturn)) void
lr_child_run(struct lr_slot *slot, struct gc_run *run, const struct lr_plan *p,
	     unsigned timeout_ms, int under_qemu, int use_rdbase,
	     struct lr_dr6_mailbox *dr6_box)
{
	errno = 0;
	if (map_user_pages(p))
		child_fail(slot, LR_EXIT_SETUP, "mapping the user pages");
	if (rip_hits_runner(p)) {
		snprintf(slot->detail, sizeof(slot->detail),
			 "ret.rip 0x%llx is in the runner's own memory "
			 "(the test kernel has nothing mapped there)",
			 (unsigned long long)p->ret_rip);
		_exit(LR_EXIT_UNSUPPORTED);
	}
	if (p->has_frame)
		build_frame(p);
	if (p->has_frame32 && build_frame32(p))
		child_fail(slot, LR_EXIT_SETUP,
			   "the i386 sigreturn frame (an alternate stack above "
			   "4 GiB)");
	if (p->vsyscall_frame)
		write_vsyscall_frame(p);
	if (p->vdso32 && map_vdso32())
		child_fail(slot, LR_EXIT_SETUP,
			   "mapping the 32-bit vDSO (ARCH_MAP_VDSO_32)");
	lr_cap = (struct lr_capture){
		.run = run,
		.plan = p,
		.pid = (uint64_t)getpid(),
		.use_rdbase = use_rdbase,
		.trapno_unreliable = under_qemu,
		.dr6_box = p->dr.dr7 ? dr6_box : NULL,
		.dr6_seen = dr6_box ? dr6_box->seq : 0,
		.detail = slot->detail,
		.detail_len = sizeof(slot->detail),
	};
	run->n_entries = 1;
	if (install_handlers())
		child_fail(slot, LR_EXIT_SETUP, "installing signal handlers");
	if (set_limits(timeout_ms))
		child_fail(slot, LR_EXIT_SETUP, "setting limits");
	/* A refusal is this host's, not harness trouble. */
	if (lr_ldt_install(&p->ldt))
		child_fail(slot, LR_EXIT_UNSUPPORTED, "modify_ldt refused");
	/* The runner, as tracer, sets the debug registers while we stop. */
	if (p->dr.dr7 && lr_dr_child_stop())
		child_fail(slot, LR_EXIT_SETUP, "stopping for ptrace");
	if (!under_qemu && install_seccomp())
		child_fail(slot, LR_EXIT_SETUP, "installing seccomp");
	set_bases_raw(slot, &p->entry);
	lr_enter(&p->entry);
}
