// SPDX-License-Identifier: MIT
/*
 * The tcg backend against the real test kernel: boot, a batch of default
 * testcases, the hang and triple-fault self-tests with recovery, errors
 * people will meet (no QEMU, no kernel), no QEMU left behind, and the
 * throughput of a 100k-case run (printed, not asserted).
 */
#include <dirent.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "test.h"
#include "tcg_test.h"

#include "backend.h"
#include "seeds.h"
#include "testcase.h"
#include "verdict.h"

#define N_BATCH 64
#define N_BENCH 100000

static struct case_outcome outs[GC_MAX_BATCH];
static struct gc_testcase cases[GC_MAX_BATCH];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Children of this process, zombies included (they are in /proc too). */
static int count_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char path[300], buf[512], *p;
		FILE *f;
		int ppid;

		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 &&
		    ppid == getpid())
			n++;
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

static void fill_default(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		tc_default(&cases[i]);
}

/* Runs n default cases; returns how many are not CASE_OK + LANDED. */
static unsigned run_default(struct backend *b, unsigned n)
{
	char err[256];
	unsigned bad = 0;

	fill_default(n);
	if (backend_run(b, cases, n, GC_DEFENSES_ALL, outs, err, sizeof(err))) {
		fprintf(stderr, "backend_run: %s\n", err);
		return n;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct case_outcome *o = &outs[i];

		if (o->status == CASE_OK &&
		    o->result.mech.end == GC_END_LANDED &&
		    o->result.ref.end == GC_END_LANDED && o->result.index == i)
			continue;
		if (!bad++)
			fprintf(stderr, "case %u: status %d end %u/%u: %s\n", i,
				o->status, o->result.mech.end,
				o->result.ref.end, o->detail);
	}
	return bad;
}

TEST(boot_and_batch)
{
	struct backend_stats st;
	struct backend *b = open_tcg(0);

	ASSERT(b);
	backend_get_stats(b, &st);
	printf("boot: %.1f ms\n", st.boot_ms_last);
	ASSERT_STREQ(backend_name(b), "tcg");
	ASSERT_EQ(run_default(b, N_BATCH), 0);
	ASSERT_EQ(run_default(b, 1), 0);
	backend_get_stats(b, &st);
	ASSERT_EQ(st.cases, N_BATCH + 1);
	ASSERT_EQ(st.batches, 2);
	ASSERT_EQ(st.restarts, 0);
	ASSERT(count_children() == 1);
	backend_close(b);
	ASSERT_EQ(count_children(), 0);
}

static int cov_equal(const struct gc_result *a, const struct gc_result *b)
{
	return a->n_cov == b->n_cov &&
	       !memcmp(a->cov, b->cov, a->n_cov * sizeof(a->cov[0]));
}

/*
 * Every case of a batch carries its own coverage. The backend groups a
 * batch by mechanism, so [A B A B A B] runs as A A A B B B: the second and
 * third of each ran after one of their own kind and must report the very
 * same counters, and A's must not be B's.
 */
TEST(coverage_per_case)
{
	static const char *const seeds[] = {"syscall64", "int80_64"};
	struct backend *b = open_tcg(0);
	size_t cov_len;
	char err[256];

	ASSERT(b);
	ASSERT_EQ(backend_coverage(b, &cov_len), 0);
	ASSERT(cov_len > 0);
	seeds_load_minimal(cases, 6, seeds, 2);
	ASSERT(cases[0].mechanism != cases[1].mechanism);
	ASSERT_EQ(backend_run(b, cases, 6, GC_DEFENSES_ALL, outs, err,
			      sizeof(err)),
		  0);
	for (unsigned i = 0; i < 6; i++) {
		ASSERT_EQ(outs[i].status, CASE_OK);
		ASSERT(outs[i].result.n_cov > 0);
		ASSERT(outs[i].result.n_cov <= GC_MAX_COV_WORDS);
		for (unsigned k = 0; k < outs[i].result.n_cov; k++)
			ASSERT(outs[i].result.cov[k].word * 8 < cov_len);
	}
	printf("coverage: %u and %u counter words per case\n",
	       outs[2].result.n_cov, outs[3].result.n_cov);
	ASSERT(cov_equal(&outs[2].result, &outs[4].result));
	ASSERT(cov_equal(&outs[3].result, &outs[5].result));
	ASSERT(!cov_equal(&outs[2].result, &outs[3].result));
	backend_close(b);
}

static void selftest_then_recover(enum gc_selftest what, enum case_status want)
{
	struct backend_stats st;
	struct backend *b = open_tcg(50);
	char err[256];
	double t0;

	ASSERT(b);
	t0 = now_s();
	if (backend_run_selftest(b, what, outs, err, sizeof(err)))
		FAIL("selftest: %s", err);
	printf("selftest %d: status %d after %.0f ms: %s\n", what,
	       outs[0].status, (now_s() - t0) * 1e3, outs[0].detail);
	ASSERT_EQ(outs[0].status, want);
	ASSERT(now_s() - t0 < 2.0);
	/* The backend recovered: the next batch runs normally. */
	ASSERT_EQ(run_default(b, N_BATCH), 0);
	backend_get_stats(b, &st);
	ASSERT_EQ(st.restarts, 1);
	backend_close(b);
	ASSERT_EQ(count_children(), 0);
}

