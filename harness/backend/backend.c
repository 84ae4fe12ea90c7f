// SPDX-License-Identifier: MIT
/*
 * Backend dispatch: a name picks an ops table (backend_ops.h), and every
 * call goes through it. "auto" is kvm when its fidelity probe passes (a
 * hardware reference), else tcg; it says which and why on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "batch_order.h"
#include "testcase.h"
#include "backend_ops.h"
#include "linux.h"
#include "pair.h"

/* The batch in flight, in the order the guest runs it (batch_order.c). */
struct batch_scratch {
	unsigned order[GC_MAX_BATCH];
	struct gc_testcase cases[GC_MAX_BATCH];
	struct case_outcome out[GC_MAX_BATCH];
};

struct backend {
	const struct backend_ops *ops;
	void *priv;
	struct batch_scratch *batch;
};

static const struct backend_ops *const backends[] = {
	&tcg_ops,
	&kvm_ops,
	&linux_ops,
	&qemu_user_ops,
	&linux_vm_ops,
};

/* "A,B": both backends, judged against each other (pair.c); opened by
 * backend__open_pair, which passes the name. */
static const struct backend_ops pair_ops = {
	.name = "pair",
	.run = pair_run,
	.close = pair_close,
	.get_stats = pair_get_stats,
	.instance_name = pair_name,
};

/* The table for a name, or NULL ("auto" is not a table). */
static const struct backend_ops *backend__lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

static void backend__unknown(const char *name, char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "unknown backend '%s' (choose kvm, tcg, linux, qemu-user, "
		 "linux-vm, "
		 "auto, or a pair A,B)",
		 name);
}

static struct backend *backend__alloc(const struct backend_ops *ops, char *err,
				      size_t errlen)
{
	struct backend *b = calloc(1, sizeof(*b));

	if (b)
		b->batch = malloc(sizeof(*b->batch));
	if (!b || !b->batch) {
		free(b);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->ops = ops;
	return b;
}

static void backend__free(struct backend *b)
{
	free(b->batch);
	free(b);
}

static int backend__open_ops(const struct backend_ops *ops,
			     const struct backend_config *cfg,
			     struct backend **out, char *err, size_t errlen)
{
	struct backend *b = backend__alloc(ops, err, errlen);

	if (!b)
		return -1;
	if (ops->open(cfg, &b->priv, err, errlen)) {
		backend__free(b);
		return -1;
	}
	*out = b;
	return 0;
}

/* A pair opens with its name, which says which two backends. */
static int backend__open_pair(const char *name,
			      const struct backend_config *cfg,
			      struct backend **out, char *err, size_t errlen)
{
	struct backend *b = backend__alloc(&pair_ops, err, errlen);

	if (!b)
		return -1;
	if (pair_open(name, cfg, &b->priv, err, errlen)) {
		backend__free(b);
		return -1;
	}
	*out = b;
	return 0;
}

/*
 * "auto": kvm only where it is a faithful reference (its open runs the
 * fidelity probe and fails without force), else tcg. The choice is one
 * line on stderr once it worked; if tcg fails too, its error is the one
 * line, with why kvm was not used.
 */
/* The "kvm is not a reference here" note was printed. */
static unsigned auto_note_shown;

static int backend__open_auto(const struct backend_config *cfg,
			      struct backend **out, char *err, size_t errlen)
{
	struct backend_config strict = *cfg;
	char why[512];
	size_t len;

	strict.force = 0;
	if (!backend__open_ops(&kvm_ops, &strict, out, why, sizeof(why))) {
		fprintf(stderr, "gatecrash: backend auto: kvm (its fidelity "
				"probe passed)\n");
		return 0;
	}
	if (backend__open_ops(&tcg_ops, cfg, out, err, errlen)) {
		len = strlen(err);
		snprintf(err + len, errlen - len,
			 " (auto: kvm not used: %.200s)", why);
		return -1;
	}
	/* The verdict, not the probe's evidence: that is one command away. */
	why[strcspn(why, "(")] = '\0';
	len = strlen(why);
	while (len && why[len - 1] == ' ')
		why[--len] = '\0';
	/* Once per process: a command that opens several backends (run's
	 * groups, triage's replays) need not repeat it. */
	if (!auto_note_shown++)
		fprintf(stderr,
			"gatecrash: backend auto: tcg; kvm is not a reference "
			"here (%s; details: gatecrash probe --backend kvm)\n",
			why);
	return 0;
}

int backend_open(const char *name, const struct backend_config *cfg,
		 struct backend **out, char *err, size_t errlen)
{
	static const struct backend_config dflt;
	const struct backend_ops *ops;

	*out = NULL;
	if (!cfg)
		cfg = &dflt;
	if (!name || !strcmp(name, "auto"))
		return backend__open_auto(cfg, out, err, errlen);
	if (strchr(name, ','))
		return backend__open_pair(name, cfg, out, err, errlen);
	ops = backend__lookup(name);
	if (!ops) {
		backend__unknown(name, err, errlen);
		return -1;
	}
	return backend__open_ops(ops, cfg, out, err, errlen);
}

static void backend__fail(struct case_outcome *out, unsigned from, unsigned n,
			  const char *why)
{
	for (unsigned i = from; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].status = CASE_ERROR;
		snprintf(out[i].detail, sizeof(out[i].detail), "%s", why);
	}
}

