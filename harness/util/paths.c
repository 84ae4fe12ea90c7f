// SPDX-License-Identifier: MIT
/*
 * The installed layout (CMake's GNUInstallDirs, relative to the prefix):
 *
 *   bin/gatecrash
 *   libexec/gatecrash/   test kernel, linux runner, fuzz targets, mutator
 *   share/gatecrash/     seeds/
 *   share/doc/gatecrash/ README.md, LICENSE, docs
 *
 * The build compiles in each directory relative to the prefix, and the
 * way back from bin/ and from libexec/gatecrash/ to the prefix. A tree is
 * "installed" when the test kernel sits in its helper directory.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

#ifndef GC_SOURCE_DIR
#define GC_SOURCE_DIR "."
#endif
#ifndef GC_REL_BIN_TO_PREFIX
#define GC_REL_BIN_TO_PREFIX ".."
#endif
#ifndef GC_REL_HELPERS_TO_PREFIX
#define GC_REL_HELPERS_TO_PREFIX "../.."
#endif
#ifndef GC_REL_HELPERS
#define GC_REL_HELPERS "libexec/gatecrash"
#endif
#ifndef GC_REL_DATA
#define GC_REL_DATA "share/gatecrash"
#endif
#ifndef GC_REL_DOCS
#define GC_REL_DOCS "share/doc/gatecrash"
#endif

#define GC_KERNEL_NAME "gatecrash-kernel.elf"

static struct {
	int looked;
	int installed;
	char prefix[PATH_MAX / 2];
	char helpers[PATH_MAX];
	char data[PATH_MAX];
	char docs[PATH_MAX];
	char seeds[PATH_MAX];
} paths;

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* prefix = exe_dir/up; installed when prefix/GC_REL_HELPERS has the kernel. */
static int try_prefix(const char *exe_dir, const char *up)
{
	char kernel[PATH_MAX], joined[PATH_MAX];

	/* realpath: messages then name /usr/share/..., not /usr/bin/../share. */
	if (snprintf(joined, sizeof(joined), "%s/%s", exe_dir, up) >=
		    (int)sizeof(joined) ||
	    !realpath(joined, kernel) ||
	    strlen(kernel) >= sizeof(paths.prefix))
		return 0;
	strcpy(paths.prefix, kernel);
	if (snprintf(kernel, sizeof(kernel), "%s/" GC_REL_HELPERS "/%s",
		     paths.prefix, GC_KERNEL_NAME) >= (int)sizeof(kernel))
		return 0;
	return is_file(kernel);
}

static void find_tree(void)
{
	char exe[PATH_MAX / 2];
	char *slash;
	ssize_t n;

	paths.looked = 1;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		paths.installed = try_prefix(exe, GC_REL_BIN_TO_PREFIX) ||
				  try_prefix(exe, GC_REL_HELPERS_TO_PREFIX);
	}
	if (paths.installed) {
		snprintf(paths.helpers, sizeof(paths.helpers),
			 "%s/" GC_REL_HELPERS, paths.prefix);
		snprintf(paths.data, sizeof(paths.data), "%s/" GC_REL_DATA,
			 paths.prefix);
		snprintf(paths.docs, sizeof(paths.docs), "%s/" GC_REL_DOCS,
			 paths.prefix);
	} else {
		snprintf(paths.data, sizeof(paths.data), "%s", GC_SOURCE_DIR);
		snprintf(paths.docs, sizeof(paths.docs), "%s/docs",
			 GC_SOURCE_DIR);
	}
	snprintf(paths.seeds, sizeof(paths.seeds), "%.*s/seeds/minimal",
		 (int)(sizeof(paths.seeds) - 16), paths.data);
}

const char *gc_path_helpers(void)
{
	if (!paths.looked)
		find_tree();
	return paths.installed ? paths.helpers : NULL;
}

const char *gc_path_data(void)
{
	if (!paths.looked)
		find_tree();
	return paths.data;
}

const char *gc_path_docs(void)
{
	if (!paths.looked)
		find_tree();
	return paths.docs;
}

const char *gc_path_minimal_seeds(void)
{
	if (!paths.looked)
		find_tree();
	return paths.seeds;
}