TEST(selftest_hang)
{
	selftest_then_recover(GC_SELFTEST_HANG, CASE_HANG);
}

TEST(selftest_triple_fault)
{
	selftest_then_recover(GC_SELFTEST_TRIPLE_FAULT, CASE_VM_CRASH);
}

/*
 * QEMU 7.2 TCG runs an IRET to an LDT 16-bit code segment with RIP above
 * 4 GiB at the truncated EIP, and dies of SIGSEGV on the instruction
 * breakpoint there (docs/semantics.md §6). The kernel raises the #GP(0)
 * hardware raises; with that check switched off QEMU crashes, and the
 * backend says it was QEMU, with its signal: an emulator crash, never a
 * finding about the kernel.
 */
static const char qemu_ldt_crash[] = "gatecrash-testcase 1\n"
				     "mechanism = int80_64\n"
				     "rax = 0x2\n"
				     "ret.rip = 0x100000000\n"
				     "ret.cs = 0x4\n"
				     "dr7 = 0x80\n"
				     "seg.ldt0 = 0x980000000000\n";

TEST(emulator_crash_is_its_own_class)
{
	struct backend *b = open_tcg(50);
	struct gc_testcase tc;
	struct verdict v;
	char err[256];

	ASSERT(b);
	ASSERT_EQ(tc_parse_text(qemu_ldt_crash, sizeof(qemu_ldt_crash) - 1, &tc,
				err, sizeof(err)),
		  0);
	ASSERT_EQ(
		backend_run(b, &tc, 1, GC_DEFENSES_ALL, outs, err, sizeof(err)),
		0);
	oracle_judge(&tc, &outs[0], &v);
	ASSERT_EQ(v.cls, VERDICT_PASS); /* the kernel's check: a #GP(0) */
	if (backend_run_selftest_cases(b, GC_SELFTEST_NO_EXIT_LIMIT_CHECK, &tc,
				       1, GC_DEFENSES_ALL, outs, err,
				       sizeof(err)))
		FAIL("selftest: %s", err);
	printf("without the limit check: status %d: %s\n", outs[0].status,
	       outs[0].detail);
	ASSERT_EQ(outs[0].status, CASE_EMULATOR_CRASH);
	ASSERT(strstr(outs[0].detail, "killed by signal 11") != NULL);
	oracle_judge(&tc, &outs[0], &v);
	ASSERT_EQ(v.cls, VERDICT_EMULATOR);
	ASSERT(!verdict_is_finding(v.cls));
	backend_close(b);
	ASSERT_EQ(count_children(), 0);
}

TEST(errors_say_what_to_do)
{
	struct backend_config cfg = {.kernel_path = kernel()};
	struct backend *b;
	char err[256];

	cfg.qemu_path = "/nonexistent/qemu-system-x86_64";
	ASSERT(backend_open("tcg", &cfg, &b, err, sizeof(err)) < 0);
	ASSERT(strstr(err, "--qemu PATH") != NULL);
	cfg.qemu_path = "qemu-system-x86_64-missing";
	ASSERT(backend_open("tcg", &cfg, &b, err, sizeof(err)) < 0);
	ASSERT(strstr(err, "apt-get install qemu-system-x86") != NULL);
	cfg.qemu_path = NULL;
	cfg.kernel_path = "/nonexistent/kernel.elf";
	ASSERT(backend_open("tcg", &cfg, &b, err, sizeof(err)) < 0);
	ASSERT(strstr(err, "cmake --build") != NULL);
	/* Not a kernel: QEMU refuses it and says why. */
	cfg.kernel_path = "/etc/hostname";
	ASSERT(backend_open("tcg", &cfg, &b, err, sizeof(err)) < 0);
	printf("not a kernel: %s\n", err);
	ASSERT(strstr(err, "qemu-system-x86_64") != NULL);
	ASSERT(backend_open("nope", &cfg, &b, err, sizeof(err)) < 0);
	ASSERT(strstr(err, "unknown backend 'nope'") != NULL);
	ASSERT_EQ(count_children(), 0);
}

TEST(probe)
{
	struct backend_config cfg = {.kernel_path = kernel()};
	struct probe_report rep;

	backend_probe("tcg", &cfg, &rep);
	printf("probe tcg: usable=%d: %s\n", rep.usable, rep.reason);
	ASSERT(rep.usable);
	ASSERT_STREQ(rep.backend, "tcg");
	backend_probe("kvm", &cfg, &rep);
	printf("probe kvm: usable=%d: %s\n", rep.usable, rep.reason);
	/* The kvm backend's own tests are in tests/kvm/. */
	ASSERT_STREQ(rep.backend, "kvm");
	ASSERT(rep.usable || strstr(rep.reason, "/dev/kvm") != NULL);
	ASSERT_EQ(count_children(), 0);
}

TEST(throughput_100k)
{
	struct backend *b = open_tcg(0);
	unsigned bad = 0;
	double t0;

	ASSERT(b);
	t0 = now_s();
	for (unsigned done = 0; done < N_BENCH; done += GC_MAX_BATCH)
		bad += run_default(b, GC_MAX_BATCH);
	printf("throughput: %.0f cases/s (batches of %u)\n",
	       N_BENCH / (now_s() - t0), GC_MAX_BATCH);
	backend_close(b);
	ASSERT_EQ(bad, 0);
}
