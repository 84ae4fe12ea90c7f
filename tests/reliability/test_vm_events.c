// SPDX-License-Identifier: MIT
/*
 * Hangs and VM crashes, many in a row: each detected quickly, the VM
 * restarted, the next batch normal, and nothing accumulating in the
 * harness (memory, descriptors, QEMU processes). Then the rule that keeps
 * a busy host from producing false hangs: a QEMU that gets no CPU at all
 * (here: SIGSTOPped) is given a second chance on a fresh VM, and only a
 * case that starves twice is reported as a hang.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "tcg_test.h"

#include "tcg.h"
#include "vm_events.h"

#define N_EVENTS 200
#define TIMEOUT_MS 50
#define STARVE_TIMEOUT_MS 10 /* hard cap: 20 timeouts = 200 ms */

/* ASan keeps freed memory in quarantine: RSS says little there. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_SLACK_KB (128 * 1024)
#else
#define RSS_SLACK_KB 2048
#endif

TEST(many_hangs_and_crashes)
{
	struct backend *b = open_tcg(TIMEOUT_MS);
	struct vm_events_report r;

	ASSERT(b);
	ASSERT_EQ(vm_events_run(b, N_EVENTS, TIMEOUT_MS, 0, &r), 0);
	backend_close(b);
	r.qemu_after = proc_qemu_running(getpid(), NULL);
	vm_events_print(&r);
	ASSERT_EQ(r.events, N_EVENTS);
	ASSERT_EQ(r.wrong, 0);
	ASSERT_EQ(r.batches_bad, 0);
	ASSERT_EQ(r.fds1, r.fds0);
	ASSERT(r.rss1_kb - r.rss0_kb < RSS_SLACK_KB);
	ASSERT_EQ(r.qemu_during, 1);
	ASSERT_EQ(r.qemu_after, 0);
	/* Typical cost of the check; the max is printed (load moves it). */
	ASSERT(r.hang_med_ms - TIMEOUT_MS < 50);
	ASSERT(r.crash_med_ms < 50);
}

/* ---- starvation ---- */

static int freeze_left; /* QEMUs to stop at their next doorbell */
static int late_pipe = -1; /* to the controller of late_harness */

/* At the doorbell, before the guest can see it: freeze QEMU. */
static void freeze_hook(struct gc_mailbox *mb, unsigned k,
			enum tcg_hook_point at, int qemu_pid, void *arg)
{
	int status;

	(void)mb;
	(void)k;
	(void)arg;
	if (at != TCG_HOOK_RING || freeze_left <= 0)
		return;
	freeze_left--;
	/* kill() only queues the stop: wait until every thread stopped,
	 * or the guest may see the doorbell first. */
	kill(qemu_pid, SIGSTOP);
	waitpid(qemu_pid, &status, WUNTRACED);
	if (late_pipe >= 0 && write(late_pipe, &qemu_pid, sizeof(qemu_pid)) !=
				      sizeof(qemu_pid))
		abort();
}

static void run_frozen(struct backend *b, int freezes, struct case_outcome *o,
		       double *ms)
{
	struct gc_testcase tc;
	char err[256];
	double t0;

	tc_default(&tc);
	freeze_left = freezes;
	tcg_test_mailbox_hook = freeze_hook;
	t0 = proc_now_ms();
	if (backend_run(b, &tc, 1, GC_DEFENSES_ALL, o, err, sizeof(err)))
		o->status = CASE_ERROR;
	*ms = proc_now_ms() - t0;
	tcg_test_mailbox_hook = NULL;
}

TEST(starved_qemu_is_not_a_hang)
{
	struct backend *b = open_tcg(STARVE_TIMEOUT_MS);
	struct backend_stats st;
	struct case_outcome o;
	double ms;

	ASSERT(b);
	/* Starved once: the case runs again on a fresh VM and passes. */
	run_frozen(b, 1, &o, &ms);
	printf("starved once: status %d after %.0f ms: %s\n", o.status, ms,
	       o.detail);
	ASSERT_EQ(o.status, CASE_OK);
	ASSERT_EQ(o.result.mech.end, GC_END_LANDED);
	backend_get_stats(b, &st);
	ASSERT_EQ(st.restarts, 1);
	/* Starved on both VMs: a wedged QEMU still ends, as a hang. */
	run_frozen(b, 2, &o, &ms);
	printf("starved twice: status %d after %.0f ms: %s\n", o.status, ms,
	       o.detail);
	ASSERT_EQ(o.status, CASE_HANG);
	ASSERT(strstr(o.detail, "starved") != NULL);
	ASSERT(vm_events__batch_ok(b));
	backend_close(b);
	ASSERT_EQ(proc_qemu_running(getpid(), NULL), 0);
}

/*
 * The false hang seen under load, made deterministic. QEMU is frozen at
 * the doorbell, so the case cannot finish within the timeout; the
 * controller then freezes the harness (mid-wait, past the deadline), lets
 * QEMU run, which finishes the case and spins on host_seq for LATE_RUN_MS,
 * and only then lets the harness go on. The harness wakes with a stale
 * "no progress for the timeout" and a QEMU that burned plenty of CPU: the
 * old rule called that a hang. The CPU was the guest's idle doorbell spin.
 */
#define LATE_ROUNDS	 5
#define LATE_STALL_MS	 (TIMEOUT_MS + 20)
#define LATE_RUN_MS	 100

static void __attribute__((noreturn)) late_controller(int rfd, pid_t harness)
{
	struct timespec stall = {0, LATE_STALL_MS * 1000000l};
	struct timespec run = {0, LATE_RUN_MS * 1000000l};
	int qemu;

	while (read(rfd, &qemu, sizeof(qemu)) == sizeof(qemu)) {
		nanosleep(&stall, NULL);
		kill(harness, SIGSTOP);
		kill(qemu, SIGCONT);
		nanosleep(&run, NULL);
		kill(harness, SIGCONT);
	}
	_exit(0);
}

TEST(late_harness_is_not_a_hang)
{
	struct case_outcome o;
	struct backend *b;
	unsigned hangs = 0;
	int fds[2], status;
	pid_t ctl;
	double ms;

	ASSERT(!pipe(fds));
	ctl = fork();
	ASSERT(ctl >= 0);
	if (!ctl) {
		close(fds[1]);
		late_controller(fds[0], getppid());
	}
	close(fds[0]);
	late_pipe = fds[1];
	b = open_tcg(TIMEOUT_MS);
	ASSERT(b);
	for (int i = 0; i < LATE_ROUNDS; i++) {
		run_frozen(b, 1, &o, &ms);
		printf("late harness %d: status %d after %.0f ms %s\n", i,
		       o.status, ms, o.detail);
		hangs += o.status == CASE_HANG;
		ASSERT(o.status == CASE_OK || o.status == CASE_HANG);
	}
	close(late_pipe);
	late_pipe = -1;
	waitpid(ctl, &status, 0);
	backend_close(b);
	ASSERT_EQ(hangs, 0);
}
