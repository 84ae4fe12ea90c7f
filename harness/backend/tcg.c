// SPDX-License-Identifier: MIT
/*
 * The tcg backend: the test kernel under qemu-system-x86_64 -accel tcg.
 *
 * Guest RAM is a memfd that both QEMU and the harness map shared (QEMU opens
 * it as /proc/self/fd/N, so the file never has a name and nothing is left
 * behind whatever happens to the harness). The mailbox sits at file offset
 * GC_MAILBOX_GPA. One batch is one doorbell round trip: the host writes the
 * cases and bumps host_seq, the guest runs them and copies host_seq into
 * guest_seq (docs/internals.md "The mailbox and the doorbell"; message passing only).
 *
 * A guest that stops making progress (mailbox->current not moving forward
 * for the case timeout) or a QEMU that exits (triple fault with -no-reboot)
 * costs the case it was on; QEMU is killed, booted again, and the rest of the
 * batch runs in a new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <immintrin.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tcg.h"
#include "tcg_wake.h"

#define QEMU_NAME "qemu-system-x86_64"

/*
 * Waiting for the guest: spin for TCG_SPIN_NS (a case answers in a few
 * microseconds), then sleep until the guest rings (tcg_wake.c), waking at
 * least every TCG_POLL_MS to look for hangs and a dead QEMU.
 */
#define TCG_SPIN_NS 20000ull
#define TCG_POLL_MS 1
/* Boot takes tens of milliseconds: look for "ready" this often. */
#define TCG_BOOT_POLL_NS 100000l
/* Wall-clock cap on a hang verdict when QEMU gets no CPU at all. */
#define TCG_HARD_CAP_FACTOR 20

struct tcg {
	char qemu[PATH_MAX];
	char kernel[PATH_MAX];
	unsigned case_timeout_ms;
	unsigned boot_timeout_ms;
	int verbose;

	int ram_fd;	/* guest RAM */
	int console_fd; /* what the guest wrote to port 0xe9 */
	int log_fd;	/* QEMU's stdout and stderr */
	struct tcg_wake wake;
	struct gc_mailbox *mb;

	pid_t pid; /* running QEMU, or 0 */
	clockid_t qemu_clock;
	int exit_status; /* of the QEMU that last exited, as from waitpid */
	uint64_t seq;
	unsigned boots;

	struct backend_stats st;
	char arg_machine[128], arg_object[160], arg_debugcon[64], arg_cpu[48];
	char arg_wake_chardev[64], arg_wake_device[64];

	/* Bytes in the kernel's counter block (0: no counters): the bound on
	 * the per-case coverage indexes the guest reports. */
	size_t cov_len;
};

/* The host writes host_seq and reads guest_seq through aligned pointers:
 * the mailbox is packed, but these words are 8-byte aligned. */
_Static_assert(__builtin_offsetof(struct gc_mailbox, host_seq) % 8 == 0, "");
_Static_assert(__builtin_offsetof(struct gc_mailbox, guest_seq) % 8 == 0, "");
#define MB_U64(mb, field)            \
	((uint64_t *)((char *)(mb) + \
		      __builtin_offsetof(struct gc_mailbox, field)))

/* Test hook (tcg.h): NULL except in tests/reliability/. */
tcg_mailbox_hook_fn tcg_test_mailbox_hook;
void *tcg_test_mailbox_hook_arg;

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(long ns)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = ns};

	nanosleep(&ts, NULL);
}

static unsigned env_ms(const char *name, unsigned dflt)
{
	const char *v = getenv(name);
	char *end;
	unsigned long ms;

	if (!v || !*v)
		return dflt;
	ms = strtoul(v, &end, 10);
	return (*end || !ms || ms > 600000) ? dflt : (unsigned)ms;
}

int tcg__find_qemu(const char *cfg_path, char *out, size_t outlen, char *err,
		   size_t errlen)
{
	const char *path = getenv("PATH");
	const char *name = cfg_path && *cfg_path ? cfg_path : QEMU_NAME;

	if (strchr(name, '/')) {
		if (access(name, X_OK) == 0) {
			snprintf(out, outlen, "%s", name);
			return 0;
		}
		snprintf(err, errlen,
			 "%s: %s (pass --qemu PATH to a working " QEMU_NAME ")",
			 name, strerror(errno));
		return -1;
	}
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(out, outlen, "%.*s/%s", (int)n, n ? p : ".", name);
		if (access(out, X_OK) == 0)
			return 0;
		p += n + (p[n] == ':');
	}
	snprintf(err, errlen,
		 "%s not found: install it with 'apt-get install "
		 "qemu-system-x86' (or pass --qemu PATH)",
		 name);
	return -1;
}

