// SPDX-License-Identifier: MIT
/*
 * Backend dispatch: a name picks an ops table (tcg.h), and every call goes
 * through it. "auto" is tcg until the kvm backend exists; a kvm backend
 * slots in as one more table here plus its probe-time fidelity check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backend.h"
#include "testcase.h"
#include "tcg.h"

struct backend {
	const struct backend_ops *ops;
	void *priv;
};

static const struct backend_ops *const backends[] = {&tcg_ops};

/* The table for a name, or NULL. "auto": the best backend built here. */
static const struct backend_ops *backend__lookup(const char *name)
{
	if (!name || !strcmp(name, "auto"))
		return &tcg_ops;
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

static void backend__unknown(const char *name, char *err, size_t errlen)
{
	if (!strcmp(name, "kvm"))
		snprintf(err, errlen,
			 "the kvm backend is not built yet: use "
			 "--backend tcg");
	else
		snprintf(err, errlen,
			 "unknown backend '%s' (choose tcg or "
			 "auto)",
			 name);
}

int backend_open(const char *name, const struct backend_config *cfg,
		 struct backend **out, char *err, size_t errlen)
{
	static const struct backend_config dflt;
	const struct backend_ops *ops = backend__lookup(name);
	struct backend *b;

	*out = NULL;
	if (!ops) {
		backend__unknown(name, err, errlen);
		return -1;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	b->ops = ops;
	if (ops->open(cfg ? cfg : &dflt, &b->priv, err, errlen)) {
		free(b);
		return -1;
	}
	*out = b;
	return 0;
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
int backend_run(struct backend *b, const struct gc_testcase *cases, unsigned n,
		uint64_t defenses, struct case_outcome *out, char *err,
		size_t errlen)
{
	for (unsigned done = 0; done < n;) {
		unsigned k = n - done < GC_MAX_BATCH ? n - done : GC_MAX_BATCH;

		if (b->ops->run(b->priv, cases + done, k, defenses,
				GC_SELFTEST_NONE, out + done, err, errlen)) {
			backend__fail(out, done + k, n, err);
			return -1;
		}
		for (unsigned i = 0; i < k; i++)
			out[done + i].result.index = done + i;
		done += k;
	}
	return 0;
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
	free(b);
}

const char *backend_name(const struct backend *b)
{
	return b->ops->name;
}

void backend_get_stats(const struct backend *b, struct backend_stats *st)
{
	b->ops->get_stats(b->priv, st);
}

static int path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* What /dev/kvm is here, for the day the kvm backend exists. */
static void probe_kvm(struct probe_report *rep)
{
	const char *what;

	rep->usable = 0;
	rep->faithful = 0;
	if (!path_exists("/dev/kvm"))
		what = "/dev/kvm is absent";
	else if (path_exists("/sys/module/kvm_pvm"))
		what = "/dev/kvm is present but is kvm_pvm, a software "
		       "hypervisor, not a hardware reference";
	else if (path_exists("/sys/module/kvm_intel"))
		what = "/dev/kvm is present (kvm_intel)";
	else if (path_exists("/sys/module/kvm_amd"))
		what = "/dev/kvm is present (kvm_amd)";
	else
		what = "/dev/kvm is present";
	snprintf(rep->reason, sizeof(rep->reason),
		 "the kvm backend is not built yet; %s", what);
}

void backend_probe(const char *name, const struct backend_config *cfg,
		   struct probe_report *rep)
{
	static const struct backend_config dflt;
	const struct backend_ops *ops;

	memset(rep, 0, sizeof(*rep));
	rep->backend = name ? name : "auto";
	if (name && !strcmp(name, "kvm")) {
		probe_kvm(rep);
		return;
	}
	ops = backend__lookup(name);
	if (!ops) {
		snprintf(rep->reason, sizeof(rep->reason),
			 "unknown backend '%s' (choose tcg, kvm or auto)",
			 name);
		return;
	}
	rep->backend = ops->name;
	ops->probe(cfg ? cfg : &dflt, rep);
}
