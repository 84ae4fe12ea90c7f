// SPDX-License-Identifier: MIT
/*
 * Triage of a campaign directory: every finding is replayed N times with
 * the profile it was found with and put in the bucket its replay gives
 * (signature.c) under that profile; then each bucket's earliest finding is
 * minimized, written to OUT/triage/<key>/minimized.tc (with a `profile`
 * beside it, so `gatecrash repro` replays it as found), replayed N times
 * and matched to the defense whose return makes it pass.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testcase.h"
#include "triage.h"

static int is_finding_name(const char *name)
{
	return strlen(name) == 16 && strspn(name, "0123456789abcdef") == 16;
}

static int load_findings(struct triage *t, char *err, size_t errlen)
{
	char path[4096 + 64];
	struct dirent **names;
	int n;

	snprintf(path, sizeof(path), "%s/findings", t->dir);
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		snprintf(err, errlen,
			 "%s: not a campaign directory (no "
			 "findings/)",
			 t->dir);
		return -1;
	}
	t->f = calloc(n ? n : 1, sizeof(*t->f));
	for (int i = 0; i < n; i++) {
		struct triage_finding *tf = &t->f[t->nf];
		const char *name = names[i]->d_name;

		snprintf(path, sizeof(path), "%s/findings/%s", t->dir, name);
		if (t->f && is_finding_name(name) && !err[0]) {
			if (!finding_load(path, &tf->fi, err, errlen))
				snprintf(tf->name, sizeof(tf->name), "%s",
					 name);
			t->nf += !err[0];
		}
		free(names[i]);
	}
	free(names);
	if (!t->f)
		snprintf(err, errlen, "out of memory");
	return t->f && !err[0] ? 0 : -1;
}

static unsigned bucket_of(struct triage *t, const struct gc_signature *sig,
			  uint64_t defenses)
{
	struct triage_bucket *b;

	for (unsigned i = 0; i < t->nb; i++)
		if (t->b[i].sig.hash == sig->hash &&
		    t->b[i].defenses == defenses)
			return i;
	b = &t->b[t->nb];
	memset(b, 0, sizeof(*b));
	b->sig = *sig;
	b->defenses = defenses;
	return t->nb++;
}

static void add_to_bucket(struct triage *t, unsigned fi)
{
	struct triage_finding *f = &t->f[fi];
	struct triage_bucket *b;

	f->bucket = bucket_of(t, &f->res.sig, f->fi.defenses);
	b = &t->b[f->bucket];
	if (!b->count || f->fi.found_at < b->first_seen) {
		b->first_seen = f->fi.found_at;
		b->first_finding = fi;
	}
	if (!b->count || f->fi.found_at > b->last_seen)
		b->last_seen = f->fi.found_at;
	b->count++;
	b->findings_reproduced += f->same == t->times;
}

static int replay_all(struct triage *t, struct replayer *r, char *err,
		      size_t errlen)
{
	t->b = calloc(t->nf ? t->nf : 1, sizeof(*t->b));
	if (!t->b) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < t->nf; i++) {
		struct triage_finding *f = &t->f[i];
		const struct gc_signature *want =
			f->fi.bucket.text[0] ? &f->fi.bucket : NULL;

		r->defenses = f->fi.defenses;
		if (replay_times(r, &f->fi.tc, t->times, want, &f->res,
				 &f->same, err, errlen))
			return -1;
		add_to_bucket(t, i);
	}
	return 0;
}

static int by_first_seen(const void *a, const void *b)
{
	const struct triage_bucket *x = a, *y = b;

	return (x->first_seen > y->first_seen) -
	       (x->first_seen < y->first_seen);
}

/* Buckets in the order they were first hit; the findings follow. */
static int sort_buckets(struct triage *t)
{
	unsigned *moved_to = calloc(t->nb ? t->nb : 1, sizeof(*moved_to));

	if (!moved_to)
		return -1;
	for (unsigned i = 0; i < t->nb; i++)
		t->b[i].found_order = i;
	qsort(t->b, t->nb, sizeof(*t->b), by_first_seen);
	for (unsigned i = 0; i < t->nb; i++)
		moved_to[t->b[i].found_order] = i;
	for (unsigned k = 0; k < t->nf; k++)
		t->f[k].bucket = moved_to[t->f[k].bucket];
	free(moved_to);
	return 0;
}

