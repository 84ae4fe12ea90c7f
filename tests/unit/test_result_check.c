// SPDX-License-Identifier: MIT
/*
 * result_check: everything the guest writes is untrusted. Each kind of
 * corruption must give CASE_ERROR with a detail, a sane result CASE_OK, and
 * random bytes must never crash the checker (run it under ASan).
 */
#include "test.h"

#include "../../harness/backend/tcg.h"

static void good_result(struct gc_result *r, unsigned index)
{
	memset(r, 0, sizeof(*r));
	r->magic = GC_RESULT_MAGIC;
	r->index = index;
	r->mech.end = GC_END_LANDED;
	r->mech.n_entries = 1;
	r->mech.n_exits = 1;
	r->mech.exits[0].kind = GC_EXIT_SYSRETQ;
	r->ref.end = GC_END_LANDED;
	r->ref.n_entries = 1;
	r->ref.n_exits = 1;
	r->ref.exits[0].kind = GC_EXIT_IRETQ;
}

static enum case_status check(const struct gc_result *r, unsigned index,
			      char *detail)
{
	struct case_outcome o;

	memset(&o, 0xa5, sizeof(o));
	o.result = *r;
	result_check(&o, index, 0);
	strcpy(detail, o.detail);
	return o.status;
}

TEST(valid_is_ok)
{
	struct gc_result r;
	char d[120];

	good_result(&r, 7);
	ASSERT_EQ(check(&r, 7, d), CASE_OK);
	ASSERT_STREQ(d, "");
}

/* Counts above the arrays are legal: the guest keeps the first few. */
TEST(counts_beyond_arrays_are_ok)
{
	struct gc_result r;
	char d[120];

	good_result(&r, 0);
	r.mech.n_exc = GC_MAX_EXC + 3;
	r.ref.n_exits = GC_MAX_EXITS + 1;
	r.ref.exits[1].kind = GC_EXIT_IRETQ;
	ASSERT_EQ(check(&r, 0, d), CASE_OK);
}

#define BAD(name, mutate, want)                                      \
	TEST(name)                                                   \
	{                                                            \
		struct gc_result r;                                  \
		char d[120];                                         \
                                                                     \
		good_result(&r, 3);                                  \
		mutate;                                              \
		ASSERT_EQ(check(&r, 3, d), CASE_ERROR);              \
		if (!strstr(d, want))                                \
			FAIL("detail \"%s\" lacks \"%s\"", d, want); \
	}

BAD(bad_magic, r.magic = 0x12345678, "no result")
BAD(zero_magic, r.magic = 0, "no result")
BAD(wrong_index, r.index = 4, "index 4 in slot 3")
BAD(end_out_of_range, r.mech.end = GC_END_COUNT, "mech end 6 out of range")
BAD(end_255, r.ref.end = 255, "ref end 255")
BAD(mech_not_run, r.mech.end = GC_END_NOT_RUN, "mech end is NOT_RUN")
BAD(ref_not_run, r.ref.end = GC_END_NOT_RUN, "ref end is NOT_RUN")
BAD(exit_kind_99, r.mech.exits[0].kind = 99, "exits[0].kind 99")
BAD(ref_exit_kind, r.ref.exits[0].kind = GC_EXIT_KIND_COUNT, "kind 6")
BAD(n_exc_255, r.mech.n_exc = 255, "implausible counts")
BAD(n_exits_255, r.ref.n_exits = 255, "implausible counts")
BAD(n_entries_255, r.ref.n_entries = 255, "implausible counts")

