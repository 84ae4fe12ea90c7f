/* SPDX-License-Identifier: MIT */
/* The binary codec: decoding never fails, always normalizes, round-trips. */
#include "test.h"

#include "arch/processor-flags.h"
#include "arch/segment.h"
#include "testcase.h"

#define TC_SIZE sizeof(struct gc_testcase)

/* xorshift64*: a fixed, portable sequence, so a failure reproduces. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void random_bytes(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)rng();
}

static int is_canonical(uint64_t addr)
{
	uint64_t top = addr >> 47;

	return top == 0 || top == 0x1ffff;
}

static int in_set(uint16_t v, const uint16_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == v)
			return 1;
	return 0;
}

/* What Linux's ptrace would accept, checked field by field. */
static int dbg_is_normalized(const struct gc_debug_ext *d)
{
	static const unsigned len_bytes[4] = {1, 2, 8, 4};

	if (d->prefix >= GC_PREFIX_COUNT)
		return 0;
	for (unsigned i = 0; i < sizeof(d->reserved); i++)
		if (d->reserved[i])
			return 0;
	if (d->dr7 & ~(GC_DR7_ENABLE_MASK | GC_DR7_RW_LEN_MASK))
		return 0; /* GD, LE/GE, reserved */
	for (unsigned n = 0; n < 4; n++) {
		unsigned rw = (d->dr7 >> GC_DR7_RW_SHIFT(n)) & 3;
		unsigned len = (d->dr7 >> GC_DR7_LEN_SHIFT(n)) & 3;
		uint64_t a = d->dr[n];

		if (rw == 2 || (rw == 0 && len != 0))
			return 0; /* I/O, or a wide instruction breakpoint */
		if (a && (a < 0x40000000ull || a >= 0x00007ffffffff000ull))
			return 0; /* not a user address */
		if (a & (len_bytes[len] - 1))
			return 0;
		if (rw == 0 && a >= GC_USER_CODE_VA && a < GC_USER_LANDING)
			return 0;
	}
	return 1;
}

TEST(random_inputs_decode_normalized_and_round_trip)
{
	/* Null with each RPL, the user GDT selectors, DPL 0 data, every LDT
	 * entry with each RPL and one beyond the LDT. */
	static const uint16_t data_ok[] = {
		0, 1, 2, 3, __USER_DS, __USER32_CS, __USER_CS,
		__KERNEL_DS | 3, 0x4, 0x5, 0x6, 0x7, 0xc, 0xd, 0xe, 0xf,
		0x14, 0x15, 0x16, 0x17, 0x1c, 0x1d, 0x1e, 0x1f, 0x27};
	static const uint16_t ss_ok[] = {
		__USER_DS, __USER_DS & ~3, 3, __USER32_CS, __USER_CS,
		__KERNEL_DS, __KERNEL_DS | 3, 0x7, 0xf, 0x17, 0x1f, 0x27};
	const size_t n_data = sizeof(data_ok) / sizeof(data_ok[0]);
	const size_t n_ss = sizeof(ss_ok) / sizeof(ss_ok[0]);
	uint8_t in[2 * TC_SIZE], out[TC_SIZE], again[TC_SIZE];

	for (int i = 0; i < 100000; i++) {
		size_t len = (size_t)(rng() % (2 * TC_SIZE + 1));
		struct gc_testcase tc, tc2;

		random_bytes(in, len);
		tc_decode(in, len, &tc);
		memcpy(out, &tc, TC_SIZE);
		tc_normalize(&tc);
		ASSERT(!memcmp(out, &tc, TC_SIZE));
		tc_encode(&tc, again);
		ASSERT(!memcmp(out, again, TC_SIZE));
		tc_decode(again, TC_SIZE, &tc2);
		ASSERT(!memcmp(&tc, &tc2, TC_SIZE));
		/* Invariants, independently of how normalize gets there. */
		ASSERT(tc.mechanism < GC_MECH_COUNT);
		ASSERT(is_canonical(tc.fs_base) && is_canonical(tc.gs_base));
		ASSERT(tc.rflags & X86_EFLAGS_IF);
		ASSERT(in_set(tc.sel[GC_SS], ss_ok, n_ss));
		ASSERT_EQ(tc.sel[GC_CS], tc_mode_cs(tc_mode(&tc)));
		ASSERT(in_set(tc.sel[GC_DS], data_ok, n_data));
		ASSERT(in_set(tc.sel[GC_GS], data_ok, n_data));
		ASSERT_EQ(tc.ret_mask & ~GC_RET_ALL, 0);
		ASSERT(dbg_is_normalized(&tc.dbg));
		ASSERT_EQ(tc.seg.flags & ~GC_SEG_PROBE_SS, 0);
	}
}

