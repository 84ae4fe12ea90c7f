// SPDX-License-Identifier: MIT
/*
 * Findings: deduplicated by the engine's finding key (mechanism, verdict
 * class, the sorted names of the diverging fields, the kernel fault vector,
 * the hazard rules; triage/signature.c), at most BUCKET_KEEP per bucket
 * (buckets.c counts the rest), saved the moment they are found as
 *
 *   OUT/findings/<key hash>/input.bin, input.tc, verdict.json, signature,
 *                           bucket (triage's signature), profile (the
 *                           defenses that were off: repro and triage
 *                           replay with them)
 *
 * The files are written into a temporary directory that is then renamed
 * into place: a finding appears whole or not at all, and when two workers
 * find the same signature the rename lets exactly one of them have it.
 * input.bin's mtime is when it was found.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "testcase.h"
#include "triage.h"

/* The key lives in triage/signature.c, beside the bucket it refines. */
void finding_signature(const struct gc_testcase *tc, const struct verdict *v,
		       struct finding_sig *sig)
{
	struct gc_signature s;

	signature_finding(tc, v, &s);
	memcpy(sig->text, s.text, sizeof(sig->text));
	sig->hash = s.hash;
}

/* FNV-1a, as signature_rehash: the directory names stay what they were. */
static uint64_t finding_key_hash(const char *text)
{
	struct gc_signature s;

	snprintf(s.text, sizeof(s.text), "%s", text);
	signature_rehash(&s);
	return s.hash;
}

int findings_seen(const struct findings *fs, uint64_t hash)
{
	for (size_t i = 0; i < fs->n; i++)
		if (fs->seen[i] == hash)
			return 1;
	return 0;
}

static int remember(struct findings *fs, uint64_t hash)
{
	if (findings_seen(fs, hash))
		return 0;
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 32;
		uint64_t *s = realloc(fs->seen, cap * sizeof(*s));

		if (!s)
			return -1;
		fs->seen = s;
		fs->cap = cap;
	}
	fs->seen[fs->n++] = hash;
	return 0;
}

void findings_free(struct findings *fs)
{
	free(fs->seen);
	memset(fs, 0, sizeof(*fs));
}

/* ---- saving ---- */

struct finding_files {
	const struct finding_sig *sig;
	const struct gc_signature *bucket;
	const struct gc_testcase *tc;
	const struct case_outcome *out;
	const struct verdict *v;
	const char *backend;
	uint64_t defenses;
	const char *vendor;
};

/* input.tc carries what it needs to show its finding alone: the profile,
 * the vendor and the backend (docs/testcase-format.md, context lines). */
static void fill_text(FILE *f, const void *ctx)
{
	const struct finding_files *ff = ctx;
	struct tc_context tcx = {0};

	signature_profile(ff->defenses, tcx.disable, sizeof(tcx.disable));
	if (!strcmp(tcx.disable, "-"))
		snprintf(tcx.disable, sizeof(tcx.disable), "none");
	if (ff->vendor && strcmp(ff->vendor, "host"))
		snprintf(tcx.vendor, sizeof(tcx.vendor), "%s", ff->vendor);
	snprintf(tcx.backend, sizeof(tcx.backend), "%s", ff->backend);
	tc_print_text_ctx(f, ff->tc, &tcx);
}

static void fill_verdict(FILE *f, const void *ctx)
{
	const struct finding_files *ff = ctx;

	verdict_print_json(f, "input.bin", ff->tc, ff->out, ff->v, ff->backend,
			   kernel_image_symbolize);
}

static void fill_signature(FILE *f, const void *ctx)
{
	fprintf(f, "%s\n", ((const struct finding_files *)ctx)->sig->text);
}

static void fill_bucket(FILE *f, const void *ctx)
{
	fprintf(f, "%s\n",
		((const struct finding_files *)ctx)->bucket->text);
}

static void fill_profile(FILE *f, const void *ctx)
{
	char list[512];

	signature_profile(((const struct finding_files *)ctx)->defenses, list,
			  sizeof(list));
	fprintf(f, "disable = %s\n", list);
}

static int write_files(const char *tmp, const struct finding_files *ff)
{
	uint8_t bin[sizeof(struct gc_testcase)];

	tc_encode(ff->tc, bin);
	if (fs_write_atomic(tmp, "input.bin", bin, sizeof(bin)) ||
	    fs_write_atomic_stream(tmp, "input.tc", fill_text, ff) ||
	    fs_write_atomic_stream(tmp, "verdict.json", fill_verdict, ff) ||
	    fs_write_atomic_stream(tmp, "signature", fill_signature, ff) ||
	    fs_write_atomic_stream(tmp, "bucket", fill_bucket, ff) ||
	    fs_write_atomic_stream(tmp, "profile", fill_profile, ff))
		return -1;
	return fs_fsync_dir(tmp);
}