/* Larger batches than the mailbox holds are run in mailbox-sized pieces. */
int backend_run_selftest_cases(struct backend *b, enum gc_selftest what,
			       const struct gc_testcase *cases, unsigned n,
			       uint64_t defenses, struct case_outcome *out,
			       char *err, size_t errlen)
{
	struct batch_scratch *s = b->batch;

	for (unsigned done = 0; done < n;) {
		unsigned k = n - done < GC_MAX_BATCH ? n - done : GC_MAX_BATCH;
		int failed;

		batch_order_by_mechanism(cases + done, k, s->order);
		batch_gather(cases + done, s->order, k, s->cases);
		failed = b->ops->run(b->priv, s->cases, k, defenses, what,
				     s->out, err, errlen);
		batch_scatter(s->out, s->order, k, out + done);
		if (failed) {
			backend__fail(out, done + k, n, err);
			return -1;
		}
		for (unsigned i = 0; i < k; i++)
			out[done + i].result.index = done + i;
		done += k;
	}
	return 0;
}

int backend_run(struct backend *b, const struct gc_testcase *cases, unsigned n,
		uint64_t defenses, struct case_outcome *out, char *err,
		size_t errlen)
{
	return backend_run_selftest_cases(b, GC_SELFTEST_NONE, cases, n,
					  defenses, out, err, errlen);
}

int backend_run_selftest(struct backend *b, enum gc_selftest what,
			 struct case_outcome *out, char *err, size_t errlen)
{
	struct gc_testcase tc;

	/* The guest misbehaves before it looks at the case. */
	tc_default(&tc);
	return b->ops->run(b->priv, &tc, 1, GC_DEFENSES_ALL, what, out, err,
			   errlen);
}

void backend_close(struct backend *b)
{
	if (!b)
		return;
	b->ops->close(b->priv);
	backend__free(b);
}

const char *backend_name(const struct backend *b)
{
	if (b->ops->instance_name)
		return b->ops->instance_name(b->priv);
	return b->ops->name;
}

int backend_has_guest_coverage(const struct backend *b)
{
	return b->ops->coverage != NULL;
}

void backend_get_stats(const struct backend *b, struct backend_stats *st)
{
	memset(st, 0, sizeof(*st));
	b->ops->get_stats(b->priv, st);
}

int backend_faithful(const struct backend *b)
{
	return b->ops->faithful ? b->ops->faithful(b->priv) : 0;
}

void backend_probe(const char *name, const struct backend_config *cfg,
		   struct probe_report *rep)
{
	static const struct backend_config dflt;
	const struct backend_ops *ops;

	memset(rep, 0, sizeof(*rep));
	rep->backend = name ? name : "auto";
	ops = backend__lookup(name && strcmp(name, "auto") ? name : "tcg");
	if (!ops) {
		snprintf(rep->reason, sizeof(rep->reason),
			 "unknown backend '%s' (choose tcg, kvm or auto)",
			 name);
		return;
	}
	rep->backend = ops->name;
	ops->probe(cfg ? cfg : &dflt, rep);
}

int backend_coverage(struct backend *b, size_t *len)
{
	*len = 0;
	if (!b->ops->coverage)
		return -1;
	return b->ops->coverage(b->priv, len);
}

void case_coverage_expand(const struct case_outcome *o, uint8_t *counters,
			  size_t len)
{
	const struct gc_result *r = &o->result;
	unsigned n = r->n_cov < GC_MAX_COV_WORDS ? r->n_cov : GC_MAX_COV_WORDS;

	memset(counters, 0, len);
	if (o->status != CASE_OK)
		return;
	for (unsigned i = 0; i < n; i++) {
		uint64_t c = r->cov[i].counters;

		for (size_t at = r->cov[i].word * 8; c && at < len; at++, c >>= 8)
			counters[at] = (uint8_t)c;
	}
}
