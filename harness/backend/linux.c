// SPDX-License-Identifier: MIT
/*
 * The linux and qemu-user backends: the test kernel's testcases run as
 * native Linux user processes on the running kernel (linux), or as the
 * same runner under qemu-x86_64 (qemu-user: QEMU's implementation of the
 * Linux ABI, for cross-backend comparison).
 *
 * One runner server per backend, started once and restarted after trouble.
 * The slots (harness/linux-runner/protocol.h) live in a memfd both map; a
 * batch is one command on the runner's stdin and one reply on its stdout.
 * The runner forks a child per execution, under seccomp (natively) and a
 * deadline; the host adds a whole-batch deadline and kills the server if it
 * stops answering. Everything in the slots is untrusted: statuses are
 * range-checked and results go through result_check().
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arch/segment.h"
#include "fidelity.h"
#include "linux.h"
#include "paths.h"
#include "protocol.h"
#include "tcg.h"
#include "testcase.h"

#ifndef GC_LINUX_RUNNER_PATH
#define GC_LINUX_RUNNER_PATH "gatecrash-linux-runner"
#endif
#define QEMU_USER_NAME "qemu-x86_64"

struct lnx {
	int qemu_user;
	char runner[PATH_MAX];
	char qemu[PATH_MAX];
	unsigned timeout_ms;
	int shm_fd;
	struct lr_shm *shm;
	pid_t pid; /* running server, or 0 */
	int sock;  /* commands out, replies in */
	uint32_t seq;
	struct backend_stats st;
	struct fid_report fid; /* what this host can run, once probed */
	int fid_ready;
	int fid_cached;
};

uint64_t linux_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* GATECRASH_LINUX_RUNNER, else the installed one, else this build's. */
static int lnx__find_runner(struct lnx *l, char *err, size_t errlen)
{
	const char *env = getenv("GATECRASH_LINUX_RUNNER");
	const char *helpers = gc_path_helpers();

	if (env && *env)
		snprintf(l->runner, sizeof(l->runner), "%s", env);
	else if (helpers)
		snprintf(l->runner, sizeof(l->runner), "%.*s/%s",
			 (int)sizeof(l->runner) - 32, helpers,
			 "gatecrash-linux-runner");
	else
		snprintf(l->runner, sizeof(l->runner), "%s",
			 GC_LINUX_RUNNER_PATH);
	if (access(l->runner, X_OK) == 0)
		return 0;
	snprintf(err, errlen,
		 "%s: %s (build the gatecrash-linux-runner target, or set "
		 "GATECRASH_LINUX_RUNNER)",
		 l->runner, strerror(errno));
	return -1;
}

/* GATECRASH_QEMU_USER, else qemu-x86_64 from PATH. */
static int lnx__find_qemu_user(char *out, size_t outlen, char *err,
			       size_t errlen)
{
	const char *env = getenv("GATECRASH_QEMU_USER");
	const char *path = getenv("PATH");

	if (env && *env) {
		snprintf(out, outlen, "%s", env);
		if (access(out, X_OK) == 0)
			return 0;
		snprintf(err, errlen, "%s: %s (GATECRASH_QEMU_USER)", env,
			 strerror(errno));
		return -1;
	}
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(out, outlen, "%.*s/%s", (int)n, n ? p : ".",
			 QEMU_USER_NAME);
		if (access(out, X_OK) == 0)
			return 0;
		p += n + (p[n] == ':');
	}
	snprintf(err, errlen,
		 QEMU_USER_NAME " not found: install it with 'apt-get "
				"install qemu-user'");
	return -1;
}

static int lnx__map_slots(struct lnx *l, char *err, size_t errlen)
{
	l->shm_fd = memfd_create("gatecrash-linux", MFD_CLOEXEC);
	if (l->shm_fd < 0 || ftruncate(l->shm_fd, sizeof(*l->shm))) {
		snprintf(err, errlen, "shared slots: %s", strerror(errno));
		return -1;
	}
	l->shm = mmap(NULL, sizeof(*l->shm), PROT_READ | PROT_WRITE, MAP_SHARED,
		      l->shm_fd, 0);
	if (l->shm == MAP_FAILED) {
		l->shm = NULL;
		snprintf(err, errlen, "shared slots: %s", strerror(errno));
		return -1;
	}
	l->shm->magic = LR_MAGIC;
	l->shm->version = LR_VERSION;
	l->shm->flags = l->qemu_user ? LR_FLAG_QEMU_USER : 0;
	l->shm->timeout_ms = l->timeout_ms;
	return 0;
}

