// SPDX-License-Identifier: MIT
/*
 * The structure-aware mutator (mutator.h). It walks tc_fields[] so every
 * mutation is "this field gets that value", and the decoder's normalization
 * keeps every output a testcase the harness can run.
 *
 * Why these operators: each defense of the test kernel guards a relation
 * between fields (RCX vs RIP, R11 vs RFLAGS, RIP vs the canonical
 * boundary, CS/SS vs STAR, DF/TF/RF in RFLAGS, RSP at SYSCALL entry), and
 * most of those relations are only reachable through set_return_state
 * (rax = 2) with ret.* fields set. So the mutator picks the fields those
 * checks read more often than the rest, knows the values at their
 * boundaries, and can copy one field of a SYSRET pair into the other.
 */
#include <string.h>

#include "mutator.h"
#include "testcase.h"

#define KERNELISH_LO 0x100000ull
#define KERNELISH_HI 0x2000000ull
#define MAX_STACKED  4

const uint64_t mut_interesting_u64[] = {
	/* The canonical boundary of 48-bit paging, both sides. */
	0x00007fffffffffffull,
	0x0000800000000000ull,
	0xffff800000000000ull,
	0x00007ffffffffffeull,
	0x8000000000000000ull,
	0xffff7fffffffffffull,
	0x0000000000000000ull,
	0xffffffffffffffffull,
	/* Where the user returns to, and next to it. */
	GC_USER_LANDING,
	GC_USER_LANDING + 2,
	GC_USER_LANDING - 2,
	GC_USER_LANDING + 0x10,
	GC_USER_LANDING - 0x10,
	GC_USER_CODE_VA,
	/* The user stack. */
	GC_USER_STACK_TOP,
	GC_USER_STACK_TOP - 8,
	GC_USER_STACK_VA,
	/* Kernel memory (identity-mapped, supervisor-only) and the mailbox. */
	KERNELISH_LO,
	0x200000ull,
	GC_MAILBOX_GPA,
	KERNELISH_HI,
	/* Syscall numbers, flags images and 32-bit edges. */
	1,
	2,
	0x202,
	0x80000000ull,
	0xffffffffull,
	0x100000000ull,
	/* E8: the SS word MOV SS reads, and DR7 images: a read/write watch of
	 * 2 bytes (DR0), of 8 bytes (DR1), an instruction breakpoint (DR2). */
	GC_USER_SS_WORD_VA,
	0x70002ull,
	0xb00008ull,
	0x20ull,
};
const size_t mut_nr_interesting_u64 =
	sizeof(mut_interesting_u64) / sizeof(mut_interesting_u64[0]);

/* Null with every RPL, the GDT's user and kernel selectors, LDT (TI):
 * each of the test kernel's LDT entries and one beyond its limit. */
const uint16_t mut_interesting_selectors[] = {
	0x0,  0x1,  0x2,  0x3,	0x4,  0x7,  0x8,    0x10,
	0x13, 0x18, 0x1b, 0x23, 0x2b, 0x33, 0xffff, 0xf,
	0x17, 0x1f, 0x27,
};

/* LDT descriptors worth trying (E9, E10, E15, E20): 16- and 32-bit data,
 * not present, expand-down, code of each size, conforming (refused when
 * present), a call gate and an LDT descriptor (both refused). */
const uint64_t mut_interesting_descriptors[] = {
	0x0000f2000000ffffull, /* data16 RW DPL3: the espfix case */
	0x00cff2000000ffffull, /* flat data32 RW */
	0x00cf72000000ffffull, /* flat data32, not present */
	0x00cff6000000ffffull, /* data32 expand-down */
	0x00cff0000000ffffull, /* data32 read-only */
	0x0000fa000000ffffull, /* code16 XR */
	0x00cffa000000ffffull, /* flat code32 XR */
	0x00affa000000ffffull, /* code64 XR */
	0x00cffe000000ffffull, /* conforming code32, present: refused */
	0x0000ec0000100000ull, /* call gate: refused */
	0x0000e2000000ffffull, /* LDT descriptor: refused */
	0x0040f20000000000ull, /* data32, limit 0 */
	0x80cff2000000ffffull, /* data32 with base 2 GiB */
	0,
};
const size_t mut_nr_interesting_descriptors =
	sizeof(mut_interesting_descriptors) /
	sizeof(mut_interesting_descriptors[0]);
const size_t mut_nr_interesting_selectors =
	sizeof(mut_interesting_selectors) /
	sizeof(mut_interesting_selectors[0]);

