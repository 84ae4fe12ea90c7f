/* SPDX-License-Identifier: MIT */
/* Shared between the testcase codec's own files; not a public interface. */
#ifndef GC_TC_INTERNAL_H
#define GC_TC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* The RFLAGS value of a flag name ("DF", "FIXED", "IOPL3"), compared
 * without regard to case. Returns 0 and sets *value, or -1 if unknown. */
int tc_rflags_name_value(const char *name, size_t len, uint64_t *value);

#endif