/* An anonymous shared file: a memfd, or an unlinked file in /dev/shm or
 * $TMPDIR where memfd_create is missing. */
static int tcg__anon_file(const char *name, off_t size)
{
	const char *dirs[] = {"/dev/shm", getenv("TMPDIR"), "/tmp"};
	char path[PATH_MAX];
	int fd = memfd_create(name, MFD_CLOEXEC);

	for (unsigned i = 0; fd < 0 && i < 3; i++) {
		if (!dirs[i])
			continue;
		snprintf(path, sizeof(path), "%s/gatecrash-%s-XXXXXX", dirs[i],
			 name);
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0)
			unlink(path);
	}
	if (fd >= 0 && ftruncate(fd, size)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* The first line of a log, or its last non-empty line, made printable. */
static void fd_line(int fd, int last, char *buf, size_t len)
{
	char text[4096];
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = last && size > (off_t)sizeof(text) - 1
			     ? size - (off_t)sizeof(text) + 1
			     : 0;
	ssize_t n = size > 0 ? pread(fd, text, sizeof(text) - 1, from) : 0;
	char *line = text, *p;

	if (n < 0)
		n = 0;
	text[n] = '\0';
	while (last && n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		text[--n] = '\0';
	if (last && (p = strrchr(text, '\n')))
		line = p + 1;
	line[strcspn(line, "\r\n")] = '\0';
	for (p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	snprintf(buf, len, "%s", *line ? line : "(empty)");
}

static void tcg__build_args(struct tcg *t)
{
	snprintf(t->arg_machine, sizeof(t->arg_machine),
		 "microvm,memory-backend=mem,pit=off,pic=off,rtc=off,"
		 "isa-serial=off");
	snprintf(t->arg_object, sizeof(t->arg_object),
		 "memory-backend-file,id=mem,size=%u,"
		 "mem-path=/proc/self/fd/%d,share=on",
		 GC_RAM_SIZE, t->ram_fd);
	snprintf(t->arg_debugcon, sizeof(t->arg_debugcon),
		 "file:/proc/self/fd/%d", t->console_fd);
	tcg_wake_qemu_args(&t->wake, t->arg_wake_chardev,
			   sizeof(t->arg_wake_chardev), t->arg_wake_device,
			   sizeof(t->arg_wake_device));
}

/* In the child between fork and exec: async-signal-safe calls only. */
static void __attribute__((noreturn))
tcg__child(const struct tcg *t, pid_t parent, const char *const argv[])
{
	static const char msg[] = "gatecrash: exec " QEMU_NAME " failed\n";
	int null = open("/dev/null", O_RDONLY);

	/*
	 * QEMU dies with the harness and can be killed as a group. (The death
	 * signal follows the forking *thread*: open a backend on a thread that
	 * outlives it.)
	 */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	setpgid(0, 0);
	if (null < 0 || dup2(null, 0) < 0 || dup2(t->log_fd, 1) < 0 ||
	    dup2(t->log_fd, 2) < 0)
		_exit(127);
		/* Only RAM, console and wake pipe reach QEMU, by number. */
#ifdef CLOSE_RANGE_CLOEXEC
	close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);
#endif
	fcntl(t->ram_fd, F_SETFD, 0);
	fcntl(t->console_fd, F_SETFD, 0);
	fcntl(t->wake.wr, F_SETFD, 0);
	execv(t->qemu, (char *const *)argv);
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(127);
	_exit(127);
}

static int tcg__spawn(struct tcg *t, char *err, size_t errlen)
{
	const char *const argv[] = {
		t->qemu, "-machine", t->arg_machine, "-object", t->arg_object,
		"-accel", "tcg", "-cpu", t->arg_cpu,
		/* MTTCG: guest fences and atomics order against the host. */
		"-smp", "1,maxcpus=2", "-nographic", "-nodefaults",
		"-no-user-config", "-monitor", "none", "-serial", "none",
		"-no-reboot", "-debugcon", t->arg_debugcon, "-chardev",
		t->arg_wake_chardev, "-device", t->arg_wake_device, "-kernel",
		t->kernel, NULL};
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		tcg__child(t, parent, argv);
	setpgid(pid, pid); /* also here: no window where -pid is not a group */
	t->pid = pid;
	if (clock_getcpuclockid(pid, &t->qemu_clock))
		t->qemu_clock = CLOCK_MONOTONIC;
	return 0;
}

/* Non-zero once QEMU has exited (and been reaped). */
static int tcg__exited(struct tcg *t)
{
	int status;
	pid_t r;

	if (!t->pid)
		return 1;
	r = waitpid(t->pid, &status, WNOHANG);
	if (r == 0 || (r < 0 && errno == EINTR))
		return 0;
	t->exit_status = r == t->pid ? status : -1;
	t->pid = 0;
	return 1;
}

static void tcg__kill(struct tcg *t)
{
	int status;

	if (!t->pid)
		return;
	kill(-t->pid, SIGKILL);
	kill(t->pid, SIGKILL);
	while (waitpid(t->pid, &status, 0) < 0 && errno == EINTR)
		;
	t->pid = 0;
}

static void tcg__exit_text(const struct tcg *t, char *buf, size_t len)
{
	int s = t->exit_status;

	if (s < 0)
		snprintf(buf, len, "exited");
	else if (WIFSIGNALED(s))
		snprintf(buf, len, "was killed by signal %d", WTERMSIG(s));
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(s));
}

/* Fresh, zeroed RAM for each boot (a restarted guest must not see what
 * the last one left), then the header the guest checks. */
static int mailbox__init(struct tcg *t)
{
	if (ftruncate(t->ram_fd, 0) || ftruncate(t->ram_fd, GC_RAM_SIZE) ||
	    ftruncate(t->console_fd, 0) || ftruncate(t->log_fd, 0))
		return -1;
	t->mb->magic = GC_MAILBOX_MAGIC;
	t->mb->abi_version = GC_ABI_VERSION;
	t->seq = 0;
	return 0;
}

static int mailbox__check_ready(struct tcg *t, char *err, size_t errlen)
{
	if (t->mb->guest_abi_version != GC_ABI_VERSION) {
		snprintf(err, errlen,
			 "kernel speaks mailbox ABI %u, harness %u:"
			 " kernel and harness were built from different "
			 "sources (rebuild: cmake --build build)",
			 t->mb->guest_abi_version, GC_ABI_VERSION);
		return -1;
	}
	return 0;
}

static void mailbox__boot_failed(struct tcg *t, char *err, size_t errlen)
{
	char how[48], line[96];
	int status = t->exit_status;

	tcg__exit_text(t, how, sizeof(how));
	fd_line(t->log_fd, 0, line, sizeof(line));
	if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) &&
	    strcmp(line, "(empty)")) {
		snprintf(err, errlen, QEMU_NAME " failed: %s", line);
		return;
	}
	fd_line(t->console_fd, 1, line, sizeof(line));
	snprintf(err, errlen,
		 QEMU_NAME " %s before the kernel was ready; "
			   "console: %s",
		 how, line);
}

