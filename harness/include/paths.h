/* SPDX-License-Identifier: MIT */
/*
 * Where gatecrash finds what it ships besides itself: the test kernel, the
 * Linux runner and the fuzz targets (helpers), the seeds (data) and the
 * documentation. An installed tree is found relative to the running
 * binary, so a prefix can be moved or staged (DESTDIR); a build tree falls
 * back to the paths the build compiled in.
 */
#ifndef GC_PATHS_H
#define GC_PATHS_H

/* <prefix>/libexec/gatecrash installed, else NULL (a build tree). */
const char *gc_path_helpers(void);

/* <prefix>/share/gatecrash installed, else the source tree: seeds/ here. */
const char *gc_path_data(void);

/* <prefix>/share/doc/gatecrash installed, else the source tree's docs/. */
const char *gc_path_docs(void);

/* The default seed directory: <data>/seeds/minimal. */
const char *gc_path_minimal_seeds(void);

#endif
