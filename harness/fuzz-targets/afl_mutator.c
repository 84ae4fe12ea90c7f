// SPDX-License-Identifier: MIT
/*
 * libgatecrash-afl-mutator.so: the shared structure-aware mutator
 * (harness/include/mutator.h) as an AFL++ custom mutator, loaded through
 * AFL_CUSTOM_MUTATOR_LIBRARY. afl-fuzz hands over a queue entry and, for
 * splicing, another one; the mutator decodes, mutates fields, and encodes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "mutator.h"

struct gc_afl_mutator {
	uint64_t seed;
	uint8_t out[sizeof(struct gc_testcase)];
};

void *afl_custom_init(void *afl, unsigned int seed);
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size,
		       uint8_t **out_buf, uint8_t *add_buf, size_t add_buf_size,
		       size_t max_size);
void afl_custom_deinit(void *data);

void *afl_custom_init(void *afl, unsigned int seed)
{
	struct gc_afl_mutator *m = calloc(1, sizeof(*m));

	(void)afl;
	if (m)
		m->seed = (uint64_t)seed << 32;
	return m;
}

/* Every input is one testcase, so the output never needs more room. */
size_t afl_custom_fuzz(void *data, uint8_t *buf, size_t buf_size,
		       uint8_t **out_buf, uint8_t *add_buf, size_t add_buf_size,
		       size_t max_size)
{
	struct gc_afl_mutator *m = data;
	uint64_t seed = ++m->seed;
	size_t room = max_size < sizeof(m->out) ? max_size : sizeof(m->out);

	*out_buf = m->out;
	/* Splice a quarter of the time when afl-fuzz offers a partner. */
	if (add_buf && add_buf_size && (seed & 3) == 0)
		return mutator_crossover_bytes(buf, buf_size, add_buf,
					       add_buf_size, m->out, room,
					       seed);
	if (buf_size > sizeof(m->out))
		buf_size = sizeof(m->out); /* the decoder would ignore it */
	memcpy(m->out, buf, buf_size);
	return mutator_mutate_bytes(m->out, buf_size, room, seed);
}

void afl_custom_deinit(void *data)
{
	free(data);
}
