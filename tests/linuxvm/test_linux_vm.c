// SPDX-License-Identifier: MIT
/*
 * The linux-vm backend against the Debian kernel it was built for: what
 * the host's own kernel could not show (compat mode, int $0x80) runs and
 * passes there, on AMD and Intel CPU models; Intel's compat SYSCALL, which
 * would panic the guest, is unsupported; a guest that dies under a batch
 * costs one vm_crash and nothing else.
 */
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include "linux/seeds.h"
#include "test.h"
#include "verdict.h"

/* The appliance is built by tests/setup.sh; without it, skip. */
__attribute__((constructor)) static void need_appliance(void)
{
	/* Opening boots a guest: check only the files here. */
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	const char *dir = getenv("GATECRASH_VM_DIR");
	char path[1024];

	if (dir && *dir)
		snprintf(path, sizeof(path), "%s/vmlinux", dir);
	else if (xdg && *xdg)
		snprintf(path, sizeof(path), "%s/gatecrash/vm/current/vmlinux",
			 xdg);
	else
		snprintf(path, sizeof(path),
			 "%s/.cache/gatecrash/vm/current/vmlinux",
			 home ? home : "");
	if (access(path, R_OK)) {
		printf("SKIP: no linux-vm appliance (%s): tests/setup.sh builds "
		       "it with harness/linux-vm/appliance.sh\n",
		       path);
		exit(77);
	}
}

static struct seeds seeds;

/* Runs every seed on linux-vm with the vendor, judged by the oracle. */
static int run_seeds(const char *vendor, unsigned *by_class,
		     struct case_outcome *out, struct verdict *v)
{
	struct backend_config cfg = {.vendor = vendor};
	struct backend *b;
	char err[512];

	if (!seeds.n && seeds_load(&seeds))
		return -1;
	if (backend_open("linux-vm", &cfg, &b, err, sizeof(err))) {
		fprintf(stderr, "linux-vm (%s): %s\n", vendor, err);
		return -1;
	}
	if (backend_run(b, seeds.tc, seeds.n, GC_DEFENSES_ALL, out, err,
			sizeof(err))) {
		fprintf(stderr, "linux-vm (%s): %s\n", vendor, err);
		backend_close(b);
		return -1;
	}
	backend_close(b);
	for (unsigned i = 0; i < seeds.n; i++) {
		oracle_judge(&seeds.tc[i], &out[i], &v[i]);
		by_class[v[i].cls]++;
		if (v[i].cls != VERDICT_PASS && v[i].cls != VERDICT_UNSUPPORTED)
			fprintf(stderr, "%s (%s): %s: %s\n", seeds.name[i],
				vendor, verdict_name(v[i].cls), out[i].detail);
	}
	return 0;
}

static int seed_index(const char *name)
{
	for (unsigned i = 0; i < seeds.n; i++)
		if (!strcmp(seeds.name[i], name))
			return (int)i;
	return -1;
}

static struct case_outcome outs[MAX_SEEDS];
static struct verdict verdicts[MAX_SEEDS];

/*
 * The seeds on one CPU model: nothing but pass and unsupported, at least
 * 40 passes, compat int $0x80 among them (the host here has no compat mode
 * at all). Leaves the compat SYSCALL seed's index in *sysc.
 */
static void check_vendor_seeds(const char *vendor, int *sysc)
{
	unsigned by[VERDICT_COUNT] = {0};
	int i80c;

	ASSERT(!run_seeds(vendor, by, outs, verdicts));
	ASSERT_EQ(by[VERDICT_DIVERGENCE] + by[VERDICT_ERROR] +
			  by[VERDICT_HANG] + by[VERDICT_VM_CRASH] +
			  by[VERDICT_KERNEL_FAULT],
		  0);
	ASSERT(by[VERDICT_PASS] >= 40);
	i80c = seed_index("minimal/int80_compat.tc");
	*sysc = seed_index("minimal/syscall_compat.tc");
	ASSERT(i80c >= 0 && *sysc >= 0);
	ASSERT_STREQ(verdict_name(verdicts[i80c].cls), "pass");
}

