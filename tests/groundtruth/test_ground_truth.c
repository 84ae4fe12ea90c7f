// SPDX-License-Identifier: MIT
/*
 * Ground truth, on the real test kernel under QEMU TCG:
 *  - with every defense on, every seed in seeds/ passes (no false positive);
 *  - for every defense, its seed is a finding of the documented class with
 *    that defense off, and passes with it on.
 * A defense the tests cannot show being found, or a false positive on the
 * hardened profile, fails here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include "backend.h"
#include "defenses.h"
#include "test.h"
#include "testcase.h"
#include "verdict.h"

/* One tcg backend per guest CPU vendor a seed asks for (NULL: -cpu max's
 * own, AMD-flavoured); SYSEXIT exists only on Intel (E14). */
static struct backend *tcg[3];
static const char *const vendors[3] = { NULL, "intel", "amd" };

static unsigned vendor_index(const char *vendor)
{
	for (unsigned i = 1; i < 3; i++)
		if (vendor && !strcmp(vendor, vendors[i]))
			return i;
	return 0;
}

static struct backend *backend(const char *vendor)
{
	unsigned i = vendor_index(vendor);
	char err[512];

	if (!tcg[i] &&
	    backend_open("tcg", &(struct backend_config){ .vendor = vendors[i] },
			 &tcg[i], err, sizeof(err))) {
		fprintf(stderr, "cannot open the tcg backend: %s\n", err);
		exit(1);
	}
	return tcg[i];
}

static int judge_file_on(const char *path, const char *vendor,
			 uint64_t enabled, struct verdict *v)
{
	struct gc_testcase tc;
	struct case_outcome out;
	char err[512];

	if (tc_load_file(path, &tc, NULL, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (backend_run(backend(vendor), &tc, 1, enabled, &out, err,
			sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	oracle_judge(&tc, &out, v);
	if (v->cls != VERDICT_PASS)
		verdict_print_text(stderr, path, &tc, &out, v, NULL);
	return 0;
}

static int judge_file(const char *path, uint64_t enabled, struct verdict *v)
{
	return judge_file_on(path, NULL, enabled, v);
}

static int judge_dir(const char *dir, const char *vendor, unsigned *runs)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), bad = 0;

	for (int i = 0; i < n; i++) {
		char path[1024];
		struct verdict v;

		if (strstr(names[i]->d_name, ".tc")) {
			snprintf(path, sizeof(path), "%s/%s", dir,
				 names[i]->d_name);
			if (judge_file_on(path, vendor, GC_DEFENSES_ALL, &v) ||
			    v.cls != VERDICT_PASS)
				bad++;
			(*runs)++;
		}
		free(names[i]);
	}
	free(names);
	return n < 0 ? -1 : bad;
}

/* On both vendors: an Intel guest takes the SYSEXIT exits (E14). */
TEST(hardened_profile_passes_every_seed)
{
	static const char *const dirs[] = { "minimal", "defenses", "edge" };
	unsigned runs = 0;

	for (unsigned vendor = 0; vendor < 2; vendor++)
		for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
			char dir[512];

			snprintf(dir, sizeof(dir), GC_SOURCE_DIR "/seeds/%s",
				 dirs[i]);
			ASSERT_EQ(judge_dir(dir, vendors[vendor], &runs), 0);
		}
	ASSERT(runs >= 40);
}

TEST(every_defense_off_is_found)
{
	for (size_t i = 0; i < defense_count; i++) {
		const struct defense *d = &defenses[i];
		uint64_t off = GC_DEFENSES_ALL & ~(1ull << d->bit);
		char seed[512];
		struct verdict v;

		snprintf(seed, sizeof(seed), GC_SOURCE_DIR "/%s", d->seed);
		ASSERT_EQ(judge_file_on(seed, d->vendor, off, &v), 0);
		if (strcmp(verdict_name(v.cls), d->expected))
			FAIL("%s off: %s gave %s, expected %s", d->name, seed,
			     verdict_name(v.cls), d->expected);
		ASSERT(verdict_is_finding(v.cls));
	}
}

TEST(every_defense_seed_passes_with_it_on)
{
	for (size_t i = 0; i < defense_count; i++) {
		char seed[512];
		struct verdict v;

		snprintf(seed, sizeof(seed), GC_SOURCE_DIR "/%s",
			 defenses[i].seed);
		ASSERT_EQ(judge_file_on(seed, defenses[i].vendor,
					GC_DEFENSES_ALL, &v), 0);
		if (v.cls != VERDICT_PASS)
			FAIL("%s on: %s gave %s", defenses[i].name, seed,
			     verdict_name(v.cls));
	}
}

/* A defense off must not change anything for seeds it does not guard:
 * the minimal seeds pass with everything off. Not syscall_compat: with
 * sysretl_clear_r8_r10 off every compat syscall leaks, the seed included
 * (every_defense_off_is_found covers it). Not sysenter_compat: with
 * sysexit_intel_only off it SYSEXITs on this AMD-flavoured CPU. */
TEST(minimal_seeds_pass_with_every_defense_off)
{
	static const char *const seeds[] = { "int80_64", "int80_compat",
					     "syscall64", "call_gate",
					     "int3_prefixed" };

	for (size_t i = 0; i < sizeof(seeds) / sizeof(*seeds); i++) {
		char path[512];
		struct verdict v;

		snprintf(path, sizeof(path), GC_SOURCE_DIR
			 "/seeds/minimal/%s.tc", seeds[i]);
		ASSERT_EQ(judge_file(path, 0, &v), 0);
		if (v.cls != VERDICT_PASS)
			FAIL("%s with every defense off: %s", seeds[i],
			     verdict_name(v.cls));
	}
}
