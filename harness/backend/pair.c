// SPDX-License-Identifier: MIT
/*
 * A pair of backends as one backend: "A,B" (e.g. "linux,qemu-user" or
 * "tcg,linux") runs every case on both and answers with what
 * backend_diff() says about their *mechanism* runs. It makes the
 * cross-backend differential something the engine can fuzz, triage can
 * bucket and minimize can shrink, with no change to any of them: a
 * finding's backend is recorded as "A,B" and replays as such.
 *
 * The outcome is built so that the oracle judges A against B:
 *
 *  - the mechanism runs agree (backend_diff: pass): result.mech and
 *    result.ref are both A's mechanism run, so the oracle says pass;
 *  - they differ: result.mech is A's mechanism run and result.ref is B's,
 *    with RF cleared in both captured RFLAGS and the exit records dropped
 *    (docs/semantics.md section 7: RF says nothing across backends;
 *    hazards are a test-kernel matter, not a difference between two
 *    implementations), so the oracle's diff lists the fields that differ;
 *  - one side crashed or hung and the other did not: that side's status
 *    and detail (a qemu-x86_64 abort is a vm_crash of the pair);
 *  - a side that cannot express the case: unsupported, with its reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/processor-flags.h"
#include "backend_ops.h"
#include "pair.h"

struct pair {
	struct backend *b[2];
	char name[64];
	struct case_outcome out[2][GC_MAX_BATCH];
};

int pair_open(const char *name, const struct backend_config *cfg, void **priv,
	      char *err, size_t errlen)
{
	struct pair *p = calloc(1, sizeof(*p));
	size_t n = strcspn(name, ",");
	char first[32];

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(first, sizeof(first), "%.*s", (int)(n < 31 ? n : 31), name);
	if (n >= sizeof(first) || strchr(name + n + 1, ',') ||
	    !name[n + 1] || !first[0]) {
		snprintf(err, errlen,
			 "'%s': a pair of backends is A,B (e.g. "
			 "linux,qemu-user)",
			 name);
		free(p);
		return -1;
	}
	if (backend_open(first, cfg, &p->b[0], err, errlen) ||
	    backend_open(name + n + 1, cfg, &p->b[1], err, errlen)) {
		pair_close(p);
		return -1;
	}
	*priv = p;
	return 0;
}

void pair_close(void *priv)
{
	struct pair *p = priv;

	backend_close(p->b[0]);
	backend_close(p->b[1]);
	free(p);
}

const char *pair_name(const void *priv)
{
	return ((const struct pair *)priv)->name;
}

static void pair__strip(struct gc_run *r)
{
	r->state.rflags &= ~(uint64_t)X86_EFLAGS_RF;
	r->n_exits = 0;
	memset(r->exits, 0, sizeof(r->exits));
}

/* A status difference: report the side that did not run. Harness trouble
 * on either side is harness trouble of the pair. */
static void pair__status(const struct pair *p, const struct case_outcome *a,
			 const struct case_outcome *b, struct case_outcome *o)
{
	const struct case_outcome *side[2] = {a, b};
	unsigned bad;

	if (a->status == CASE_ERROR)
		bad = 0;
	else if (b->status == CASE_ERROR)
		bad = 1;
	else
		bad = a->status == CASE_OK || a->status == CASE_UNSUPPORTED;
	o->status = side[bad]->status;
	snprintf(o->detail, sizeof(o->detail), "%s: %.100s",
		 backend_name(p->b[bad]), side[bad]->detail);
}

static void pair__one(const struct pair *p, const struct gc_testcase *tc,
		      const struct case_outcome *a,
		      const struct case_outcome *b, struct case_outcome *o)
{
	struct verdict v;

	memset(o, 0, sizeof(*o));
	backend_diff(tc, a, b, &v);
	if (v.cls == VERDICT_UNSUPPORTED) {
		o->status = CASE_UNSUPPORTED;
		snprintf(o->detail, sizeof(o->detail), "%.119s", v.detail);
		return;
	}
	if (v.n_diffs == 1 && !strcmp(v.diffs[0].field, "status")) {
		pair__status(p, a, b, o);
		return;
	}
	if (a->status != CASE_OK && a->status != CASE_UNSUPPORTED) {
		/* Both failed alike (backend_diff: no difference). */
		o->status = a->status;
		snprintf(o->detail, sizeof(o->detail), "both: %.110s",
			 a->detail);
		return;
	}
	o->status = CASE_OK;
	o->result.magic = GC_RESULT_MAGIC;
	o->result.mech = a->result.mech;
	o->result.ref = v.cls == VERDICT_PASS ? a->result.mech : b->result.mech;
	pair__strip(&o->result.mech);
	pair__strip(&o->result.ref);
}

int pair_run(void *priv, const struct gc_testcase *cases, unsigned n,
	     uint64_t defenses, enum gc_selftest selftest,
	     struct case_outcome *out, char *err, size_t errlen)
{
	struct pair *p = priv;

	if (selftest != GC_SELFTEST_NONE) {
		snprintf(err, errlen, "harness self-tests need one backend");
		return -1;
	}
	if (backend_run(p->b[0], cases, n, defenses, p->out[0], err, errlen) ||
	    backend_run(p->b[1], cases, n, defenses, p->out[1], err, errlen))
		return -1;
	for (unsigned i = 0; i < n; i++)
		pair__one(p, &cases[i], &p->out[0][i], &p->out[1][i], &out[i]);
	return 0;
}

void pair_get_stats(const void *priv, struct backend_stats *st)
{
	const struct pair *p = priv;
	struct backend_stats b;

	backend_get_stats(p->b[0], st);
	backend_get_stats(p->b[1], &b);
	st->restarts += b.restarts;
}
