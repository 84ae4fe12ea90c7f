// SPDX-License-Identifier: MIT
/*
 * The structure-aware mutator: deterministic for a seed, every output a
 * normalized testcase, and over enough draws it reaches every interesting
 * value it promises (the fuzzer cannot find what the mutator never makes).
 */
#include "mutator.h"
#include "test.h"
#include "testcase.h"

#define DRAWS 200000

static void seed_testcase(struct gc_testcase *tc)
{
	tc_default(tc);
	tc->mechanism = GC_MECH_SYSCALL64;
	tc->gpr[GC_RAX] = GC_SYS_GETPID;
	tc->gpr[GC_RSP] = GC_USER_STACK_TOP;
	tc_normalize(tc);
}

/* A small walk: mutate, sometimes restart from the seed. */
static void walk(struct gc_testcase *tc, struct mut_rng *r)
{
	if (mut_rng_below(r, 16) == 0)
		seed_testcase(tc);
	mutator_mutate(tc, NULL, r);
}

TEST(same_seed_same_outputs)
{
	struct gc_testcase a, b;
	struct mut_rng ra, rb;

	seed_testcase(&a);
	b = a;
	mut_rng_seed(&ra, 42);
	mut_rng_seed(&rb, 42);
	for (int i = 0; i < 10000; i++) {
		walk(&a, &ra);
		walk(&b, &rb);
		ASSERT(!memcmp(&a, &b, sizeof(a)));
	}
	mut_rng_seed(&rb, 43);
	walk(&b, &rb);
	for (int i = 0; i < 100 && !memcmp(&a, &b, sizeof(a)); i++)
		walk(&b, &rb);
	ASSERT(memcmp(&a, &b, sizeof(a)));
}

TEST(every_output_is_normalized)
{
	uint8_t bin[sizeof(struct gc_testcase)];
	struct gc_testcase tc, other, back;
	struct mut_rng r;

	seed_testcase(&tc);
	seed_testcase(&other);
	other.mechanism = GC_MECH_INT80_COMPAT;
	tc_normalize(&other);
	mut_rng_seed(&r, 7);
	for (int i = 0; i < DRAWS; i++) {
		mutator_mutate(&tc, i & 1 ? &other : NULL, &r);
		tc_encode(&tc, bin);
		tc_decode(bin, sizeof(bin), &back);
		if (memcmp(&tc, &back, sizeof(tc)))
			FAIL("draw %d: output does not round-trip", i);
		if (i % 1000 == 999)
			seed_testcase(&tc);
	}
}

static int saw_u64(const struct gc_testcase *tc, uint64_t v)
{
	for (size_t i = 0; i < tc_nr_fields; i++) {
		const struct tc_field *f = &tc_fields[i];

		if (f->kind == TCF_U64 && tc_field_get(tc, f) == v &&
		    (!f->ret_bit || (tc->ret_mask & f->ret_bit)))
			return 1;
	}
	return 0;
}

static int saw_selector(const struct gc_testcase *tc, uint16_t v)
{
	/* ret.cs / ret.ss are not clamped: every selector shows there. */
	return ((tc->ret_mask & GC_RET_CS) && tc->ret.cs == v) ||
	       ((tc->ret_mask & GC_RET_SS) && tc->ret.ss == v);
}

TEST(interesting_values_are_reached)
{
	static uint8_t seen_u64[64], seen_sel[64], flag_on[64], flag_off[64];
	unsigned mechs = 0, sysnrs = 0, pairs = 0, cleared = 0;
	struct gc_testcase tc;
	struct mut_rng r;

	ASSERT(mut_nr_interesting_u64 <= 64 && mut_nr_flag_bits <= 64);
	seed_testcase(&tc);
	mut_rng_seed(&r, 1);
	for (int i = 0; i < DRAWS; i++) {
		uint32_t before = tc.ret_mask;

		walk(&tc, &r);
		for (size_t k = 0; k < mut_nr_interesting_u64; k++)
			seen_u64[k] |= saw_u64(&tc, mut_interesting_u64[k]);
		for (size_t k = 0; k < mut_nr_interesting_selectors; k++)
			seen_sel[k] |=
				saw_selector(&tc, mut_interesting_selectors[k]);
		for (size_t k = 0; k < mut_nr_flag_bits; k++) {
			uint64_t fl = (tc.ret_mask & GC_RET_RFLAGS)
					      ? tc.ret.rflags
					      : 0;

			flag_on[k] |= !!(fl & mut_flag_bits[k]);
			flag_off[k] |= (tc.ret_mask & GC_RET_RFLAGS) &&
				       !(fl & mut_flag_bits[k]);
		}
		mechs |= 1u << tc.mechanism;
		if ((uint32_t)tc.gpr[GC_RAX] < GC_SYS_COUNT)
			sysnrs |= 1u << (uint32_t)tc.gpr[GC_RAX];
		pairs += (tc.ret_mask & (GC_RET_RIP | GC_RET_GPR(GC_RCX))) ==
				 (GC_RET_RIP | GC_RET_GPR(GC_RCX)) &&
			 tc.ret.rip == tc.ret.gpr[GC_RCX];
		cleared += !!(before & ~tc.ret_mask);
	}
	for (size_t k = 0; k < mut_nr_interesting_u64; k++)
		if (!seen_u64[k])
			FAIL("never made 0x%" PRIx64, mut_interesting_u64[k]);
	for (size_t k = 0; k < mut_nr_interesting_selectors; k++)
		if (!seen_sel[k])
			FAIL("never made selector 0x%x",
			     mut_interesting_selectors[k]);
	for (size_t k = 0; k < mut_nr_flag_bits; k++)
		if (!flag_on[k] || !flag_off[k])
			FAIL("flag 0x%" PRIx64 " never toggled",
			     mut_flag_bits[k]);
	ASSERT_EQ(mechs, (1u << GC_MECH_COUNT) - 1);
	ASSERT_EQ(sysnrs, (1u << GC_SYS_COUNT) - 1);
	ASSERT(pairs > 100);
	ASSERT(cleared > 100);
}

TEST(byte_front_ends_output_normalized_encodings)
{
	uint8_t buf[sizeof(struct gc_testcase)] = {0};
	uint8_t again[sizeof(struct gc_testcase)], small[16];
	struct gc_testcase tc;
	size_t n;

	for (uint64_t seed = 0; seed < 2000; seed++) {
		n = mutator_mutate_bytes(buf, seed % 40, sizeof(buf), seed);
		ASSERT_EQ(n, sizeof(buf));
		tc_decode(buf, n, &tc);
		tc_encode(&tc, again);
		ASSERT(!memcmp(buf, again, sizeof(buf)));
	}
	n = mutator_crossover_bytes(buf, sizeof(buf), buf, 10, small,
				    sizeof(small), 5);
	ASSERT_EQ(n, sizeof(small));
}
