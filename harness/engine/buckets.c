// SPDX-License-Identifier: MIT
/*
 * Bucket hit counts and the bound on what a campaign keeps (docs/fuzzing.md
 * "Findings"). One real bug that leaks varying kernel values turns every
 * few executions into a finding; written one directory each, they bury the
 * bug and the campaign spends its time in fsync. So every finding exec is
 * counted in its bucket (triage's signature, triage/signature.c), and only
 * BUCKET_KEEP of them per bucket are saved.
 *
 * The table lives in a shared anonymous mapping made before the workers
 * fork: a hit is one atomic add, a kept slot one compare-and-swap, so the
 * bound and the counts hold across workers without files or locks. The
 * monitor writes it to OUT/findings/index (atomically, with each stats.jsonl
 * line and at the end); a resumed campaign reads the hits back from there
 * and the kept slots from the finding directories themselves.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine.h"
#include "testcase.h"
#include "triage.h"

#define INDEX_NAME "index"

struct bucket_table *buckets_alloc(void)
{
	struct bucket_table *t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return t == MAP_FAILED ? NULL : t;
}

void buckets_free(struct bucket_table *t)
{
	if (t)
		munmap(t, sizeof(*t));
}

/* Open addressing on the signature's FNV-1a; 0 marks a free slot. */
struct bucket_entry *buckets_get(struct bucket_table *t,
				 const struct gc_signature *sig)
{
	uint64_t h = sig->hash ? sig->hash : 1;

	for (unsigned i = 0; i < BUCKET_TABLE_SIZE; i++) {
		struct bucket_entry *e =
			&t->e[(h + i) & (BUCKET_TABLE_SIZE - 1)];
		uint64_t cur = __atomic_load_n(&e->hash, __ATOMIC_ACQUIRE);

		if (!cur) {
			uint64_t zero = 0;

			if (__atomic_compare_exchange_n(&e->hash, &zero, h, 0,
							__ATOMIC_ACQ_REL,
							__ATOMIC_ACQUIRE)) {
				snprintf(e->text, sizeof(e->text), "%s",
					 sig->text);
				e->min_fields = UINT32_MAX;
				__atomic_store_n(&e->ready, 1,
						 __ATOMIC_RELEASE);
				return e;
			}
			cur = zero;
		}
		if (cur == h)
			return e;
	}
	__atomic_fetch_add(&t->overflow_hits, 1, __ATOMIC_RELAXED);
	return NULL;
}

void buckets_hit(struct bucket_entry *e)
{
	__atomic_fetch_add(&e->hits, 1, __ATOMIC_RELAXED);
}

int buckets_full(const struct bucket_entry *e)
{
	return __atomic_load_n(&e->kept, __ATOMIC_RELAXED) >= BUCKET_KEEP;
}

int buckets_smaller(const struct bucket_entry *e, unsigned fields)
{
	return fields < __atomic_load_n(&e->min_fields, __ATOMIC_RELAXED);
}