TEST(short_input_keeps_its_prefix)
{
	uint8_t in[TC_SIZE];
	struct gc_testcase tc;

	memset(in, 0, sizeof(in));
	in[1] = GC_MECH_SYSCALL64;
	in[8] = 0x42; /* rax, low byte */
	tc_decode(in, 9, &tc);
	ASSERT_EQ(tc.mechanism, GC_MECH_SYSCALL64);
	ASSERT_EQ(tc.gpr[GC_RAX], 0x42);
	ASSERT_EQ(tc.gpr[GC_RCX], 0);
}

TEST(empty_input_is_default)
{
	struct gc_testcase a, b, z;
	uint8_t zeros[TC_SIZE] = {0};

	tc_decode(NULL, 0, &a);
	tc_default(&b);
	ASSERT(!memcmp(&a, &b, TC_SIZE));
	tc_decode(zeros, sizeof(zeros), &z);
	ASSERT(!memcmp(&a, &z, TC_SIZE));
	ASSERT_EQ(a.version, GC_TESTCASE_VERSION);
	ASSERT_EQ(a.mechanism, GC_MECH_INT80_64);
	ASSERT_EQ(a.rflags, 0x202);
	ASSERT_EQ(a.sel[GC_CS], __USER_CS);
	ASSERT_EQ(a.sel[GC_SS], __USER_DS);
	ASSERT_EQ(a.sel[GC_DS] | a.sel[GC_ES] | a.sel[GC_FS] | a.sel[GC_GS], 0);
	ASSERT_EQ(a.ret_mask, 0);
}

TEST(long_input_is_truncated)
{
	uint8_t in[TC_SIZE + 16];
	struct gc_testcase a, b;

	random_bytes(in, sizeof(in));
	tc_decode(in, sizeof(in), &a);
	tc_decode(in, TC_SIZE, &b);
	ASSERT(!memcmp(&a, &b, TC_SIZE));
}

TEST(mechanism_wraps)
{
	struct gc_testcase tc;

	tc_default(&tc);
	tc.mechanism = 202;
	tc_normalize(&tc);
	ASSERT_EQ(tc.mechanism, 202 % GC_MECH_COUNT);
	ASSERT_EQ(tc.mechanism, GC_MECH_INT3); /* 202 % 11 */
}

TEST(rflags_keeps_only_what_user_mode_holds)
{
	struct gc_testcase tc;

	tc_default(&tc);
	tc.rflags = ~0ull;
	tc_normalize(&tc);
	/* CF PF AF ZF SF TF DF OF NT AC ID, plus FIXED and IF. */
	ASSERT_EQ(tc.rflags, 0x244fd7);
	tc.rflags = 0;
	tc_normalize(&tc);
	ASSERT_EQ(tc.rflags, X86_EFLAGS_FIXED | X86_EFLAGS_IF);
}

TEST(ret_rflags_is_left_alone)
{
	struct gc_testcase tc;

	tc_default(&tc);
	tc.ret_mask = GC_RET_RFLAGS;
	tc.ret.rflags = ~0ull;
	tc_normalize(&tc);
	ASSERT_EQ(tc.ret.rflags, ~0ull);
}

TEST(bases_become_canonical)
{
	struct gc_testcase tc;

	tc_default(&tc);
	tc.fs_base = 0x0000800000000000ull;
	tc.gs_base = 0x12347fffdeadbeefull;
	tc_normalize(&tc);
	ASSERT_EQ(tc.fs_base, 0xffff800000000000ull);
	ASSERT_EQ(tc.gs_base, 0x00007fffdeadbeefull);
}