/* A kind beyond n_exits is unused space: not checked. */
TEST(unused_exit_slot_ignored)
{
	struct gc_result r;
	char d[120];

	good_result(&r, 1);
	r.mech.exits[1].kind = 99;
	ASSERT_EQ(check(&r, 1, d), CASE_OK);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Mostly-plausible random results, so every branch is reached. */
static void random_result(struct gc_result *r)
{
	uint8_t *p = (uint8_t *)r;

	for (size_t i = 0; i < sizeof(*r); i++)
		p[i] = (uint8_t)rng();
	if (rng() % 4)
		r->magic = GC_RESULT_MAGIC;
	if (rng() % 4)
		r->index = (uint32_t)(rng() % 4);
	if (rng() % 2) {
		r->mech.end = (uint8_t)(rng() % 6);
		r->ref.end = (uint8_t)(rng() % 6);
		r->mech.n_exits = (uint8_t)(rng() % 4);
		r->ref.n_exits = (uint8_t)(rng() % 4);
		r->mech.ss_probe = (uint8_t)(rng() % (GC_PROBE_COUNT + 1));
		r->ref.ss_probe = (uint8_t)(rng() % (GC_PROBE_COUNT + 1));
		r->mech.n_exc = r->ref.n_exc = r->mech.n_entries =
			r->ref.n_entries = (uint8_t)(rng() % 40);
		for (unsigned i = 0; i < GC_MAX_EXITS; i++) {
			r->mech.exits[i].kind = (uint8_t)(rng() % 4);
			r->ref.exits[i].kind = (uint8_t)(rng() % 4);
		}
	}
}

/* Coverage steers the fuzzer only: a bad list is trimmed, never trusted
 * and never an error. */
#define COV_LEN 604 /* not a whole number of words */
TEST(coverage_is_clamped)
{
	struct case_outcome o;

	memset(&o, 0xa5, sizeof(o));
	good_result(&o.result, 3);
	o.result.n_cov = 0xffff; /* more than the array holds */
	for (unsigned i = 0; i < GC_MAX_COV_WORDS; i++) {
		/* Every third word past the block, every fifth empty. */
		o.result.cov[i].word = i % 3 ? i % (COV_LEN / 8) : ~0ull - i;
		o.result.cov[i].counters = i % 5 ? ~0ull : 0;
	}
	o.result.cov[1].word = COV_LEN / 8; /* the last word: 4 of 8 in */
	result_check(&o, 3, COV_LEN);
	ASSERT_EQ(o.status, CASE_OK);
	ASSERT(o.result.n_cov <= GC_MAX_COV_WORDS);
	ASSERT(o.result.n_cov > 0);
	ASSERT_EQ(o.result.cov[0].word, COV_LEN / 8);
	ASSERT_EQ(o.result.cov[0].counters, 0xffffffffull);
	for (unsigned i = 0; i < GC_MAX_COV_WORDS; i++) {
		const struct gc_cov_word *c = &o.result.cov[i];

		if (i >= o.result.n_cov) {
			ASSERT(!c->word && !c->counters);
			continue;
		}
		ASSERT(c->word * 8 < COV_LEN);
		ASSERT(c->counters != 0);
	}
	/* A backend without counters keeps none. */
	memset(&o, 0xa5, sizeof(o));
	good_result(&o.result, 3);
	o.result.n_cov = 2;
	o.result.cov[0] = (struct gc_cov_word){.word = 0, .counters = 1};
	o.result.cov[1] = (struct gc_cov_word){.word = 1, .counters = 9};
	result_check(&o, 3, 0);
	ASSERT_EQ(o.status, CASE_OK);
	ASSERT_EQ(o.result.n_cov, 0);
}

TEST(fuzz_100k)
{
	struct gc_result r;
	unsigned seen[4] = {0};
	char d[120];

	for (unsigned i = 0; i < 100000; i++) {
		enum case_status st;

		random_result(&r);
		st = check(&r, i % 4, d);
		if (st != CASE_OK && st != CASE_ERROR)
			FAIL("status %d", st);
		if (st == CASE_ERROR && !d[0])
			FAIL("CASE_ERROR without a detail");
		if (strlen(d) >= sizeof(d))
			FAIL("detail overflow");
		seen[st]++;
	}
	printf("fuzz: %u ok, %u error\n", seen[CASE_OK], seen[CASE_ERROR]);
	ASSERT(seen[CASE_OK] > 0);
	ASSERT(seen[CASE_ERROR] > 0);
}
