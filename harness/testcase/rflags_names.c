/* SPDX-License-Identifier: MIT */
/*
 * RFLAGS bit names, both ways: for the comments and diffs people read, and
 * for the `rflags = IF|DF` values they write.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arch/processor-flags.h"
#include "tc_internal.h"
#include "testcase.h"

struct flag_name {
	const char *name;
	uint64_t bit;
};

/* In bit order, which is the order names are printed in. IOPL is a
 * two-bit field and is handled on its own. */
static const struct flag_name flag_names[] = {
	{"CF", X86_EFLAGS_CF},	 {"FIXED", X86_EFLAGS_FIXED},
	{"PF", X86_EFLAGS_PF},	 {"AF", X86_EFLAGS_AF},
	{"ZF", X86_EFLAGS_ZF},	 {"SF", X86_EFLAGS_SF},
	{"TF", X86_EFLAGS_TF},	 {"IF", X86_EFLAGS_IF},
	{"DF", X86_EFLAGS_DF},	 {"OF", X86_EFLAGS_OF},
	{"NT", X86_EFLAGS_NT},	 {"RF", X86_EFLAGS_RF},
	{"VM", X86_EFLAGS_VM},	 {"AC", X86_EFLAGS_AC},
	{"VIF", X86_EFLAGS_VIF}, {"VIP", X86_EFLAGS_VIP},
	{"ID", X86_EFLAGS_ID},
};
#define NR_FLAG_NAMES (sizeof(flag_names) / sizeof(flag_names[0]))

static int name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && !strncasecmp(name, want, len);
}

int tc_rflags_name_value(const char *name, size_t len, uint64_t *value)
{
	static const char *const iopl[] = {"IOPL0", "IOPL1", "IOPL2", "IOPL3"};

	for (size_t i = 0; i < NR_FLAG_NAMES; i++) {
		if (name_is(name, len, flag_names[i].name)) {
			*value = flag_names[i].bit;
			return 0;
		}
	}
	for (uint64_t level = 0; level < 4; level++) {
		if (name_is(name, len, iopl[level])) {
			*value = level << X86_EFLAGS_IOPL_BIT;
			return 0;
		}
	}
	return -1;
}

/* Appends "|what" (or "what" first) to buf, truncating safely. */
static void append(char *buf, size_t len, size_t *used, const char *what)
{
	int n;

	if (*used >= len)
		return;
	n = snprintf(buf + *used, len - *used, "%s%s", *used ? "|" : "", what);
	if (n > 0)
		*used += (size_t)n;
}

void tc_format_rflags(uint64_t rflags, char *buf, size_t len)
{
	uint64_t iopl = (rflags & X86_EFLAGS_IOPL) >> X86_EFLAGS_IOPL_BIT;
	uint64_t rest = rflags & ~X86_EFLAGS_IOPL;
	char tmp[24];
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < NR_FLAG_NAMES; i++) {
		if (flag_names[i].bit == X86_EFLAGS_NT && iopl) {
			snprintf(tmp, sizeof(tmp), "IOPL%" PRIu64, iopl);
			append(buf, len, &used, tmp);
		}
		if (rest & flag_names[i].bit) {
			append(buf, len, &used, flag_names[i].name);
			rest &= ~flag_names[i].bit;
		}
	}
	if (rest) {
		snprintf(tmp, sizeof(tmp), "0x%" PRIx64, rest);
		append(buf, len, &used, tmp);
	} else if (!used) {
		append(buf, len, &used, "0");
	}
}
