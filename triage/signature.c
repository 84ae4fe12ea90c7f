// SPDX-License-Identifier: MIT
/*
 * Signatures (docs/triage.md). Two keys over one verdict:
 *
 * - the bucket, "tcg int80_compat compat divergence state gpr": what
 *   kind of wrong return this is, and for a state divergence the class of
 *   its first diverging field. Triage groups findings by it, the minimizer keeps
 *   it, and every finding directory records it in its `bucket` file;
 * - the engine's finding key, "syscall64 divergence rcx,rip fault=-": the
 *   exact diverging fields and hazards, so that a campaign keeps a few
 *   differently-shaped examples of each bucket (and the counts that say how
 *   often a bucket was hit).
 *
 * Both live here so that the engine and triage cannot drift apart.
 */
#include <stdlib.h>
#include <string.h>

#include "abi_names.h"
#include "defenses.h"
#include "testcase.h"
#include "triage.h"

static size_t append(char *buf, size_t len, size_t at, const char *s)
{
	int n = snprintf(buf + at, at < len ? len - at : 0, "%s", s);

	return at + (n > 0 ? (size_t)n : 0);
}

void signature_rehash(struct gc_signature *sig)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *p = sig->text; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	sig->hash = h;
}

/* ---- the bucket ---- */

/*
 * Control flow: where the user resumed, which exceptions it took, how often
 * it entered the kernel (a return into the entry instruction runs it again:
 * then only RAX may show it). When it diverged, every other difference is a
 * consequence of running other code (a fault elsewhere, a landing on
 * another HLT), so it decides alone.
 */
static int is_control_field(const char *field)
{
	return !strcmp(field, "end") || !strcmp(field, "rip") ||
	       !strcmp(field, "n_exc") || !strncmp(field, "exc[", 4);
}

static const char *divergence_kind(const struct case_outcome *out,
				   const struct verdict *v)
{
	if (out->result.mech.n_entries != out->result.ref.n_entries)
		return "control";
	for (unsigned i = 0; i < v->n_diffs && i < VERDICT_MAX_DIFFS; i++)
		if (is_control_field(v->diffs[i].field))
			return "control";
	return "state";
}

static const char *const gpr_names[] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

static int is_gpr(const char *field)
{
	for (size_t i = 0; i < sizeof(gpr_names) / sizeof(*gpr_names); i++)
		if (!strcmp(field, gpr_names[i]))
			return 1;
	return 0;
}

static int is_selector(const char *field)
{
	static const char *const selectors[] = {"es", "cs", "ss",
						"ds", "fs", "gs"};

	for (size_t i = 0; i < sizeof(selectors) / sizeof(*selectors); i++)
		if (!strcmp(field, selectors[i]))
			return 1;
	return 0;
}

/*
 * The first diverging field, by class: what a person looks at first, which
 * a bucket saying only "state" hides. A class, not a field: "gpr" for any
 * general register ("gpr.hi" when only its bits 63:32 differ: a truncation
 * or an extension gone wrong), RFLAGS by its lowest differing bit
 * ("rflags.DF"), "selector", "exception", other fields by name. Not the
 * register's name: entry_clear_df's backwards copy puts garbage into
 * whichever registers the frame sets, and a name per register split that
 * one defense into a bucket per register. "end" is a consequence whenever
 * anything else differs, so it names the class only alone. Only a state
 * divergence gets a class: after a control divergence every field is a
 * consequence (divergence_kind), and naming the first one split the
 * planted-bug kernel's one bug into five "control" buckets.
 */
static size_t append_cause(char *t, size_t len, size_t at,
			   const struct verdict *v)
{
	unsigned n = v->n_diffs < VERDICT_MAX_DIFFS ? v->n_diffs
						    : VERDICT_MAX_DIFFS;
	const struct field_diff *d = n ? &v->diffs[0] : NULL;
	uint64_t x;
	char flag[32];

	for (unsigned i = 1; d && !strcmp(d->field, "end") && i < n; i++)
		d = &v->diffs[i];
	if (!d)
		return at;
	x = d->mech ^ d->ref;
	at = append(t, len, at, " ");
	if (is_gpr(d->field))
		return append(t, len, at, (uint32_t)x ? "gpr" : "gpr.hi");
	if (!strcmp(d->field, "rflags") && x) {
		tc_format_rflags(x & -x, flag, sizeof(flag));
		at = append(t, len, at, "rflags.");
		return append(t, len, at, flag);
	}
	if (!strcmp(d->field, "n_exc") || !strncmp(d->field, "exc[", 4))
		return append(t, len, at, "exception");
	if (is_selector(d->field))
		return append(t, len, at, "selector");
	return append(t, len, at, d->field);
}

