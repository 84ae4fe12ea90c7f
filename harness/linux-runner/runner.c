// SPDX-License-Identifier: MIT
/*
 * gatecrash-linux-runner: runs testcases as native Linux user processes
 * for the linux backend, and unchanged under qemu-x86_64 for the qemu-user
 * backend. It is a small server: the host maps the shared slots
 * (protocol.h), then asks for batches on stdin; every execution of every
 * testcase gets a fresh forked child, because an execution leaves its
 * process with a seccomp filter, foreign FS/GS bases and a trashed stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

#define HWCAP2_FSGSBASE_BIT 0x2 /* arch/x86/include/uapi/asm/hwcap2.h */
#define DEFAULT_TIMEOUT_MS  1000

struct server {
	struct lr_shm *shm;
	struct lr_dr6_mailbox *dr6_box; /* shared with the executions */
	unsigned plan_opts;
	int qemu_user;
};

static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= r;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= r;
	}
	return 0;
}

static void slot_set(struct lr_slot *slot, enum lr_status st, const char *why)
{
	slot->status = st;
	if (why)
		snprintf(slot->detail, sizeof(slot->detail), "%s", why);
}

/*
 * Under qemu-x86_64 an execution that ends in neither a capture nor one of
 * our exit codes is QEMU itself dying (an assertion, an abort): a crash of
 * the implementation under test, not harness trouble.
 */
static enum lr_status odd_death(const struct server *s, struct lr_slot *slot,
				int ws, const char *said)
{
	if (WIFEXITED(ws))
		snprintf(slot->detail, sizeof(slot->detail),
			 "%s exited with status %d%s%s",
			 s->qemu_user ? "qemu-x86_64" : "the execution",
			 WEXITSTATUS(ws), *said ? ": " : "", said);
	else
		snprintf(slot->detail, sizeof(slot->detail),
			 "%s died of signal %d%s%s",
			 s->qemu_user ? "qemu-x86_64"
				      : "the execution (a fault in the capture "
					"handler?)",
			 WTERMSIG(ws), *said ? ": " : "", said);
	return s->qemu_user ? LR_CRASH : LR_ERROR;
}

/*
 * The last line an execution wrote to stderr (qemu-x86_64's assertion
 * message when it aborts), without its "qemu-x86_64: file:line: " prefix,
 * for the slot's detail; the rest is dropped so a campaign's output stays
 * clean.
 */
static void last_words(int fd, char *out, size_t len)
{
	char buf[1024], *line, *p;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	out[0] = 0;
	if (n <= 0)
		return;
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	line = strrchr(buf, '\n');
	line = line ? line + 1 : buf;
	/* "prog: file:line: function: Assertion ..." -> "function: ..." */
	for (int skip = 0; skip < 2 && (p = strstr(line, ": ")); skip++)
		line = p + 2;
	snprintf(out, len, "%s", line);
}

/* How an execution child ended, as a slot status. */
static enum lr_status child_status(const struct server *s, int ws,
				   const struct gc_run *run,
				   struct lr_slot *slot, unsigned timeout_ms,
				   const char *said)
{
	if (WIFEXITED(ws)) {
		switch (WEXITSTATUS(ws)) {
		case LR_EXIT_DONE:
			if (run->end != GC_END_NOT_RUN)
				return LR_OK;
			slot_set(slot, LR_ERROR,
				 "the execution exited "
				 "without a capture");
			return LR_ERROR;
		case LR_EXIT_UNSUPPORTED:
			return LR_UNSUPPORTED;
		case LR_EXIT_SETUP:
			return LR_ERROR;
		}
		return odd_death(s, slot, ws, said);
	}
	switch (WTERMSIG(ws)) {
	case SIGALRM:
	case SIGXCPU:
		snprintf(slot->detail, sizeof(slot->detail),
			 "no capture within %u ms", timeout_ms);
		return LR_HANG;
	case SIGSYS:
		slot_set(slot, LR_ERROR,
			 "seccomp killed the execution: it "
			 "reached a system call outside the allowlist");
		return LR_ERROR;
	}
	return odd_death(s, slot, ws, said);
}

/* Waits for an execution to end; with debug registers, as its tracer.
 * -2 if the kernel refused to trace it or to take the registers. */
