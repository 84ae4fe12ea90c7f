/* SPDX-License-Identifier: MIT */
/* The text form: round trips, error lines, and loading files. */
#include <stdlib.h>
#include <unistd.h>

#include "test.h"

#include "arch/processor-flags.h"
#include "arch/segment.h"
#include "testcase.h"

#define TC_SIZE sizeof(struct gc_testcase)
#define HDR	"gatecrash-testcase 1\n"

static uint64_t rng_state = 0x0123456789abcdefull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* A random normalized testcase; half the fields left at their default so
 * the printer's "only what differs" path is exercised both ways. */
static void random_testcase(struct gc_testcase *tc)
{
	uint8_t bytes[TC_SIZE];

	for (size_t i = 0; i < TC_SIZE; i++)
		bytes[i] = (uint8_t)rng();
	tc_decode(bytes, TC_SIZE, tc);
	for (size_t i = 0; i < tc_nr_fields; i++)
		if (!tc_fields[i].ret_bit && rng() & 1)
			memset((uint8_t *)tc + tc_fields[i].offset, 0,
			       tc_fields[i].size);
	tc_normalize(tc);
}

/* Prints tc to a malloc'd string. */
static char *print_to_string(const struct gc_testcase *tc, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	tc_print_text(f, tc);
	fclose(f);
	return buf;
}

static int parse(const char *text, struct gc_testcase *tc, char *err,
		 size_t errlen)
{
	return tc_parse_text(text, strlen(text), tc, err, errlen);
}

TEST(print_parse_round_trip)
{
	for (int i = 0; i < 10000; i++) {
		struct gc_testcase tc, back;
		char err[256];
		size_t len;
		char *text;

		random_testcase(&tc);
		text = print_to_string(&tc, &len);
		if (tc_parse_text(text, len, &back, err, sizeof(err))) {
			fprintf(stderr, "%s\n%s\n", err, text);
			free(text);
			FAIL("printed text did not parse");
		}
		if (memcmp(&tc, &back, TC_SIZE)) {
			fprintf(stderr, "%s", text);
			free(text);
			FAIL("round trip changed the testcase");
		}
		free(text);
	}
}

TEST(default_prints_only_mechanism)
{
	struct gc_testcase tc;
	size_t len;
	char *text;

	tc_default(&tc);
	text = print_to_string(&tc, &len);
	ASSERT_STREQ(text, "gatecrash-testcase 1\nmechanism = int80_64\n");
	free(text);
}

TEST(print_names_syscall_and_flags)
{
	struct gc_testcase tc;
	size_t len;
	char *text;

	tc_default(&tc);
	tc.mechanism = GC_MECH_SYSCALL64;
	tc.gpr[GC_RAX] = GC_SYS_SET_RETURN_STATE;
	tc.rflags |= X86_EFLAGS_DF;
	tc_field_set(&tc, tc_field_by_name("ret.rip"), 0x800000000000ull);
	tc_normalize(&tc);
	text = print_to_string(&tc, &len);
	ASSERT(strstr(text, "\nrax = 0x2 ") != NULL);
	ASSERT(strstr(text, "# set_return_state\n") != NULL);
	ASSERT(strstr(text, "# FIXED|IF|DF\n") != NULL);
	ASSERT(strstr(text, "\nret.rip = 0x800000000000\n") != NULL);
	ASSERT(strstr(text, "ret.rax") == NULL);
	free(text);
}

TEST(example_from_the_docs)
{
	static const char text[] =
		"gatecrash-testcase 1\n"
		"# comments start with '#', also after a value\n"
		"mechanism = syscall64\n"
		"rax = 0x2            # set_return_state\n"
		"rflags = 0x602       # IF|DF\n"
		"ret.rip = 0x800000000000\n"
		"ret.rcx = 0x800000000000\n";
	struct gc_testcase tc;
	char err[256];

	ASSERT_EQ(parse(text, &tc, err, sizeof(err)), 0);
	ASSERT_EQ(tc.mechanism, GC_MECH_SYSCALL64);
	ASSERT_EQ(tc.gpr[GC_RAX], 2);
	ASSERT_EQ(tc.rflags, 0x602);
	ASSERT_EQ(tc.ret_mask, GC_RET_RIP | GC_RET_GPR(GC_RCX));
	ASSERT_EQ(tc.ret.rip, 0x800000000000ull);
	ASSERT_EQ(tc.ret.gpr[GC_RCX], 0x800000000000ull);
	ASSERT_EQ(tc.sel[GC_CS], __USER_CS);
}

