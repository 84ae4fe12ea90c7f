// SPDX-License-Identifier: MIT
/*
 * The JSON report, for scripts and CI (report_model.c says what; this file
 * only formats): one object, every bucket with its findings and their
 * replay scores. A bucket's "replay" is the minimized input's result
 * exactly as `gatecrash run --json` gives it ("diffs", "hazards", ...).
 */
#include <math.h>

#include "defenses.h"
#include "json.h"
#include "triage.h"

static void json_number_or_null(FILE *f, double v, int decimals)
{
	if (isnan(v))
		fputs("null", f);
	else
		fprintf(f, "%.*f", decimals, v);
}

static void json_findings(FILE *f, const struct report *r,
			  const struct report_bucket *b)
{
	fputs("\"findings\":[", f);
	for (unsigned i = 0; i < b->nfindings; i++) {
		const struct report_finding *rf = &b->findings[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		json_string(f, rf->name);
		fputs(",\"key\":", f);
		json_string(f, rf->key);
		fprintf(f, ",\"found_at\":%.3f,\"seconds_in\":", rf->found_at);
		json_number_or_null(f, rf->at < 0 ? NAN : rf->at, 3);
		fprintf(f, ",\"reproduced\":%u,\"times\":%u}", rf->reproduced,
			r->times);
	}
	fputc(']', f);
}

static void json_defense(FILE *f, const struct defense *d)
{
	if (!d) {
		fputs("null", f);
		return;
	}
	fputs("{\"name\":", f);
	json_string(f, d->name);
	fputs(",\"case\":", f);
	json_string(f, d->catalog_case);
	fputs(",\"seed\":", f);
	json_string(f, d->seed);
	fputs(",\"summary\":", f);
	json_string(f, d->summary);
	fputc('}', f);
}

static void json_bucket(FILE *f, const struct report *r,
			const struct report_bucket *b)
{
	fputs("{\"signature\":", f);
	json_string(f, b->signature);
	fputs(",\"disabled\":", f);
	json_string(f, b->disabled);
	fprintf(f,
		",\"count\":%u,\"first_seen\":%.3f,\"last_seen\":%.3f,"
		"\"findings_reproduced\":%u,\"verdict\":",
		b->count, b->first_unix, b->last_unix, b->findings_reproduced);
	json_string(f, b->verdict);
	if (b->hits_known)
		fprintf(f, ",\"hits\":%llu", b->hits);
	else
		fputs(",\"hits\":null", f);
	fputs(",\"defense\":", f);
	json_defense(f, b->defense);
	fprintf(f,
		",\"fields_before\":%u,\"fields_after\":%u,"
		"\"reproduced\":%u,\"times\":%u,\"minimized_path\":",
		b->fields_before, b->fields_after, b->reproduced, r->times);
	json_string(f, b->minimized_path);
	fputs(",\"repro_command\":", f);
	json_string(f, b->repro_cmd);
	fputs(",\"reproducer_command\":", f);
	json_string(f, b->reproducer_cmd);
	fputs(",\"minimized\":", f);
	json_string(f, b->minimized_text);
	fputs(",\"diff_text\":", f);
	json_string(f, b->verdict_text);
	fprintf(f, ",\"replay\":%s,", b->verdict_json);
	json_findings(f, r, b);
	fputc('}', f);
}

void report_json(FILE *f, const struct report *r)
{
	fputs("{\"campaign\":", f);
	json_string(f, r->campaign);
	fputs(",\"backend\":", f);
	json_string(f, r->backend);
	fprintf(f, ",\"times\":%u,\"findings\":%u,\"execs\":", r->times,
		r->nfindings);
	json_number_or_null(f, r->execs, 0);
	fputs(",\"coverage\":", f);
	json_number_or_null(f, r->coverage, 0);
	fputs(",\"coverage_total\":", f);
	json_number_or_null(f, r->coverage_total, 0);
	fputs(",\"buckets\":[", f);
	for (unsigned i = 0; i < r->nbuckets; i++) {
		if (i)
			fputc(',', f);
		json_bucket(f, r, &r->b[i]);
	}
	fputs("]}\n", f);
}
