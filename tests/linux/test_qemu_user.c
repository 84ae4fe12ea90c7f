// SPDX-License-Identifier: MIT
/*
 * The qemu-user backend, and where QEMU's Linux-user emulation diverges
 * from the real kernel on the same seeds (cross-backend: the mechanism runs
 * of linux and qemu-user, compared by backend_diff()). Divergences are
 * printed, not failed: they are findings about QEMU (docs/backends.md
 * lists the ones known). What must hold: qemu-user runs every seed, or says
 * why not, and never reports harness trouble. Skips (77) without
 * qemu-x86_64.
 */
#include <dirent.h>
#include <unistd.h>

#include "short_campaign.h"

#include "test.h"
#include "seeds.h"
#include "host_caps.h"
#include "arch/processor-flags.h"

static struct seeds seeds;
static struct case_outcome *lin, *qemu;

static int have_qemu_user(void)
{
	struct probe_report rep;

	backend_probe("qemu-user", NULL, &rep);
	if (!rep.usable)
		printf("SKIP: %s\n", rep.reason);
	return rep.usable;
}

/* Skips the whole suite (77) without qemu-x86_64: whichever test the
 * harness runs first calls this. */
static void require_qemu_user(void)
{
	static int checked;

	if (!checked && !have_qemu_user())
		exit(77);
	checked = 1;
}

static int setup(void)
{
	require_qemu_user();
	if (!qemu) {
		if (seeds_load(&seeds))
			return -1;
		lin = seeds_run("linux", &seeds);
		qemu = seeds_run("qemu-user", &seeds);
	}
	return lin && qemu ? 0 : -1;
}

TEST(qemu_user_is_installed)
{
	require_qemu_user();
}

TEST(every_seed_runs_or_says_why_not)
{
	const struct case_outcome *o;

	ASSERT(!setup());
	for (unsigned i = 0; i < seeds.n; i++) {
		o = &qemu[i];
		if (o->status == CASE_ERROR || o->status == CASE_HANG)
			FAIL("%s: qemu-user: status %d: %s", seeds.name[i],
			     o->status, o->detail);
		if (o->status == CASE_UNSUPPORTED && !o->detail[0])
			FAIL("%s: unsupported without a reason", seeds.name[i]);
	}
}

/* A mechanism run to compare: OK, or unsupported for the reference only. */
static int has_mech_run(const struct case_outcome *o)
{
	return (o->status == CASE_OK || o->status == CASE_UNSUPPORTED) &&
	       o->result.mech.end != GC_END_NOT_RUN;
}

static void print_diff(const char *name, const struct verdict *v)
{
	printf("  %-40s divergence:", name);
	for (unsigned d = 0; d < v->n_diffs; d++)
		printf(" %s linux=0x%llx qemu=0x%llx", v->diffs[d].field,
		       (unsigned long long)v->diffs[d].mech,
		       (unsigned long long)v->diffs[d].ref);
	printf("\n");
}

static void print_exceptions(const char *who, const struct gc_run *r)
{
	for (unsigned i = 0; i < r->n_exc && i < GC_MAX_EXC; i++)
		printf("    %s exc[%u]: vector %u error 0x%x rip 0x%llx\n", who,
		       i, r->exc[i].vector, r->exc[i].error_code,
		       (unsigned long long)r->exc[i].rip);
}

TEST(cross_backend_linux_vs_qemu_user)
{
	struct case_outcome a, b;
	struct verdict v;
	unsigned compared = 0, diverged = 0;

	ASSERT(!setup());
	for (unsigned i = 0; i < seeds.n; i++) {
		if (qemu[i].status == CASE_VM_CRASH) {
			printf("  %-40s qemu crashed: %s\n", seeds.name[i],
			       qemu[i].detail);
			diverged++;
			continue;
		}
		if (!has_mech_run(&lin[i]) || !has_mech_run(&qemu[i])) {
			printf("  %-40s not compared: %s\n", seeds.name[i],
			       has_mech_run(&lin[i]) ? qemu[i].detail
						     : lin[i].detail);
			continue;
		}
		a = lin[i];
		b = qemu[i];
		a.status = b.status = CASE_OK;
		compared++;
		if (backend_diff(&seeds.tc[i], &a, &b, &v)) {
			print_diff(seeds.name[i], &v);
			print_exceptions("linux", &a.result.mech);
			print_exceptions("qemu", &b.result.mech);
			diverged++;
		}
	}
	printf("  %u compared, %u diverged or crashed\n", compared, diverged);
	ASSERT(compared > 0);
}

/* The "# expect: a,b" line of a corpus file: the fields (or vm_crash). */
static int read_expect(const char *path, char *out, size_t len)
{
	char line[256];
	FILE *f = fopen(path, "r");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (!strncmp(line, "# expect: ", 10)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(out, len, "%.127s", line + 10);
			found = 1;
		}
	fclose(f);
	return found;
}

static int verdict_has_field(const struct verdict *v, const char *field)
{
	for (unsigned d = 0; d < v->n_diffs; d++)
		if (!strcmp(v->diffs[d].field, field))
			return 1;
	return 0;
}

/* One testcase on backend b, judged by the oracle; 0, or -1 with the
 * backend's error printed. */
static int run_judged(struct backend *b, const struct gc_testcase *tc,
		      struct verdict *v)
{
	struct case_outcome out;
	char err[256];

	if (backend_run(b, tc, 1, GC_DEFENSES_ALL, &out, err, sizeof(err))) {
		fprintf(stderr, "backend_run: %s\n", err);
		return -1;
	}
	oracle_judge(tc, &out, v);
	return 0;
}

