// SPDX-License-Identifier: MIT
/*
 * The ptrace plumbing for debug registers (harness/linux-runner/
 * debugregs.c), with hand-made children until testcases carry debug
 * registers: a data watchpoint and an instruction breakpoint set from the
 * parent fire in the child as SIGTRAP (TRAP_HWBKPT), and the parent reads
 * the DR6 bit of the breakpoint that fired.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "debugregs.h"
#include "host_caps.h"

#define DR7_L(n)     (1ull << (2 * (n)))
#define DR7_RW(n, v) ((uint64_t)(v) << (16 + 4 * (n)))
#define DR7_LEN(n, v) ((uint64_t)(v) << (18 + 4 * (n)))

static volatile int watched;
static volatile int hw_traps;

static void on_trap(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code == TRAP_HWBKPT)
		hw_traps++;
}

static __attribute__((noinline)) void breakpoint_target(void)
{
	__asm__ volatile("" ::: "memory");
}

/* The child: traps counted by its handler are its exit status. */
static __attribute__((noreturn)) void child(void)
{
	struct sigaction sa = {.sa_sigaction = on_trap, .sa_flags = SA_SIGINFO};

	alarm(10);
	if (sigaction(SIGTRAP, &sa, NULL) || lr_dr_child_stop())
		_exit(100);
	watched = 1;
	breakpoint_target();
	_exit(hw_traps);
}

static void run_child(const struct lr_debugregs *d, int *traps,
		      uint64_t *dr6, uint32_t *seq)
{
	struct lr_dr6_mailbox *box =
		mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int ws;

	*traps = -1;
	ASSERT(box != MAP_FAILED);
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0)
		child();
	ASSERT(!lr_dr_attach(pid, d));
	ASSERT(!lr_dr_wait(pid, box, &ws));
	ASSERT(WIFEXITED(ws));
	*traps = WEXITSTATUS(ws);
	*dr6 = box->dr6;
	*seq = box->seq;
	munmap(box, 4096);
}

TEST(data_watchpoint_fires_with_its_dr6_bit)
{
	struct lr_debugregs d = {
		.dr = {(uintptr_t)&watched},
		/* DR0: write, 4 bytes */
		.dr7 = DR7_L(0) | DR7_RW(0, 1) | DR7_LEN(0, 3),
	};
	uint64_t dr6;
	uint32_t seq;
	int traps;

	REQUIRE_CAP("linux", "debugregs");
	run_child(&d, &traps, &dr6, &seq);
	printf("  watchpoint: %d trap(s), DR6 0x%llx\n", traps,
	       (unsigned long long)dr6);
	ASSERT_EQ(traps, 1);
	ASSERT_EQ(seq, 1);
	ASSERT_EQ(dr6 & 0xf, 1); /* B0 */
}

TEST(instruction_breakpoint_fires_with_its_dr6_bit)
{
	struct lr_debugregs d = {
		.dr = {0, (uintptr_t)breakpoint_target},
		/* DR1: execute (RW 00, LEN 00) */
		.dr7 = DR7_L(1),
	};
	uint64_t dr6;
	uint32_t seq;
	int traps;

	REQUIRE_CAP("linux", "debugregs");
	run_child(&d, &traps, &dr6, &seq);
	printf("  breakpoint: %d trap(s), DR6 0x%llx\n", traps,
	       (unsigned long long)dr6);
	/* Once: the kernel sets RF for the handler's return. */
	ASSERT_EQ(traps, 1);
	ASSERT_EQ(dr6 & 0xf, 2); /* B1 */
}

TEST(no_debug_registers_no_trap)
{
	struct lr_debugregs d = {0};
	uint64_t dr6;
	uint32_t seq;
	int traps;

	run_child(&d, &traps, &dr6, &seq);
	ASSERT_EQ(traps, 0);
	ASSERT_EQ(seq, 0);
}

/* A DR7 the kernel refuses (a breakpoint on a kernel address) fails the
 * attach and kills the child, instead of running without it. */
TEST(refused_debug_register_fails_cleanly)
{
	struct lr_debugregs d = {
		.dr = {0xffffffff81000000ull},
		.dr7 = DR7_L(0),
	};
	pid_t pid = fork();
	int ws;

	ASSERT(pid >= 0);
	if (pid == 0)
		child();
	ASSERT(lr_dr_attach(pid, &d) == -1);
	ASSERT(waitpid(pid, &ws, 0) == pid);
	ASSERT(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
}
