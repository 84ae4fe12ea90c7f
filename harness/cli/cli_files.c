// SPDX-License-Identifier: MIT
#include <ftw.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_files.h"
#include "cli_util.h"

int cli_parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_vendor(const char *s)
{
	return strcmp(s, "intel") && strcmp(s, "amd") && strcmp(s, "host")
		       ? -1
		       : 0;
}

static int path_list_add(struct path_list *l, const char *path)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **p = realloc(l->paths, cap * sizeof(*p));

		if (!p)
			return cli_error("out of memory");
		l->paths = p;
		l->cap = cap;
	}
	l->paths[l->n] = strdup(path);
	if (!l->paths[l->n])
		return cli_error("out of memory");
	l->n++;
	return 0;
}

/*
 * Names in a directory that are not testcases: what sits next to them in
 * a campaign (stats, findings' side files, reports) or a seed directory
 * (its README). A file named on the command line is always taken.
 */
static int not_a_testcase(const char *name)
{
	static const char *const suffixes[] = {
		".md", ".txt", ".json", ".jsonl", ".html", ".log", ".sh",
		".py", ".c", ".h", ".gz", ".png", ".svg", ".pid", ".lock"};
	static const char *const names[] = {
		"profile", "signature", "bucket", "fuzzer_stats", "plot_data",
		"cmdline", "fuzz_bitmap", "fuzzer_setup", "README", "LICENSE",
		"Makefile"};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(name, names[i]))
			return 1;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		size_t k = strlen(suffixes[i]);

		if (n > k && !strcmp(name + n - k, suffixes[i]))
			return 1;
	}
	return 0;
}

/* nftw has no context pointer: the walk in progress. */
static struct {
	struct path_list *out;
	unsigned skipped, links;
	char first_skipped[256];
	int failed;
} walk;

static int walk_entry(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	const char *name = path + ftw->base;
	struct stat target;

	/* Hidden entries (.git, AFL++'s .cur_input, .state/) are not ours;
	 * the top directory itself is, whatever its name. */
	if (ftw->level > 0 && name[0] == '.')
		return type == FTW_D ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
	switch (type) {
	case FTW_D:
		return FTW_CONTINUE;
	case FTW_DNR:
		walk.failed = cli_error("cannot read directory %s", path);
		return FTW_STOP;
	case FTW_SL:
		/* FTW_PHYS: a link is never walked into, so a loop cannot
		 * recur; one to a regular file is taken as that file. */
		if (stat(path, &target) || !S_ISREG(target.st_mode)) {
			walk.links++;
			return FTW_CONTINUE;
		}
		break;
	case FTW_F:
		if (!S_ISREG(st->st_mode))
			return FTW_CONTINUE;
		break;
	default:
		return FTW_CONTINUE;
	}
	if (not_a_testcase(name)) {
		if (!walk.skipped++)
			snprintf(walk.first_skipped,
				 sizeof(walk.first_skipped), "%s", name);
		return FTW_CONTINUE;
	}
	if (path_list_add(walk.out, path)) {
		walk.failed = EXIT_USAGE;
		return FTW_STOP;
	}
	return FTW_CONTINUE;
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every testcase file below dir, sorted; what was left out gets a note,
 * and a directory with none is an error (nothing would run). */
static int collect_dir(const char *dir, struct path_list *l)
{
	size_t before = l->n;

	memset(&walk, 0, sizeof(walk));
	walk.out = l;
	if (nftw(dir, walk_entry, 32, FTW_PHYS | FTW_ACTIONRETVAL) < 0 &&
	    !walk.failed)
		return cli_error("cannot read directory %s: %s", dir,
				 strerror(errno));
	if (walk.failed)
		return walk.failed;
	if (l->n > before) /* an empty list may have no array yet */
		qsort(l->paths + before, l->n - before, sizeof(*l->paths),
		      compare_paths);
	if (walk.skipped)
		fprintf(stderr,
			"gatecrash: note: %s: skipped %u file%s that %s not "
			"testcases (%s%s)\n",
			dir, walk.skipped, walk.skipped == 1 ? "" : "s",
			walk.skipped == 1 ? "is" : "are", walk.first_skipped,
			walk.skipped > 1 ? ", ..." : "");
	if (walk.links)
		fprintf(stderr,
			"gatecrash: note: %s: skipped %u symbolic link%s to "
			"directories or nothing (not followed)\n",
			dir, walk.links, walk.links == 1 ? "" : "s");
	if (l->n == before)
		return cli_error("%s: no testcase files in this directory", dir);
	return 0;
}

static int collect_path(const char *path, struct path_list *l)
{
	struct stat st;

	if (stat(path, &st))
		return cli_error("cannot read %s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return collect_dir(path, l);
	if (!S_ISREG(st.st_mode))
		return cli_error("%s: not a regular file or directory", path);
	return path_list_add(l, path);
}

int cli_collect_files(char *const *args, size_t nargs, struct path_list *out)
{
	for (size_t i = 0; i < nargs; i++)
		if (collect_path(args[i], out))
			return EXIT_USAGE;
	return 0;
}

void cli_free_files(struct path_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	*l = (struct path_list){ 0 };
}
