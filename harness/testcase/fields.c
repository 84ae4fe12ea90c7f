/* SPDX-License-Identifier: MIT */
/*
 * The field table: every named, settable value of a testcase, in the order
 * the text form prints them. The text codec, the minimizer, the mutator and
 * the diff printer all walk this one table.
 */
#include <stddef.h>
#include <string.h>

#include "testcase.h"

#define TC_OFF(member)	((uint16_t)offsetof(struct gc_testcase, member))
#define TC_SIZE(member) ((uint8_t)sizeof(((struct gc_testcase *)0)->member))

/* Kept by hand: clang-format spreads a one-line initializer over four. */
/* clang-format off */
#define FIELD(name, member, kind) \
	{ name, TC_OFF(member), TC_SIZE(member), kind, 0, 0 }
#define RET(name, member, kind, bit) \
	{ "ret." name, TC_OFF(ret.member), TC_SIZE(ret.member), kind, bit, 0 }
#define XOR_FIELD(name, member, dflt) \
	{ name, TC_OFF(member), TC_SIZE(member), TCF_U64, 0, dflt }
#define GPR(name, n) FIELD(name, gpr[n], TCF_U64)
#define SEL(name, n) FIELD(name, sel[n], TCF_SELECTOR)
/* clang-format on */
#define RET_GPR(name, n) RET(name, gpr[n], TCF_U64, GC_RET_GPR(n))

const struct tc_field tc_fields[] = {
	FIELD("mechanism", mechanism, TCF_MECHANISM),
	GPR("rax", GC_RAX),
	GPR("rcx", GC_RCX),
	GPR("rdx", GC_RDX),
	GPR("rbx", GC_RBX),
	GPR("rsp", GC_RSP),
	GPR("rbp", GC_RBP),
	GPR("rsi", GC_RSI),
	GPR("rdi", GC_RDI),
	GPR("r8", GC_R8),
	GPR("r9", GC_R9),
	GPR("r10", GC_R10),
	GPR("r11", GC_R11),
	GPR("r12", GC_R12),
	GPR("r13", GC_R13),
	GPR("r14", GC_R14),
	GPR("r15", GC_R15),
	FIELD("rflags", rflags, TCF_RFLAGS),
	FIELD("fs_base", fs_base, TCF_U64),
	FIELD("gs_base", gs_base, TCF_U64),
	SEL("es", GC_ES),
	SEL("cs", GC_CS),
	SEL("ss", GC_SS),
	SEL("ds", GC_DS),
	SEL("fs", GC_FS),
	SEL("gs", GC_GS),
	RET_GPR("rax", GC_RAX),
	RET_GPR("rcx", GC_RCX),
	RET_GPR("rdx", GC_RDX),
	RET_GPR("rbx", GC_RBX),
	RET_GPR("rsp", GC_RSP),
	RET_GPR("rbp", GC_RBP),
	RET_GPR("rsi", GC_RSI),
	RET_GPR("rdi", GC_RDI),
	RET_GPR("r8", GC_R8),
	RET_GPR("r9", GC_R9),
	RET_GPR("r10", GC_R10),
	RET_GPR("r11", GC_R11),
	RET_GPR("r12", GC_R12),
	RET_GPR("r13", GC_R13),
	RET_GPR("r14", GC_R14),
	RET_GPR("r15", GC_R15),
	RET("rip", rip, TCF_U64, GC_RET_RIP),
	RET("rflags", rflags, TCF_RFLAGS, GC_RET_RFLAGS),
	RET("cs", cs, TCF_SELECTOR, GC_RET_CS),
	RET("ss", ss, TCF_SELECTOR, GC_RET_SS),
	FIELD("prefix", dbg.prefix, TCF_PREFIX),
	FIELD("dr0", dbg.dr[0], TCF_U64),
	FIELD("dr1", dbg.dr[1], TCF_U64),
	FIELD("dr2", dbg.dr[2], TCF_U64),
	FIELD("dr3", dbg.dr[3], TCF_U64),
	FIELD("dr7", dbg.dr7, TCF_U64),
	FIELD("seg.ldt0", seg.ldt[0], TCF_DESCRIPTOR),
	FIELD("seg.ldt1", seg.ldt[1], TCF_DESCRIPTOR),
	FIELD("seg.ldt2", seg.ldt[2], TCF_DESCRIPTOR),
	FIELD("seg.ldt3", seg.ldt[3], TCF_DESCRIPTOR),
	FIELD("seg.flags", seg.flags, TCF_U64),
	XOR_FIELD("fcw", seg.fcw_xor_default, GC_FCW_DEFAULT),
	XOR_FIELD("mxcsr", seg.mxcsr_xor_default, GC_MXCSR_DEFAULT),
	FIELD("xmm0_lo", seg.xmm0[0], TCF_U64),
	FIELD("xmm0_hi", seg.xmm0[1], TCF_U64),
	FIELD("gate.dpl_xor", gate.dpl_xor, TCF_U64),
	FIELD("gate.type_xor", gate.type_xor, TCF_U64),
	FIELD("gate.not_present", gate.not_present, TCF_U64),
	FIELD("gate.upper_type", gate.upper_type, TCF_U64),
	FIELD("gate.target", gate.target, TCF_U64),
	FIELD("gate.target_rpl", gate.target_rpl, TCF_U64),
	FIELD("gate.offset_high", gate.offset_high, TCF_U64),
};
const size_t tc_nr_fields = sizeof(tc_fields) / sizeof(tc_fields[0]);

const struct tc_field *tc_field_by_name(const char *name)
{
	for (size_t i = 0; i < tc_nr_fields; i++)
		if (!strcmp(tc_fields[i].name, name))
			return &tc_fields[i];
	return NULL;
}

/* Little-endian host: the low f->size bytes of a u64 are the field. */
uint64_t tc_field_get(const struct gc_testcase *tc, const struct tc_field *f)
{
	uint64_t v = 0;

	memcpy(&v, (const uint8_t *)tc + f->offset, f->size);
	return v ^ f->xor_default;
}

void tc_field_set(struct gc_testcase *tc, const struct tc_field *f, uint64_t v)
{
	v ^= f->xor_default;
	memcpy((uint8_t *)tc + f->offset, &v, f->size);
	tc->ret_mask |= f->ret_bit;
}

/*
 * CS is not chosen but follows the mechanism, so its default is the mode's
 * CS: otherwise every compat testcase would show a "set" CS that nobody can
 * unset (the minimizer would chase it, the printer would print it).
 */
int tc_field_is_set(const struct gc_testcase *tc, const struct tc_field *f)
{
	struct gc_testcase def;

	if (f->ret_bit)
		return !!(tc->ret_mask & f->ret_bit);
	tc_default(&def);
	def.sel[GC_CS] = tc_mode_cs(tc_mode(tc));
	return tc_field_get(tc, f) != tc_field_get(&def, f);
}