static int mailbox__wait_ready(struct tcg *t, char *err, size_t errlen)
{
	uint64_t deadline = mono_ns() + t->boot_timeout_ms * 1000000ull;
	char line[96];

	while (t->mb->guest_state != GC_GUEST_READY) {
		if (tcg__exited(t)) {
			mailbox__boot_failed(t, err, errlen);
			return -1;
		}
		if (mono_ns() > deadline) {
			tcg__kill(t);
			fd_line(t->console_fd, 1, line, sizeof(line));
			snprintf(err, errlen,
				 "the kernel did not become ready "
				 "within %u ms; console: %s",
				 t->boot_timeout_ms, line);
			return -1;
		}
		sleep_ns(TCG_BOOT_POLL_NS);
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return mailbox__check_ready(t, err, errlen);
}

static int tcg__boot(struct tcg *t, char *err, size_t errlen)
{
	uint64_t t0 = mono_ns();

	tcg__kill(t);
	if (mailbox__init(t)) {
		snprintf(err, errlen, "resetting guest RAM: %s",
			 strerror(errno));
		return -1;
	}
	if (tcg__spawn(t, err, errlen))
		return -1;
	if (mailbox__wait_ready(t, err, errlen)) {
		tcg__kill(t);
		return -1;
	}
	t->st.boot_ms_last = (double)(mono_ns() - t0) / 1e6;
	if (t->boots++)
		t->st.restarts++;
	if (t->verbose)
		fprintf(stderr, "tcg: kernel ready in %.1f ms (pid %d)\n",
			t->st.boot_ms_last, (int)t->pid);
	return 0;
}

static void tcg__free(struct tcg *t)
{
	tcg__kill(t);
	if (t->mb)
		munmap(t->mb, GC_MAILBOX_SIZE);
	if (t->ram_fd >= 0)
		close(t->ram_fd);
	if (t->console_fd >= 0)
		close(t->console_fd);
	if (t->log_fd >= 0)
		close(t->log_fd);
	tcg_wake_close(&t->wake);
	free(t);
}

static int tcg__check_kernel(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return 0;
	snprintf(err, errlen,
		 "test kernel %s not found: build it with "
		 "'cmake --build build' (or set GATECRASH_KERNEL)",
		 path);
	return -1;
}

/* -cpu max is AMD-flavoured under TCG; --vendor picks the CPUID vendor,
 * which also selects QEMU's vendor checks (SYSENTER/SYSEXIT, E14). */
static int tcg__cpu_arg(struct tcg *t, const char *vendor, char *err,
			size_t errlen)
{
	const char *v = NULL;

	if (vendor && !strcmp(vendor, "intel"))
		v = "GenuineIntel";
	else if (vendor && !strcmp(vendor, "amd"))
		v = "AuthenticAMD";
	else if (vendor && *vendor && strcmp(vendor, "host")) {
		snprintf(err, errlen,
			 "unknown vendor '%s': use --vendor intel, amd or host",
			 vendor);
		return -1;
	}
	snprintf(t->arg_cpu, sizeof(t->arg_cpu), v ? "max,vendor=%s" : "max",
		 v);
	return 0;
}

static int tcg__setup(struct tcg *t, const struct backend_config *cfg,
		      char *err, size_t errlen)
{
	const char *kernel = cfg->kernel_path ? cfg->kernel_path
					      : kernel_image_default_path();
	void *m;

	if (tcg__find_qemu(cfg->qemu_path, t->qemu, sizeof(t->qemu), err,
			   errlen))
		return -1;
	snprintf(t->kernel, sizeof(t->kernel), "%s", kernel);
	if (tcg__cpu_arg(t, cfg->vendor, err, errlen) ||
	    tcg__check_kernel(t->kernel, err, errlen))
		return -1;
	t->ram_fd = tcg__anon_file("ram", GC_RAM_SIZE);
	t->console_fd = tcg__anon_file("console", 0);
	t->log_fd = tcg__anon_file("qemu-log", 0);
	if (t->ram_fd < 0 || t->console_fd < 0 || t->log_fd < 0 ||
	    tcg_wake_open(&t->wake)) {
		snprintf(err, errlen, "cannot create guest RAM: %s",
			 strerror(errno));
		return -1;
	}
	m = mmap(NULL, GC_MAILBOX_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 t->ram_fd, GC_MAILBOX_GPA);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "mmap guest RAM: %s", strerror(errno));
		return -1;
	}
	t->mb = m;
	tcg__build_args(t);
	return 0;
}