static __attribute__((noreturn)) void lnx__exec(const struct lnx *l, int sock)
{
	char *const argv_native[] = {(char *)l->runner, NULL};
	char *const argv_qemu[] = {(char *)l->qemu, (char *)l->runner, NULL};

	/* The server dies with the harness, whatever happens to it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (dup2(sock, 0) < 0 || dup2(sock, 1) < 0)
		_exit(127);
	/* dup2 onto itself keeps FD_CLOEXEC: clear it by hand then. */
	if (l->shm_fd == LR_SHM_FD ? fcntl(LR_SHM_FD, F_SETFD, 0) < 0
				   : dup2(l->shm_fd, LR_SHM_FD) < 0)
		_exit(127);
	if (l->qemu_user)
		execv(l->qemu, argv_qemu);
	else
		execv(l->runner, argv_native);
	_exit(127);
}

/* A socket, not pipes: send(MSG_NOSIGNAL) to a dead server is an error,
 * not a SIGPIPE that would kill the harness. */
static int lnx__spawn(struct lnx *l, char *err, size_t errlen)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	l->pid = fork();
	if (l->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		l->pid = 0;
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (l->pid == 0)
		lnx__exec(l, sv[1]);
	close(sv[1]);
	l->sock = sv[0];
	l->st.restarts += l->st.batches ? 1 : 0;
	return 0;
}

static void lnx__stop(struct lnx *l)
{
	if (!l->pid)
		return;
	kill(l->pid, SIGKILL);
	waitpid(l->pid, NULL, 0);
	close(l->sock);
	l->pid = 0;
}

static void lnx__free(struct lnx *l)
{
	lnx__stop(l);
	if (l->shm)
		munmap(l->shm, sizeof(*l->shm));
	if (l->shm_fd >= 0)
		close(l->shm_fd);
	free(l);
}

static int lnx__open(const struct backend_config *cfg, int qemu_user,
		     void **priv, char *err, size_t errlen)
{
	struct lnx *l = calloc(1, sizeof(*l));

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	l->shm_fd = -1;
	l->qemu_user = qemu_user;
	l->timeout_ms = cfg->case_timeout_ms ? cfg->case_timeout_ms
			: qemu_user	     ? QEMU_USER_CASE_TIMEOUT_MS
					     : LINUX_CASE_TIMEOUT_MS;
	if (lnx__find_runner(l, err, errlen) ||
	    (qemu_user &&
	     lnx__find_qemu_user(l->qemu, sizeof(l->qemu), err, errlen)) ||
	    lnx__map_slots(l, err, errlen)) {
		lnx__free(l);
		return -1;
	}
	*priv = l;
	return 0;
}

static int linux_open(const struct backend_config *cfg, void **priv, char *err,
		      size_t errlen)
{
	return lnx__open(cfg, 0, priv, err, errlen);
}

static int qemu_user_open(const struct backend_config *cfg, void **priv,
			  char *err, size_t errlen)
{
	return lnx__open(cfg, 1, priv, err, errlen);
}

static void lnx_close(void *priv)
{
	lnx__free(priv);
}

static void lnx_get_stats(const void *priv, struct backend_stats *st)
{
	*st = ((const struct lnx *)priv)->st;
}

/* Reads len bytes of fd by deadline_ms (linux_mono_ms()); -1 on timeout,
 * EOF or error. A signal only restarts the wait. */