TEST(comments_blank_lines_and_crlf)
{
	static const char text[] =
		"gatecrash-testcase 1\r\n"
		"\r\n"
		"   # indented comment = with an equals sign\r\n"
		"\t\r\n"
		"  rbx\t=   12345   # trailing\r\n"
		"r15=0XfF\r\n"
		"ret.rax = 0";
	struct gc_testcase tc;
	char err[256];

	ASSERT_EQ(parse(text, &tc, err, sizeof(err)), 0);
	ASSERT_EQ(tc.gpr[GC_RBX], 12345);
	ASSERT_EQ(tc.gpr[GC_R15], 0xff);
	ASSERT_EQ(tc.ret_mask, GC_RET_GPR(GC_RAX)); /* set, even to 0 */
}

TEST(negative_and_flag_name_values)
{
	static const char text[] = "gatecrash-testcase 1\n"
				   "rsp = -8\n"
				   "r8 = -9223372036854775808\n"
				   "gs = -1\n" /* 0xffff, then normalized */
				   "ret.ss = -32768\n"
				   "ret.rflags = TF | rf|0x2|IOPL3 | 1\n"
				   "rflags = AC|DF|ID\n";
	struct gc_testcase tc;
	char err[256];

	ASSERT_EQ(parse(text, &tc, err, sizeof(err)), 0);
	ASSERT_EQ(tc.gpr[GC_RSP], 0xfffffffffffffff8ull);
	ASSERT_EQ(tc.gpr[GC_R8], 0x8000000000000000ull);
	ASSERT_EQ(tc.sel[GC_GS], 6); /* 0xffff % 25 = 10: LDT[0], RPL 2 */
	ASSERT_EQ(tc.ret.ss, 0x8000);
	ASSERT_EQ(tc.ret.rflags, X86_EFLAGS_TF | X86_EFLAGS_RF | 0x2 |
					 X86_EFLAGS_IOPL | X86_EFLAGS_CF);
	ASSERT_EQ(tc.rflags, X86_EFLAGS_AC | X86_EFLAGS_DF | X86_EFLAGS_ID |
				     X86_EFLAGS_FIXED | X86_EFLAGS_IF);
}

TEST(flag_names_match_the_sdm)
{
	/* Bit numbers from SDM Vol. 1 3.4.3, typed here, not taken from
	 * processor-flags.h, so a wrong name or bit there shows up. */
	static const struct {
		const char *name;
		uint64_t value;
	} flags[] = {
		{"CF", 1ull << 0},     {"FIXED", 1ull << 1},
		{"PF", 1ull << 2},     {"AF", 1ull << 4},
		{"ZF", 1ull << 6},     {"SF", 1ull << 7},
		{"TF", 1ull << 8},     {"IF", 1ull << 9},
		{"DF", 1ull << 10},    {"OF", 1ull << 11},
		{"IOPL0", 0},	       {"IOPL1", 1ull << 12},
		{"IOPL2", 2ull << 12}, {"IOPL3", 3ull << 12},
		{"NT", 1ull << 14},    {"RF", 1ull << 16},
		{"VM", 1ull << 17},    {"AC", 1ull << 18},
		{"VIF", 1ull << 19},   {"VIP", 1ull << 20},
		{"ID", 1ull << 21},
	};
	struct gc_testcase tc;
	char text[128], err[256], name[32];

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		snprintf(text, sizeof(text), HDR "ret.rflags = %s\n",
			 flags[i].name);
		ASSERT_EQ(parse(text, &tc, err, sizeof(err)), 0);
		ASSERT_EQ(tc.ret.rflags, flags[i].value);
		if (!flags[i].value)
			continue;
		tc_format_rflags(flags[i].value, name, sizeof(name));
		ASSERT_STREQ(name, flags[i].name);
	}
}

TEST(values_are_normalized)
{
	struct gc_testcase tc;
	char err[256];

	ASSERT_EQ(parse("gatecrash-testcase 1\nds = 0x32\nfs_base = "
			"0x800000000000\nmechanism = int80_compat\n",
			&tc, err, sizeof(err)),
		  0);
	ASSERT_EQ(tc.sel[GC_DS], 0);
	ASSERT_EQ(tc.fs_base, 0xffff800000000000ull);
	ASSERT_EQ(tc.sel[GC_CS], __USER32_CS);
}

