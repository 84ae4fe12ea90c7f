// SPDX-License-Identifier: MIT
/*
 * OUT/findings/index, read back for the report: the engine keeps at most a
 * few findings per bucket and counts every hit (docs/fuzzing.md), so a
 * bucket's "findings" are what a person looks at and its "hits" how often
 * the campaign ran into it. Lines are "hits<TAB>kept<TAB>bucket". A bucket
 * text that names more than one triage bucket (findings of several
 * profiles merged into one directory) leaves its hits unknown: the index
 * does not split them by profile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "triage.h"

/* The one triage bucket whose signature is text, or NULL. */
static struct triage_bucket *only_bucket(struct triage *t, const char *text)
{
	struct triage_bucket *found = NULL;

	for (unsigned i = 0; i < t->nb; i++) {
		if (strcmp(t->b[i].sig.text, text))
			continue;
		if (found)
			return NULL;
		found = &t->b[i];
	}
	return found;
}

static void add_index_line(struct triage *t, char *line)
{
	struct triage_bucket *b;
	char *end, *text;
	unsigned long long hits = strtoull(line, &end, 10);

	if (line[0] < '0' || line[0] > '9' || *end != '\t')
		return;
	text = strchr(end + 1, '\t');
	if (!text)
		return;
	text++;
	text[strcspn(text, "\n")] = '\0';
	b = only_bucket(t, text);
	if (b) {
		b->hits += hits;
		b->hits_known = 1;
	}
}

void triage_load_hits(struct triage *t)
{
	char path[4096 + 32], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/findings/index", t->dir);
	f = fopen(path, "r");
	if (!f)
		return; /* an older campaign, or an external engine's */
	while (fgets(line, sizeof(line), f))
		add_index_line(t, line);
	fclose(f);
}