/*
 * Guest coverage: the kernel's counter block, found by symbol in the ELF
 * QEMU boots. The guest reports each case's share of it in the case's
 * result (abi.h, struct gc_cov_word); the host needs only its size, to
 * bound the indexes.
 */
static size_t tcg__cov_len(struct tcg *t)
{
	uint64_t start, end;
	char err[256];

	start = kernel_image_symbol_address("__gc_cov_start");
	end = kernel_image_symbol_address("__gc_cov_end");
	if (!start && !kernel_image_load_symbols(t->kernel, err, sizeof(err))) {
		start = kernel_image_symbol_address("__gc_cov_start");
		end = kernel_image_symbol_address("__gc_cov_end");
	}
	if (start < GC_KERNEL_LOAD || start >= end || end > GC_MAILBOX_GPA ||
	    end - start > UINT16_MAX + 1ull)
		return 0;
	return end - start;
}

static int tcg_open(const struct backend_config *cfg, void **priv, char *err,
		    size_t errlen)
{
	struct tcg *t = calloc(1, sizeof(*t));

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->ram_fd = t->console_fd = t->log_fd = -1;
	t->wake.rd = t->wake.wr = -1;
	t->case_timeout_ms = cfg->case_timeout_ms ? cfg->case_timeout_ms
						  : TCG_CASE_TIMEOUT_MS;
	t->boot_timeout_ms =
		env_ms("GATECRASH_BOOT_TIMEOUT_MS", TCG_BOOT_TIMEOUT_MS);
	t->verbose = cfg->verbose;
	if (tcg__setup(t, cfg, err, errlen) || tcg__boot(t, err, errlen)) {
		tcg__free(t);
		return -1;
	}
	t->cov_len = tcg__cov_len(t);
	*priv = t;
	return 0;
}

