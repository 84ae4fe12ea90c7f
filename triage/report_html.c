// SPDX-License-Identifier: MIT
/*
 * The HTML report (report_model.c says what; this file only formats): one
 * self-contained file, inline CSS and SVG, no scripts, with the Markdown
 * report's content and a plot of the campaign. The plot has one panel per
 * series the engine reported (executions, guest coverage, corpus) and one
 * for the buckets; time runs from the campaign's start, values are drawn
 * as steps (a sample holds until the next), and every finding is marked.
 */
#include <math.h>

#include "defenses.h"
#include "triage.h"

#define MAX_LISTED 12  /* findings listed per bucket, as report_md.c */
#define MAX_MARKS  400 /* finding marks on the plot */
#define PLOT_LEFT  70  /* room for the y tick labels */
#define PLOT_W	   600
#define PLOT_H	   80
#define PANEL_GAP  40 /* the panel's title and x tick labels */

enum series { S_EXECS, S_COVERAGE, S_CORPUS, S_COUNT };

static void html_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

static void html_pre(FILE *f, const char *cls, const char *text)
{
	fprintf(f, "<pre class=\"%s\">", cls);
	html_escape(f, text);
	fputs("</pre>\n", f);
}

/* ---- the plot ---- */

struct plot {
	FILE *f;
	const struct report *r;
	double span; /* seconds on the x axis */
	int top;     /* of the current panel */
};

static double sample_value(const struct report_sample *s, enum series which)
{
	if (which == S_EXECS)
		return s->execs;
	return which == S_COVERAGE ? s->coverage : s->corpus;
}

static int series_known(const struct report *r, enum series which)
{
	for (unsigned i = 0; i < r->nsamples; i++)
		if (!isnan(sample_value(&r->samples[i], which)))
			return 1;
	return 0;
}

static double x_of(const struct plot *p, double at)
{
	return PLOT_LEFT + fmin(fmax(at, 0), p->span) / p->span * PLOT_W;
}

static double y_of(const struct plot *p, double v, double max)
{
	return p->top + PLOT_H - v / max * PLOT_H;
}

/* 1, 2 or 5 times a power of ten: about `want` ticks over span. */
static double tick_step(double span, int want)
{
	double raw = span / want, mag = pow(10, floor(log10(raw)));

	if (raw / mag <= 1)
		return mag;
	if (raw / mag <= 2)
		return 2 * mag;
	return raw / mag <= 5 ? 5 * mag : 10 * mag;
}

static void x_ticks(const struct plot *p, int labels)
{
	double step = tick_step(p->span, 6);

	for (double t = 0; t <= p->span * 1.0001; t += step) {
		double x = x_of(p, t);

		fprintf(p->f,
			"<line class=\"tick x\" x1=\"%.1f\" y1=\"%d\" "
			"x2=\"%.1f\" y2=\"%d\"/>\n",
			x, p->top + PLOT_H, x, p->top + PLOT_H + 4);
		if (labels)
			fprintf(p->f,
				"<text class=\"tick x\" x=\"%.1f\" y=\"%d\" "
				"text-anchor=\"middle\">%g</text>\n",
				x, p->top + PLOT_H + 16, t);
	}
}

/* 0, the middle and the top; no middle where it would not be whole. */
static void y_ticks(const struct plot *p, double max)
{
	for (int i = 0; i <= 2; i++) {
		double v = max * i / 2, y = y_of(p, v, max);

		if (i == 1 && max < 2)
			continue;

		fprintf(p->f,
			"<line class=\"tick y\" x1=\"%d\" y1=\"%.1f\" "
			"x2=\"%d\" "
			"y2=\"%.1f\"/>\n<text class=\"tick y\" x=\"%d\" "
			"y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n",
			PLOT_LEFT - 4, y, PLOT_LEFT, y, PLOT_LEFT - 6, y + 4,
			v);
	}
}