static void remove_tree(const char *dir)
{
	static const char *const files[] = {"input.bin", "input.tc",
					    "verdict.json", "signature",
					    "bucket", "profile"};
	char path[8192];

	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	if (rmdir(dir) && errno == ENOTDIR)
		unlink(dir); /* a file's temporary (fs_write_atomic) */
}

static int findings_save(struct findings *fs, const char *dir,
			 const struct finding_sig *sig,
			 const struct gc_signature *bucket,
			 const struct gc_testcase *tc,
			 const struct case_outcome *out,
			 const struct verdict *v, const char *backend,
			 uint64_t defenses)
{
	struct finding_files ff = {sig,	    bucket,  tc,
				   out,	    v,	     backend,
				   defenses, fs ? fs->vendor : NULL};
	char tmp[4096 + 64], final[4096 + 64];

	snprintf(tmp, sizeof(tmp), "%s/.tmp-%d-%016" PRIx64, dir, (int)getpid(),
		 sig->hash);
	snprintf(final, sizeof(final), "%s/%016" PRIx64, dir, sig->hash);
	if (remember(fs, sig->hash))
		return -1;
	remove_tree(tmp); /* a leftover of an earlier process with our pid */
	if (mkdir(tmp, 0777) || write_files(tmp, &ff)) {
		remove_tree(tmp);
		return -1;
	}
	if (rename(tmp, final)) {
		int lost = errno == EEXIST || errno == ENOTEMPTY;

		remove_tree(tmp);
		return lost ? 0 : -1;
	}
	return fs_fsync_dir(dir) ? -1 : 1;
}

/*
 * Only a bucket with a free slot pays for the finding key and the field
 * count; a full one costs a signature and an atomic add. An input already
 * kept under its key earns a slot again only by being smaller: its key
 * then says so (" fields=N"), which names another directory.
 */
int findings_record(struct findings *fs, struct bucket_table *bt,
		    const char *dir, const struct gc_testcase *tc,
		    const struct case_outcome *out, const struct verdict *v,
		    const char *backend, uint64_t defenses)
{
	struct gc_signature bucket;
	struct bucket_entry *e;
	struct finding_sig sig;
	unsigned fields;
	size_t len;
	int r;

	signature_bucket(tc, out, v, backend, &bucket);
	e = buckets_get(bt, &bucket);
	if (!e)
		return 0;
	buckets_hit(e);
	if (buckets_full(e))
		return 0;
	finding_signature(tc, v, &sig);
	fields = tc_count_set_fields(tc);
	if (findings_seen(fs, sig.hash)) {
		if (!buckets_smaller(e, fields))
			return 0;
		len = strlen(sig.text);
		snprintf(sig.text + len, sizeof(sig.text) - len, " fields=%u",
			 fields);
		sig.hash = finding_key_hash(sig.text);
		if (findings_seen(fs, sig.hash))
			return 0;
	}
	if (!buckets_reserve(e, fields))
		return 0;
	r = findings_save(fs, dir, &sig, &bucket, tc, out, v, backend,
			  defenses);
	if (r != 1)
		buckets_release(e);
	return r;
}

/* ---- loading ---- */

static int class_of(const char *dir, const char *name)
{
	char path[4096 + 64], text[256], *cls;
	long n;

	snprintf(path, sizeof(path), "%s/%s/signature", dir, name);
	n = fs_read_small(path, text, sizeof(text) - 1);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	cls = strchr(text, ' ');
	if (!cls)
		return -1;
	cls++;
	for (int c = 0; c < VERDICT_COUNT; c++) {
		size_t len = strlen(verdict_name(c));

		if (!strncmp(cls, verdict_name(c), len) && cls[len] == ' ')
			return c;
	}
	return -1;
}

static uint64_t sig_dir_hash(const char *name)
{
	char *end;
	uint64_t h;

	if (strlen(name) != 16)
		return 0;
	h = strtoull(name, &end, 16);
	return *end ? 0 : h;
}

static void clean_tmp(const char *dir, const char *name)
{
	char path[4096 + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	remove_tree(path);
}

int findings_load(struct findings *fs, const char *dir,
		  unsigned counts[VERDICT_COUNT], int clean)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), ret = 0;

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		uint64_t h = sig_dir_hash(name);
		int cls;

		if (clean && !strncmp(name, ".tmp-", 5))
			clean_tmp(dir, name);
		if (h && fs && remember(fs, h))
			ret = -1;
		if (h && counts && (cls = class_of(dir, name)) >= 0)
			counts[cls]++;
		free(names[i]);
	}
	free(names);
	return ret;
}
