// SPDX-License-Identifier: MIT
/*
 * OUT/stats.jsonl, read back for the report's plot: the engine writes one
 * flat JSON object per line (docs/fuzzing.md), so a key's number is found
 * by its name. Keys that are null (external engines) read as absent.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "triage.h"

static double number_of(const char *line, const char *key)
{
	char pat[48];
	const char *p;
	char *end;
	double v;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (!p)
		return NAN;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	v = strtod(p, &end);
	return end == p ? NAN : v;
}

static int add_point(struct triage *t, const char *line, unsigned *cap)
{
	struct stats_point *s;
	double total = number_of(line, "coverage_total");

	if (t->nstats == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		s = realloc(t->stats, *cap * sizeof(*s));
		if (!s)
			return -1;
		t->stats = s;
	}
	s = &t->stats[t->nstats];
	s->time = number_of(line, "time");
	s->elapsed = number_of(line, "elapsed_s");
	s->execs = number_of(line, "execs");
	s->coverage = number_of(line, "coverage");
	s->corpus = number_of(line, "corpus");
	if (!isnan(total))
		t->coverage_total = total;
	if (!isnan(s->time) && !isnan(s->execs))
		t->nstats++;
	return 0;
}

int triage_load_stats(struct triage *t)
{
	char path[4096 + 32], line[2048];
	unsigned cap = 0;
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/stats.jsonl", t->dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!ret && fgets(line, sizeof(line), f))
		ret = add_point(t, line, &cap);
	fclose(f);
	return ret;
}
