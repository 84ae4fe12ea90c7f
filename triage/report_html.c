// SPDX-License-Identifier: MIT
/*
 * The HTML report: one self-contained file (inline CSS and SVG, no
 * scripts) with the Markdown report's content and a plot of the campaign:
 * executions, coverage and buckets over time, from OUT/stats.jsonl and the
 * findings' times.
 */
#include <math.h>
#include <stdlib.h>

#include "defenses.h"
#include "triage.h"

#define PLOT_W	 640
#define PLOT_H	 90
#define PLOT_GAP 30

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

static void html_pre(FILE *f, char *text)
{
	fputs("<pre>", f);
	html_escape(f, text ? text : "(out of memory)");
	fputs("</pre>\n", f);
	free(text);
}

/* Buckets first seen at or before time t. */
static double buckets_at(const struct triage *t, double when)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->nb; i++)
		n += t->b[i].first_seen <= when;
	return n;
}

static double series_value(const struct triage *t, unsigned i, int which)
{
	const struct stats_point *p = &t->stats[i];

	if (which == 0)
		return p->execs;
	if (which == 1)
		return isnan(p->coverage) ? 0 : p->coverage;
	return buckets_at(t, p->time);
}

static void plot_series(FILE *f, const struct triage *t, int which, int top)
{
	static const char *const names[] = {"executions", "coverage counters",
					    "buckets"};
	double t0 = t->stats[0].time, span = t->stats[t->nstats - 1].time - t0;
	double max = 1;

	for (unsigned i = 0; i < t->nstats; i++)
		if (series_value(t, i, which) > max)
			max = series_value(t, i, which);
	fprintf(f, "<text x=\"0\" y=\"%d\">%s (max %.0f)</text>\n", top - 4,
		names[which], max);
	fprintf(f,
		"<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" "
		"fill=\"none\" stroke=\"#999\"/>\n<polyline fill=\"none\" "
		"stroke=\"#c33\" points=\"",
		top, PLOT_W, PLOT_H);
	for (unsigned i = 0; i < t->nstats; i++) {
		double x = span > 0 ? (t->stats[i].time - t0) / span : 1;
		double y = series_value(t, i, which) / max;

		fprintf(f, "%s%.1f,%.1f", i ? " " : "", x * PLOT_W,
			top + PLOT_H - y * PLOT_H);
	}
	fputs("\"/>\n", f);
}

static void html_plot(FILE *f, const struct triage *t)
{
	int h = 3 * (PLOT_H + PLOT_GAP) + 20;
	double span;

	if (!t->nstats) {
		fputs("<p>No stats.jsonl: no plot.</p>\n", f);
		return;
	}
	span = t->stats[t->nstats - 1].time - t->stats[0].time;
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" font-size=\"12\" font-family=\"sans-serif\">\n",
		PLOT_W + 2, h);
	for (int s = 0; s < 3; s++)
		plot_series(f, t, s, PLOT_GAP / 2 + s * (PLOT_H + PLOT_GAP));
	fprintf(f,
		"<text x=\"0\" y=\"%d\">time: 0 to %.1f s (%u samples)"
		"</text>\n</svg>\n",
		h - 4, span, t->nstats);
}

static void html_summary(FILE *f, const struct triage *t)
{
	char first[64];

	fputs("<table>\n<tr><th>#</th><th>bucket</th><th>findings</th>"
	      "<th>first seen</th><th>matches</th><th>reproduced</th></tr>\n",
	      f);
	for (unsigned i = 0; i < t->nb; i++) {
		const struct triage_bucket *b = &t->b[i];

		report_time(b->first_seen, first, sizeof(first));
		fprintf(f, "<tr><td><a href=\"#b%u\">%u</a></td><td><code>", i,
			i + 1);
		html_escape(f, b->sig.text);
		fprintf(f,
			"</code></td><td>%u</td><td>%s</td><td>%s%s%s</td>"
			"<td>%u/%u</td></tr>\n",
			b->count, first, b->defense ? b->defense->name : "none",
			b->defense ? " " : "",
			b->defense ? b->defense->catalog_case : "", b->min_same,
			t->times);
	}
	fputs("</table>\n", f);
}

static void html_bucket(FILE *f, const struct triage *t, unsigned i)
{
	const struct triage_bucket *b = &t->b[i];
	char cmd[4200], list[512];

	signature_profile(b->defenses, list, sizeof(list));
	report_repro_command(b, cmd, sizeof(cmd));
	fprintf(f, "<h2 id=\"b%u\">%u. <code>", i, i + 1);
	html_escape(f, b->sig.text);
	fprintf(f, "</code></h2>\n<ul>\n<li>defenses off: %s</li>\n", list);
	fprintf(f, "<li>matches: %s%s", b->defense ? "defense " : "none",
		b->defense ? b->defense->name : "");
	if (b->defense) {
		fprintf(f, " (%s): ", b->defense->catalog_case);
		html_escape(f, b->defense->summary);
	}
	fprintf(f,
		"</li>\n<li>findings: %u, %u of them reproduced %u/%u"
		"</li>\n<li>minimized: %u fields to %u, reproduced %u/%u</li>"
		"\n<li>replay: <code>",
		b->count, b->findings_reproduced, t->times, t->times,
		b->fields_before, b->fields_after, b->min_same, t->times);
	html_escape(f, cmd);
	fputs("</code></li>\n</ul>\n", f);
	html_pre(f, report_testcase_text(&b->minimized));
	html_pre(f, report_verdict_text(&b->minimized, &b->min_res));
}

void report_html(FILE *f, const struct triage *t)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	      "charset=\"utf-8\">\n<title>gatecrash triage</title>\n<style>\n"
	      "body { font-family: sans-serif; max-width: 60em; margin: auto; }"
	      "\npre { background: #f4f4f4; padding: 0.5em; }\n"
	      "table { border-collapse: collapse; }\n"
	      "td, th { border: 1px solid #ccc; padding: 0.2em 0.5em; }\n"
	      "</style>\n</head>\n<body>\n<h1>gatecrash triage: ",
	      f);
	html_escape(f, t->dir);
	fprintf(f,
		"</h1>\n<p>%u findings in %u buckets (backend %s, each "
		"replayed %u times).</p>\n",
		t->nf, t->nb, t->backend, t->times);
	html_plot(f, t);
	html_summary(f, t);
	for (unsigned i = 0; i < t->nb; i++)
		html_bucket(f, t, i);
	fputs("</body>\n</html>\n", f);
}