/* CF, TF, IF, DF, IOPL (both bits), NT, RF, VM, AC, ID. */
const uint64_t mut_flag_bits[] = {
	0x1,	0x100,	 0x200,	  0x400,   0x1000,   0x2000,
	0x4000, 0x10000, 0x20000, 0x40000, 0x200000,
};
const size_t mut_nr_flag_bits =
	sizeof(mut_flag_bits) / sizeof(mut_flag_bits[0]);

static const uint64_t interesting_rflags[] = {
	0x2, 0x202, 0x302, 0x602, 0x10202, 0x40202, 0x4202, 0x3202, 0x200202,
};

/* The fields the entry/exit checks read: picked half of the time. */
static const char *const hot_field_names[] = {
	"mechanism", "rax",	"rcx",	   "r11",	 "rsp",	   "rflags",
	"ret.rip",   "ret.rcx", "ret.r11", "ret.rflags", "ret.cs", "ret.ss",
	"ret.rsp",   "fs_base", "gs_base", "ss",	 "ds",
};
#define NR_HOT (sizeof(hot_field_names) / sizeof(hot_field_names[0]))

/* ---- RNG ---- */

void mut_rng_seed(struct mut_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t mut_rng_next(struct mut_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t mut_rng_below(struct mut_rng *r, uint64_t n)
{
	return n ? mut_rng_next(r) % n : 0;
}

static int chance(struct mut_rng *r, unsigned one_in)
{
	return mut_rng_below(r, one_in) == 0;
}

/* ---- picking fields and values ---- */

static const struct tc_field *field_named(const char *name)
{
	const struct tc_field *f = tc_field_by_name(name);

	return f ? f : &tc_fields[0];
}

static const struct tc_field *pick_field(struct mut_rng *r)
{
	if (chance(r, 2))
		return field_named(hot_field_names[mut_rng_below(r, NR_HOT)]);
	return &tc_fields[mut_rng_below(r, tc_nr_fields)];
}

static const struct tc_field *pick_ret_field(struct mut_rng *r)
{
	const struct tc_field *f;

	do
		f = pick_field(r);
	while (!f->ret_bit);
	return f;
}

static uint64_t interesting_u64(struct mut_rng *r)
{
	switch (mut_rng_below(r, 8)) {
	case 0: /* somewhere in kernel memory, sometimes aligned */
		return (KERNELISH_LO +
			mut_rng_below(r, KERNELISH_HI - KERNELISH_LO)) &
		       (chance(r, 2) ? ~7ull : ~0ull);
	case 1:
		return mut_rng_next(r);
	default:
		return mut_interesting_u64[mut_rng_below(
			r, mut_nr_interesting_u64)];
	}
}

static uint64_t interesting_selector(struct mut_rng *r)
{
	if (chance(r, 8))
		return mut_rng_next(r) & 0xffff;
	return mut_interesting_selectors[mut_rng_below(
		r, mut_nr_interesting_selectors)];
}

static uint64_t interesting_rflags_value(struct mut_rng *r)
{
	const size_t n =
		sizeof(interesting_rflags) / sizeof(*interesting_rflags);

	return interesting_rflags[mut_rng_below(r, n)];
}

static uint64_t interesting_value(const struct tc_field *f, struct mut_rng *r)
{
	switch (f->kind) {
	case TCF_MECHANISM:
		return mut_rng_below(r, GC_MECH_COUNT);
	case TCF_PREFIX:
		return mut_rng_below(r, GC_PREFIX_COUNT);
	case TCF_RFLAGS:
		return interesting_rflags_value(r);
	case TCF_SELECTOR:
		return interesting_selector(r);
	case TCF_DESCRIPTOR:
		return mut_interesting_descriptors[mut_rng_below(
			r, mut_nr_interesting_descriptors)];
	default:
		return interesting_u64(r);
	}
}

/* ---- operators ---- */

static void op_interesting(struct gc_testcase *tc, struct mut_rng *r)
{
	const struct tc_field *f = pick_field(r);

	tc_field_set(tc, f, interesting_value(f, r));
}

static void op_bitflip(struct gc_testcase *tc, struct mut_rng *r)
{
	const struct tc_field *f = pick_field(r);

	tc_field_set(tc, f,
		     tc_field_get(tc, f) ^
			     (1ull << mut_rng_below(r, f->size * 8)));
}

static void op_arith(struct gc_testcase *tc, struct mut_rng *r)
{
	static const uint64_t steps[] = {1, 2, 8, 0x10, 0x1000};
	const struct tc_field *f = pick_field(r);
	uint64_t d = steps[mut_rng_below(r, sizeof(steps) / sizeof(*steps))];
	uint64_t v = tc_field_get(tc, f);

	tc_field_set(tc, f, chance(r, 2) ? v + d : v - d);
}

static void op_random(struct gc_testcase *tc, struct mut_rng *r)
{
	tc_field_set(tc, pick_field(r), mut_rng_next(r));
}

/* Toggle one flag bit of RFLAGS or of ret.rflags. */
static void op_flags(struct gc_testcase *tc, struct mut_rng *r)
{
	const struct tc_field *f =
		field_named(chance(r, 2) ? "rflags" : "ret.rflags");
	uint64_t bit = mut_flag_bits[mut_rng_below(r, mut_nr_flag_bits)];
	uint64_t v = tc_field_get(tc, f);

	if (f->ret_bit && !(tc->ret_mask & f->ret_bit))
		v = tc->rflags; /* start from what the entry would save */
	tc_field_set(tc, f, v ^ bit);
}

/* EAX is the number; the upper half is ignored by the kernel, sometimes
 * garbage there is the interesting part. */
static void op_syscall(struct gc_testcase *tc, struct mut_rng *r)
{
	uint64_t nr = chance(r, 4) ? mut_rng_next(r) & 0xffffffff
				   : mut_rng_below(r, GC_SYS_COUNT);

	if (chance(r, 2))
		nr = GC_SYS_SET_RETURN_STATE;
	if (chance(r, 8))
		nr |= mut_rng_next(r) << 32;
	tc->gpr[GC_RAX] = nr;
}

static void op_mechanism(struct gc_testcase *tc, struct mut_rng *r)
{
	tc->mechanism =
		(tc->mechanism + 1 + mut_rng_below(r, GC_MECH_COUNT - 1)) %
		GC_MECH_COUNT;
}

static void op_ret_set(struct gc_testcase *tc, struct mut_rng *r)
{
	const struct tc_field *f = pick_ret_field(r);

	tc_field_set(tc, f, interesting_value(f, r));
}

static void op_ret_clear(struct gc_testcase *tc, struct mut_rng *r)
{
	tc->ret_mask &= ~pick_ret_field(r)->ret_bit;
}

/*
 * SYSRET jumps to RCX and loads RFLAGS from R11: keep the pairs equal (the
 * safe case) or make them equal to one interesting value, either way round.
 * An unset source starts from what the entry would have saved.
 */
static void copy_pair(struct gc_testcase *tc, struct mut_rng *r, const char *a,
		      const char *b, uint64_t a_default)
{
	const struct tc_field *fa = field_named(a), *fb = field_named(b);
	uint64_t v;

	if (chance(r, 2)) {
		const struct tc_field *t = fa;

		fa = fb;
		fb = t;
	}
	if (chance(r, 4))
		v = interesting_value(fa, r);
	else if (tc->ret_mask & fa->ret_bit)
		v = tc_field_get(tc, fa);
	else
		v = a_default;
	tc_field_set(tc, fa, v);
	tc_field_set(tc, fb, v);
}

static void op_ret_pair(struct gc_testcase *tc, struct mut_rng *r)
{
	if (chance(r, 2))
		copy_pair(tc, r, "ret.rip", "ret.rcx", GC_USER_LANDING);
	else
		copy_pair(tc, r, "ret.rflags", "ret.r11", tc->rflags);
}

/* Any u64 field into another: RSP into RIP, a base into a GPR. */
static void op_copy_field(struct gc_testcase *tc, struct mut_rng *r)
{
	const struct tc_field *from = pick_field(r), *to = pick_field(r);

	if (from->kind == TCF_MECHANISM || to->kind == TCF_MECHANISM)
		return;
	tc_field_set(tc, to, tc_field_get(tc, from));
}

/* A few fields, with their ret_mask bits, from another corpus entry. */
static void op_splice(struct gc_testcase *tc, const struct gc_testcase *other,
		      struct mut_rng *r)
{
	unsigned n = 1 + mut_rng_below(r, 4);
	struct gc_testcase mine;

	if (!other || other == tc)
		return;
	if (chance(r, 8)) {
		/* The other way round: theirs, with a few of mine. */
		mine = *tc;
		*tc = *other;
		other = &mine;
	}
	while (n--) {
		const struct tc_field *f = pick_field(r);

		memcpy((uint8_t *)tc + f->offset,
		       (const uint8_t *)other + f->offset, f->size);
		tc->ret_mask = (tc->ret_mask & ~f->ret_bit) |
			       (other->ret_mask & f->ret_bit);
	}
}

enum mut_op {
	OP_INTERESTING,
	OP_BITFLIP,
	OP_ARITH,
	OP_RANDOM,
	OP_FLAGS,
	OP_SYSCALL,
	OP_MECHANISM,
	OP_RET_SET,
	OP_RET_CLEAR,
	OP_RET_PAIR,
	OP_COPY_FIELD,
	OP_SPLICE,
	NR_OPS
};

/* Weights out of their sum: field values first, structure next. */
static const unsigned op_weight[NR_OPS] = {
	[OP_INTERESTING] = 8, [OP_BITFLIP] = 3,	   [OP_ARITH] = 2,
	[OP_RANDOM] = 1,      [OP_FLAGS] = 4,	   [OP_SYSCALL] = 3,
	[OP_MECHANISM] = 2,   [OP_RET_SET] = 6,	   [OP_RET_CLEAR] = 2,
	[OP_RET_PAIR] = 3,    [OP_COPY_FIELD] = 1, [OP_SPLICE] = 2,
};

static enum mut_op pick_op(struct mut_rng *r)
{
	unsigned total = 0, x;

	for (int i = 0; i < NR_OPS; i++)
		total += op_weight[i];
	x = mut_rng_below(r, total);
	for (int i = 0; i < NR_OPS; i++) {
		if (x < op_weight[i])
			return i;
		x -= op_weight[i];
	}
	return OP_INTERESTING;
}

static void apply_op(enum mut_op op, struct gc_testcase *tc,
		     const struct gc_testcase *other, struct mut_rng *r)
{
	switch (op) {
	case OP_INTERESTING:
		op_interesting(tc, r);
		break;
	case OP_BITFLIP:
		op_bitflip(tc, r);
		break;
	case OP_ARITH:
		op_arith(tc, r);
		break;
	case OP_RANDOM:
		op_random(tc, r);
		break;
	case OP_FLAGS:
		op_flags(tc, r);
		break;
	case OP_SYSCALL:
		op_syscall(tc, r);
		break;
	case OP_MECHANISM:
		op_mechanism(tc, r);
		break;
	case OP_RET_SET:
		op_ret_set(tc, r);
		break;
	case OP_RET_CLEAR:
		op_ret_clear(tc, r);
		break;
	case OP_RET_PAIR:
		op_ret_pair(tc, r);
		break;
	case OP_COPY_FIELD:
		op_copy_field(tc, r);
		break;
	default:
		op_splice(tc, other, r);
		break;
	}
}

unsigned mutator_mutate(struct gc_testcase *tc, const struct gc_testcase *other,
			struct mut_rng *rng)
{
	unsigned n = 1;

	/* Stacked mutations, geometrically fewer: 1 (1/2), 2 (1/4), ... */
	while (n < MAX_STACKED && chance(rng, 2))
		n++;
	for (unsigned i = 0; i < n; i++)
		apply_op(pick_op(rng), tc, other, rng);
	tc_normalize(tc);
	return n;
}

/* ---- byte front ends ---- */

static size_t encode_into(const struct gc_testcase *tc, uint8_t *out,
			  size_t max_size)
{
	uint8_t buf[sizeof(struct gc_testcase)];
	size_t n = max_size < sizeof(buf) ? max_size : sizeof(buf);

	tc_encode(tc, buf);
	memcpy(out, buf, n);
	return n;
}

void mutator_decode_input(const uint8_t *data, size_t size,
			  struct gc_testcase *tc)
{
	static const char header[] = TC_TEXT_HEADER "\n";
	char err[8];

	if (size > sizeof(header) - 1 &&
	    !memcmp(data, header, sizeof(header) - 1) &&
	    !tc_parse_text((const char *)data, size, tc, err, sizeof(err)))
		return;
	tc_decode(data, size, tc);
}

size_t mutator_mutate_bytes(uint8_t *data, size_t size, size_t max_size,
			    uint64_t seed)
{
	struct gc_testcase tc;
	struct mut_rng r;

	mut_rng_seed(&r, seed);
	mutator_decode_input(data, size, &tc);
	mutator_mutate(&tc, NULL, &r);
	return encode_into(&tc, data, max_size);
}

size_t mutator_crossover_bytes(const uint8_t *a, size_t alen, const uint8_t *b,
			       size_t blen, uint8_t *out, size_t max_size,
			       uint64_t seed)
{
	struct gc_testcase ta, tb;
	struct mut_rng r;

	mut_rng_seed(&r, seed);
	mutator_decode_input(a, alen, &ta);
	mutator_decode_input(b, blen, &tb);
	op_splice(&ta, &tb, &r);
	mutator_mutate(&ta, &tb, &r);
	return encode_into(&ta, out, max_size);
}
