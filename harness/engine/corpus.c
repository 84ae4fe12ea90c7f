// SPDX-License-Identifier: MIT
/*
 * The corpus: normalized testcases in memory, and the same testcases in
 * OUT/corpus/<hash>.bin, named by a hash of their encoding so two workers
 * that keep the same input write the same file, and a worker can tell from
 * a name alone whether it has an input already.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "testcase.h"

/* FNV-1a over the encoding; 0 is reserved for "empty slot". */
uint64_t tc_content_hash(const struct gc_testcase *tc)
{
	uint8_t buf[sizeof(struct gc_testcase)];
	uint64_t h = 0xcbf29ce484222325ull;

	tc_encode(tc, buf);
	for (size_t i = 0; i < sizeof(buf); i++)
		h = (h ^ buf[i]) * 0x100000001b3ull;
	return h ? h : 1;
}

static size_t slot_of(uint64_t hash, size_t cap)
{
	return (size_t)(hash ^ (hash >> 29)) & (cap - 1);
}

int corpus_contains(const struct corpus *c, uint64_t hash)
{
	if (!c->set_cap)
		return 0;
	for (size_t i = slot_of(hash, c->set_cap);;
	     i = (i + 1) & (c->set_cap - 1)) {
		if (c->set[i] == hash)
			return 1;
		if (!c->set[i])
			return 0;
	}
}

static void set_insert(uint64_t *set, size_t cap, uint64_t hash)
{
	size_t i = slot_of(hash, cap);

	while (set[i] && set[i] != hash)
		i = (i + 1) & (cap - 1);
	set[i] = hash;
}

/* Keep the set at most half full. */
static int set_grow(struct corpus *c)
{
	size_t cap = c->set_cap ? c->set_cap * 2 : 256;
	uint64_t *set = calloc(cap, sizeof(*set));

	if (!set)
		return -1;
	for (size_t i = 0; i < c->set_cap; i++)
		if (c->set[i])
			set_insert(set, cap, c->set[i]);
	free(c->set);
	c->set = set;
	c->set_cap = cap;
	return 0;
}

int corpus_add(struct corpus *c, const struct gc_testcase *tc, uint64_t hash)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct gc_testcase *t = realloc(c->tc, cap * sizeof(*t));

		if (!t)
			return -1;
		c->tc = t;
		c->cap = cap;
	}
	if ((c->n + 1) * 2 > c->set_cap && set_grow(c))
		return -1;
	c->tc[c->n++] = *tc;
	set_insert(c->set, c->set_cap, hash);
	return 0;
}

void corpus_free(struct corpus *c)
{
	free(c->tc);
	free(c->set);
	memset(c, 0, sizeof(*c));
}

int corpus_save(const char *corpus_dir, const struct gc_testcase *tc,
		uint64_t hash)
{
	uint8_t buf[sizeof(struct gc_testcase)];
	char name[32];

	tc_encode(tc, buf);
	snprintf(name, sizeof(name), "%016" PRIx64 ".bin", hash);
	return fs_write_atomic(corpus_dir, name, buf, sizeof(buf));
}

/* "<16 hex>.bin" -> its hash, or 0 for any other name. */
static uint64_t name_hash(const char *name)
{
	char *end;
	uint64_t h;

	if (strlen(name) != 20 || strcmp(name + 16, ".bin"))
		return 0;
	h = strtoull(name, &end, 16);
	return end == name + 16 ? h : 0;
}

static int load_one(const char *dir, const char *name, struct gc_testcase *tc)
{
	uint8_t buf[sizeof(struct gc_testcase)];
	char path[4096];
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	n = fs_read_small(path, buf, sizeof(buf));
	if (n < 0)
		return -1;
	tc_decode(buf, (size_t)n, tc);
	return 0;
}

int corpus_scan_dir(const struct corpus *c, const char *dir, corpus_file_fn fn,
		    void *ctx)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), ret = 0;

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		uint64_t h = name_hash(names[i]->d_name);
		struct gc_testcase tc;

		/* The name is a claim, the content is what runs: a file
		 * whose bytes do not hash to its name is still an input. */
		if (!ret && h && !corpus_contains(c, h) &&
		    !load_one(dir, names[i]->d_name, &tc) &&
		    !corpus_contains(c, tc_content_hash(&tc)))
			ret = fn(ctx, &tc, tc_content_hash(&tc));
		free(names[i]);
	}
	free(names);
	return ret;
}