static void panel_frame(struct plot *p, const char *title, double max)
{
	fprintf(p->f, "<text class=\"title\" x=\"%d\" y=\"%d\">", PLOT_LEFT,
		p->top - 6);
	html_escape(p->f, title);
	fprintf(p->f,
		"</text>\n<rect class=\"frame\" x=\"%d\" y=\"%d\" "
		"width=\"%d\" height=\"%d\"/>\n",
		PLOT_LEFT, p->top, PLOT_W, PLOT_H);
	y_ticks(p, max);
	x_ticks(p, 1);
}

/* A sample's value holds until the next sample: horizontal, then up. */
static void series_panel(struct plot *p, enum series which)
{
	static const char *const titles[] = {
		"executions", "guest coverage counters", "corpus entries"};
	const struct report *r = p->r;
	double max = 1;
	int started = 0;

	for (unsigned i = 0; i < r->nsamples; i++)
		max = fmax(max, sample_value(&r->samples[i], which));
	panel_frame(p, titles[which], max);
	fprintf(p->f, "<path class=\"series\" data-series=\"%s\" d=\"",
		titles[which]);
	for (unsigned i = 0; i < r->nsamples; i++) {
		double v = sample_value(&r->samples[i], which);
		double x = x_of(p, r->samples[i].at), y = y_of(p, v, max);

		if (isnan(v))
			continue;
		if (started)
			fprintf(p->f, " H%.1f V%.1f", x, y);
		else
			fprintf(p->f, "M%.1f,%.1f", x, y);
		started = 1;
	}
	fputs("\"/>\n", p->f);
	p->top += PLOT_H + PANEL_GAP;
}

static void finding_marks(struct plot *p, double y)
{
	unsigned marks = 0;

	for (unsigned i = 0; i < p->r->nbuckets; i++) {
		const struct report_bucket *b = &p->r->b[i];

		for (unsigned k = 0; k < b->nfindings && marks < MAX_MARKS;
		     k++, marks++) {
			if (b->findings[k].at < 0)
				continue;
			fprintf(p->f,
				"<circle class=\"finding\" cx=\"%.1f\" "
				"cy=\"%.1f\" r=\"3\"><title>findings/%s, "
				"bucket %u, %.0f s</title></circle>\n",
				x_of(p, b->findings[k].at), y,
				b->findings[k].name, b->number,
				b->findings[k].at);
		}
	}
}

/* Buckets over time, a step at each first finding; every finding a dot. */
static void buckets_panel(struct plot *p)
{
	const struct report *r = p->r;
	double max = fmax(1, r->nbuckets), last = 0;
	unsigned n = 0;

	panel_frame(p, "buckets (dots: findings)", max);
	fprintf(p->f,
		"<path class=\"series\" data-series=\"buckets\" "
		"d=\"M%.1f,%.1f",
		x_of(p, 0), y_of(p, 0, max));
	for (;;) {
		double next = INFINITY;

		for (unsigned i = 0; i < r->nbuckets; i++)
			if (r->b[i].first_at > last && r->b[i].first_at < next)
				next = r->b[i].first_at;
		if (n == 0 && report_buckets_at(r, 0))
			next = 0;
		if (isinf(next))
			break;
		n = report_buckets_at(r, next);
		fprintf(p->f, " H%.1f V%.1f", x_of(p, next), y_of(p, n, max));
		last = next > last ? next : last + 1e-9;
	}
	fprintf(p->f, " H%.1f\"/>\n", x_of(p, p->span));
	finding_marks(p, p->top + PLOT_H);
	p->top += PLOT_H + PANEL_GAP;
}

