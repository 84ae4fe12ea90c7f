// SPDX-License-Identifier: MIT
/*
 * The Markdown report: a summary table, then one section per bucket with
 * everything a kernel developer needs to act on it (what check is missing,
 * the minimized testcase, the command that replays it, the state diff).
 * Pastes into an issue as it is.
 */
#include <stdlib.h>
#include <string.h>

#include "defenses.h"
#include "triage.h"

#define MD_MAX_LISTED 12 /* findings listed per bucket */

static void md_profile(FILE *f, uint64_t enabled)
{
	char list[512];

	signature_profile(enabled, list, sizeof(list));
	if (list[0] == '-')
		fputs("every defense on", f);
	else
		fprintf(f, "`--disable %s`", list);
}

static void md_match(FILE *f, const struct triage_bucket *b)
{
	const struct defense *d = b->defense;

	if (!d) {
		fputs("no single defense (a new bug?)", f);
		return;
	}
	fprintf(f, "defense `%s`, catalog case %s", d->name, d->catalog_case);
}

static void md_summary(FILE *f, const struct triage *t)
{
	char first[64], last[64];

	fputs("| # | bucket | findings | first seen | last seen | matches | "
	      "reproduced |\n|---|---|---|---|---|---|---|\n",
	      f);
	for (unsigned i = 0; i < t->nb; i++) {
		const struct triage_bucket *b = &t->b[i];

		report_time(b->first_seen, first, sizeof(first));
		report_time(b->last_seen, last, sizeof(last));
		fprintf(f, "| %u | `%s` | %u | %s | %s | ", i + 1, b->sig.text,
			b->count, first, last);
		md_match(f, b);
		fprintf(f, " | %u/%u |\n", b->min_same, t->times);
	}
}

static void md_findings(FILE *f, const struct triage *t, unsigned bi)
{
	unsigned listed = 0;

	fputs("\nFindings (engine key, replays that gave this bucket):\n\n", f);
	for (unsigned i = 0; i < t->nf; i++) {
		const struct triage_finding *tf = &t->f[i];
		struct gc_signature key;

		if (tf->bucket != bi || listed++ >= MD_MAX_LISTED)
			continue;
		signature_finding(&tf->fi.tc, &tf->res.v, &key);
		fprintf(f, "- `findings/%s` `%s`: reproduced %u/%u\n", tf->name,
			key.text, tf->same, t->times);
	}
	if (listed > MD_MAX_LISTED)
		fprintf(f, "- ... and %u more (the JSON report lists all)\n",
			listed - MD_MAX_LISTED);
}

static void md_code(FILE *f, const char *lang, char *text)
{
	fprintf(f, "\n```%s\n%s```\n", lang, text ? text : "(out of memory)\n");
	free(text);
}

static void md_facts(FILE *f, const struct triage *t,
		     const struct triage_bucket *b)
{
	char first[64], last[64];

	report_time(b->first_seen, first, sizeof(first));
	report_time(b->last_seen, last, sizeof(last));
	fputs("- **Profile:** ", f);
	md_profile(f, b->defenses);
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
		b->count, first, last, b->findings_reproduced, b->count,
		t->times, t->times);
	fprintf(f,
		"- **Minimized:** %u fields set -> %u; reproduced "
		"%u/%u\n",
		b->fields_before, b->fields_after, b->min_same, t->times);
}

static void md_bucket(FILE *f, const struct triage *t, unsigned bi)
{
	const struct triage_bucket *b = &t->b[bi];
	char cmd[4200];

	fprintf(f, "\n## %u. `%s`\n\n", bi + 1, b->sig.text);
	md_facts(f, t, b);
	report_repro_command(b, cmd, sizeof(cmd));
	fprintf(f,
		"\nThe minimized testcase; replay it with `%s`, or get "
		"a Linux C reproducer with `gatecrash reproducer %s --lang c "
		"-o repro.c`:\n",
		cmd, b->min_path);
	md_code(f, "", report_testcase_text(&b->minimized));
	fputs("\nWhat it does (mechanism run against the int $0x80 + iretq "
	      "reference):\n",
	      f);
	md_code(f, "", report_verdict_text(&b->minimized, &b->min_res));
	md_findings(f, t, bi);
}

void report_markdown(FILE *f, const struct triage *t)
{
	fprintf(f, "# gatecrash triage: %s\n\n", t->dir);
	fprintf(f,
		"%u finding%s in %u bucket%s (backend %s; every finding "
		"and every minimized input replayed %u times). ",
		t->nf, t->nf == 1 ? "" : "s", t->nb, t->nb == 1 ? "" : "s",
		t->backend, t->times);
	if (t->nstats)
		fprintf(f,
			"Campaign: %.0f executions, %.0f/%.0f guest "
			"coverage counters.",
			t->stats[t->nstats - 1].execs,
			t->stats[t->nstats - 1].coverage, t->coverage_total);
	fputs("\nBuckets are explained in docs/triage.md.\n\n", f);
	if (!t->nb) {
		fputs("No findings.\n", f);
		return;
	}
	md_summary(f, t);
	for (unsigned i = 0; i < t->nb; i++)
		md_bucket(f, t, i);
}