static void tcg_close(void *priv)
{
	if (priv)
		tcg__free(priv);
}

static void tcg_get_stats(const void *priv, struct backend_stats *st)
{
	*st = ((const struct tcg *)priv)->st;
}

/* The test hook, where a test set one (tcg.h). */
static inline void tcg__hook(struct tcg *t, unsigned k,
			     enum tcg_hook_point at)
{
	if (__builtin_expect(tcg_test_mailbox_hook != NULL, 0))
		tcg_test_mailbox_hook(t->mb, k, at, t->pid,
				      tcg_test_mailbox_hook_arg);
}

/* Hand the guest k cases. Everything is written before host_seq (release),
 * which the guest reads before the cases. */
static void mailbox__ring(struct tcg *t, const struct gc_testcase *cases,
			  unsigned k, uint64_t defenses, enum gc_selftest st)
{
	struct gc_mailbox *mb = t->mb;

	memcpy(mb->cases, cases, k * sizeof(*cases));
	for (unsigned i = 0; i < k; i++)
		mb->results[i].magic = 0;
	mb->batch_count = k;
	mb->defenses = defenses;
	mb->selftest = st;
	/* current only says something once the guest has moved it. */
	mb->current = 0;
	tcg__hook(t, k, TCG_HOOK_RING);
	__atomic_store_n(MB_U64(mb, host_seq), ++t->seq, __ATOMIC_RELEASE);
	t->st.batches++;
}

/* WAIT_STARVED: no answer within TCG_HARD_CAP_FACTOR timeouts, but QEMU
 * never got the CPU time to prove a hang (see stall__hung). */
enum wait_result {
	WAIT_PENDING, /* no verdict yet: keep waiting */
	WAIT_DONE,
	WAIT_HANG,
	WAIT_STARVED,
	WAIT_EXITED
};

