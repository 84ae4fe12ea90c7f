/* SPDX-License-Identifier: MIT */
/* Loading every seed under seeds/ for the linux-backend suites. */
#ifndef GC_TESTS_LINUX_SEEDS_H
#define GC_TESTS_LINUX_SEEDS_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "testcase.h"

#define MAX_SEEDS GC_MAX_BATCH

struct seeds {
	unsigned n;
	char name[MAX_SEEDS][96]; /* "edge/sysret_rip_bit47.tc" */
	struct gc_testcase tc[MAX_SEEDS];
};

static int seed_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void seeds_load_dir(struct seeds *s, const char *sub)
{
	char path[512], err[256];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/seeds/%s", GC_SOURCE_DIR, sub);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) && s->n < MAX_SEEDS) {
		size_t len = strlen(e->d_name);

		if (len < 4 || strcmp(e->d_name + len - 3, ".tc"))
			continue;
		snprintf(s->name[s->n], sizeof(s->name[0]), "%s/%s", sub,
			 e->d_name);
		s->n++;
	}
	closedir(d);
	(void)err;
}

/* Every seed, sorted by name, loaded. Returns 0 or -1 (printed). */
static int seeds_load(struct seeds *s)
{
	static const char *const subs[] = {"minimal", "edge", "defenses"};
	char path[512], err[256];

	s->n = 0;
	for (unsigned i = 0; i < 3; i++)
		seeds_load_dir(s, subs[i]);
	qsort(s->name, s->n, sizeof(s->name[0]), seed_cmp);
	for (unsigned i = 0; i < s->n; i++) {
		snprintf(path, sizeof(path), "%s/seeds/%s", GC_SOURCE_DIR,
			 s->name[i]);
		if (tc_load_file(path, &s->tc[i], NULL, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return -1;
		}
	}
	return 0;
}

/* Runs every seed on a backend: NULL (printed) if it cannot open. */
static __attribute__((unused)) struct case_outcome *
seeds_run(const char *backend,
				      const struct seeds *s)
{
	struct case_outcome *out = calloc(MAX_SEEDS, sizeof(*out));
	struct backend *b;
	char err[512];

	if (!out || backend_open(backend, NULL, &b, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", backend, out ? err : "no memory");
		free(out);
		return NULL;
	}
	if (backend_run(b, s->tc, s->n, GC_DEFENSES_ALL, out, err, sizeof(err)))
		fprintf(stderr, "%s: %s\n", backend, err);
	backend_close(b);
	return out;
}

#endif
