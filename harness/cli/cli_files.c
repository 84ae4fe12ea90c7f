// SPDX-License-Identifier: MIT
#include <dirent.h>
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

static int compare_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dot_entries(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int collect_path(const char *path, struct path_list *l);

static int collect_dir(const char *dir, struct path_list *l)
{
	struct dirent **names;
	int n = scandir(dir, &names, skip_dot_entries, compare_names);
	int ret = 0;

	if (n < 0)
		return cli_error("cannot read directory %s: %s", dir,
				 strerror(errno));
	for (int i = 0; i < n; i++) {
		char *child;

		if (!ret && asprintf(&child, "%s/%s", dir,
				     names[i]->d_name) >= 0) {
			ret = collect_path(child, l);
			free(child);
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

static int collect_path(const char *path, struct path_list *l)
{
	struct stat st;

	if (stat(path, &st))
		return cli_error("cannot read %s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return collect_dir(path, l);
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
