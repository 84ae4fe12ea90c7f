// SPDX-License-Identifier: MIT
/*
 * The linux-vm backend: gatecrash-linux-runner as a server inside a real
 * Linux kernel (the appliance harness/linux-vm/appliance.sh builds: a
 * Debian kernel by default, or a user's own) booted under QEMU TCG. It is
 * the linux backend's protocol (harness/linux-runner/protocol.h) with the
 * transport moved into a VM:
 *
 *  - the slots live in a file both QEMU (an ivshmem-plain device, BAR 2)
 *    and this process map: a testcase costs no copy through a channel;
 *  - the 8-byte command and reply go over the guest's second serial port
 *    (a QEMU socket chardev): one round trip per batch, no boot and no
 *    process spawn per testcase (the runner forks its executions, as on
 *    the host).
 *
 * A guest that panics or stops answering is a vm_crash of the slot it was
 * running (the runner marks each slot as it finishes, so that slot is the
 * first one still LR_NOT_RUN), with the console's last line; the guest is
 * booted again and the rest of the batch runs there.
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
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fidelity.h"
#include "linux.h"
#include "protocol.h"
#include "testcase.h"

#ifndef GC_LINUX_RUNNER_PATH
#define GC_LINUX_RUNNER_PATH "gatecrash-linux-runner"
#endif

/* ivshmem wants a power-of-two size at least as big as the slots. */
#define LVM_SHM_SIZE (1u << 20)
_Static_assert(sizeof(struct lr_shm) <= LVM_SHM_SIZE, "slots outgrow ivshmem");
#define LVM_READY	   "GCVMREADY\n"
#define LVM_BOOT_TIMEOUT_MS 180000 /* TCG boot on two shared cores */
/* Per execution: a fork in a TCG guest is ~1 ms, under load far more. */
#define LVM_CASE_TIMEOUT_MS 3000
#define LVM_BATCH_SLACK_MS  10000

struct lvm {
	char appliance[PATH_MAX]; /* vmlinux, base.cpio.gz, kernel-version */
	char kernel_version[96];
	char runner[PATH_MAX];
	char qemu[PATH_MAX];
	char cpu[64];
	const char *vendor; /* "amd" or "intel" */
	char dir[64];	    /* this instance's scratch directory */
	unsigned timeout_ms;
	struct lr_shm *shm;
	pid_t pid; /* QEMU, or 0 */
	unsigned boots;
	int sock;  /* the guest's ttyS1 */
	uint32_t seq;
	struct backend_stats st;
	/* lvm_run's scratch: the cases that run, and where they came from. */
	struct gc_testcase run[GC_MAX_BATCH];
	struct case_outcome got[GC_MAX_BATCH];
	unsigned map[GC_MAX_BATCH];
};

static void lvm__path(const struct lvm *v, const char *name, char *out,
		      size_t len)
{
	snprintf(out, len, "%s/%s", v->dir, name);
}

