// SPDX-License-Identifier: MIT
/*
 * The Markdown report (report_model.c says what; this file only formats):
 * a summary table, then one section per bucket with everything a kernel
 * developer needs to act on it (what check is missing, the minimized
 * testcase, the commands that replay it, the state diff). Pastes into an
 * issue as it is.
 */
#include <math.h>

#include "defenses.h"
#include "triage.h"

#define MD_MAX_LISTED 12 /* findings listed per bucket */

static void md_profile(FILE *f, const struct report_bucket *b)
{
	if (b->disabled[0] == '-')
		fputs("every defense on", f);
	else
		fprintf(f, "`--disable %s`", b->disabled);
}

static void md_match(FILE *f, const struct report_bucket *b)
{
	const struct defense *d = b->defense;

	if (!d) {
		fputs("no single defense (a new bug?)", f);
		return;
	}
	fprintf(f, "defense `%s`, catalog case %s", d->name, d->catalog_case);
}

static void md_summary(FILE *f, const struct report *r)
{
	fputs("| # | bucket | findings | hits | first seen | last seen | "
	      "matches | reproduced |\n|---|---|---|---|---|---|---|---|\n",
	      f);
	for (unsigned i = 0; i < r->nbuckets; i++) {
		const struct report_bucket *b = &r->b[i];

		fprintf(f, "| %u | `%s` | %u | ", b->number, b->signature,
			b->count);
		if (b->hits_known)
			fprintf(f, "%llu", b->hits);
		else
			fputc('-', f);
		fprintf(f, " | %s | %s | ", b->first_seen, b->last_seen);
		md_match(f, b);
		fprintf(f, " | %u/%u |\n", b->reproduced, r->times);
	}
}

static void md_findings(FILE *f, const struct report *r,
			const struct report_bucket *b)
{
	fputs("\nFindings (engine key, replays that gave this bucket):\n\n", f);
	for (unsigned i = 0; i < b->nfindings && i < MD_MAX_LISTED; i++)
		fprintf(f, "- `findings/%s` `%s`: reproduced %u/%u\n",
			b->findings[i].name, b->findings[i].key,
			b->findings[i].reproduced, r->times);
	if (b->nfindings > MD_MAX_LISTED)
		fprintf(f, "- ... and %u more (the JSON report lists all)\n",
			b->nfindings - MD_MAX_LISTED);
}

static void md_facts(FILE *f, const struct report *r,
		     const struct report_bucket *b)
{
	fputs("- **Profile:** ", f);
	md_profile(f, b);
	fputs("\n- **Matches:** ", f);
	md_match(f, b);
	if (b->defense)
		fprintf(f,
			": %s (re-enabling it alone makes the minimized "
			"input pass; its seed is `%s`)",
			b->defense->summary, b->defense->seed);
	fprintf(f,
		"\n- **Findings:** %u, first seen %s, last seen %s; "
		"%u of %u reproduced %u/%u\n",
		b->count, b->first_seen, b->last_seen, b->findings_reproduced,
		b->count, r->times, r->times);
	fprintf(f,
		"- **Minimized:** %u fields set -> %u; reproduced "
		"%u/%u\n",
		b->fields_before, b->fields_after, b->reproduced, r->times);
}

static void md_bucket(FILE *f, const struct report *r,
		      const struct report_bucket *b)
{
	fprintf(f, "\n## %u. `%s`\n\n", b->number, b->signature);
	md_facts(f, r, b);
	fprintf(f,
		"\nThe minimized testcase; replay it with `%s`, or get "
		"a Linux C reproducer with `%s`:\n",
		b->repro_cmd, b->reproducer_cmd);
	fprintf(f, "\n```\n%s```\n", b->minimized_text);
	fputs("\nWhat it does (mechanism run against the int $0x80 + iretq "
	      "reference):\n",
	      f);
	fprintf(f, "\n```\n%s```\n", b->verdict_text);
	md_findings(f, r, b);
}

static void md_campaign(FILE *f, const struct report *r)
{
	if (isnan(r->execs))
		return;
	fprintf(f, "Campaign: %.0f executions", r->execs);
	if (!isnan(r->coverage) && !isnan(r->coverage_total))
		fprintf(f, ", %.0f/%.0f guest coverage counters", r->coverage,
			r->coverage_total);
	else
		fputs(" (the engine reports no guest coverage)", f);
	fputc('.', f);
}

void report_markdown(FILE *f, const struct report *r)
{
	fprintf(f, "# gatecrash triage: %s\n\n", r->campaign);
	fprintf(f,
		"%u finding%s in %u bucket%s (backend %s; every finding "
		"and every minimized input replayed %u times). ",
		r->nfindings, r->nfindings == 1 ? "" : "s", r->nbuckets,
		r->nbuckets == 1 ? "" : "s", r->backend, r->times);
	md_campaign(f, r);
	fputs("\nBuckets are explained in docs/triage.md.\n\n", f);
	if (!r->nbuckets) {
		fputs("No findings.\n", f);
		return;
	}
	md_summary(f, r);
	for (unsigned i = 0; i < r->nbuckets; i++)
		md_bucket(f, r, &r->b[i]);
}