int linux_read_by(int fd, void *buf, size_t len, uint64_t deadline_ms)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		uint64_t now = linux_mono_ms();
		ssize_t r;

		if (now >= deadline_ms)
			return -1;
		if (poll(&pfd, 1, (int)(deadline_ms - now)) <= 0)
			continue;
		r = read(fd, (char *)buf + got, len - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

int linux_await_reply(int fd, uint32_t seq, unsigned n, uint64_t deadline_ms)
{
	struct lr_reply reply;

	if (linux_read_by(fd, &reply, sizeof(reply), deadline_ms))
		return -1;
	return reply.seq == seq && reply.n_done == n ? 0 : -1;
}

/* The runner's slot status, checked, as the oracle's case status. */
static void lnx__collect(const struct lr_slot *slot, unsigned index,
			 struct case_outcome *o)
{
	memset(o, 0, sizeof(*o));
	memcpy(&o->result, &slot->result, sizeof(o->result));
	snprintf(o->detail, sizeof(o->detail), "%.*s",
		 (int)sizeof(slot->detail) - 1, slot->detail);
	switch (slot->status) {
	case LR_OK:
		result_check(o, index, 0); /* no guest counters */
		return;
	case LR_HANG:
		o->status = CASE_HANG;
		return;
	case LR_UNSUPPORTED:
		o->status = CASE_UNSUPPORTED;
		return;
	case LR_ERROR:
		o->status = CASE_ERROR;
		return;
	case LR_CRASH:
		o->status = CASE_VM_CRASH;
		return;
	}
	o->status = CASE_ERROR;
	snprintf(o->detail, sizeof(o->detail),
		 "the runner left slot %u with status %u", index, slot->status);
}

/*
 * What the test kernel expresses and this backend does not (yet): its LDT,
 * the SS probe, modify_ldt and iopl, and the selectors that only the test
 * kernel's LDT or its fallbacks give a meaning (docs/testcase-format.md).
 */
static const char *lnx__seg_unsupported(const struct gc_testcase *tc)
{
	static const enum gc_sreg data[] = {GC_DS, GC_ES, GC_FS, GC_GS};
	uint32_t nr = (uint32_t)tc->gpr[GC_RAX];

	for (unsigned i = 0; i < GC_LDT_ENTRIES; i++)
		if (tc->seg.ldt[i])
			return "the test kernel's LDT (seg.ldt*) is not set up "
			       "on this backend";
	if (tc->seg.fcw_xor_default || tc->seg.mxcsr_xor_default ||
	    tc->seg.xmm0[0] || tc->seg.xmm0[1])
		return "x87/SSE state (fcw, mxcsr, xmm0) is not loaded or "
		       "captured on this backend yet";
	if (tc->seg.flags & GC_SEG_PROBE_SS)
		return "the SS probe (seg.flags) runs on the test kernel only";
	if (nr == GC_SYS_MODIFY_LDT || nr == GC_SYS_IOPL)
		return "modify_ldt and iopl are not mapped to Linux's yet";
	if (tc->sel[GC_SS] != __USER_DS)
		return "an initial SS other than __USER_DS is not set up on "
		       "this backend";
	for (unsigned i = 0; i < sizeof(data) / sizeof(data[0]); i++)
		if ((tc->sel[data[i]] & SEG_TI_LDT) ||
		    (tc->sel[data[i]] & ~SEG_RPL_MASK) == __KERNEL_DS)
			return "LDT and DPL 0 data selectors are not set up on "
			       "this backend";
	return NULL;
}

static void lnx__mark_unsupported(const struct gc_testcase *cases,
				  unsigned n, struct case_outcome *out)
{
	for (unsigned i = 0; i < n; i++) {
		const char *why = lnx__seg_unsupported(&cases[i]);

		if (!why)
			continue;
		memset(&out[i], 0, sizeof(out[i]));
		out[i].status = CASE_UNSUPPORTED;
		snprintf(out[i].detail, sizeof(out[i].detail), "%s", why);
	}
}

void linux_fail_all(struct case_outcome *out, unsigned nr, const char *why)
{
	size_t n;

	for (unsigned i = 0; i < nr; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].status = CASE_ERROR;
		/* The detail is for a person: its head is enough, and a
		 * cut is intended (-Wformat-truncation would say otherwise). */
		n = strnlen(why, sizeof(out[i].detail) - 1);
		memcpy(out[i].detail, why, n);
		out[i].detail[n] = '\0';
	}
}