/* Debian 6.1 on -cpu max,-smap: compat SYSCALL passes too. */
TEST(amd_seeds_pass_with_compat_mode)
{
	int sysc = -1;

	check_vendor_seeds("amd", &sysc);
	if (test_failed_flag)
		return;
	ASSERT_STREQ(verdict_name(verdicts[sysc].cls), "pass");
}

/* Skylake-Client-v4,-smap: the same, and compat SYSCALL is not run. */
TEST(intel_seeds_pass_compat_syscall_unsupported)
{
	int sysc = -1;

	check_vendor_seeds("intel", &sysc);
	if (test_failed_flag)
		return;
	ASSERT_EQ(outs[sysc].status, CASE_UNSUPPORTED);
	ASSERT(strstr(outs[sysc].detail, "panics the guest"));
}

/* This process's QEMU child: the guest the backend booted. */
static pid_t find_qemu_child(void)
{
	char path[300], stat[512];
	struct dirent *e;
	pid_t found = 0;
	DIR *d = opendir("/proc");

	while (d && (e = readdir(d))) {
		FILE *f;
		int ppid;

		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(stat, sizeof(stat), f) && strstr(stat, "(qemu-system") &&
		    sscanf(strrchr(stat, ')') + 2, "%*c %d", &ppid) == 1 &&
		    ppid == getpid())
			found = atoi(e->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/* The guest dies between batches: the next batch's first case is the
 * vm_crash, the guest is booted again and the rest of the batch runs. */
TEST(dead_guest_is_one_vm_crash_then_restart)
{
	struct backend_config cfg = {.vendor = "amd"};
	struct gc_testcase tc[3];
	struct case_outcome o[3];
	struct backend_stats st;
	struct backend *b;
	char err[512];
	pid_t qemu;

	for (unsigned i = 0; i < 3; i++) {
		tc_default(&tc[i]);
		tc[i].mechanism = GC_MECH_SYSCALL64;
		tc[i].gpr[GC_RAX] = GC_SYS_GETPID;
		tc[i].gpr[GC_RSP] = GC_USER_STACK_TOP;
		tc_normalize(&tc[i]);
	}
	if (backend_open("linux-vm", &cfg, &b, err, sizeof(err)))
		FAIL("linux-vm: %s", err);
	qemu = find_qemu_child();
	if (!qemu) {
		backend_close(b);
		FAIL("no QEMU child found");
	}
	kill(qemu, SIGKILL);
	if (backend_run(b, tc, 3, GC_DEFENSES_ALL, o, err, sizeof(err))) {
		backend_close(b);
		FAIL("linux-vm after its guest died: %s", err);
	}
	backend_get_stats(b, &st);
	backend_close(b);
	ASSERT_EQ(o[0].status, CASE_VM_CRASH);
	ASSERT(strstr(o[0].detail, "guest Linux died"));
	ASSERT_EQ(o[1].status, CASE_OK);
	ASSERT_EQ(o[2].status, CASE_OK);
	ASSERT_EQ(o[2].result.mech.state.gpr[GC_RAX], GC_PID);
	ASSERT_EQ(st.restarts, 1);
}

TEST(unknown_vendor_is_a_clear_error)
{
	struct backend_config cfg = {.vendor = "via"};
	struct backend *b;
	char err[512] = "";

	ASSERT(backend_open("linux-vm", &cfg, &b, err, sizeof(err)) < 0);
	ASSERT(strstr(err, "unknown vendor 'via'"));
}

/* What `gatecrash probe` says: a real kernel on an emulated CPU. */
TEST(probe_names_the_kernel_and_the_cpu_model)
{
	struct backend_config cfg = {.vendor = "amd"};
	struct probe_report rep = {0};

	backend_probe("linux-vm", &cfg, &rep);
	printf("probe: %s\n", rep.reason);
	ASSERT(rep.usable);
	ASSERT(!rep.faithful);
	ASSERT(strstr(rep.reason, "-cpu max,-smap"));
	ASSERT(strstr(rep.reason, "int $0x80 (compat) ok"));
	ASSERT(strstr(rep.reason, "emulated CPU"));
}