static uint64_t qemu_cpu_ns(const struct tcg *t)
{
	struct timespec ts;

	if (clock_gettime(t->qemu_clock, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * A hang is no progress for the case timeout of wall time during which
 * QEMU also burned at least a quarter of the timeout of CPU time (a case
 * needs microseconds; a fresh VM translating its first batch, a few
 * milliseconds), so a host too busy to schedule the vCPU does not turn
 * into false hangs. The CPU clock is a syscall: it is read once, a quarter
 * of the way in, not per case; from there QEMU needs a third of the CPU
 * to be judged at the deadline. A QEMU that gets no CPU at all is given
 * up on after TCG_HARD_CAP_FACTOR timeouts (WAIT_STARVED: the case is run
 * again on a fresh VM, see tcg__salvage).
 *
 * The CPU time only proves a hang if it was spent while the batch was
 * unanswered: a guest that has answered spins on host_seq, burning CPU
 * exactly like a hung one. So the caller looks at guest_seq again *after*
 * this says hung (mailbox__wait): under load the harness can sleep far
 * past its 100 us nap while QEMU finishes the case and spins, and without
 * that second look the spin was counted as the hang (docs/internals.md,
 * "Hangs under load").
 */
struct stall {
	uint32_t cur;
	uint64_t since;
	uint64_t cpu_mark;
	int marked;
};

static enum wait_result stall__hung(struct tcg *t, struct stall *s,
				    uint64_t now)
{
	uint64_t timeout = t->case_timeout_ms * 1000000ull;
	uint64_t stalled = now - s->since;

	if (stalled < timeout / 4)
		return WAIT_PENDING;
	if (!s->marked) {
		s->marked = 1;
		s->cpu_mark = qemu_cpu_ns(t);
		return WAIT_PENDING;
	}
	if (stalled >= timeout && qemu_cpu_ns(t) - s->cpu_mark >= timeout / 4)
		return WAIT_HANG;
	if (stalled >= timeout * TCG_HARD_CAP_FACTOR)
		return WAIT_STARVED;
	return WAIT_PENDING;
}

static int mailbox__answered(struct tcg *t, uint64_t want)
{
	return __atomic_load_n(MB_U64(t->mb, guest_seq), __ATOMIC_ACQUIRE) ==
	       want;
}

static enum wait_result mailbox__wait(struct tcg *t)
{
	struct stall s = {.cur = t->mb->current, .since = mono_ns()};
	uint64_t want = t->seq, start = s.since, now;
	enum wait_result w;
	uint32_t cur;

	for (unsigned spins = 1;; spins++) {
		if (mailbox__answered(t, want))
			return WAIT_DONE;
		if (spins % 64) {
			_mm_pause();
			continue;
		}
		now = mono_ns();
		if (now - start < TCG_SPIN_NS)
			continue;
		tcg_wake_sleep(&t->wake, t->mb, want, TCG_POLL_MS);
		if (mailbox__answered(t, want))
			return WAIT_DONE;
		now = mono_ns();
		cur = t->mb->current;
		/* Only forward counts: a guest that restarts or repeats the
		 * batch is as stuck as one that stopped. */
		if (cur > s.cur) {
			s.cur = cur;
			s.since = now;
			s.marked = 0;
		}
		if (tcg__exited(t))
			return WAIT_EXITED;
		w = stall__hung(t, &s, now);
		/* The second look: the CPU time was read after guest_seq. */
		if (w != WAIT_PENDING)
			return mailbox__answered(t, want) ? WAIT_DONE : w;
	}
}

/* Results of slots [0, k) into out[0, k), copied first, then checked;
 * index is rewritten to the caller's numbering (base + slot). */
static void mailbox__collect(struct tcg *t, unsigned base, unsigned k,
			     struct case_outcome *out)
{
	for (unsigned i = 0; i < k; i++) {
		memcpy(&out[i].result, &t->mb->results[i],
		       sizeof(out[i].result));
		result_check(&out[i], i, t->cov_len);
		out[i].test_kernel = 1;
		out[i].result.index = base + i;
	}
}

/* Which slot the guest was on when it hung or died. The guest's word is
 * untrusted: out of range, blame the first slot without a result. */
static unsigned mailbox__blame(struct tcg *t, unsigned k)
{
	uint32_t cur = t->mb->current;
	unsigned i;

	if (cur < k)
		return cur;
	for (i = 0; i < k; i++)
		if (t->mb->results[i].magic != GC_RESULT_MAGIC)
			break;
	return i;
}

static void tcg__crash_detail(struct tcg *t, struct case_outcome *o)
{
	/* Sized so the whole line fits in o->detail. */
	char how[32], line[56];
	int s = t->exit_status;

	tcg__exit_text(t, how, sizeof(how));
	if (s >= 0 && WIFEXITED(s) && WEXITSTATUS(s))
		fd_line(t->log_fd, 0, line, sizeof(line));
	else
		fd_line(t->console_fd, 1, line, sizeof(line));
	snprintf(o->detail, sizeof(o->detail), "%sQEMU %s; %s: %s",
		 s >= 0 && WIFSIGNALED(s) ? "" : "triple fault / ", how,
		 s >= 0 && WIFEXITED(s) && WEXITSTATUS(s) ? "qemu" : "console",
		 line);
}

static void tcg__fail_rest(struct case_outcome *out, unsigned n,
			   const char *why)
{
	for (unsigned i = 0; i < n; i++) {
		memset(&out[i].result, 0, sizeof(out[i].result));
		out[i].status = CASE_ERROR;
		snprintf(out[i].detail, sizeof(out[i].detail), "%s", why);
	}
}

/*
 * The batch stopped at slot b: what ran before it counts, b is the case
 * that hung or crashed, and QEMU goes (it is booted again on demand).
 * A starved case proved nothing, so it is run once more on a fresh VM
 * (*retry_at remembers which case already had its second chance); if it
 * starves again it is reported as a hang: a wedged QEMU must end too.
 */
static unsigned tcg__salvage(struct tcg *t, unsigned base, unsigned k,
			     enum wait_result w, unsigned *retry_at,
			     struct case_outcome *out)
{
	unsigned b;

	tcg__kill(t); /* a hung guest must not write while we read */
	b = mailbox__blame(t, k);
	mailbox__collect(t, base, b, out);
	if (b == k)
		return k;
	if (w == WAIT_STARVED && *retry_at != base + b) {
		*retry_at = base + b;
		if (t->verbose)
			fprintf(stderr, "tcg: case %u starved of CPU for "
					"%u ms; running it again\n",
				base + b,
				t->case_timeout_ms * TCG_HARD_CAP_FACTOR);
		return b;
	}
	memset(&out[b].result, 0, sizeof(out[b].result));
	if (w != WAIT_EXITED) {
		out[b].status = CASE_HANG;
		snprintf(out[b].detail, sizeof(out[b].detail),
			 "no progress for %u ms%s; VM restarted",
			 t->case_timeout_ms,
			 w == WAIT_STARVED ? " (QEMU starved of CPU, twice)"
					   : "");
	} else {
		/* -no-reboot: a triple fault is QEMU exiting with status 0;
		 * a signal is QEMU itself crashing (docs/semantics.md §6). */
		out[b].status =
			t->exit_status >= 0 && WIFSIGNALED(t->exit_status)
				? CASE_EMULATOR_CRASH
				: CASE_VM_CRASH;
		tcg__crash_detail(t, &out[b]);
	}
	return b + 1;
}

/* The guest's own clock of the batch (untrusted: it only feeds a figure). */
static void tcg__note_guest_time(struct tcg *t, unsigned k,
				 enum gc_selftest st)
{
	double per_case = (double)t->mb->batch_tsc / k;
	double *min = st == GC_SELFTEST_NONE ? &t->st.guest_tsc_per_case_min
		      : st == GC_SELFTEST_RAW_ROUND_TRIP
			      ? &t->st.floor_tsc_per_case_min
			      : NULL;

	if (!min || k < 64 || per_case <= 0)
		return;
	if (!*min || per_case < *min)
		*min = per_case;
}

static int tcg_run(void *priv, const struct gc_testcase *cases, unsigned n,
		   uint64_t defenses, enum gc_selftest st,
		   struct case_outcome *out, char *err, size_t errlen)
{
	struct tcg *t = priv;
	unsigned done = 0, k, retry_at = UINT_MAX;
	enum wait_result w;

	while (done < n) {
		if (!t->pid && tcg__boot(t, err, errlen)) {
			tcg__fail_rest(out + done, n - done, err);
			return -1;
		}
		k = n - done;
		mailbox__ring(t, cases + done, k, defenses, st);
		w = mailbox__wait(t);
		tcg__hook(t, k,
			  w == WAIT_DONE ? TCG_HOOK_ANSWERED : TCG_HOOK_STOPPED);
		if (w == WAIT_DONE) {
			tcg__note_guest_time(t, k, st);
			mailbox__collect(t, done, k, out + done);
			done += k;
		} else {
			done += tcg__salvage(t, done, k, w, &retry_at,
					     out + done);
		}
	}
	t->st.cases += n;
	return 0;
}

static void tcg_probe(const struct backend_config *cfg,
		      struct probe_report *rep)
{
	struct backend_stats st;
	char err[256];
	void *priv;

	rep->faithful = 0;
	if (tcg_open(cfg, &priv, err, sizeof(err))) {
		rep->usable = 0;
		snprintf(rep->reason, sizeof(rep->reason), "%s", err);
		return;
	}
	tcg_get_stats(priv, &st);
	rep->usable = 1;
	snprintf(rep->reason, sizeof(rep->reason),
		 "kernel booted in %.0f ms under QEMU TCG; an emulator, not a "
		 "hardware reference (see docs for TCG's fidelity gaps)",
		 st.boot_ms_last);
	tcg_close(priv);
}

static int tcg_coverage(void *priv, size_t *len)
{
	struct tcg *t = priv;

	*len = t->cov_len;
	return t->cov_len ? 0 : -1;
}

const struct backend_ops tcg_ops = {
	.name = "tcg",
	.open = tcg_open,
	.run = tcg_run,
	.close = tcg_close,
	.get_stats = tcg_get_stats,
	.probe = tcg_probe,
	.coverage = tcg_coverage,
};