static void html_plot(FILE *f, const struct report *r)
{
	static const char *const names[] = {"executions", "guest coverage",
					    "corpus size"};
	struct plot p = {f, r, r->span > 0 ? r->span : 1, 24};
	int panels = r->nbuckets > 0, missing = 0;

	for (int s = 0; s < S_COUNT; s++)
		panels += series_known(r, s);
	if (!panels) {
		fputs("<p class=\"note\">No stats.jsonl and no findings: no "
		      "plot.</p>\n",
		      f);
		return;
	}
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" "
		"width=\"%d\" height=\"%d\" font-size=\"12\" "
		"font-family=\"sans-serif\">\n",
		PLOT_LEFT + PLOT_W + 20, 24 + panels * (PLOT_H + PANEL_GAP));
	for (int s = 0; s < S_COUNT; s++)
		if (series_known(r, s))
			series_panel(&p, s);
	if (r->nbuckets)
		buckets_panel(&p);
	fprintf(f,
		"<text class=\"axis\" x=\"%d\" y=\"%d\">seconds since the "
		"campaign started</text>\n</svg>\n",
		PLOT_LEFT, p.top - PANEL_GAP + PLOT_H / 4 + 8);
	for (int s = 0; s < S_COUNT; s++) {
		if (!r->nsamples || series_known(r, s))
			continue;
		fprintf(f, "%s%s",
			missing++ ? ", "
				  : "<p class=\"note\">Not "
				    "reported by the engine (null in "
				    "stats.jsonl), not "
				    "plotted: ",
			names[s]);
	}
	if (missing)
		fputs(".</p>\n", f);
}

/* ---- the text ---- */

static void html_match(FILE *f, const struct report_bucket *b)
{
	if (!b->defense) {
		fputs("no single defense (a new bug?)", f);
		return;
	}
	fprintf(f, "defense <code>%s</code>, catalog case %s", b->defense->name,
		b->defense->catalog_case);
}

static void html_summary(FILE *f, const struct report *r)
{
	fputs("<table class=\"summary\">\n<tr><th>#</th><th>bucket</th>"
	      "<th>findings</th><th>hits</th><th>first seen</th>"
	      "<th>last seen</th>"
	      "<th>matches</th><th>reproduced</th></tr>\n",
	      f);
	for (unsigned i = 0; i < r->nbuckets; i++) {
		const struct report_bucket *b = &r->b[i];

		fprintf(f, "<tr><td><a href=\"#b%u\">%u</a></td><td><code>",
			b->number, b->number);
		html_escape(f, b->signature);
		fprintf(f, "</code></td><td>%u</td><td>", b->count);
		if (b->hits_known)
			fprintf(f, "%llu", b->hits);
		else
			fputc('-', f);
		fprintf(f, "</td><td>%s</td><td>%s</td><td>", b->first_seen,
			b->last_seen);
		html_match(f, b);
		fprintf(f, "</td><td>%u/%u</td></tr>\n", b->reproduced,
			r->times);
	}
	fputs("</table>\n", f);
}

static void html_facts(FILE *f, const struct report *r,
		       const struct report_bucket *b)
{
	fputs("<ul class=\"facts\">\n<li><b>Profile:</b> ", f);
	if (b->disabled[0] == '-')
		fputs("every defense on", f);
	else
		fprintf(f, "<code>--disable %s</code>", b->disabled);
	fputs("</li>\n<li><b>Matches:</b> ", f);
	html_match(f, b);
	if (b->defense) {
		fputs(": ", f);
		html_escape(f, b->defense->summary);
		fprintf(f,
			" (re-enabling it alone makes the minimized input "
			"pass; its seed is <code>%s</code>)",
			b->defense->seed);
	}
	fprintf(f,
		"</li>\n<li><b>Findings:</b> %u, first seen %s, last seen "
		"%s; %u of %u reproduced %u/%u</li>\n<li><b>Minimized:</b> "
		"%u fields set -&gt; %u; reproduced %u/%u</li>\n</ul>\n",
		b->count, b->first_seen, b->last_seen, b->findings_reproduced,
		b->count, r->times, r->times, b->fields_before, b->fields_after,
		b->reproduced, r->times);
}

