/* SPDX-License-Identifier: MIT */
/*
 * A short campaign from seeds/minimal, as the linux and qemu-user tests run
 * it: one job, every defense on, a fixed RNG seed, in a fresh directory
 * under $TMPDIR that short_campaign_remove() deletes once the test is done
 * with it (a failing test leaves it to look at).
 */
#ifndef GATECRASH_TESTS_SHORT_CAMPAIGN_H
#define GATECRASH_TESTS_SHORT_CAMPAIGN_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "campaign.h"

static int short_campaign(const char *backend, uint64_t max_execs,
			  uint64_t rng_seed, struct campaign_result *res,
			  char *dir, size_t dirlen, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char seeds_dir[512];
	struct campaign_config cfg = {0};

	snprintf(dir, dirlen, "%s/gc-campaign-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "mkdtemp %s failed", dir);
		return -1;
	}
	snprintf(seeds_dir, sizeof(seeds_dir), "%s/seeds/minimal",
		 GC_SOURCE_DIR);
	cfg.backend = backend;
	cfg.seeds_dir = seeds_dir;
	cfg.out_dir = dir;
	cfg.jobs = 1;
	cfg.max_execs = max_execs;
	cfg.rng_seed = rng_seed;
	cfg.rng_seed_set = 1;
	cfg.defenses = GC_DEFENSES_ALL;
	return campaign_run(&cfg, res, err, errlen);
}

static int short_campaign_rm_one(const char *path, const struct stat *st,
				 int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void short_campaign_remove(const char *dir)
{
	nftw(dir, short_campaign_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