/* GATECRASH_VM_DIR, else the appliance set-up built last. */
static int lvm__find_appliance(struct lvm *v, char *err, size_t errlen)
{
	const char *env = getenv("GATECRASH_VM_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char f[PATH_MAX + 32];
	FILE *kv;

	if (env && *env)
		snprintf(v->appliance, sizeof(v->appliance), "%s", env);
	else if (xdg && *xdg)
		snprintf(v->appliance, sizeof(v->appliance),
			 "%s/gatecrash/vm/current", xdg);
	else
		snprintf(v->appliance, sizeof(v->appliance),
			 "%s/.cache/gatecrash/vm/current", home ? home : "/");
	snprintf(f, sizeof(f), "%s/vmlinux", v->appliance);
	if (access(f, R_OK)) {
		snprintf(err, errlen,
			 "no linux-vm appliance at %.200s (build it: "
			 "harness/linux-vm/appliance.sh, or set "
			 "GATECRASH_VM_DIR)",
			 v->appliance);
		return -1;
	}
	snprintf(f, sizeof(f), "%s/kernel-version", v->appliance);
	kv = fopen(f, "r");
	if (!kv || !fgets(v->kernel_version, sizeof(v->kernel_version), kv))
		snprintf(v->kernel_version, sizeof(v->kernel_version), "?");
	if (kv)
		fclose(kv);
	v->kernel_version[strcspn(v->kernel_version, "\n")] = 0;
	return 0;
}

/*
 * The CPU model. AMD: -cpu max is AMD-flavoured under TCG. Intel: a
 * Skylake model, where the 32-bit vDSO enters by SYSENTER. Both without
 * SMAP: QEMU before 9.1 checks a CPL3->CPL3 IRETQ's stack pops as
 * supervisor accesses, and Linux oopses on the runner's first execution.
 */
static int lvm__cpu(struct lvm *v, const char *vendor, char *err,
		    size_t errlen)
{
	if (!vendor || !*vendor || !strcmp(vendor, "host") ||
	    !strcmp(vendor, "amd")) {
		v->vendor = "amd";
		snprintf(v->cpu, sizeof(v->cpu), "max,-smap");
		snprintf(v->st.guest_vendor, sizeof(v->st.guest_vendor),
			 "AuthenticAMD");
		return 0;
	}
	if (!strcmp(vendor, "intel")) {
		v->vendor = "intel";
		snprintf(v->cpu, sizeof(v->cpu), "Skylake-Client-v4,-smap");
		snprintf(v->st.guest_vendor, sizeof(v->st.guest_vendor),
			 "GenuineIntel");
		return 0;
	}
	snprintf(err, errlen, "unknown vendor '%s': use --vendor intel or amd",
		 vendor);
	return -1;
}

/* One file in a newc cpio archive (the kernel's initramfs format). */
static int lvm__cpio_entry(FILE *out, const char *name, unsigned mode,
			   const void *data, size_t size)
{
	size_t namesize = strlen(name) + 1;
	static const char zeros[4];

	fprintf(out,
		"070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		1u, mode, 0u, 0u, 1u, 0u, size, 0u, 0u, 0u, 0u, namesize, 0u);
	fwrite(name, 1, namesize, out);
	fwrite(zeros, 1, (4 - (110 + namesize) % 4) % 4, out);
	if (size)
		fwrite(data, 1, size, out);
	fwrite(zeros, 1, (4 - size % 4) % 4, out);
	return ferror(out) ? -1 : 0;
}

static void *lvm__slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc(n)) &&
	    fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = buf ? (size_t)n : 0;
	return buf;
}

/*
 * The initrd: this build's runner as an uncompressed archive, then the
 * appliance's compressed one (the kernel unpacks concatenated archives;
 * the uncompressed one must come first). The runner changes with every
 * build, the appliance only with its inputs.
 */
static int lvm__write_initrd(const struct lvm *v, char *err, size_t errlen)
{
	char path[PATH_MAX], base[PATH_MAX + 16];
	size_t rsize, bsize;
	void *runner = lvm__slurp(v->runner, &rsize);
	void *bas;
	FILE *out;
	int bad;

	snprintf(base, sizeof(base), "%s/base.cpio.gz", v->appliance);
	bas = lvm__slurp(base, &bsize);
	lvm__path(v, "initrd", path, sizeof(path));
	out = runner && bas ? fopen(path, "wb") : NULL;
	bad = !out || lvm__cpio_entry(out, "gatecrash-linux-runner", 0100755,
				      runner, rsize) ||
	      lvm__cpio_entry(out, "TRAILER!!!", 0, NULL, 0) ||
	      fwrite(bas, 1, bsize, out) != bsize;
	if (out && fclose(out))
		bad = 1;
	free(runner);
	free(bas);
	if (bad)
		snprintf(err, errlen, "writing the initrd from %.200s and %.200s "
				      "failed", v->runner, base);
	return bad ? -1 : 0;
}