TEST(selectors_outside_their_set_are_mapped_into_it)
{
	struct gc_testcase tc;

	tc_default(&tc);
	tc.sel[GC_DS] = 0x32;	     /* 50 % 25 = 0: null */
	tc.sel[GC_ES] = 0x10;	     /* kernel CS: 16 % 25: LDT[2] RPL 0 */
	tc.sel[GC_FS] = __USER32_CS; /* allowed: stays */
	tc.sel[GC_GS] = 0x7;	     /* LDT[0] RPL 3: allowed, stays */
	tc.sel[GC_SS] = 0;	     /* 0 % 12 = 0: USER_DS, the default */
	tc.sel[GC_CS] = 0x1234;
	tc.mechanism = GC_MECH_INT80_COMPAT;
	tc_normalize(&tc);
	ASSERT_EQ(tc.sel[GC_DS], 0);
	ASSERT_EQ(tc.sel[GC_ES], 0x14);
	ASSERT_EQ(tc.sel[GC_FS], __USER32_CS);
	ASSERT_EQ(tc.sel[GC_GS], 0x7);
	ASSERT_EQ(tc.sel[GC_SS], __USER_DS);
	ASSERT_EQ(tc.sel[GC_CS], __USER32_CS);
	ASSERT_EQ(tc_mode(&tc), GC_MODE_COMPAT);
}

TEST(unmasked_ret_fields_are_zeroed)
{
	struct gc_testcase tc;

	tc_default(&tc);
	tc.ret_mask = GC_RET_GPR(GC_RCX) | (1u << 31);
	tc.ret.gpr[GC_RCX] = 0x1111;
	tc.ret.gpr[GC_RAX] = 0x2222;
	tc.ret.rip = 0x3333;
	tc.ret.ss = 0x44;
	tc.ret.reserved = 5;
	tc.reserved1 = 6;
	tc.reserved0[1] = 7;
	tc.version = 9;
	tc_normalize(&tc);
	ASSERT_EQ(tc.ret_mask, GC_RET_GPR(GC_RCX));
	ASSERT_EQ(tc.ret.gpr[GC_RCX], 0x1111);
	ASSERT_EQ(tc.ret.gpr[GC_RAX], 0);
	ASSERT_EQ(tc.ret.rip, 0);
	ASSERT_EQ(tc.ret.ss, 0);
	ASSERT_EQ(tc.ret.reserved | tc.reserved1 | tc.reserved0[1], 0);
	ASSERT_EQ(tc.version, GC_TESTCASE_VERSION);
}

/* The call gate's deltas: clamped to what the kernel uses, and zero for a
 * mechanism that has no gate (so equal testcases are equal bytes). */
TEST(gate_fields_are_clamped_and_only_for_call_gate)
{
	struct gc_testcase tc;

	tc_default(&tc);
	memset(&tc.gate, 0xff, sizeof(tc.gate));
	tc.mechanism = GC_MECH_CALL_GATE;
	tc_normalize(&tc);
	ASSERT_EQ(tc.gate.dpl_xor, 3);
	ASSERT_EQ(tc.gate.type_xor, 0xf);
	ASSERT_EQ(tc.gate.not_present, 1);
	ASSERT_EQ(tc.gate.upper_type, 0x1f);
	ASSERT_EQ(tc.gate.target, 0xff % GC_GATE_TARGET_COUNT);
	ASSERT_EQ(tc.gate.target_rpl, 3);
	ASSERT_EQ(tc.gate.offset_high, 0xffff);

	tc.mechanism = GC_MECH_SYSCALL64;
	tc_normalize(&tc);
	ASSERT_EQ(tc.gate.dpl_xor | tc.gate.type_xor | tc.gate.not_present |
			  tc.gate.upper_type | tc.gate.target |
			  tc.gate.target_rpl | tc.gate.offset_high,
		  0);
}

/* An input from before the gate fields (328 bytes) decodes as the
 * well-formed gate. */
TEST(short_input_without_gate_is_the_default_gate)
{
	struct gc_testcase tc, full;
	uint8_t buf[sizeof(tc)];

	tc_default(&full);
	full.mechanism = GC_MECH_CALL_GATE;
	full.gate.not_present = 1;
	tc_normalize(&full);
	memcpy(buf, &full, sizeof(buf));
	tc_decode(buf, offsetof(struct gc_testcase, gate), &tc);
	ASSERT_EQ(tc.mechanism, GC_MECH_CALL_GATE);
	ASSERT_EQ(tc.gate.not_present, 0);
	tc_decode(buf, sizeof(buf), &tc);
	ASSERT_EQ(tc.gate.not_present, 1);
}

