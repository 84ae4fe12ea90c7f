// SPDX-License-Identifier: MIT
/*
 * The JSON report, for scripts and CI: one object, every bucket with its
 * findings and their replay scores.
 */
#include <stdlib.h>

#include "defenses.h"
#include "json.h"
#include "triage.h"

static void json_text_or_null(FILE *f, char *text)
{
	if (text)
		json_string(f, text);
	else
		fputs("null", f);
	free(text);
}

static void json_findings(FILE *f, const struct triage *t, unsigned bi)
{
	int first = 1;

	fputs("\"findings\":[", f);
	for (unsigned i = 0; i < t->nf; i++) {
		const struct triage_finding *tf = &t->f[i];
		struct gc_signature key;

		if (tf->bucket != bi)
			continue;
		signature_finding(&tf->fi.tc, &tf->res.v, &key);
		fputs(first ? "{\"name\":" : ",{\"name\":", f);
		json_string(f, tf->name);
		fputs(",\"key\":", f);
		json_string(f, key.text);
		fprintf(f,
			",\"found_at\":%.3f,\"reproduced\":%u,"
			"\"times\":%u}",
			tf->fi.found_at, tf->same, t->times);
		first = 0;
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

static void json_bucket(FILE *f, const struct triage *t, unsigned bi)
{
	const struct triage_bucket *b = &t->b[bi];
	char list[512];

	signature_profile(b->defenses, list, sizeof(list));
	fputs("{\"signature\":", f);
	json_string(f, b->sig.text);
	fputs(",\"disabled\":", f);
	json_string(f, list);
	fprintf(f,
		",\"count\":%u,\"first_seen\":%.3f,\"last_seen\":%.3f,"
		"\"findings_reproduced\":%u,\"verdict\":\"%s\",",
		b->count, b->first_seen, b->last_seen, b->findings_reproduced,
		verdict_name(b->min_res.v.cls));
	fputs("\"defense\":", f);
	json_defense(f, b->defense);
	fprintf(f,
		",\"fields_before\":%u,\"fields_after\":%u,"
		"\"reproduced\":%u,\"times\":%u,\"minimized_path\":",
		b->fields_before, b->fields_after, b->min_same, t->times);
	json_string(f, b->min_path);
	fputs(",\"minimized\":", f);
	json_text_or_null(f, report_testcase_text(&b->minimized));
	fputs(",\"diff\":", f);
	json_text_or_null(f, report_verdict_text(&b->minimized, &b->min_res));
	fputc(',', f);
	json_findings(f, t, bi);
	fputc('}', f);
}

void report_json(FILE *f, const struct triage *t)
{
	fputs("{\"campaign\":", f);
	json_string(f, t->dir);
	fputs(",\"backend\":", f);
	json_string(f, t->backend);
	fprintf(f, ",\"times\":%u,\"findings\":%u,\"buckets\":[", t->times,
		t->nf);
	for (unsigned i = 0; i < t->nb; i++) {
		if (i)
			fputc(',', f);
		json_bucket(f, t, i);
	}
	fputs("]}\n", f);
}
