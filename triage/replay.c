// SPDX-License-Identifier: MIT
/*
 * Exact replay: a finding's input, run on a backend with the profile it was
 * found with, judged and signed. A finding that does not give its bucket
 * every time is a bug in the harness or the kernel, not a flaky finding:
 * `gatecrash repro` prints the score so that it is seen.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "defenses.h"
#include "testcase.h"
#include "triage.h"

int replayer_open(struct replayer *r, const char *backend,
		  const struct backend_config *cfg, char *err, size_t errlen)
{
	char ignored[256];

	r->b = NULL;
	if (backend_open(backend, cfg, &r->b, err, errlen))
		return -1;
	/* Without symbols a kernel fault is bucketed as "unknown". */
	kernel_image_load_symbols(cfg->kernel_path
					  ? cfg->kernel_path
					  : kernel_image_default_path(),
				  ignored, sizeof(ignored));
	return 0;
}

void replayer_close(struct replayer *r)
{
	if (r->b)
		backend_close(r->b);
	r->b = NULL;
}

int replay_batch(struct replayer *r, const struct gc_testcase *cases,
		 unsigned n, struct replay_result *res, char *err,
		 size_t errlen)
{
	static struct case_outcome outs[GC_MAX_BATCH];

	if (backend_run(r->b, cases, n, r->defenses, outs, err, errlen))
		return -1;
	for (unsigned i = 0; i < n; i++) {
		res[i].out = outs[i];
		oracle_judge(&cases[i], &outs[i], &res[i].v);
		signature_bucket(&cases[i], &outs[i], &res[i].v,
				 backend_name(r->b), &res[i].sig);
	}
	return 0;
}

int replay_times(struct replayer *r, const struct gc_testcase *tc,
		 unsigned times, const struct gc_signature *want,
		 struct replay_result *first, unsigned *same, char *err,
		 size_t errlen)
{
	static struct gc_testcase cases[GC_MAX_BATCH];
	static struct replay_result res[GC_MAX_BATCH];
	unsigned done = 0;

	*same = 0;
	while (done < times) {
		unsigned n = times - done < GC_MAX_BATCH ? times - done
							 : GC_MAX_BATCH;

		for (unsigned i = 0; i < n; i++)
			cases[i] = *tc;
		if (replay_batch(r, cases, n, res, err, errlen))
			return -1;
		if (!done) {
			*first = res[0];
			if (!want)
				want = &first->sig;
		}
		for (unsigned i = 0; i < n; i++)
			*same += res[i].sig.hash == want->hash;
		done += n;
	}
	return 0;
}

/* ---- finding directories ---- */

/* "disable = a,b" (or "-"): the profile the engine recorded. */
static int load_profile(const char *path, uint64_t *enabled, char *err,
			size_t errlen)
{
	char line[600], *list;
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return 1;
	*enabled = GC_DEFENSES_ALL;
	if (!fgets(line, sizeof(line), f) || strncmp(line, "disable = ", 10)) {
		snprintf(err, errlen, "%s: expected 'disable = LIST'", path);
		ret = -1;
	} else {
		list = line + 10;
		list[strcspn(list, "\n")] = '\0';
		if (strcmp(list, "-") &&
		    defenses_disable_list(list, enabled, err, errlen))
			ret = -1;
	}
	fclose(f);
	return ret;
}

/* The bucket the engine recorded: what a replay must give again. */
static void load_bucket(const char *dir, struct gc_signature *sig)
{
	char path[4096 + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bucket", dir);
	sig->text[0] = '\0';
	sig->hash = 0;
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(sig->text, sizeof(sig->text), f)) {
		sig->text[strcspn(sig->text, "\n")] = '\0';
		signature_rehash(sig);
	}
	fclose(f);
}

static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash)
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, len, ".");
}