static uint64_t bucket_key(const struct triage_bucket *b)
{
	return b->sig.hash ^ (b->defenses * 0x9e3779b97f4a7c15ull);
}

/* OUT/triage/<key>/minimized.tc and profile: what the report's repro
 * command line names. Best effort: the report carries the text anyway. */
static void save_minimized(const struct triage *t, struct triage_bucket *b)
{
	char dir[4096 + 32], list[512];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/triage", t->dir);
	mkdir(dir, 0777);
	snprintf(dir, sizeof(dir), "%s/triage/%016" PRIx64, t->dir,
		 bucket_key(b));
	mkdir(dir, 0777);
	snprintf(b->min_path, sizeof(b->min_path), "%s/minimized.tc", dir);
	f = fopen(b->min_path, "w");
	if (f) {
		struct tc_context ctx;

		finding_context(&t->f[b->first_finding].fi, b->defenses,
				t->backend, &ctx);
		tc_print_text_ctx(f, &b->minimized, &ctx);
		fclose(f);
	}
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/profile");
	signature_profile(b->defenses, list, sizeof(list));
	f = fopen(dir, "w");
	if (f) {
		fprintf(f, "disable = %s\n", list);
		fclose(f);
	}
}

static int finish_bucket(struct triage *t, struct replayer *r,
			 struct triage_bucket *b, char *err, size_t errlen)
{
	struct minimize_stats st = {0};

	r->defenses = b->defenses;
	b->minimized = t->f[b->first_finding].fi.tc;
	b->fields_before = tc_count_set_fields(&b->minimized);
	b->fields_after = b->fields_before;
	if (verdict_is_finding(t->f[b->first_finding].res.v.cls)) {
		if (minimize(r, &b->minimized, &b->sig, &st, err, errlen))
			return -1;
		b->fields_after = st.fields_after;
	}
	if (replay_times(r, &b->minimized, t->times, &b->sig, &b->min_res,
			 &b->min_same, err, errlen))
		return -1;
	if (verdict_is_finding(b->min_res.v.cls)) {
		err[0] = '\0';
		b->defense = match_defense(r, &b->minimized, err, errlen);
		if (!b->defense && err[0])
			return -1;
	}
	save_minimized(t, b);
	return 0;
}

int triage_run(struct triage *t, const char *dir, const char *backend,
	       const struct backend_config *cfg, unsigned times,
	       int force_profile, uint64_t defenses, char *err, size_t errlen)
{
	struct replayer r;
	int ret = 0;

	memset(t, 0, sizeof(*t));
	t->dir = dir;
	t->backend = backend;
	t->times = times;
	err[0] = '\0';
	if (load_findings(t, err, errlen))
		return -1;
	for (unsigned i = 0; force_profile && i < t->nf; i++)
		t->f[i].fi.defenses = defenses;
	if (replayer_open(&r, backend, cfg, err, errlen))
		return -1;
	ret = replay_all(t, &r, err, errlen);
	if (!ret && sort_buckets(t)) {
		snprintf(err, errlen, "out of memory");
		ret = -1;
	}
	for (unsigned i = 0; !ret && i < t->nb; i++)
		ret = finish_bucket(t, &r, &t->b[i], err, errlen);
	replayer_close(&r);
	if (!ret)
		triage_load_hits(t);
	if (!ret)
		ret = triage_load_stats(t);
	return ret;
}

void triage_free(struct triage *t)
{
	free(t->f);
	free(t->b);
	free(t->stats);
	memset(t, 0, sizeof(*t));
}