/* "reference #GP native_irq_return_iret": the function, not the offset. */
static size_t append_fault(char *t, size_t len, size_t at,
			   const struct verdict *v)
{
	unsigned vec = v->fault.vector;
	char sym[128];
	char buf[16];
	const char *name = x86_vector_name(vec, buf, sizeof(buf));

	kernel_image_symbolize(v->fault.rip, sym, sizeof(sym));
	if (strncmp(sym, "0x", 2))
		sym[strcspn(sym, "+")] = '\0';
	else
		snprintf(sym, sizeof(sym), "unknown");
	at = append(t, len, at, v->fault_in_ref ? "reference " : "");
	at = append(t, len, at, name);
	at = append(t, len, at, " ");
	return append(t, len, at, sym);
}

static size_t append_hazards(char *t, size_t len, size_t at,
			     const struct verdict *v)
{
	for (unsigned i = 0; i < v->n_hazards && i < VERDICT_MAX_HAZARDS; i++) {
		at = append(t, len, at, i ? "," : "");
		at = append(t, len, at, v->hazards[i]->name);
	}
	return at;
}

/*
 * A kernel fault is named by where the kernel faulted, as syzkaller titles
 * crashes: whichever entry reached that instruction, it is one bug. Every
 * other class keeps the entry mechanism (and so the user mode).
 */
void signature_bucket(const struct gc_testcase *tc,
		      const struct case_outcome *out, const struct verdict *v,
		      const char *backend, struct gc_signature *sig)
{
	char *t = sig->text;
	size_t len = sizeof(sig->text), at = 0;

	at = append(t, len, at, backend ? backend : "?");
	at = append(t, len, at, " ");
	if (v->cls == VERDICT_DIVERGENCE &&
	    (v->model_broken & MODEL_BROKEN_REF)) {
		/* The reference broke the specification model: the bug is
		 * on the int $0x80 path every run shares, whichever entry
		 * showed it (docs/semantics.md §8). */
		at = append(t, len, at, "int80-path ");
	} else if (v->cls != VERDICT_KERNEL_FAULT) {
		at = append(t, len, at, tc_mechanism_name(tc->mechanism));
		at = append(t, len, at,
			    tc_mode(tc) == GC_MODE_COMPAT ? " compat "
							  : " 64-bit ");
	}
	at = append(t, len, at, verdict_name(v->cls));
	at = append(t, len, at, " ");
	if (v->cls == VERDICT_DIVERGENCE && v->model_broken) {
		at = append(t, len, at,
			    v->model_broken & MODEL_BROKEN_REF ? "model"
							       : "model-mech");
	} else if (v->cls == VERDICT_DIVERGENCE) {
		const char *kind = divergence_kind(out, v);

		at = append(t, len, at, kind);
		if (!strcmp(kind, "state"))
			at = append_cause(t, len, at, v);
	}
	else if (v->cls == VERDICT_KERNEL_FAULT)
		at = append_fault(t, len, at, v);
	else if (v->cls == VERDICT_HAZARD)
		at = append_hazards(t, len, at, v);
	else
		at = append(t, len, at, "-");
	signature_rehash(sig);
}

/* ---- the engine's finding key (the format of OUT/findings/x/signature) */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t append_fields(char *buf, size_t len, size_t at,
			    const struct verdict *v)
{
	const char *names[VERDICT_MAX_DIFFS];
	unsigned n =
		v->n_diffs < VERDICT_MAX_DIFFS ? v->n_diffs : VERDICT_MAX_DIFFS;

	for (unsigned i = 0; i < n; i++)
		names[i] = v->diffs[i].field;
	qsort(names, n, sizeof(*names), cmp_str);
	if (!n)
		return append(buf, len, at, "-");
	for (unsigned i = 0; i < n; i++) {
		if (i && !strcmp(names[i], names[i - 1]))
			continue;
		at = append(buf, len, at, i ? "," : "");
		at = append(buf, len, at, names[i]);
	}
	return at;
}

void signature_finding(const struct gc_testcase *tc, const struct verdict *v,
		       struct gc_signature *sig)
{
	char *t = sig->text, num[16];
	size_t len = sizeof(sig->text), at = 0;

	at = append(t, len, at, tc_mechanism_name(tc->mechanism));
	at = append(t, len, at, " ");
	at = append(t, len, at, verdict_name(v->cls));
	at = append(t, len, at, " ");
	at = append_fields(t, len, at, v);
	at = append(t, len, at, " fault=");
	if (v->cls == VERDICT_KERNEL_FAULT)
		snprintf(num, sizeof(num), "%u", v->fault.vector);
	else
		snprintf(num, sizeof(num), "-");
	at = append(t, len, at, num);
	if (v->n_hazards)
		at = append(t, len, at, " hazards=");
	append_hazards(t, len, at, v);
	signature_rehash(sig);
}

void signature_profile(uint64_t enabled, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < defense_count; i++) {
		if (enabled & (1ull << defenses[i].bit))
			continue;
		at = append(buf, len, at, at ? "," : "");
		at = append(buf, len, at, defenses[i].name);
	}
	if (!at)
		snprintf(buf, len, "-");
}