int campaign_replay_info(const char *campaign_dir, char *backend,
			 size_t blen, char *vendor, size_t vlen)
{
	char path[4200], line[256], key[16], val[128];
	int have = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/replay", campaign_dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	*vendor = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%15s = %127s", key, val) == 2) {
			if (!strcmp(key, "backend")) {
				snprintf(backend, blen, "%s", val);
				have = 1;
			} else if (!strcmp(key, "vendor")) {
				snprintf(vendor, vlen, "%s", val);
			}
		}
	fclose(f);
	return have ? 0 : -1;
}

/* The context lines of a text testcase: its own, or for a finding
 * directory those of the input.tc the engine wrote beside input.bin. An
 * unreadable input.tc costs only its context. Returns the profile the
 * `disable =` line gives: 1 none, 0 read into *enabled, -1 bad (err). */
static int load_context(const char *tc_path, struct finding_input *fi,
			uint64_t *enabled, char *err, size_t errlen)
{
	struct tc_context ctx;
	struct gc_testcase scratch;
	char why[512];

	if (tc_load_file_ctx(tc_path, &scratch, NULL, &ctx, why, sizeof(why)))
		return 1;
	/* The testcase's own lines beat the campaign's DIR/replay. */
	if (ctx.vendor[0])
		snprintf(fi->vendor, sizeof(fi->vendor), "%s", ctx.vendor);
	if (ctx.backend[0])
		snprintf(fi->backend, sizeof(fi->backend), "%s", ctx.backend);
	if (!ctx.disable[0])
		return 1;
	*enabled = GC_DEFENSES_ALL;
	if (strcmp(ctx.disable, "none") &&
	    defenses_disable_list(ctx.disable, enabled, why, sizeof(why))) {
		snprintf(err, errlen, "%s: disable = %s: %s", tc_path,
			 ctx.disable, why);
		return -1;
	}
	return 0;
}

void finding_context(const struct finding_input *fi, uint64_t enabled,
		     const char *backend, struct tc_context *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	signature_profile(enabled, ctx->disable, sizeof(ctx->disable));
	if (!strcmp(ctx->disable, "-"))
		snprintf(ctx->disable, sizeof(ctx->disable), "none");
	snprintf(ctx->vendor, sizeof(ctx->vendor), "%s", fi->vendor);
	snprintf(ctx->backend, sizeof(ctx->backend), "%s", backend);
}

int finding_load(const char *path, struct finding_input *fi, char *err,
		 size_t errlen)
{
	char input[4096 + 32], dir[4096], prof[4096 + 32], text[4096 + 32];
	uint64_t from_text;
	struct stat st;
	int r, t;

	memset(fi, 0, sizeof(*fi));
	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: no such file or directory", path);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(dir, sizeof(dir), "%s", path);
		snprintf(input, sizeof(input), "%s/input.bin", path);
		snprintf(text, sizeof(text), "%s/input.tc", path);
	} else {
		dir_of(path, dir, sizeof(dir));
		snprintf(input, sizeof(input), "%s", path);
		snprintf(text, sizeof(text), "%s", path);
	}
	if (tc_load_file(input, &fi->tc, NULL, err, errlen))
		return -1;
	if (!stat(input, &st))
		fi->found_at = st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
	snprintf(prof, sizeof(prof), "%s/profile", dir);
	fi->defenses = GC_DEFENSES_ALL;
	r = load_profile(prof, &fi->defenses, err, errlen);
	fi->has_profile = r == 0;
	load_bucket(dir, &fi->bucket);
	{
		/* A finding directory is DIR/findings/HASH. */
		char camp[4096 + 16];

		snprintf(camp, sizeof(camp), "%s/../..", dir);
		if (campaign_replay_info(camp, fi->backend,
					 sizeof(fi->backend), fi->vendor,
					 sizeof(fi->vendor)))
			fi->backend[0] = fi->vendor[0] = 0;
	}
	if (r < 0)
		return -1;
	/* A .tc's own disable = line beats a profile file beside it: the
	 * file a person attached is the more specific. */
	t = load_context(text, fi, &from_text, err, errlen);
	if (t < 0)
		return -1;
	if (t == 0) {
		fi->defenses = from_text;
		fi->has_profile = 1;
	}
	return 0;
}