static int lvm__map_slots(struct lvm *v, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd;

	lvm__path(v, "shm", path, sizeof(path));
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, LVM_SHM_SIZE)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	v->shm = mmap(NULL, LVM_SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      fd, 0);
	close(fd);
	if (v->shm == MAP_FAILED) {
		v->shm = NULL;
		snprintf(err, errlen, "shared slots: %s", strerror(errno));
		return -1;
	}
	v->shm->magic = LR_MAGIC;
	v->shm->version = LR_VERSION;
	v->shm->flags = 0;
	v->shm->timeout_ms = v->timeout_ms;
	return 0;
}

static __attribute__((noreturn)) void lvm__exec_qemu(const struct lvm *v)
{
	char kernel[PATH_MAX + 16], initrd[PATH_MAX], console[PATH_MAX + 8];
	char sock[PATH_MAX + 32], shm[PATH_MAX + 64], path[PATH_MAX];
	const char *argv[] = {v->qemu, "-accel", "tcg", "-cpu",
			v->cpu, "-smp", "1", "-m", "512", "-kernel",
			kernel, "-initrd", initrd, "-append",
			"console=ttyS0 panic=-1 tsc=reliable quiet",
			"-display", "none", "-monitor", "none", "-no-reboot",
			"-nodefaults", "-serial", console, "-chardev", sock,
			"-serial", "chardev:gc", "-object", shm, "-device",
			"ivshmem-plain,memdev=shm", NULL};
	int null = open("/dev/null", O_RDWR), log;

	snprintf(kernel, sizeof(kernel), "%s/vmlinux", v->appliance);
	lvm__path(v, "initrd", initrd, sizeof(initrd));
	lvm__path(v, "console.log", path, sizeof(path));
	snprintf(console, sizeof(console), "file:%s", path);
	lvm__path(v, "sock", path, sizeof(path));
	snprintf(sock, sizeof(sock), "socket,id=gc,path=%s", path);
	lvm__path(v, "shm", path, sizeof(path));
	snprintf(shm, sizeof(shm),
		 "memory-backend-file,id=shm,mem-path=%s,size=%u,share=on",
		 path, LVM_SHM_SIZE);
	/* The guest dies with the harness, whatever happens to it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
	}
	/* QEMU's complaints (TCG lacking a Skylake feature, a bad option)
	 * go to a file a failed start quotes. */
	lvm__path(v, "qemu.err", path, sizeof(path));
	log = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (log >= 0)
		dup2(log, 2);
	execvp(v->qemu, (char *const *)argv);
	_exit(127);
}

/* Reads the guest's ready line; -1 on timeout, EOF or QEMU's death. */
static int lvm__await_ready(struct lvm *v, uint64_t deadline)
{
	char buf[64];
	size_t got = 0;

	while (got < strlen(LVM_READY)) {
		if (linux_read_by(v->sock, buf + got, 1, deadline))
			return -1;
		/* Anything before the ready line is not ours. */
		if (buf[got] == LVM_READY[got])
			got++;
		else
			got = buf[got] == LVM_READY[0] ? (buf[0] = buf[got], 1)
						       : 0;
	}
	return 0;
}

/* The last non-empty line of a file in the scratch directory. */
static void lvm__tail(const struct lvm *v, const char *name, char *out,
		      size_t len)
{
	char path[PATH_MAX], buf[4096], *line, *end;
	size_t n = 0;
	FILE *f;

	lvm__path(v, name, path, sizeof(path));
	f = fopen(path, "rb");
	out[0] = 0;
	if (!f)
		return;
	if (!fseek(f, -(long)sizeof(buf) + 1, SEEK_END) || !fseek(f, 0, SEEK_SET))
		n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	for (end = buf + n; end > buf && (end[-1] == '\n' || end[-1] == '\r' ||
					  end[-1] == ' ');)
		*--end = 0;
	line = strrchr(buf, '\n');
	line = line ? line + 1 : buf;
	/* "[   12.345678] " timestamps say nothing here. */
	if (*line == '[' && strchr(line, ']'))
		line = strchr(line, ']') + 1 + (strchr(line, ']')[1] == ' ');
	snprintf(out, len, "%s", line);
}

