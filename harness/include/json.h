/* SPDX-License-Identifier: MIT */
/* Just enough JSON output for --json: escaped strings and hex numbers as
 * strings (JSON numbers cannot hold every u64 exactly). */
#ifndef GC_JSON_H
#define GC_JSON_H

#include <stdint.h>
#include <stdio.h>

void json_string(FILE *f, const char *s);
void json_hex64(FILE *f, uint64_t v); /* "0x..." as a JSON string */

#endif
