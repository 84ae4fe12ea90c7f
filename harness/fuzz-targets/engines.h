/* SPDX-License-Identifier: MIT */
/*
 * `gatecrash fuzz --engine libfuzzer|afl`: runs gatecrash-libfuzzer or an
 * AFL++ -M/-S campaign on gatecrash-afl over the same campaign directory
 * the built-in engine uses, then turns what they found into its shape:
 * their queues into OUT/corpus/<hash>.bin, their crash files into
 * OUT/findings/<sig>/ (docs/fuzzing.md). Their own files stay in
 * OUT/engine/libfuzzer/ and OUT/engine/afl/.
 */
#ifndef GC_FUZZ_ENGINES_H
#define GC_FUZZ_ENGINES_H

#include <stddef.h>

#include "campaign.h"

enum fuzz_engine { ENGINE_BUILTIN, ENGINE_LIBFUZZER, ENGINE_AFL };

/* "builtin", "libfuzzer", "afl"; -1 if unknown. */
int fuzz_engine_from_name(const char *name);

/* Runs the campaign cfg describes on an external engine. res gets the
 * executions (where the engine reports them), the corpus size, and the
 * findings in OUT/findings. Returns 0, or -1 with a reason in err. */
int fuzz_engine_run(enum fuzz_engine engine, const struct campaign_config *cfg,
		    struct campaign_result *res, char *err, size_t errlen);

#endif
