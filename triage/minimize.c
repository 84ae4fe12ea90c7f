// SPDX-License-Identifier: MIT
/*
 * Minimization: field by field, try the default and then simpler values
 * (fewer bits set, rounder numbers), and keep the simplest that still gives
 * the same bucket. All candidates for one field run as one batch, so a
 * field costs one VM round trip. Rounds repeat until nothing changes: a
 * field that was needed may become removable once another one is simpler.
 * The result should read like a hand-written selftest.
 */
#include <string.h>

#include "testcase.h"
#include "triage.h"

#define MAX_ROUNDS 8

unsigned tc_count_set_fields(const struct gc_testcase *tc)
{
	unsigned n = 0;

	for (size_t i = 0; i < tc_nr_fields; i++)
		n += !!tc_field_is_set(tc, &tc_fields[i]);
	return n;
}

static void reset_field(struct gc_testcase *tc, const struct tc_field *f)
{
	struct gc_testcase def;

	tc_default(&def);
	tc_field_set(tc, f, tc_field_get(&def, f));
	tc->ret_mask &= ~f->ret_bit;
	tc_normalize(tc);
}

struct candidates {
	struct gc_testcase tc[GC_MAX_BATCH];
	unsigned n;
};

static void add_value(struct candidates *c, const struct gc_testcase *base,
		      const struct tc_field *f, uint64_t v)
{
	struct gc_testcase *t;

	if (c->n >= GC_MAX_BATCH)
		return;
	t = &c->tc[c->n];
	*t = *base;
	tc_field_set(t, f, v);
	tc_normalize(t);
	if (memcmp(t, base, sizeof(*t)))
		c->n++;
}

/* Simpler values of v: zero, v rounded down to every power of two (the
 * roundest first), and v with each set bit cleared. */
static void add_simpler(struct candidates *c, const struct gc_testcase *base,
			const struct tc_field *f)
{
	uint64_t v = tc_field_get(base, f);
	unsigned bits = f->size * 8;

	add_value(c, base, f, 0);
	for (unsigned k = bits - 1; k >= 1; k--) {
		uint64_t r = v & ~((1ull << k) - 1);

		if (r != v && r != 0)
			add_value(c, base, f, r);
	}
	for (unsigned b = 0; b < bits; b++)
		if (v & (1ull << b))
			add_value(c, base, f, v & ~(1ull << b));
}

static unsigned trailing_zeros(uint64_t v)
{
	return v ? (unsigned)__builtin_ctzll(v) : 64;
}

/* Nonzero if a's value of f is simpler than b's: fewer bits, rounder. */
static int simpler(const struct gc_testcase *a, const struct gc_testcase *b,
		   const struct tc_field *f)
{
	uint64_t x = tc_field_get(a, f), y = tc_field_get(b, f);
	int px = __builtin_popcountll(x), py = __builtin_popcountll(y);

	if (tc_field_is_set(a, f) != tc_field_is_set(b, f))
		return !tc_field_is_set(a, f);
	if (px != py)
		return px < py;
	if (trailing_zeros(x) != trailing_zeros(y))
		return trailing_zeros(x) > trailing_zeros(y);
	return x < y;
}

/* One field: 1 if tc was made simpler, 0 if not, -1 on error. */
static int shrink_field(struct replayer *r, struct gc_testcase *tc,
			const struct tc_field *f,
			const struct gc_signature *want,
			struct minimize_stats *st, char *err, size_t errlen)
{
	static struct candidates c;
	static struct replay_result res[GC_MAX_BATCH];
	int best = -1;

	c.n = 0;
	c.tc[0] = *tc;
	reset_field(&c.tc[0], f);
	if (memcmp(&c.tc[0], tc, sizeof(*tc)))
		c.n = 1;
	if (f->kind != TCF_MECHANISM)
		add_simpler(&c, tc, f);
	if (!c.n)
		return 0;
	if (replay_batch(r, c.tc, c.n, res, err, errlen))
		return -1;
	st->executions += c.n;
	for (unsigned i = 0; i < c.n; i++)
		if (res[i].sig.hash == want->hash &&
		    (best < 0 || simpler(&c.tc[i], &c.tc[best], f)))
			best = (int)i;
	if (best < 0 || !simpler(&c.tc[best], tc, f))
		return 0;
	*tc = c.tc[best];
	return 1;
}

int minimize(struct replayer *r, struct gc_testcase *tc,
	     const struct gc_signature *want, struct minimize_stats *st,
	     char *err, size_t errlen)
{
	int changed = 1;

	memset(st, 0, sizeof(*st));
	st->fields_before = tc_count_set_fields(tc);
	for (unsigned round = 0; changed && round < MAX_ROUNDS; round++) {
		changed = 0;
		for (size_t i = 0; i < tc_nr_fields; i++) {
			int c;

			if (!tc_field_is_set(tc, &tc_fields[i]))
				continue;
			c = shrink_field(r, tc, &tc_fields[i], want, st, err,
					 errlen);
			if (c < 0)
				return -1;
			changed |= c;
		}
	}
	st->fields_after = tc_count_set_fields(tc);
	return 0;
}