/* Parses text that must fail, and checks the message starts with want. */
static int fails_with(const char *text, const char *want)
{
	struct gc_testcase tc;
	char err[256];

	if (!parse(text, &tc, err, sizeof(err))) {
		fprintf(stderr, "parsed but should not have: %s\n", text);
		return 0;
	}
	if (strncmp(err, want, strlen(want)) || strchr(err, '\n')) {
		fprintf(stderr, "error '%s' does not start with '%s'\n", err,
			want);
		return 0;
	}
	return 1;
}

TEST(prefix_by_name_and_debug_registers)
{
	struct gc_testcase tc;
	char err[256];
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT_EQ(parse("gatecrash-testcase 1\nmechanism = syscall64\n"
			"prefix = mov_ss\ndr0 = 0x40020000\ndr7 = 0x70002\n",
			&tc, err, sizeof(err)),
		  0);
	ASSERT_EQ(tc.dbg.prefix, GC_PREFIX_MOV_SS);
	ASSERT_EQ(tc.dbg.dr[0], 0x40020000);
	ASSERT_EQ(tc.dbg.dr7, 0x70002);
	f = open_memstream(&text, &len);
	ASSERT(f);
	tc_print_text(f, &tc);
	fclose(f);
	ASSERT(strstr(text, "\nprefix = mov_ss\n"));
	ASSERT(strstr(text, "\ndr7 = 0x70002\n"));
	free(text);
	ASSERT(fails_with("gatecrash-testcase 1\nprefix = sti\n",
			  "line 2: unknown prefix 'sti'"));
}

TEST(errors_name_their_line)
{
	ASSERT(fails_with("", "line 1: empty"));
	ASSERT(fails_with("gatecrash-testcase 2\n",
			  "line 1: text format "
			  "version '2' is not supported"));
	ASSERT(fails_with("rax = 1\n", "line 1: the first line must be"));
	ASSERT(fails_with(" gatecrash-testcase 1\n", "line 1: the first"));
	ASSERT(fails_with(HDR "\nrax 1\n", "line 3: expected 'name = value'"));
	ASSERT(fails_with(HDR "rip = 1\n", "line 2: unknown field 'rip'"));
	ASSERT(fails_with(HDR "rax = 1\n\nrax = 2\n",
			  "line 4: 'rax' is set twice (first on line 2)"));
	ASSERT(fails_with(HDR "rax = 1 2\n",
			  "line 2: 'rax': unexpected '2' after the value"));
	ASSERT(fails_with(HDR "rax = 0x\n",
			  "line 2: 'rax': expected a number"));
	ASSERT(fails_with(HDR "rax = \n", "line 2: missing value for 'rax'"));
	ASSERT(fails_with(HDR "= 5\n", "line 2: missing field name"));
	ASSERT(fails_with(HDR "ss = 0x10000\n",
			  "line 2: 'ss': 0x10000 does not fit in 16 bits"));
	ASSERT(fails_with(HDR "ret.cs = -32769\n",
			  "line 2: 'ret.cs': -32769 does not fit in 16 bits"));
	ASSERT(fails_with(HDR "rax = 18446744073709551616\n",
			  "line 2: 'rax': number does not fit in 64 bits"));
	ASSERT(fails_with(HDR "rax = 0x10000000000000000\n",
			  "line 2: 'rax': number does not fit in 64 bits"));
	ASSERT(fails_with(HDR "rax = -0x1\n", "line 2: 'rax': write a "
					      "negative number in decimal"));
	ASSERT(fails_with(HDR "mechanism = sysenter\n",
			  "line 2: unknown mechanism 'sysenter'"));
	ASSERT(fails_with(HDR "mechanism = syscall64 x\n",
			  "line 2: 'mechanism': unexpected 'x'"));
	ASSERT(fails_with(HDR "rflags = IF|XF\n",
			  "line 2: 'rflags': unknown flag 'XF'"));
	ASSERT(fails_with(HDR "rflags = IF|\n",
			  "line 2: 'rflags': expected a flag name or number"));
	ASSERT(fails_with(HDR "rflags = IF DF\n",
			  "line 2: 'rflags': unexpected 'DF'"));
	ASSERT(fails_with(HDR "rbx = 1\r\nrcx = 1\r\nr9 = z\r\n",
			  "line 4: 'r9': expected a number, got 'z'"));
}