/* Every expected field (or vm_crash) shows when the pair replays it. */
static void check_corpus_file(struct backend *pair, const char *name)
{
	char path[512], expect[128], err[256], *field, *save;
	struct gc_testcase tc;
	struct verdict v;

	snprintf(path, sizeof(path), "%s/corpus/qemu-user/%s", GC_SOURCE_DIR,
		 name);
	ASSERT(read_expect(path, expect, sizeof(expect)));
	ASSERT(!tc_load_file(path, &tc, NULL, err, sizeof(err)));
	ASSERT(!run_judged(pair, &tc, &v));
	printf("  %-32s %s (expect %s)\n", name, verdict_name(v.cls), expect);
	if (!strcmp(expect, "vm_crash")) {
		ASSERT_EQ(v.cls, VERDICT_VM_CRASH);
		return;
	}
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	for (field = strtok_r(expect, ",", &save); field;
	     field = strtok_r(NULL, ",", &save))
		if (!verdict_has_field(&v, field))
			FAIL("%s: no difference in %s", name, field);
}

TEST(minimized_qemu_user_divergences_still_show)
{
	char dir[512], err[256];
	struct backend *pair;
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	require_qemu_user();

	snprintf(dir, sizeof(dir), "%s/corpus/qemu-user", GC_SOURCE_DIR);
	d = opendir(dir);
	ASSERT(d);
	ASSERT(!backend_open("linux,qemu-user", NULL, &pair, err,
			     sizeof(err)));
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 4 || strcmp(e->d_name + len - 3, ".tc"))
			continue;
		check_corpus_file(pair, e->d_name);
		n++;
	}
	closedir(d);
	backend_close(pair);
	ASSERT(n >= 8);
}

/* The pair judges linux against qemu-user: agreement is a pass, a
 * difference a divergence naming the field, and what one side cannot
 * express is unsupported with that side's reason. */
TEST(pair_backend_judges_one_against_the_other)
{
	struct gc_testcase tc;
	struct verdict v;
	struct backend *pair;
	char err[256];

	require_qemu_user();

	ASSERT(!backend_open("linux,linux", NULL, &pair, err, sizeof(err)));
	ASSERT_STREQ(backend_name(pair), "linux,linux");
	tc_default(&tc);
	tc.mechanism = GC_MECH_SYSCALL64;
	tc.gpr[GC_RAX] = GC_SYS_GETPID;
	tc_normalize(&tc);
	ASSERT(!run_judged(pair, &tc, &v));
	ASSERT_EQ(v.cls, VERDICT_PASS);
	backend_close(pair);

	ASSERT(!backend_open("linux,qemu-user", NULL, &pair, err,
			     sizeof(err)));
	ASSERT(!run_judged(pair, &tc, &v));
	ASSERT_EQ(v.cls, VERDICT_DIVERGENCE);
	ASSERT(verdict_has_field(&v, "rcx"));
	tc.mechanism = GC_MECH_INT80_COMPAT;
	tc_normalize(&tc);
	ASSERT(!run_judged(pair, &tc, &v));
	ASSERT_EQ(v.cls, VERDICT_UNSUPPORTED);
	ASSERT(strstr(v.detail, "compat"));
	backend_close(pair);
	ASSERT(backend_open("linux,", NULL, &pair, err, sizeof(err)));
	ASSERT(backend_open("linux,qemu-user,tcg", NULL, &pair, err,
			    sizeof(err)));
}

/*
 * A short campaign on the pair finds QEMU's differences from the first
 * seeds, with no guest coverage to steer it and no harness error; and a
 * finding replays on the backend it recorded.
 */
TEST(campaign_on_linux_qemu_user_finds_divergences)
{
	char dir[256], err[512];
	struct campaign_result res;

	require_qemu_user();
	if (short_campaign("linux,qemu-user", 300, 1, &res, dir, sizeof(dir),
			   err, sizeof(err)))
		FAIL("campaign: %s", err);
	printf("  %llu execs, %u findings (%u divergence, %u vm_crash), "
	       "%u errors\n",
	       (unsigned long long)res.execs, campaign_total_findings(&res),
	       res.findings[VERDICT_DIVERGENCE], res.findings[VERDICT_VM_CRASH],
	       res.errors);
	ASSERT_EQ(res.execs, 300);
	ASSERT_EQ(res.errors, 0);
	ASSERT(res.findings[VERDICT_DIVERGENCE] > 0);
	ASSERT_EQ(res.coverage_total, 0);
	short_campaign_remove(dir);
}

/*
 * A known host defect is the host's, in a pair too: on a host whose probe
 * calls flags.nt unfaithful (its return to user mode loses NT), an int3
 * with NT set is unsupported on linux,qemu-user, never a divergence in
 * RFLAGS.NT (a 5-minute pair campaign once filed three buckets of it).
 */
TEST(pair_does_not_compare_a_run_through_a_host_defect)
{
	const struct probe_cap *nt = host_cap("linux", "flags.nt");
	struct gc_testcase tc;
	struct verdict v;
	struct backend *pair;
	char err[256];

	require_qemu_user();
	ASSERT(nt);
	if (strcmp(nt->state, "unfaithful"))
		SKIP("flags.nt is %s on this host: no known NT defect to keep "
		     "out of the pair", nt->state);
	ASSERT(!backend_open("linux,qemu-user", NULL, &pair, err,
			     sizeof(err)));
	tc_default(&tc);
	tc.mechanism = GC_MECH_INT3;
	tc.rflags |= X86_EFLAGS_NT;
	tc_normalize(&tc);
	ASSERT(!run_judged(pair, &tc, &v));
	ASSERT_EQ(v.cls, VERDICT_UNSUPPORTED);
	ASSERT(strstr(v.detail, "flags.nt"));
	backend_close(pair);
}