/* One batch through the runner, without the fidelity gate. */
static int lnx__run_raw(struct lnx *l, const struct gc_testcase *cases,
			unsigned n, struct case_outcome *out, char *err,
			size_t errlen)
{
	struct lr_command cmd = {.n = n, .seq = ++l->seq};

	if (!l->pid && lnx__spawn(l, err, errlen)) {
		linux_fail_all(out, n, err);
		return -1;
	}
	for (unsigned i = 0; i < n; i++)
		l->shm->slots[i].tc = cases[i];
	if (send(l->sock, &cmd, sizeof(cmd), MSG_NOSIGNAL) != sizeof(cmd) ||
	    linux_await_reply(l->sock, cmd.seq, n,
			      linux_mono_ms() + LINUX_BATCH_SLACK_MS +
				      (uint64_t)n * 2 * l->timeout_ms)) {
		lnx__stop(l);
		linux_fail_all(out, n,
			      "the runner server stopped answering "
			      "(killed; restarted for the next batch)");
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		lnx__collect(&l->shm->slots[i], i, &out[i]);
	lnx__mark_unsupported(cases, n, out);
	l->st.cases += n;
	l->st.batches++;
	return 0;
}

static int lnx__fid_run(void *ctx, const struct gc_testcase *tc,
			struct case_outcome *o)
{
	char err[256];

	return lnx__run_raw(ctx, tc, 1, o, err, sizeof(err));
}

/* ldt_gdt.c's check, natively: a DPL 3 data segment installed as LDT entry
 * 1 loads into DS (selector 0xf) in a fresh process. */
static void lnx__fid_ldt(void *ctx, struct fid_cap_report *out)
{
	struct lnx *l = ctx;
	pid_t pid;
	int ws;

	if (l->qemu_user) {
		out->state = FID_MISSING;
		snprintf(out->evidence, sizeof(out->evidence),
			 "the runner does not install testcase LDTs under "
			 "qemu-x86_64");
		return;
	}
	pid = fork();
	if (pid == 0) {
		/* struct user_desc: entry 1, base 0, limit 0xfffff pages,
		 * 32-bit, data, useable. */
		uint32_t desc[4] = {1, 0, 0xfffff, 0x1 | 0x10 | 0x40};
		uint16_t sel = 0xf, got;

		signal(SIGSEGV, SIG_DFL);
		alarm(5);
		if (syscall(SYS_modify_ldt, 0x11, desc, sizeof(desc)))
			_exit(2);
		__asm__ volatile("mov %1, %%ds\n\t"
				 "mov %%ds, %0\n\t"
				 "mov %2, %%ds"
				 : "=&r"(got)
				 : "r"(sel), "r"((uint16_t)0));
		_exit(got == sel ? 0 : 3);
	}
	if (pid < 0 || waitpid(pid, &ws, 0) != pid) {
		out->state = FID_MISSING;
		snprintf(out->evidence, sizeof(out->evidence),
			 "could not fork a checker");
		return;
	}
	out->state = WIFEXITED(ws) && !WEXITSTATUS(ws) ? FID_OK : FID_MISSING;
	if (WIFSIGNALED(ws))
		snprintf(out->evidence, sizeof(out->evidence),
			 "modify_ldt accepted entry 1, loading DS=0xf raised "
			 "signal %d",
			 WTERMSIG(ws));
	else
		snprintf(out->evidence, sizeof(out->evidence),
			 "modify_ldt entry 1, DS=0xf: %s",
			 WEXITSTATUS(ws) == 0   ? "loads and reads back"
			 : WEXITSTATUS(ws) == 2 ? "modify_ldt refused"
						: "read back differs");
}

/* A file's identity, as "dev:ino:size:mtime" (zeros if absent). */
static void lnx__file_id(const char *path, char *out, size_t len)
{
	struct stat st = {0};

	if (path)
		stat(path, &st);
	snprintf(out, len, "%llx:%llx:%lld:%lld",
		 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
		 (long long)st.st_size, (long long)st.st_mtime);
}

/* The probe's own code (this program), the runner and qemu-x86_64: a
 * rebuilt one of them reprobes. */
static void lnx__fid_key(const struct lnx *l, char *key, size_t len)
{
	char self[80], runner[80], qemu[80];

	lnx__file_id("/proc/self/exe", self, sizeof(self));
	lnx__file_id(l->runner, runner, sizeof(runner));
	lnx__file_id(l->qemu_user ? l->qemu : NULL, qemu, sizeof(qemu));
	snprintf(key, len, "harness %s runner %s qemu %s", self, runner, qemu);
}

static void lnx__fid_ensure(struct lnx *l, int use_cache)
{
	struct fid_ops ops = {lnx__fid_run, lnx__fid_ldt, l};
	char key[320];

	if (l->fid_ready)
		return;
	lnx__fid_key(l, key, sizeof(key));
	if (use_cache)
		fid_probe_cached(&ops, l->qemu_user ? "qemu-user" : "linux",
				 key, &l->fid, &l->fid_cached);
	else
		fid_probe(&ops, &l->fid);
	l->fid_ready = 1;
}

/* Cases that need what this host lacks, or show a known host defect
 * (linux only: qemu-user's deviations are QEMU's), are unsupported, with
 * the capability as the reason (the runner's own reason for a case that
 * could not run names a symptom of it). Harness trouble stays visible. */
static void lnx__gate(const struct lnx *l, const struct gc_testcase *cases,
		      unsigned n, struct case_outcome *out)
{
	char why[sizeof(out->detail)];
	int gate;

	for (unsigned i = 0; i < n; i++) {
		if (out[i].status == CASE_ERROR)
			continue;
		gate = fid_gate(&l->fid, &cases[i], !l->qemu_user, why,
				sizeof(why));
		if (!gate)
			continue;
		/* A run through a host defect is the host's: nothing for a
		 * pair (backend_diff) to compare. */
		if (gate == FID_GATE_DEFECT)
			memset(&out[i].result, 0, sizeof(out[i].result));
		out[i].status = CASE_UNSUPPORTED;
		snprintf(out[i].detail, sizeof(out[i].detail), "%s", why);
	}
}

static int lnx_run(void *priv, const struct gc_testcase *cases, unsigned n,
		   uint64_t defenses, enum gc_selftest selftest,
		   struct case_outcome *out, char *err, size_t errlen)
{
	struct lnx *l = priv;

	/* The running kernel's defenses are its own: nothing to switch. */
	(void)defenses;
	if (selftest != GC_SELFTEST_NONE) {
		linux_fail_all(out, n,
			      "harness self-tests need the test "
			      "kernel (tcg or kvm backend)");
		return 0;
	}
	lnx__fid_ensure(l, 1);
	if (lnx__run_raw(l, cases, n, out, err, errlen))
		return -1;
	lnx__gate(l, cases, n, out);
	return 0;
}

/*
 * The fidelity probe (fidelity.c) on this kernel (or QEMU), capability by
 * capability, and a one-line summary of it.
 */
static void lnx__probe(const struct backend_config *cfg, int qemu_user,
		       struct probe_report *rep)
{
	struct utsname u;
	void *priv;
	struct lnx *l;
	char err[sizeof(rep->reason)], what[PATH_MAX];
	unsigned missing = 0, unfaithful = 0;

	if (lnx__open(cfg, qemu_user, &priv, err, sizeof(err))) {
		snprintf(rep->reason, sizeof(rep->reason), "%s", err);
		return;
	}
	l = priv;
	lnx__fid_ensure(l, !cfg->probe_no_cache);
	_Static_assert(FID_NR_CAPS <= sizeof(rep->caps) / sizeof(rep->caps[0]),
		       "probe_report.caps");
	rep->n_caps = FID_NR_CAPS;
	rep->caps_cached = l->fid_cached;
	for (unsigned c = 0; c < FID_NR_CAPS; c++) {
		struct probe_cap *pc = &rep->caps[c];

		snprintf(pc->name, sizeof(pc->name), "%s", fid_cap_name(c));
		snprintf(pc->state, sizeof(pc->state), "%s",
			 fid_state_name(l->fid.cap[c].state));
		snprintf(pc->evidence, sizeof(pc->evidence), "%s",
			 l->fid.cap[c].evidence);
		missing += l->fid.cap[c].state == FID_MISSING;
		unfaithful += l->fid.cap[c].state == FID_UNFAITHFUL;
	}
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	snprintf(what, sizeof(what), "%s", qemu_user ? l->qemu : u.release);
	rep->usable = l->fid.cap[FID_SYSCALL64].state == FID_OK;
	rep->faithful = !qemu_user && rep->usable;
	snprintf(rep->reason, sizeof(rep->reason),
		 "%s%.200s: %u of %u capabilities ok, %u missing, %u "
		 "unfaithful (%s); testcases needing a missing one are "
		 "unsupported%s; %s",
		 qemu_user ? "qemu-x86_64 " : "Linux ", what,
		 FID_NR_CAPS - missing - unfaithful, FID_NR_CAPS, missing,
		 unfaithful, l->fid_cached ? "cached for this boot" : "probed",
		 qemu_user ? "" : ", and those touching an unfaithful one",
		 qemu_user ? "no seccomp inside QEMU"
			   : "each execution a forked process under seccomp");
	lnx_close(priv);
}

static void linux_probe(const struct backend_config *cfg,
			struct probe_report *rep)
{
	lnx__probe(cfg, 0, rep);
}

static void qemu_user_probe(const struct backend_config *cfg,
			    struct probe_report *rep)
{
	lnx__probe(cfg, 1, rep);
}

/* The real kernel on the real CPU is hardware-exact; QEMU is not. */
static int linux_faithful(const void *priv)
{
	(void)priv;
	return 1;
}

const struct backend_ops linux_ops = {
	.name = "linux",
	.open = linux_open,
	.run = lnx_run,
	.close = lnx_close,
	.get_stats = lnx_get_stats,
	.probe = linux_probe,
	.faithful = linux_faithful,
};

const struct backend_ops qemu_user_ops = {
	.name = "qemu-user",
	.open = qemu_user_open,
	.run = lnx_run,
	.close = lnx_close,
	.get_stats = lnx_get_stats,
	.probe = qemu_user_probe,
};

/* For linux_vm.c, which runs the same runner in a guest: one reading of a
 * slot and one list of what the runner cannot express, for both. */
void linux_collect_slot(const struct lr_slot *slot, unsigned index,
			struct case_outcome *o)
{
	lnx__collect(slot, index, o);
}

void linux_mark_unsupported(const struct gc_testcase *cases, unsigned n,
			    struct case_outcome *out)
{
	lnx__mark_unsupported(cases, n, out);
}
