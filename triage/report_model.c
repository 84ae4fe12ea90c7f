// SPDX-License-Identifier: MIT
/*
 * The report model: everything the Markdown, HTML and JSON reports say,
 * computed once from a triaged campaign, so that the three renderers
 * (report_md.c, report_html.c, report_json.c) only format and cannot
 * drift apart in what they say.
 *
 * Times on the plot are seconds into the campaign: stats.jsonl's
 * elapsed_s (which carries over a resumed campaign's earlier runs), and a
 * finding's mtime placed against the wall clock of the samples.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "triage.h"

/* Unix time of the campaign's start, from its first sample. */
static double campaign_start(const struct triage *t)
{
	for (unsigned i = 0; i < t->nstats; i++)
		if (!isnan(t->stats[i].elapsed))
			return t->stats[i].time - t->stats[i].elapsed;
	return NAN;
}

static double seconds_in(double start, double when)
{
	return isnan(start) || when <= 0 ? -1 : fmax(0, when - start);
}

static int build_samples(struct report *r, const struct triage *t)
{
	const struct stats_point *p = t->stats;
	double offset = 0, last = 0;
	unsigned n = 0;
	/* The first sample of a fresh campaign comes STATS_S (5 s) in. */
	int fresh = t->nstats && !isnan(p[0].elapsed) && p[0].elapsed <= 10;

	r->execs = r->coverage = NAN;
	r->coverage_total = t->coverage_total > 0 ? t->coverage_total : NAN;
	if (!t->nstats)
		return 0;
	r->samples = calloc(t->nstats + 1, sizeof(*r->samples));
	if (!r->samples)
		return -1;
	if (fresh) /* the campaign starts at 0 with nothing done */
		r->samples[n++] = (struct report_sample){0, 0, NAN, NAN};
	for (unsigned i = 0; i < t->nstats; i++) {
		double at = isnan(p[i].elapsed) ? p[i].time - p[0].time
						: p[i].elapsed;

		/* Several campaigns' stats.jsonl concatenated: end to end. */
		if (at + offset < last)
			offset = last;
		at += offset;
		last = at;

		r->samples[n++] = (struct report_sample){
			at, p[i].execs, p[i].coverage, p[i].corpus};
	}
	r->nsamples = n;
	r->execs = p[t->nstats - 1].execs;
	r->coverage = p[t->nstats - 1].coverage;
	r->span = r->samples[n - 1].at;
	return 0;
}

static int build_findings(struct report_bucket *rb, const struct triage *t,
			  unsigned bi, double start)
{
	rb->findings = calloc(t->nf ? t->nf : 1, sizeof(*rb->findings));
	if (!rb->findings)
		return -1;
	for (unsigned i = 0; i < t->nf; i++) {
		const struct triage_finding *tf = &t->f[i];
		struct report_finding *rf = &rb->findings[rb->nfindings];
		struct gc_signature key;

		if (tf->bucket != bi)
			continue;
		signature_finding(&tf->fi.tc, &tf->res.v, &key);
		rf->name = tf->name;
		snprintf(rf->key, sizeof(rf->key), "%s", key.text);
		rf->found_at = tf->fi.found_at;
		rf->at = seconds_in(start, tf->fi.found_at);
		rf->reproduced = tf->same;
		rb->nfindings++;
	}
	return 0;
}

static int build_bucket(struct report_bucket *rb, const struct triage *t,
			unsigned bi, double start)
{
	const struct triage_bucket *b = &t->b[bi];

	rb->number = bi + 1;
	rb->signature = b->sig.text;
	signature_profile(b->defenses, rb->disabled, sizeof(rb->disabled));
	rb->defense = b->defense;
	rb->verdict = verdict_name(b->min_res.v.cls);
	rb->count = b->count;
	rb->hits = b->hits;
	rb->hits_known = b->hits_known;
	rb->findings_reproduced = b->findings_reproduced;
	report_time(b->first_seen, rb->first_seen, sizeof(rb->first_seen));
	report_time(b->last_seen, rb->last_seen, sizeof(rb->last_seen));
	rb->first_unix = b->first_seen;
	rb->last_unix = b->last_seen;
	rb->first_at = seconds_in(start, b->first_seen);
	rb->fields_before = b->fields_before;
	rb->fields_after = b->fields_after;
	rb->reproduced = b->min_same;
	rb->minimized_path = b->min_path;
	snprintf(rb->repro_cmd, sizeof(rb->repro_cmd), "gatecrash repro %s",
		 b->min_path);
	snprintf(rb->reproducer_cmd, sizeof(rb->reproducer_cmd),
		 "gatecrash reproducer %s --lang c -o repro.c", b->min_path);
	rb->minimized_text = report_testcase_text(&b->minimized);
	rb->verdict_text = report_verdict_text(&b->minimized, &b->min_res);
	rb->verdict_json =
		report_verdict_json(&b->minimized, &b->min_res, t->backend);
	if (!rb->minimized_text || !rb->verdict_text || !rb->verdict_json)
		return -1;
	return build_findings(rb, t, bi, start);
}

int report_build(struct report *r, const struct triage *t)
{
	double start = campaign_start(t);

	memset(r, 0, sizeof(*r));
	r->campaign = t->dir;
	r->backend = t->backend;
	r->times = t->times;
	r->nfindings = t->nf;
	if (build_samples(r, t))
		return -1;
	r->b = calloc(t->nb ? t->nb : 1, sizeof(*r->b));
	if (!r->b)
		return -1;
	r->nbuckets = t->nb;
	for (unsigned i = 0; i < t->nb; i++)
		if (build_bucket(&r->b[i], t, i, start))
			return -1;
	for (unsigned i = 0; i < r->nbuckets; i++)
		r->span = fmax(r->span, r->b[i].first_at);
	return 0;
}

void report_free(struct report *r)
{
	for (unsigned i = 0; r->b && i < r->nbuckets; i++) {
		free(r->b[i].minimized_text);
		free(r->b[i].verdict_text);
		free(r->b[i].verdict_json);
		free(r->b[i].findings);
	}
	free(r->b);
	free(r->samples);
	memset(r, 0, sizeof(*r));
}

unsigned report_buckets_at(const struct report *r, double at)
{
	unsigned n = 0;

	for (unsigned i = 0; i < r->nbuckets; i++)
		n += r->b[i].first_at >= 0 && r->b[i].first_at <= at;
	return n;
}
