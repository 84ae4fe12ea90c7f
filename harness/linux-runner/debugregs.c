// SPDX-License-Identifier: MIT
/*
 * Debug registers through ptrace (debugregs.h). The child asks to be
 * traced and stops; the parent writes u_debugreg[] with PTRACE_POKEUSER,
 * as gdb does, and stays the tracer so it can read DR6 (the kernel's
 * virtual DR6 for this trap: ptrace_get_debugreg()) at each SIGTRAP
 * before the child's handler runs.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debugregs.h"

#define DR_OFFSET(n) (offsetof(struct user, u_debugreg) + (n) * sizeof(long))

int lr_dr_child_stop(void)
{
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		return -1;
	return raise(SIGSTOP);
}

static int wait_stopped(pid_t pid, int *ws)
{
	while (waitpid(pid, ws, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFSTOPPED(*ws) ? 0 : -1;
}

int lr_dr_attach(pid_t pid, const struct lr_debugregs *d)
{
	int ws;

	if (wait_stopped(pid, &ws) || WSTOPSIG(ws) != SIGSTOP)
		goto fail;
	/* The child dies with its tracer, whatever happens to the runner. */
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)PTRACE_O_EXITKILL))
		goto fail;
	for (int n = 0; n < 4; n++)
		if (ptrace(PTRACE_POKEUSER, pid, (void *)DR_OFFSET(n),
			   (void *)d->dr[n]))
			goto fail;
	if (ptrace(PTRACE_POKEUSER, pid, (void *)DR_OFFSET(7), (void *)d->dr7))
		goto fail;
	if (ptrace(PTRACE_CONT, pid, NULL, NULL))
		goto fail;
	return 0;
fail:
	kill(pid, SIGKILL);
	return -1;
}

int lr_dr_wait(pid_t pid, struct lr_dr6_mailbox *box, int *ws)
{
	for (;;) {
		long sig, dr6;

		while (waitpid(pid, ws, 0) < 0)
			if (errno != EINTR)
				return -1;
		if (!WIFSTOPPED(*ws))
			return 0;
		sig = WSTOPSIG(*ws);
		if (sig == SIGTRAP) {
			errno = 0;
			dr6 = ptrace(PTRACE_PEEKUSER, pid, (void *)DR_OFFSET(6),
				     NULL);
			box->dr6 = errno ? 0 : (uint64_t)dr6;
			box->seq++;
		}
		/* A stop is a signal on its way: deliver it unchanged. */
		if (ptrace(PTRACE_CONT, pid, NULL, (void *)sig)) {
			kill(pid, SIGKILL);
			return -1;
		}
	}
}