TEST(mechanism_names)
{
	ASSERT_STREQ(tc_mechanism_name(GC_MECH_INT80_64), "int80_64");
	ASSERT_STREQ(tc_mechanism_name(GC_MECH_INT80_COMPAT), "int80_compat");
	ASSERT_STREQ(tc_mechanism_name(GC_MECH_SYSCALL64), "syscall64");
	ASSERT_STREQ(tc_mechanism_name(GC_MECH_SYSCALL_COMPAT),
		     "syscall_compat");
	ASSERT_STREQ(tc_mechanism_name(GC_MECH_INT3), "int3");
	ASSERT_STREQ(tc_mechanism_name(GC_MECH_INT_3), "int_3");
	ASSERT_STREQ(tc_mechanism_name(GC_MECH_INTO), "into");
	ASSERT_STREQ(tc_mechanism_name(GC_MECH_INT_1), "int_1");
	ASSERT_STREQ(tc_mechanism_name(GC_MECH_COUNT), "?");
	for (unsigned m = 0; m < GC_MECH_COUNT; m++) {
		char text[96], err[160];
		struct gc_testcase tc;

		snprintf(text, sizeof(text),
			 "gatecrash-testcase 1\nmechanism = %s\n",
			 tc_mechanism_name(m));
		ASSERT_EQ(tc_parse_text(text, strlen(text), &tc, err,
					sizeof(err)),
			  0);
		ASSERT_EQ(tc.mechanism, m);
	}
	{
		static const char bad[] =
			"gatecrash-testcase 1\nmechanism = sysenter\n";
		char err[512];
		struct gc_testcase tc;

		ASSERT_EQ(tc_parse_text(bad, strlen(bad), &tc, err,
					sizeof(err)),
			  -1);
		/* The error lists every name, the one meant among them. */
		ASSERT(strstr(err, "sysenter_compat"));
		ASSERT(strstr(err, "int3_prefixed"));
	}
	ASSERT_EQ(tc_mode_cs(GC_MODE_64), __USER_CS);
	ASSERT_EQ(tc_mode_cs(GC_MODE_COMPAT), __USER32_CS);
}

TEST(debug_registers_are_what_ptrace_accepts)
{
	struct gc_testcase tc;

	tc_default(&tc);
	ASSERT_EQ(tc.dbg.prefix, GC_PREFIX_NONE); /* zero: off, as before */
	ASSERT_EQ(tc.dbg.dr7, 0);
	ASSERT_EQ(tc.dbg.dr[0], 0);

	tc.dbg.prefix = GC_PREFIX_COUNT + GC_PREFIX_MOV_SS;
	tc.dbg.dr7 = 0xffffffffffffffffull; /* GD, LE/GE, RW 11 LEN 11 */
	tc.dbg.dr[0] = 0x40020001;	    /* misaligned for LEN 4 */
	tc.dbg.dr[1] = 0xffffffff81000000ull; /* a kernel address */
	tc_normalize(&tc);
	ASSERT_EQ(tc.dbg.prefix, GC_PREFIX_MOV_SS);
	ASSERT_EQ(tc.dbg.dr7, 0xffff00ffull);
	ASSERT_EQ(tc.dbg.dr[0], 0x40020000);
	ASSERT(tc.dbg.dr[1] >= 0x40000000ull &&
	       tc.dbg.dr[1] < 0x00007ffffffff000ull);

	/* RW 10 (I/O) becomes read/write; an instruction breakpoint has
	 * LEN 1 and is moved off the bytes only one run executes. */
	tc.dbg.dr7 = (2ull << GC_DR7_RW_SHIFT(2)) | (0ull << GC_DR7_RW_SHIFT(3)) |
		     (3ull << GC_DR7_LEN_SHIFT(3)) | 0xf0;
	tc.dbg.dr[3] = GC_USER_LANDING - 2;
	tc_normalize(&tc);
	ASSERT_EQ((tc.dbg.dr7 >> GC_DR7_RW_SHIFT(2)) & 3, 3);
	ASSERT_EQ((tc.dbg.dr7 >> GC_DR7_LEN_SHIFT(3)) & 3, 0);
	ASSERT_EQ(tc.dbg.dr[3], GC_USER_LANDING);
	ASSERT(dbg_is_normalized(&tc.dbg));
}