static void lower_min(struct bucket_entry *e, unsigned fields)
{
	uint32_t cur = __atomic_load_n(&e->min_fields, __ATOMIC_RELAXED);

	while (fields < cur &&
	       !__atomic_compare_exchange_n(&e->min_fields, &cur, fields, 0,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

int buckets_reserve(struct bucket_entry *e, unsigned fields)
{
	uint32_t k = __atomic_load_n(&e->kept, __ATOMIC_RELAXED);

	do {
		if (k >= BUCKET_KEEP)
			return 0;
	} while (!__atomic_compare_exchange_n(&e->kept, &k, k + 1, 0,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	lower_min(e, fields);
	return 1;
}

void buckets_release(struct bucket_entry *e)
{
	__atomic_fetch_sub(&e->kept, 1, __ATOMIC_ACQ_REL);
}

/* ---- OUT/findings/index ---- */

static int by_hits(const void *a, const void *b)
{
	const struct bucket_entry *x = *(const struct bucket_entry *const *)a;
	const struct bucket_entry *y = *(const struct bucket_entry *const *)b;

	if (x->hits != y->hits)
		return x->hits < y->hits ? 1 : -1;
	return strcmp(x->text, y->text);
}

struct index_snapshot {
	const struct bucket_entry *e[BUCKET_TABLE_SIZE];
	unsigned n;
	uint64_t overflow_hits;
};

static void fill_index(FILE *f, const void *ctx)
{
	const struct index_snapshot *s = ctx;

	fprintf(f, "# hits\tkept\tbucket (at most %u kept per bucket; "
		   "docs/fuzzing.md)\n",
		BUCKET_KEEP);
	for (unsigned i = 0; i < s->n; i++)
		fprintf(f, "%" PRIu64 "\t%u\t%s\n", s->e[i]->hits,
			s->e[i]->kept, s->e[i]->text);
	if (s->overflow_hits)
		fprintf(f, "%" PRIu64 "\t0\t(more buckets than the table "
			   "holds)\n",
			s->overflow_hits);
}

int buckets_save_index(const struct bucket_table *t, const char *findings_dir)
{
	static struct index_snapshot s;

	s.n = 0;
	for (unsigned i = 0; i < BUCKET_TABLE_SIZE; i++)
		if (__atomic_load_n(&t->e[i].ready, __ATOMIC_ACQUIRE))
			s.e[s.n++] = &t->e[i];
	qsort(s.e, s.n, sizeof(s.e[0]), by_hits);
	s.overflow_hits = t->overflow_hits;
	if (!s.n && !s.overflow_hits)
		return 0; /* no finding, no index: findings/ stays empty */
	return fs_write_atomic_stream(findings_dir, INDEX_NAME, fill_index, &s);
}

static struct bucket_entry *entry_for_text(struct bucket_table *t,
					   const char *text)
{
	struct gc_signature sig;

	snprintf(sig.text, sizeof(sig.text), "%s", text);
	signature_rehash(&sig);
	return buckets_get(t, &sig);
}

/* "hits\tkept\tbucket" lines; what they say of kept is recounted. */
static void load_index_hits(struct bucket_table *t, const char *findings_dir)
{
	char path[4096 + 16], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", findings_dir, INDEX_NAME);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *text, *end;
		uint64_t hits = strtoull(line, &end, 10);
		struct bucket_entry *e;

		if (line[0] == '#' || *end != '\t')
			continue;
		text = strchr(end + 1, '\t');
		if (!text || line[0] == '\t')
			continue;
		text++;
		text[strcspn(text, "\n")] = '\0';
		if (text[0] == '(') {
			t->overflow_hits += hits;
			continue;
		}
		e = entry_for_text(t, text);
		if (e)
			e->hits += hits;
	}
	fclose(f);
}

/* One finding directory: its bucket file names the bucket it fills. */
static void load_dir(struct bucket_table *t, const char *findings_dir,
		     const char *name)
{
	char path[4096 + 64], text[256];
	uint8_t bin[sizeof(struct gc_testcase)];
	struct gc_testcase tc;
	struct bucket_entry *e;
	long n;

	snprintf(path, sizeof(path), "%s/%s/bucket", findings_dir, name);
	n = fs_read_small(path, text, sizeof(text) - 1);
	if (n <= 0)
		return;
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	e = entry_for_text(t, text);
	if (!e)
		return;
	e->kept++;
	if (e->hits < e->kept) /* a kill -9 between save and index */
		e->hits = e->kept;
	snprintf(path, sizeof(path), "%s/%s/input.bin", findings_dir, name);
	n = fs_read_small(path, bin, sizeof(bin));
	if (n > 0) {
		tc_decode(bin, (size_t)n, &tc);
		lower_min(e, tc_count_set_fields(&tc));
	}
}

int buckets_load(struct bucket_table *t, const char *findings_dir)
{
	struct dirent **names;
	int n = scandir(findings_dir, &names, NULL, alphasort);

	if (n < 0)
		return errno == ENOENT ? 0 : -1;
	load_index_hits(t, findings_dir);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (strlen(name) == 16 &&
		    strspn(name, "0123456789abcdef") == 16)
			load_dir(t, findings_dir, name);
		free(names[i]);
	}
	free(names);
	return 0;
}