static int wait_execution(const struct server *s, pid_t pid,
			  const struct lr_plan *p, int *ws)
{
	if (p->dr.dr7) {
		if (lr_dr_attach(pid, &p->dr)) {
			while (waitpid(pid, ws, 0) < 0 && errno == EINTR)
				;
			return -2;
		}
		return lr_dr_wait(pid, s->dr6_box, ws);
	}
	while (waitpid(pid, ws, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static enum lr_status run_execution(const struct server *s,
				    struct lr_slot *slot, struct gc_run *run,
				    const struct lr_plan *p)
{
	unsigned timeout_ms =
		s->shm->timeout_ms ? s->shm->timeout_ms : DEFAULT_TIMEOUT_MS;
	char said[100];
	int ws, err[2];
	pid_t pid;

	if (pipe2(err, O_CLOEXEC | O_NONBLOCK)) {
		slot_set(slot, LR_ERROR, "pipe failed");
		return LR_ERROR;
	}
	pid = fork();
	if (pid < 0) {
		close(err[0]);
		close(err[1]);
		slot_set(slot, LR_ERROR, "fork failed");
		return LR_ERROR;
	}
	if (pid == 0) {
		/* The execution needs none of the server's pipes; its
		 * stderr (QEMU's last words) goes to the server. */
		dup2(err[1], 2);
		close(0);
		close(1);
		close(LR_SHM_FD);
		lr_child_run(slot, run, p, timeout_ms, s->qemu_user,
			     !!(s->plan_opts & LR_PLAN_FSGSBASE), s->dr6_box);
	}
	close(err[1]);
	switch (wait_execution(s, pid, p, &ws)) {
	case 0:
		break;
	case -2:
		/* This host's refusal (a value its kernel will not take,
		 * or no ptrace at all): the testcase cannot be set up. */
		close(err[0]);
		slot_set(slot, LR_UNSUPPORTED,
			 "the kernel refused the testcase's debug registers "
			 "(ptrace POKEUSER) or tracing");
		return LR_UNSUPPORTED;
	default:
		close(err[0]);
		slot_set(slot, LR_ERROR, "waitpid failed");
		return LR_ERROR;
	}
	last_words(err[0], said, sizeof(said));
	close(err[0]);
	return child_status(s, ws, run, slot, timeout_ms, said);
}

static void run_slot(const struct server *s, struct lr_slot *slot,
		     unsigned index)
{
	struct gc_testcase tc = slot->tc;
	struct gc_result *res = &slot->result;
	struct lr_plan plan;
	char why[sizeof(slot->detail)];
	enum lr_status st;

	memset(res, 0, sizeof(*res));
	memset(slot->detail, 0, sizeof(slot->detail));
	slot->status = LR_NOT_RUN;
	res->index = index;
	if (tc.mechanism >= GC_MECH_COUNT) {
		slot_set(slot, LR_ERROR, "mechanism out of range");
		return;
	}
	if (lr_plan_build(&tc, 0, s->plan_opts, &plan, why, sizeof(why))) {
		slot_set(slot, LR_UNSUPPORTED, why);
		return;
	}
	st = run_execution(s, slot, &res->mech, &plan);
	if (st != LR_OK) {
		slot->status = st;
		return;
	}
	/* The mechanism ran: an inexpressible reference still leaves its
	 * run in result.mech for cross-backend comparison. */
	if (lr_plan_build(&tc, 1, s->plan_opts, &plan, why, sizeof(why))) {
		snprintf(slot->detail, sizeof(slot->detail), "reference: %s",
			 why);
		slot->status = LR_UNSUPPORTED;
		return;
	}
	st = run_execution(s, slot, &res->ref, &plan);
	if (st != LR_OK) {
		slot->status = st;
		return;
	}
	res->magic = GC_RESULT_MAGIC;
	slot->status = LR_OK;
}

static int serve(const struct server *s)
{
	struct lr_command cmd;
	struct lr_reply reply;

	while (!read_full(0, &cmd, sizeof(cmd)) && cmd.n) {
		if (cmd.n > GC_MAX_BATCH)
			return 2;
		for (unsigned i = 0; i < cmd.n; i++)
			run_slot(s, &s->shm->slots[i], i);
		reply = (struct lr_reply){.n_done = cmd.n, .seq = cmd.seq};
		if (write_full(1, &reply, sizeof(reply)))
			return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct server s = {0};

	(void)argv;
	if (argc != 1) {
		fputs("gatecrash-linux-runner: started by the linux and "
		      "qemu-user backends of gatecrash, not by hand\n",
		      stderr);
		return 2;
	}
	s.shm = mmap(NULL, sizeof(*s.shm), PROT_READ | PROT_WRITE, MAP_SHARED,
		     LR_SHM_FD, 0);
	if (s.shm == MAP_FAILED || s.shm->magic != LR_MAGIC ||
	    s.shm->version != LR_VERSION) {
		fputs("gatecrash-linux-runner: no shared slots on fd 3\n",
		      stderr);
		return 2;
	}
	s.dr6_box = mmap(NULL, sizeof(*s.dr6_box), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s.dr6_box == MAP_FAILED) {
		fputs("gatecrash-linux-runner: no memory\n", stderr);
		return 2;
	}
	s.qemu_user = !!(s.shm->flags & LR_FLAG_QEMU_USER);
	if (s.qemu_user)
		s.plan_opts |= LR_PLAN_QEMU_USER;
	if (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE_BIT)
		s.plan_opts |= LR_PLAN_FSGSBASE;
	/* A dead host must not leave this server behind. */
	signal(SIGPIPE, SIG_DFL);
	return serve(&s);
}
