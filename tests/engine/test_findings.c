// SPDX-License-Identifier: MIT
/*
 * Bounded findings on a kernel with a real bug: the planted-bug kernel
 * (GC_SELFTEST_COMPAT_INT80_NR, gatecrash-kernel-int80-nr.elf) forgets to
 * zero-extend the syscall number on compat int $0x80. A campaign from
 * seeds/minimal with every defense on, a fixed RNG seed and budget, then
 * a resume of it with two workers. After each run:
 *
 *   - at most BUCKET_KEEP (5) finding directories per bucket;
 *   - OUT/findings/index: each bucket's kept count is its directories,
 *     and the hits add up exactly to the finding verdicts of every run;
 *   - the bug has a state bucket of class gpr: "int80_compat compat divergence
 *     state gpr" (its inputs: RAX's upper half set).
 *
 * The speed of such a campaign is the bench's (bench/planted_bug.sh).
 *
 * usage: test_findings KERNEL_ELF EXECS
 */
#include <dirent.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign.h"
#include "defenses.h"

#define KEEP 5 /* harness/engine/engine.h BUCKET_KEEP */
#define MAX_BUCKETS 256

struct bucket {
	char text[256];
	uint64_t hits;
	unsigned kept, dirs;
};

static char out_dir[200];
static struct bucket buckets[MAX_BUCKETS];
static unsigned nbuckets;

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static struct bucket *bucket_named(const char *text)
{
	for (unsigned i = 0; i < nbuckets; i++)
		if (!strcmp(buckets[i].text, text))
			return &buckets[i];
	if (nbuckets == MAX_BUCKETS)
		return NULL;
	snprintf(buckets[nbuckets].text, sizeof(buckets[0].text), "%s", text);
	return &buckets[nbuckets++];
}

static int read_index(void)
{
	char path[512], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/findings/index", out_dir);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "no %s\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char text[256];
		uint64_t hits;
		unsigned kept;
		struct bucket *b;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%" SCNu64 "\t%u\t%255[^\n]", &hits, &kept,
			   text) != 3 || !(b = bucket_named(text))) {
			fprintf(stderr, "index: bad line: %s", line);
			fclose(f);
			return -1;
		}
		b->hits = hits;
		b->kept = kept;
		printf("  %8" PRIu64 " hits %u kept  %s\n", hits, kept, text);
	}
	fclose(f);
	return 0;
}

static int count_dirs(void)
{
	char path[512], text[256];
	struct dirent **names;
	int n;

	snprintf(path, sizeof(path), "%s/findings", out_dir);
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		FILE *f;
		struct bucket *b;

		snprintf(path, sizeof(path), "%s/findings/%s/bucket", out_dir,
			 names[i]->d_name);
		f = fopen(path, "r");
		if (f && fgets(text, sizeof(text), f)) {
			text[strcspn(text, "\n")] = '\0';
			b = bucket_named(text);
			if (b)
				b->dirs++;
		}
		if (f)
			fclose(f);
		free(names[i]);
	}
	free(names);
	return 0;
}

static uint64_t finding_verdicts(const struct campaign_result *res)
{
	uint64_t n = 0;

	for (int c = 0; c < VERDICT_COUNT; c++)
		if (verdict_is_finding(c))
			n += res->verdicts[c];
	return n;
}

/* The checks of one run; want_hits: finding verdicts of every run. */
static int check(uint64_t want_hits)
{
	uint64_t hits = 0;
	int ok = 1, named = 0, bounded = 0;

	memset(buckets, 0, sizeof(buckets));
	nbuckets = 0;
	if (read_index() || count_dirs())
		return 0;
	for (unsigned i = 0; i < nbuckets; i++) {
		const struct bucket *b = &buckets[i];

		hits += b->hits;
		if (b->dirs > KEEP || b->kept != b->dirs) {
			printf("FAIL: %s: %u kept, %u on disk (at most %d)\n",
			       b->text, b->kept, b->dirs, KEEP);
			ok = 0;
		}
		if (strstr(b->text, "int80_compat compat divergence state gpr"))
			named = 1;
		if (b->hits > b->kept)
			bounded = 1;
	}
	if (hits != want_hits) {
		printf("FAIL: index hits %" PRIu64 ", finding verdicts %" PRIu64
		       "\n",
		       hits, want_hits);
		ok = 0;
	}
	if (!named)
		printf("FAIL: no \"state gpr\" bucket for the planted bug\n");
	if (!bounded)
		printf("FAIL: no bucket was hit more often than it kept\n");
	return ok && named && bounded;
}

static int run(const char *kernel, uint64_t execs, unsigned jobs,
	       struct campaign_result *res)
{
	struct campaign_config cfg = {0};
	char err[512];

	cfg.backend = "tcg";
	cfg.bcfg.kernel_path = kernel;
	cfg.defenses = GC_DEFENSES_ALL;
	cfg.out_dir = out_dir;
	cfg.jobs = jobs;
	cfg.max_execs = execs;
	cfg.rng_seed = 1;
	cfg.rng_seed_set = 1;
	if (campaign_run(&cfg, res, err, sizeof(err))) {
		fprintf(stderr, "campaign: %s\n", err);
		return -1;
	}
	printf("%u job(s): %" PRIu64 " execs in %.1f s (%.0f/s), %" PRIu64
	       " finding verdicts, %u findings kept\n",
	       jobs, res->execs, res->seconds,
	       res->seconds > 0 ? (double)res->execs / res->seconds : 0,
	       finding_verdicts(res), campaign_total_findings(res));
	return 0;
}

int main(int argc, char **argv)
{
	struct campaign_result res;
	uint64_t execs, hits;
	const char *tmp = getenv("TMPDIR");
	int ok;

	if (argc != 3) {
		fprintf(stderr, "usage: test_findings KERNEL_ELF EXECS\n");
		return 2;
	}
	if (access(argv[1], R_OK)) {
		printf("SKIP: no planted-bug kernel at %s\n", argv[1]);
		return 77;
	}
	execs = strtoull(argv[2], NULL, 0);
	snprintf(out_dir, sizeof(out_dir), "%s/gc-findings-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(out_dir)) {
		perror("mkdtemp");
		return 2;
	}
	if (run(argv[1], execs, 1, &res))
		return 1;
	hits = finding_verdicts(&res);
	ok = check(hits);
	/* The resume: the counts go on from the index, the bound holds
	 * across two workers sharing the buckets. */
	if (ok && !run(argv[1], execs, 2, &res)) {
		hits += finding_verdicts(&res);
		ok = check(hits);
	} else {
		ok = 0;
	}
	if (ok)
		nftw(out_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		fprintf(stderr, "campaign kept in %s\n", out_dir);
	printf("%s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}