TEST(field_table_covers_the_struct)
{
	/* Every byte the table names is inside the struct, and no two fields
	 * overlap; every ret bit appears exactly once. */
	uint8_t owner[TC_SIZE] = {0};
	uint32_t ret_bits = 0;

	/* ... then prefix, dr0-dr3, dr7; seg.ldt*, seg.flags, fcw, mxcsr,
	 * xmm0_lo, xmm0_hi; gate.*. */
	ASSERT_EQ(tc_nr_fields, 1 + 16 + 3 + 6 + 16 + 4 + 6 + GC_LDT_ENTRIES +
					1 + 4 + 7);
	for (size_t i = 0; i < tc_nr_fields; i++) {
		const struct tc_field *f = &tc_fields[i];

		ASSERT(f->offset + f->size <= TC_SIZE);
		for (unsigned b = 0; b < f->size; b++)
			ASSERT(!owner[f->offset + b]++);
		ASSERT(!(ret_bits & f->ret_bit));
		ret_bits |= f->ret_bit;
		ASSERT(tc_field_by_name(f->name) == f);
		ASSERT_EQ(!!f->ret_bit, !strncmp(f->name, "ret.", 4));
	}
	ASSERT_EQ(ret_bits, GC_RET_ALL);
	ASSERT(tc_field_by_name("rip") == NULL);
}

TEST(field_get_set)
{
	const struct tc_field *rdi = tc_field_by_name("rdi");
	const struct tc_field *gs = tc_field_by_name("gs");
	const struct tc_field *ret_r11 = tc_field_by_name("ret.r11");
	const struct tc_field *mech = tc_field_by_name("mechanism");
	struct gc_testcase tc;

	ASSERT(rdi && gs && ret_r11 && mech);
	tc_default(&tc);
	tc_field_set(&tc, rdi, 0x1122334455667788ull);
	ASSERT_EQ(tc.gpr[GC_RDI], 0x1122334455667788ull);
	ASSERT_EQ(tc_field_get(&tc, rdi), 0x1122334455667788ull);
	tc_field_set(&tc, gs, 0xabcdef);
	ASSERT_EQ(tc.sel[GC_GS], 0xcdef); /* a u16: truncated */
	ASSERT_EQ(tc.sel[GC_FS], 0);	  /* and no spill */
	ASSERT_EQ(tc.ret_mask, 0);
	tc_field_set(&tc, ret_r11, 0);
	ASSERT_EQ(tc.ret_mask, GC_RET_GPR(GC_R11));
	ASSERT(tc_field_is_set(&tc, ret_r11));
	tc_field_set(&tc, mech, GC_MECH_SYSCALL64);
	ASSERT_EQ(tc.mechanism, GC_MECH_SYSCALL64);
}

TEST(field_is_set_against_defaults)
{
	struct gc_testcase tc;

	tc_default(&tc);
	for (size_t i = 0; i < tc_nr_fields; i++)
		ASSERT(!tc_field_is_set(&tc, &tc_fields[i]));
	tc.mechanism = GC_MECH_INT80_COMPAT;
	tc_normalize(&tc);
	/* CS follows the mode: never "set" by itself. */
	ASSERT(!tc_field_is_set(&tc, tc_field_by_name("cs")));
	ASSERT(tc_field_is_set(&tc, tc_field_by_name("mechanism")));
	tc.rflags |= X86_EFLAGS_DF;
	ASSERT(tc_field_is_set(&tc, tc_field_by_name("rflags")));
	tc.ret.rip = 5; /* not in ret_mask: not set */
	ASSERT(!tc_field_is_set(&tc, tc_field_by_name("ret.rip")));
}

TEST(format_rflags)
{
	char buf[128];

	tc_format_rflags(0x202, buf, sizeof(buf));
	ASSERT_STREQ(buf, "FIXED|IF");
	tc_format_rflags(0x3246, buf, sizeof(buf));
	ASSERT_STREQ(buf, "FIXED|PF|ZF|IF|IOPL3");
	tc_format_rflags(0, buf, sizeof(buf));
	ASSERT_STREQ(buf, "0");
	tc_format_rflags(0x8000000000000009ull, buf, sizeof(buf));
	ASSERT_STREQ(buf, "CF|0x8000000000000008");
	tc_format_rflags(~0ull, buf, 8); /* truncates, stays terminated */
	ASSERT(strlen(buf) < 8);
}