static void html_findings(FILE *f, const struct report *r,
			  const struct report_bucket *b)
{
	fputs("<p>Findings (engine key, replays that gave this bucket):</p>\n"
	      "<ul class=\"findings\">\n",
	      f);
	for (unsigned i = 0; i < b->nfindings && i < MAX_LISTED; i++) {
		fprintf(f, "<li><code>findings/%s</code> <code>",
			b->findings[i].name);
		html_escape(f, b->findings[i].key);
		fprintf(f, "</code>: reproduced %u/%u</li>\n",
			b->findings[i].reproduced, r->times);
	}
	if (b->nfindings > MAX_LISTED)
		fprintf(f,
			"<li>... and %u more (the JSON report lists all)"
			"</li>\n",
			b->nfindings - MAX_LISTED);
	fputs("</ul>\n", f);
}

static void html_bucket(FILE *f, const struct report *r,
			const struct report_bucket *b)
{
	fprintf(f, "<section class=\"bucket\" id=\"b%u\">\n<h2>%u. <code>",
		b->number, b->number);
	html_escape(f, b->signature);
	fputs("</code></h2>\n", f);
	html_facts(f, r, b);
	fputs("<p>The minimized testcase; replay it with <code "
	      "class=\"repro\">",
	      f);
	html_escape(f, b->repro_cmd);
	fputs("</code>, or get a Linux C reproducer with <code "
	      "class=\"reproducer\">",
	      f);
	html_escape(f, b->reproducer_cmd);
	fputs("</code>:</p>\n", f);
	html_pre(f, "testcase", b->minimized_text);
	fputs("<p>What it does (mechanism run against the int $0x80 + iretq "
	      "reference):</p>\n",
	      f);
	html_pre(f, "verdict", b->verdict_text);
	html_findings(f, r, b);
	fputs("</section>\n", f);
}

static void html_head(FILE *f, const struct report *r)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	      "charset=\"utf-8\">\n<title>gatecrash triage</title>\n<style>\n"
	      "body { font-family: sans-serif; max-width: 60em; margin: auto; }"
	      "\npre { background: #f4f4f4; padding: 0.5em; overflow-x: auto; }"
	      "\ntable { border-collapse: collapse; }\n"
	      "td, th { border: 1px solid #ccc; padding: 0.2em 0.5em; }\n"
	      ".frame { fill: none; stroke: #999; }\n"
	      ".series { fill: none; stroke: #c33; stroke-width: 1.5; }\n"
	      ".tick { stroke: #666; }\ntext.tick { stroke: none; fill: #333; "
	      "font-size: 10px; }\n.finding { fill: #06c; }\n"
	      ".note { color: #666; }\n"
	      "</style>\n</head>\n<body>\n<h1>gatecrash triage: ",
	      f);
	html_escape(f, r->campaign);
	fputs("</h1>\n", f);
}

void report_html(FILE *f, const struct report *r)
{
	html_head(f, r);
	fprintf(f,
		"<p class=\"overview\">%u finding%s in %u bucket%s (backend "
		"%s; every finding and every minimized input replayed %u "
		"times).",
		r->nfindings, r->nfindings == 1 ? "" : "s", r->nbuckets,
		r->nbuckets == 1 ? "" : "s", r->backend, r->times);
	if (!isnan(r->execs)) {
		fprintf(f, " Campaign: %.0f executions", r->execs);
		if (!isnan(r->coverage) && !isnan(r->coverage_total))
			fprintf(f, ", %.0f/%.0f guest coverage counters",
				r->coverage, r->coverage_total);
		else
			fputs(" (the engine reports no guest coverage)", f);
		fputc('.', f);
	}
	fputs(" Buckets are explained in docs/triage.md.</p>\n", f);
	html_plot(f, r);
	if (!r->nbuckets)
		fputs("<p>No findings.</p>\n", f);
	else
		html_summary(f, r);
	for (unsigned i = 0; i < r->nbuckets; i++)
		html_bucket(f, r, &r->b[i]);
	fputs("</body>\n</html>\n", f);
}
