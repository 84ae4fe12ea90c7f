/* SPDX-License-Identifier: MIT */
/*
 * Testcases on the host: the binary codec fuzzers feed, the text form people
 * write, and the field table both are built on (and that the minimizer,
 * mutator and diff printer walk). The layout itself is struct gc_testcase in
 * kernel-under-test/include/abi.h.
 */
#ifndef GC_TESTCASE_H
#define GC_TESTCASE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "abi.h"

#define TC_TEXT_HEADER "gatecrash-testcase 1"

/* Binary form. Decoding never fails: short input is zero-filled, long input
 * truncated, and every field normalized. encode(decode(x)) is normalized and
 * decode(encode(t)) == t for any normalized t. */
void tc_decode(const uint8_t *buf, size_t len, struct gc_testcase *out);
void tc_normalize(struct gc_testcase *tc);
void tc_encode(const struct gc_testcase *tc, uint8_t out[sizeof(struct gc_testcase)]);
void tc_default(struct gc_testcase *tc); /* == tc_decode(NULL, 0) */

enum gc_user_mode tc_mode(const struct gc_testcase *tc);
uint16_t tc_mode_cs(enum gc_user_mode mode);
/* The mode a captured user state runs in, from its CS (the LDT's from tc). */
enum gc_user_mode tc_cs_mode(const struct gc_testcase *tc, uint16_t cs);
const char *tc_mechanism_name(unsigned mechanism); /* "?" if out of range */
const char *tc_prefix_name(unsigned prefix);	    /* "?" if out of range */

/* Text form. tc_parse_text returns 0, or -1 with "line N: what is wrong"
 * in err. tc_print_text writes the header, then every field that differs
 * from its default (and every ret.* field in ret_mask). */
int tc_parse_text(const char *text, size_t len, struct gc_testcase *out,
		  char *err, size_t errlen);
void tc_print_text(FILE *f, const struct gc_testcase *tc);

/*
 * A text testcase's context lines, between the header and the first field
 * (docs/testcase-format.md): what it must run with to show what it shows,
 * so a .tc attached to a bug report reproduces alone. Kept as written ("" =
 * not given); the commands check the names. The binary form has none.
 */
struct tc_context {
	char disable[512]; /* "none" or D[,D...]: the kernel profile */
	char vendor[24];   /* intel, amd or host: the guest CPU vendor */
	char backend[104]; /* a backend, or a pair A,B */
	unsigned mechanism_line; /* line the mechanism was set on, or 0 */
};
int tc_parse_text_ctx(const char *text, size_t len, struct gc_testcase *out,
		      struct tc_context *ctx, char *err, size_t errlen);
/* The header, the context lines ctx gives (ctx may be NULL), the fields. */
void tc_print_text_ctx(FILE *f, const struct gc_testcase *tc,
		       const struct tc_context *ctx);

/* A file a person named. A file named *.tc whose first line is exactly
 * TC_TEXT_HEADER is text and must parse; any other file is binary and always
 * decodes. Returns 0, or -1 with a one-line reason in err (unreadable file,
 * text syntax error with its line number). *is_text says which form. */
int tc_load_file(const char *path, struct gc_testcase *out, int *is_text,
		 char *err, size_t errlen);
/* The same, with the context lines of a text file (zeroed for binary);
 * path "-" reads standard input (text if it starts with the header). A
 * person's file must hold a testcase: an empty file and a text file that
 * never names its mechanism (cut short) are errors here. */
int tc_load_file_ctx(const char *path, struct gc_testcase *out, int *is_text,
		     struct tc_context *ctx, char *err, size_t errlen);

/* The field table. */
enum tc_field_kind {
	TCF_MECHANISM, /* u8, printed by name */
	TCF_U64,       /* u64, hex */
	TCF_RFLAGS,    /* u64, hex with flag names in a comment */
	TCF_SELECTOR,  /* u16, hex */
	TCF_PREFIX,    /* u8, printed by name (enum gc_prefix) */
	TCF_DESCRIPTOR, /* u64 segment descriptor, hex, decoded in a comment */
};
struct tc_field {
	const char *name;  /* as in the text form: "rax", "ret.rip", "ss" */
	uint16_t offset;   /* into struct gc_testcase */
	uint8_t size;	   /* bytes */
	uint8_t kind;	   /* enum tc_field_kind */
	uint32_t ret_bit;  /* GC_RET_* for ret.* fields, else 0 */
	uint32_t xor_default; /* stored as value ^ this (0 = the default) */
};
extern const struct tc_field tc_fields[];
extern const size_t tc_nr_fields;

const struct tc_field *tc_field_by_name(const char *name);
uint64_t tc_field_get(const struct gc_testcase *tc, const struct tc_field *f);
void tc_field_set(struct gc_testcase *tc, const struct tc_field *f, uint64_t v);
/* Non-zero if the field holds something other than its default. */
int tc_field_is_set(const struct gc_testcase *tc, const struct tc_field *f);

/* "CF|ZF|IF|0x2"-style names for RFLAGS bits, for comments and diffs. */
void tc_format_rflags(uint64_t rflags, char *buf, size_t len);

#endif
