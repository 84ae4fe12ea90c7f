/* SPDX-License-Identifier: MIT */
/*
 * Oracle internals: the user-state fields it compares, the table of allowed
 * differences per mechanism and mode (rules.c), and the hazard check
 * (hazards.c). docs/semantics.md is the prose form of both tables; a rule
 * here that is not there is a bug.
 */
#ifndef GC_ORACLE_RULES_H
#define GC_ORACLE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "arch/traps.h"
#include "testcase.h"
#include "verdict.h"

/* The compared fields of struct gc_user_state, in diff order. */
enum state_field {
	SF_GPR0 = 0, /* SF_GPR0 + GC_RAX .. SF_GPR0 + GC_R15 */
	SF_RIP = SF_GPR0 + GC_NR_GPRS,
	SF_RFLAGS,
	SF_FS_BASE,
	SF_GS_BASE,
	SF_SEL0, /* SF_SEL0 + GC_ES .. SF_SEL0 + GC_GS */
	SF_FCW = SF_SEL0 + GC_NR_SREGS, /* x87/SSE: only when both captured */
	SF_MXCSR,
	SF_XMM0_LO,
	SF_XMM0_HI,
	SF_COUNT
};
_Static_assert(SF_COUNT <= 32, "field sets are 32-bit masks");
#define SF_BIT(f)   (1u << (f))
#define SF_ALL_GPRS (SF_BIT(SF_GPR0 + GC_NR_GPRS) - SF_BIT(SF_GPR0))
#define SF_FPU	    (SF_BIT(SF_COUNT) - SF_BIT(SF_FCW))

/* Is field f compared between these two states? The x87/SSE fields only
 * when both backends captured them (gc_user_state.fpu_captured). */
int state_field_compared(const struct gc_user_state *a,
			 const struct gc_user_state *b, enum state_field f);

struct state_field_desc {
	const char *name; /* "rax", "rip", "cs": the names diffs carry */
	uint16_t offset;  /* into struct gc_user_state */
	uint8_t size;	  /* bytes */
};
extern const struct state_field_desc state_fields[SF_COUNT];

uint64_t state_field_get(const struct gc_user_state *st, enum state_field f);
/* The field's descriptor by diff name, or NULL (e.g. "exc[0].rip"). */
const struct state_field_desc *state_field_by_name(const char *name);

#define MECH_BIT(m) (1u << (m))
#define MODE_BIT(m) (1u << (m))

/*
 * How a rule lets a field differ. Value rules name the one value the
 * mechanism may show instead of the reference's (an ABI clobber); anything
 * else there is still a divergence, so a clobber rule cannot hide a leak.
 */
enum allow_kind {
	ALLOW_BITS = 0,	    /* the bits of may_differ may differ */
	ALLOW_MECH_ZERO,    /* the mechanism's value may be 0 */
	ALLOW_SYSRETL_RCX,  /* ... may be the RCX a SYSRETL exit loaded */
	ALLOW_SYSRETL_R11,  /* ... may be the R11 a SYSRETL exit loaded */
	ALLOW_SYSEXIT_RCX,  /* ... may be the ESP a SYSEXIT exit took from ECX */
	ALLOW_SYSEXIT_RDX,  /* ... may be the EIP a SYSEXIT exit took from EDX */
};

/*
 * One allowed difference in the listed fields. A rule applies to a
 * testcase when both its mechanism and its mode filter match.
 */
struct allowed_diff {
	const char *name;    /* "compat_gpr_upper_halves" */
	const char *reason;  /* one line, as in docs/semantics.md */
	uint32_t mechanisms; /* MECH_BIT()s; 0: every mechanism */
	uint32_t modes;	     /* MODE_BIT()s; 0: every mode */
	uint32_t fields;     /* SF_BIT()s */
	enum allow_kind kind;
	uint64_t may_differ; /* ALLOW_BITS */
};
extern const struct allowed_diff allowed_diffs[];
extern const size_t allowed_diff_count;

/* The union of may_differ over the ALLOW_BITS rules that apply to f. */
uint64_t allowed_diff_bits(unsigned mechanism, enum gc_user_mode mode,
			   enum state_field f);
/* Whether a value rule lets the mechanism's value mech stand in field f,
 * comparing outside the bits already allowed to differ. The exit records
 * of the mechanism run say what a SYSRETL loaded: the user may have run
 * on (and changed RIP and RFLAGS) before the capture. */
int allowed_diff_value(unsigned mechanism, enum gc_user_mode mode,
		       enum state_field f, uint64_t mech,
		       const struct gc_run *mech_run, uint64_t may_differ);

/*
 * The specification model (model.c): each run on its own against the user
 * state the testcase determines. Adds "mech:<field>" and
 * "ref:<field>" diffs (mech column: the run's value, ref column: the
 * model's) and sets verdict.model_broken.
 */
struct model_rule {
	const char *name;   /* "model_syscall_return" */
	const char *reason; /* one line, as in docs/semantics.md §8 */
};
extern const struct model_rule model_rules[];
extern const size_t model_rule_count;
void model_judge(const struct gc_testcase *tc, const struct gc_result *res,
		 struct verdict *v);

/* Adds every hazard rule that one of the kept mechanism-run exits trips. */
void hazards_judge(const struct gc_run *mech, struct verdict *v);

/* Array lengths the guest claims, clamped to what the arrays hold. */
static inline unsigned run_kept_exc(const struct gc_run *run)
{
	return run->n_exc < GC_MAX_EXC ? run->n_exc : GC_MAX_EXC;
}

static inline unsigned run_kept_exits(const struct gc_run *run)
{
	return run->n_exits < GC_MAX_EXITS ? run->n_exits : GC_MAX_EXITS;
}

#endif