/* Context lines (docs/testcase-format.md): read into tc_context, printed
 * back in the same order, and only before the first field. */
TEST(context_lines)
{
	static const char text[] = HDR "disable = sysexit_eip_fits,entry_clear_df\n"
				   "vendor = intel   # why\n"
				   "backend = kvm,tcg\n"
				   "mechanism = syscall64\nrax = 1\n";
	struct gc_testcase tc, back;
	struct tc_context ctx, ctx2;
	char err[256], *buf = NULL;
	size_t len;
	FILE *f;

	ASSERT_EQ(tc_parse_text_ctx(text, strlen(text), &tc, &ctx, err,
				    sizeof(err)),
		  0);
	ASSERT_STREQ(ctx.disable, "sysexit_eip_fits,entry_clear_df");
	ASSERT_STREQ(ctx.vendor, "intel");
	ASSERT_STREQ(ctx.backend, "kvm,tcg");
	ASSERT_EQ(ctx.mechanism_line, 5);
	f = open_memstream(&buf, &len);
	tc_print_text_ctx(f, &tc, &ctx);
	fclose(f);
	ASSERT_EQ(tc_parse_text_ctx(buf, len, &back, &ctx2, err, sizeof(err)),
		  0);
	ASSERT(!memcmp(&ctx, &ctx2, sizeof(ctx)));
	ASSERT(!memcmp(&tc, &back, sizeof(tc)));
	free(buf);
	/* The plain parser takes them too (and drops them). */
	ASSERT_EQ(parse(text, &tc, err, sizeof(err)), 0);
	ASSERT(fails_with(HDR "rax = 1\nvendor = amd\n",
			  "line 3: 'vendor' is a context line: put it before "
			  "the first field (line 2)"));
	ASSERT(fails_with(HDR "vendor = amd\nvendor = amd\n",
			  "line 3: 'vendor' is given twice"));
	ASSERT(fails_with(HDR "disable =\n", "line 2: missing value"));
	ASSERT(fails_with(HDR "backend = tcg; rm -rf\n",
			  "line 2: 'backend': expected a name"));
}

TEST(error_inside_a_line_without_newline)
{
	/* The text need not be NUL-terminated: parse a prefix only. */
	static const char text[] = HDR "rax = 1\nrbx = 2junk";
	struct gc_testcase tc;
	char err[128];

	ASSERT_EQ(tc_parse_text(text, strlen(HDR) + 8, &tc, err, sizeof(err)),
		  0);
	ASSERT_EQ(tc.gpr[GC_RAX], 1);
	/* "rbx = 2junk" cut to "rbx = 2" */
	ASSERT_EQ(tc_parse_text(text, strlen(text) - 4, &tc, err, sizeof(err)),
		  0);
	ASSERT_EQ(tc.gpr[GC_RBX], 2);
	ASSERT(fails_with(text, "line 3: 'rbx': unexpected 'junk'"));
}

TEST(nul_byte_is_an_error)
{
	static const char text[] = HDR "rax = 1\0junk\n";
	struct gc_testcase tc;
	char err[128];

	ASSERT_EQ(tc_parse_text(text, sizeof(text) - 1, &tc, err, sizeof(err)),
		  -1);
	ASSERT_STREQ(err, "line 2: contains a NUL byte");
}

/* Files. */

static char tmpdir[] = "/tmp/gc-test-text-XXXXXX";
static const char *const tmp_names[] = {"a.tc",	 "bad.tc",	"bin",
					"short", "noheader.tc", "header.txt"};