/* The console's last line, for a vm_crash's detail. */
static void lvm__console_tail(const struct lvm *v, char *out, size_t len)
{
	lvm__tail(v, "console.log", out, len);
}

static void lvm__stop(struct lvm *v)
{
	if (!v->pid)
		return;
	kill(v->pid, SIGKILL);
	waitpid(v->pid, NULL, 0);
	close(v->sock);
	v->pid = 0;
}

static int lvm__listen(const struct lvm *v, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	lvm__path(v, "sock", sa.sun_path, sizeof(sa.sun_path));
	unlink(sa.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 1)) {
		snprintf(err, errlen, "%s: %s", sa.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Boots the guest and waits for its runner. */
static int lvm__boot(struct lvm *v, char *err, size_t errlen)
{
	uint64_t t0 = linux_mono_ms(), deadline = t0 + LVM_BOOT_TIMEOUT_MS;
	struct pollfd pfd = {.events = POLLIN};
	char tail[100];
	int lfd = lvm__listen(v, err, errlen);

	if (lfd < 0)
		return -1;
	v->pid = fork();
	if (v->pid < 0) {
		v->pid = 0;
		close(lfd);
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (v->pid == 0)
		lvm__exec_qemu(v);
	pfd.fd = lfd;
	/* QEMU connects at start-up; a QEMU that cannot start never does. */
	while (poll(&pfd, 1, 200) <= 0) {
		if (waitpid(v->pid, NULL, WNOHANG) == v->pid ||
		    linux_mono_ms() >= deadline) {
			close(lfd);
			v->pid = v->pid ? (kill(v->pid, SIGKILL),
					   waitpid(v->pid, NULL, 0), 0)
					: 0;
			lvm__tail(v, "qemu.err", tail, sizeof(tail));
			snprintf(err, errlen, "%s did not start (-cpu %s): %s",
				 v->qemu, v->cpu,
				 *tail ? tail
				       : "is qemu-system-x86 installed?");
			return -1;
		}
	}
	v->sock = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	if (v->sock < 0 || lvm__await_ready(v, deadline)) {
		if (v->sock < 0)
			v->sock = open("/dev/null", O_RDONLY | O_CLOEXEC);
		lvm__console_tail(v, tail, sizeof(tail));
		lvm__stop(v);
		snprintf(err, errlen,
			 "the linux-vm guest did not start its runner "
			 "(console: %s)",
			 *tail ? tail : "nothing");
		return -1;
	}
	v->st.boot_ms_last = (double)(linux_mono_ms() - t0);
	v->st.restarts += v->boots++ ? 1 : 0;
	return 0;
}

static void lvm__free(struct lvm *v)
{
	static const char *const files[] = {"initrd", "shm", "sock",
					    "console.log", "qemu.err"};
	char path[PATH_MAX];

	lvm__stop(v);
	if (v->shm)
		munmap(v->shm, LVM_SHM_SIZE);
	if (v->dir[0]) {
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			lvm__path(v, files[i], path, sizeof(path));
			unlink(path);
		}
		rmdir(v->dir);
	}
	free(v);
}

static int lvm_open(const struct backend_config *cfg, void **priv, char *err,
		    size_t errlen)
{
	const char *env = getenv("GATECRASH_LINUX_RUNNER");
	struct lvm *v = calloc(1, sizeof(*v));

	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	v->timeout_ms = cfg->case_timeout_ms ? cfg->case_timeout_ms
					     : LVM_CASE_TIMEOUT_MS;
	snprintf(v->qemu, sizeof(v->qemu), "%s",
		 cfg->qemu_path ? cfg->qemu_path : "qemu-system-x86_64");
	snprintf(v->runner, sizeof(v->runner), "%s",
		 env && *env ? env : GC_LINUX_RUNNER_PATH);
	snprintf(v->dir, sizeof(v->dir), "/tmp/gatecrash-vm.XXXXXX");
	if (lvm__cpu(v, cfg->vendor, err, errlen) ||
	    lvm__find_appliance(v, err, errlen)) {
		v->dir[0] = 0;
		lvm__free(v);
		return -1;
	}
	if (!mkdtemp(v->dir)) {
		snprintf(err, errlen, "mkdtemp: %s", strerror(errno));
		v->dir[0] = 0;
		lvm__free(v);
		return -1;
	}
	if (lvm__write_initrd(v, err, errlen) ||
	    lvm__map_slots(v, err, errlen) || lvm__boot(v, err, errlen)) {
		lvm__free(v);
		return -1;
	}
	*priv = v;
	return 0;
}

static void lvm_close(void *priv)
{
	struct lvm *v = priv;
	struct lr_command quit = {0};

	/* A clean exit lets the guest power itself off; then kill anyway. */
	if (v->pid)
		send(v->sock, &quit, sizeof(quit), MSG_NOSIGNAL);
	lvm__free(v);
}

static void lvm_get_stats(const void *priv, struct backend_stats *st)
{
	*st = ((const struct lvm *)priv)->st;
}

/*
 * Intel models: a compat-mode SYSCALL panics the guest. QEMU 7.2 accepts
 * it where Intel hardware raises #UD, and Linux leaves MSR_CSTAR at 0 on
 * Intel, so the kernel jumps to RIP 0 in ring 0 and double-faults. Not a
 * finding about either kernel's entry code: not run.
 */
static int lvm__vendor_unsupported(const struct lvm *v,
				   const struct gc_testcase *tc,
				   struct case_outcome *o)
{
	if (strcmp(v->vendor, "intel") ||
	    tc->mechanism != GC_MECH_SYSCALL_COMPAT)
		return 0;
	memset(o, 0, sizeof(*o));
	o->status = CASE_UNSUPPORTED;
	snprintf(o->detail, sizeof(o->detail),
		 "compat SYSCALL on an Intel CPU model panics the guest "
		 "(QEMU 7.2 runs it; Linux leaves MSR_CSTAR 0)");
	return 1;
}

static void lvm__vm_crash(const struct lvm *v, struct case_outcome *o)
{
	char tail[96];

	lvm__console_tail(v, tail, sizeof(tail));
	memset(o, 0, sizeof(*o));
	o->status = CASE_VM_CRASH;
	snprintf(o->detail, sizeof(o->detail), "guest Linux died: %s",
		 *tail ? tail : "no console output");
}

/*
 * One round trip for slots [0, n). Returns how many slots have an
 * outcome: n, or fewer when the guest died at slot k (k gets vm_crash,
 * the caller reruns the rest after a reboot).
 */
static unsigned lvm__round(struct lvm *v, const struct gc_testcase *cases,
			   unsigned n, struct case_outcome *out)
{
	struct lr_command cmd = {.n = n, .seq = ++v->seq};
	unsigned k;

	for (unsigned i = 0; i < n; i++) {
		v->shm->slots[i].tc = cases[i];
		v->shm->slots[i].status = LR_NOT_RUN;
	}
	if (send(v->sock, &cmd, sizeof(cmd), MSG_NOSIGNAL) == sizeof(cmd) &&
	    !linux_await_reply(v->sock, cmd.seq, n,
			       linux_mono_ms() + LVM_BATCH_SLACK_MS +
				       (uint64_t)n * 2 * v->timeout_ms)) {
		for (unsigned i = 0; i < n; i++)
			linux_collect_slot(&v->shm->slots[i], i, &out[i]);
		return n;
	}
	/* The slot the runner was in when the guest died. */
	for (k = 0; k < n && v->shm->slots[k].status != LR_NOT_RUN; k++)
		linux_collect_slot(&v->shm->slots[k], k, &out[k]);
	if (k == n)
		k = n - 1;
	lvm__vm_crash(v, &out[k]);
	lvm__stop(v);
	return k + 1;
}

static int lvm_run(void *priv, const struct gc_testcase *cases, unsigned n,
		   uint64_t defenses, enum gc_selftest selftest,
		   struct case_outcome *out, char *err, size_t errlen)
{
	struct lvm *v = priv;
	unsigned m = 0, done = 0;

	/* The guest kernel's defenses are its own: nothing to switch. */
	(void)defenses;
	if (selftest != GC_SELFTEST_NONE) {
		linux_fail_all(out, n,
			  "harness self-tests need the test kernel "
			  "(tcg or kvm backend)");
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		if (!lvm__vendor_unsupported(v, &cases[i], &out[i])) {
			v->map[m] = i;
			v->run[m++] = cases[i];
		}
	while (done < m) {
		unsigned k;

		if (!v->pid && lvm__boot(v, err, errlen)) {
			for (unsigned i = done; i < m; i++)
				linux_fail_all(&out[v->map[i]], 1, err);
			return -1;
		}
		k = lvm__round(v, v->run + done, m - done, v->got);
		for (unsigned i = 0; i < k; i++) {
			out[v->map[done + i]] = v->got[i];
			out[v->map[done + i]].result.index = v->map[done + i];
		}
		done += k;
	}
	linux_mark_unsupported(cases, n, out);
	v->st.cases += n;
	v->st.batches++;
	return 0;
}

/* One getpid through mechanism m in the guest: did it land? */
static int lvm__probe_one(struct lvm *v, enum gc_mechanism m)
{
	struct gc_testcase tc;
	struct case_outcome o;
	char err[256];

	fid_getpid_case(&tc, m);
	if (lvm_run(v, &tc, 1, GC_DEFENSES_ALL, GC_SELFTEST_NONE, &o, err,
		    sizeof(err)))
		return 0;
	return fid_landed_getpid(&o);
}

/*
 * What it is: a real Linux kernel's entry code, on QEMU TCG's CPU. The
 * kernel's behaviour is real; the CPU's (SYSRET, IRET, exceptions) is
 * QEMU's, so it is no hardware reference (not faithful).
 */
static void lvm_probe(const struct backend_config *cfg,
		      struct probe_report *rep)
{
	char err[sizeof(rep->reason)];
	void *priv;
	struct lvm *v;
	int sys64, i80, i80c, sysc;

	if (lvm_open(cfg, &priv, err, sizeof(err))) {
		snprintf(rep->reason, sizeof(rep->reason), "%s", err);
		return;
	}
	v = priv;
	sys64 = lvm__probe_one(v, GC_MECH_SYSCALL64);
	i80 = lvm__probe_one(v, GC_MECH_INT80_64);
	i80c = lvm__probe_one(v, GC_MECH_INT80_COMPAT);
	sysc = lvm__probe_one(v, GC_MECH_SYSCALL_COMPAT);
	rep->usable = sys64;
	rep->faithful = 0;
	snprintf(rep->reason, sizeof(rep->reason),
		 "Linux %s in QEMU TCG (-cpu %s, booted in %.1f s): syscall "
		 "%s, int $0x80 (64-bit) %s, int $0x80 (compat) %s, compat "
		 "syscall via the 32-bit vDSO %s; a real kernel on an "
		 "emulated CPU, no hardware reference",
		 v->kernel_version, v->cpu, v->st.boot_ms_last / 1000,
		 sys64 ? "ok" : "FAILED", i80 ? "ok" : "no", i80c ? "ok" : "no",
		 sysc				     ? "ok"
		 : !strcmp(v->vendor, "intel") ? "not run (panics the guest)"
					       : "no");
	lvm_close(priv);
}

const struct backend_ops linux_vm_ops = {
	.name = "linux-vm",
	.open = lvm_open,
	.run = lvm_run,
	.close = lvm_close,
	.get_stats = lvm_get_stats,
	.probe = lvm_probe,
};
