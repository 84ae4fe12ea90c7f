/* SPDX-License-Identifier: MIT */
/*
 * Printing the text form: the header, the mechanism, then only what differs
 * from the defaults, so a testcase reads as "what is special about it".
 * Comments name what a number means; the parser ignores them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arch/segment.h"
#include "testcase.h"

#define COMMENT_COLUMN 32

static const char *syscall_name(uint64_t rax)
{
	static const char *const names[GC_SYS_COUNT] = {
		[GC_SYS_NOP] = "nop",
		[GC_SYS_GETPID] = "getpid",
		[GC_SYS_SET_RETURN_STATE] = "set_return_state",
		[GC_SYS_MODIFY_LDT] = "modify_ldt",
		[GC_SYS_IOPL] = "iopl",
	};

	/* The kernel dispatches on EAX. */
	return (uint32_t)rax < GC_SYS_COUNT ? names[(uint32_t)rax] : NULL;
}

static const char *gdt_selector_name(uint16_t sel)
{
	static const struct {
		uint16_t sel;
		const char *name;
	} names[] = {
		{__KERNEL32_CS, "KERNEL32_CS"},
		{__KERNEL_CS, "KERNEL_CS"},
		{__KERNEL_DS, "KERNEL_DS"},
		{__USER32_CS, "USER32_CS"},
		{__USER_DS, "USER_DS"},
		{__USER_CS, "USER_CS"},
		{__TSS_SEL, "TSS"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].sel == sel)
			return names[i].name;
	return NULL;
}

/* "USER_DS", "null RPL2", "GDT[7] RPL3", "LDT[1] RPL3". */
static void describe_selector(uint16_t sel, char *buf, size_t len)
{
	const char *name = gdt_selector_name(sel);
	unsigned index = sel >> 3, rpl = sel & SEG_RPL_MASK;

	if (name)
		snprintf(buf, len, "%s", name);
	else if (!(sel & ~SEG_RPL_MASK))
		snprintf(buf, len, "null RPL%u", rpl);
	else
		snprintf(buf, len, "%s[%u] RPL%u",
			 sel & SEG_TI_LDT ? "LDT" : "GDT", index, rpl);
}

/* "data16 RW DPL3 base 0x0 limit 0xffff", "code64 XR DPL3 not-present". */
static void describe_descriptor(uint64_t d, char *buf, size_t len)
{
	unsigned type = (d >> 40) & 0xf, s = (d >> 44) & 1, dpl = (d >> 45) & 3;
	unsigned p = (d >> 47) & 1, l = (d >> 53) & 1, db = (d >> 54) & 1;
	unsigned g = (d >> 55) & 1, code = type & 8;
	uint32_t base = ((d >> 16) & 0xffffff) | ((d >> 56) << 24);
	uint32_t limit = (d & 0xffff) | (((d >> 48) & 0xf) << 16);

	if (!d) {
		snprintf(buf, len, "empty");
		return;
	}
	if (!s) {
		snprintf(buf, len, "system type 0x%x (modify_ldt refuses it)",
			 type);
		return;
	}
	snprintf(buf, len, "%s%s %s%s%s DPL%u base 0x%x limit 0x%x%s%s",
		 code ? "code" : "data",
		 code && l ? "64" : db ? "32" : "16",
		 code ? "X" : "", type & 2 ? (code ? "R" : "RW") : "",
		 type & 4 ? (code ? " conforming" : " expand-down") : "", dpl,
		 base, limit, g ? " pages" : "", p ? "" : " not-present");
}

static void field_comment(const struct tc_field *f, uint64_t v, char *buf,
			  size_t len)
{
	const char *name;

	buf[0] = '\0';
	if (f->kind == TCF_RFLAGS) {
		tc_format_rflags(v, buf, len);
	} else if (f->kind == TCF_SELECTOR) {
		describe_selector((uint16_t)v, buf, len);
	} else if (f->kind == TCF_DESCRIPTOR) {
		describe_descriptor(v, buf, len);
	} else if (!strcmp(f->name, "rax")) {
		name = syscall_name(v);
		if (name)
			snprintf(buf, len, "%s", name);
	}
}

static void print_field(FILE *f, const struct gc_testcase *tc,
			const struct tc_field *field)
{
	uint64_t v = tc_field_get(tc, field);
	char line[64], comment[160];
	const char *mech;

	if (field->kind == TCF_MECHANISM) {
		/* An out-of-range mechanism only exists before normalizing;
		 * print it as it is rather than hide it. */
		mech = tc_mechanism_name((unsigned)v);
		if (v < GC_MECH_COUNT)
			fprintf(f, "%s = %s\n", field->name, mech);
		else
			fprintf(f, "%s = %" PRIu64 "\n", field->name, v);
		return;
	}
	if (field->kind == TCF_PREFIX && v < GC_PREFIX_COUNT) {
		fprintf(f, "%s = %s\n", field->name, tc_prefix_name((unsigned)v));
		return;
	}
	snprintf(line, sizeof(line), "%s = 0x%" PRIx64, field->name, v);
	field_comment(field, v, comment, sizeof(comment));
	if (comment[0])
		fprintf(f, "%-*s # %s\n", COMMENT_COLUMN - 1, line, comment);
	else
		fprintf(f, "%s\n", line);
}

void tc_print_text(FILE *f, const struct gc_testcase *tc)
{
	tc_print_text_ctx(f, tc, NULL);
}

void tc_print_text_ctx(FILE *f, const struct gc_testcase *tc,
		       const struct tc_context *ctx)
{
	fprintf(f, "%s\n", TC_TEXT_HEADER);
	if (ctx && ctx->disable[0])
		fprintf(f, "disable = %s\n", ctx->disable);
	if (ctx && ctx->vendor[0])
		fprintf(f, "vendor = %s\n", ctx->vendor);
	if (ctx && ctx->backend[0])
		fprintf(f, "backend = %s\n", ctx->backend);
	for (size_t i = 0; i < tc_nr_fields; i++)
		if (tc_fields[i].kind == TCF_MECHANISM ||
		    tc_field_is_set(tc, &tc_fields[i]))
			print_field(f, tc, &tc_fields[i]);
}
