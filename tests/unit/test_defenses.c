/* SPDX-License-Identifier: MIT */
/* The defenses table and --disable lists. */
#include "test.h"

#include "defenses.h"

TEST(one_row_per_defense_in_enum_order)
{
	char seed[128];

	ASSERT_EQ(defense_count, GC_DEF_COUNT);
	for (size_t i = 0; i < defense_count; i++) {
		const struct defense *d = &defenses[i];

		ASSERT_EQ(d->bit, i);
		ASSERT(d->name && d->catalog_case && d->seed && d->expected &&
		       d->summary);
		ASSERT(d->summary[0] && d->catalog_case[0] == 'E');
		snprintf(seed, sizeof(seed), "seeds/defenses/%s.tc", d->name);
		ASSERT_STREQ(d->seed, seed);
		ASSERT(defense_by_name(d->name) == d);
	}
}

TEST(names_are_unique_and_not_all)
{
	for (size_t i = 0; i < defense_count; i++) {
		ASSERT(strcmp(defenses[i].name, "all"));
		for (size_t j = i + 1; j < defense_count; j++)
			ASSERT(strcmp(defenses[i].name, defenses[j].name));
	}
}

TEST(expected_verdicts_are_finding_classes)
{
	static const char *const ok[] = {"hazard", "divergence", "kernel_fault",
					 "hang", "vm_crash"};

	for (size_t i = 0; i < defense_count; i++) {
		int found = 0;

		for (size_t j = 0; j < sizeof(ok) / sizeof(ok[0]); j++)
			found |= !strcmp(defenses[i].expected, ok[j]);
		ASSERT(found);
	}
}

TEST(known_rows)
{
	const struct defense *d = defense_by_name("sysret_canonical_rip");

	ASSERT(d);
	ASSERT_EQ(d->bit, GC_DEF_SYSRET_CANONICAL_RIP);
	ASSERT_STREQ(d->catalog_case, "E1");
	ASSERT_STREQ(d->expected, "hazard");
	d = defense_by_name("entry_clear_df");
	ASSERT(d);
	ASSERT_EQ(d->bit, GC_DEF_ENTRY_CLEAR_DF);
	ASSERT_STREQ(d->expected, "divergence");
	ASSERT(defense_by_name("ENTRY_CLEAR_DF") == NULL);
	ASSERT(defense_by_name("") == NULL);
}

TEST(disable_list)
{
	uint64_t enabled = GC_DEFENSES_ALL;
	char err[128];

	ASSERT_EQ(defenses_disable_list("sysret_rcx_is_rip", &enabled, err,
					sizeof(err)),
		  0);
	ASSERT_EQ(enabled,
		  GC_DEFENSES_ALL & ~(1ull << GC_DEF_SYSRET_RCX_IS_RIP));
	/* Accumulates; whitespace and empty items are tolerated. */
	ASSERT_EQ(defenses_disable_list(" entry_clear_df ,\tsysret_no_tf_rf,,",
					&enabled, err, sizeof(err)),
		  0);
	ASSERT_EQ(enabled,
		  GC_DEFENSES_ALL & ~((1ull << GC_DEF_SYSRET_RCX_IS_RIP) |
				      (1ull << GC_DEF_ENTRY_CLEAR_DF) |
				      (1ull << GC_DEF_SYSRET_NO_TF_RF)));
	ASSERT_EQ(defenses_disable_list("", &enabled, err, sizeof(err)), 0);
	ASSERT_EQ(__builtin_popcountll(enabled), GC_DEF_COUNT - 3);
}

TEST(disable_all)
{
	uint64_t enabled = GC_DEFENSES_ALL;
	char err[128];

	ASSERT_EQ(defenses_disable_list("all", &enabled, err, sizeof(err)), 0);
	ASSERT_EQ(enabled, 0);
	enabled = GC_DEFENSES_ALL;
	ASSERT_EQ(defenses_disable_list("entry_clear_df, all", &enabled, err,
					sizeof(err)),
		  0);
	ASSERT_EQ(enabled, 0);
}

TEST(disable_unknown_name)
{
	uint64_t enabled = GC_DEFENSES_ALL;
	char err[128], longname[200];

	ASSERT_EQ(defenses_disable_list("entry_clear_df,nope", &enabled, err,
					sizeof(err)),
		  -1);
	ASSERT_STREQ(err, "unknown defense 'nope' (see 'gatecrash defenses')");
	ASSERT_EQ(enabled, GC_DEFENSES_ALL); /* all or nothing */
	ASSERT_EQ(
		defenses_disable_list("sysret rcx", &enabled, err, sizeof(err)),
		-1);
	ASSERT_STREQ(err, "unknown defense 'sysret rcx' (see 'gatecrash "
			  "defenses')");
	/* A long name that starts with a real one is not that one. */
	memset(longname, ' ', sizeof(longname));
	memcpy(longname, "all", 3);
	longname[sizeof(longname) - 2] = 'x';
	longname[sizeof(longname) - 1] = '\0';
	ASSERT_EQ(defenses_disable_list(longname, &enabled, err, sizeof(err)),
		  -1);
	ASSERT_EQ(enabled, GC_DEFENSES_ALL);
}