static void remove_tmpdir(void)
{
	char path[256];

	for (size_t i = 0; i < sizeof(tmp_names) / sizeof(tmp_names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, tmp_names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

/* Writes data to a file called name (one of tmp_names) in a temporary
 * directory that is removed at exit. */
static const char *tmp_file(const char *name, const void *data, size_t len)
{
	static char path[256];
	static int made;
	FILE *f;

	if (!made) {
		if (!mkdtemp(tmpdir))
			return NULL;
		atexit(remove_tmpdir);
		made = 1;
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	if (!f)
		return NULL;
	fwrite(data, 1, len, f);
	fclose(f);
	return path;
}

TEST(load_text_file)
{
	static const char text[] = HDR "mechanism = syscall64\nrdx = 7\n";
	const char *path = tmp_file("a.tc", text, strlen(text));
	struct gc_testcase tc;
	char err[256];
	int is_text = -1;

	ASSERT(path);
	ASSERT_EQ(tc_load_file(path, &tc, &is_text, err, sizeof(err)), 0);
	ASSERT_EQ(is_text, 1);
	ASSERT_EQ(tc.mechanism, GC_MECH_SYSCALL64);
	ASSERT_EQ(tc.gpr[GC_RDX], 7);
}

TEST(load_text_file_error_names_file_and_line)
{
	static const char text[] = HDR "\nrdx = 7 8\n";
	const char *path = tmp_file("bad.tc", text, strlen(text));
	struct gc_testcase tc;
	char err[512], want[512];
	int is_text;

	ASSERT(path);
	ASSERT_EQ(tc_load_file(path, &tc, &is_text, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
		 "%s: line 3: 'rdx': unexpected '8' "
		 "after the value",
		 path);
	ASSERT_STREQ(err, want);
}

TEST(load_binary_file)
{
	struct gc_testcase tc, back;
	uint8_t bytes[TC_SIZE];
	const char *path;
	char err[256];
	int is_text = -1;

	random_testcase(&tc);
	tc_encode(&tc, bytes);
	/* A binary file named .tc is still binary if it has no header. */
	path = tmp_file("bin", bytes, sizeof(bytes));
	ASSERT(path);
	ASSERT_EQ(tc_load_file(path, &back, &is_text, err, sizeof(err)), 0);
	ASSERT_EQ(is_text, 0);
	ASSERT(!memcmp(&tc, &back, TC_SIZE));
}

TEST(load_truncated_binary_file)
{
	uint8_t bytes[10] = {0, GC_MECH_INT80_COMPAT, 0, 0, 0, 0, 0, 0, 5};
	const char *path = tmp_file("short", bytes, sizeof(bytes));
	struct gc_testcase tc;
	char err[256];
	int is_text;

	ASSERT(path);
	ASSERT_EQ(tc_load_file(path, &tc, &is_text, err, sizeof(err)), 0);
	ASSERT_EQ(is_text, 0);
	ASSERT_EQ(tc.mechanism, GC_MECH_INT80_COMPAT);
	ASSERT_EQ(tc.gpr[GC_RAX], 5);
	ASSERT_EQ(tc.sel[GC_CS], __USER32_CS);
}

TEST(load_tc_without_header_is_binary)
{
	static const char text[] = "gatecrash-testcase 1 \nrax = 1\n";
	const char *path = tmp_file("noheader.tc", text, strlen(text));
	struct gc_testcase tc, expect;
	char err[256];
	int is_text = -1;

	ASSERT(path);
	ASSERT_EQ(tc_load_file(path, &tc, &is_text, err, sizeof(err)), 0);
	ASSERT_EQ(is_text, 0);
	tc_decode((const uint8_t *)text, strlen(text), &expect);
	ASSERT(!memcmp(&tc, &expect, TC_SIZE));
}

TEST(load_text_without_tc_suffix_is_binary)
{
	static const char text[] = HDR "rax = 1\n";
	const char *path = tmp_file("header.txt", text, strlen(text));
	struct gc_testcase tc;
	char err[256];
	int is_text = -1;

	ASSERT(path);
	ASSERT_EQ(tc_load_file(path, &tc, &is_text, err, sizeof(err)), 0);
	ASSERT_EQ(is_text, 0);
}

TEST(load_unreadable_path)
{
	struct gc_testcase tc;
	char err[256];
	int is_text;

	ASSERT_EQ(tc_load_file("/nonexistent/x.tc", &tc, &is_text, err,
			       sizeof(err)),
		  -1);
	ASSERT_STREQ(err, "cannot read /nonexistent/x.tc: No such file or "
			  "directory");
	ASSERT_EQ(tc_load_file("/", &tc, &is_text, err, sizeof(err)), -1);
	ASSERT_STREQ(err, "cannot read /: Is a directory");
}
