/* SPDX-License-Identifier: MIT */
/*
 * Verdicts for people (a header line, then a side-by-side diff, the fault
 * or the hazards) and for scripts (one JSON object per line).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "abi_names.h"
#include "json.h"
#include "rules.h"
#include "testcase.h"
#include "verdict.h"

static const char *const exit_names[GC_EXIT_KIND_COUNT] = {
	[GC_EXIT_NONE] = "none",
	[GC_EXIT_IRETQ] = "iretq",
	[GC_EXIT_SYSRETQ] = "sysretq",
	[GC_EXIT_SYSRETL] = "sysretl",
	[GC_EXIT_SYSEXITL] = "sysexitl",
	[GC_EXIT_LRETQ] = "lretq",
};

static const char *run_name(int in_ref)
{
	return in_ref ? "reference" : "mechanism";
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Addresses and 64-bit registers print zero-padded so columns line up. */
static int field_is_wide(const char *field)
{
	const struct state_field_desc *d = state_field_by_name(field);

	if (d)
		return d->size == 8;
	return ends_with(field, ".rip") || ends_with(field, ".cr2");
}

static void format_value(char *buf, size_t len, const char *field,
			 uint64_t value)
{
	char tmp[16];

	if (field_is_wide(field))
		snprintf(buf, len, "0x%016" PRIx64, value);
	else if (!strcmp(field, "end"))
		snprintf(buf, len, "0x%" PRIx64 " (%s)", value,
			 run_end_name(value));
	else if (ends_with(field, ".vector"))
		snprintf(buf, len, "0x%" PRIx64 " (%s)", value,
			 x86_vector_name((unsigned)value, tmp, sizeof(tmp)));
	else
		snprintf(buf, len, "0x%" PRIx64, value);
}

static void print_row(FILE *f, const char *field, const char *mech,
		      const char *ref)
{
	fprintf(f, "  %-18s %-24s %s\n", field, mech, ref);
}

static void print_diff(FILE *f, const struct field_diff *d)
{
	char mech[160], ref[160];

	format_value(mech, sizeof(mech), d->field, d->mech);
	format_value(ref, sizeof(ref), d->field, d->ref);
	print_row(f, d->field, mech, ref);
	if (strcmp(d->field, "rflags"))
		return;
	tc_format_rflags(d->mech, mech, sizeof(mech));
	tc_format_rflags(d->ref, ref, sizeof(ref));
	print_row(f, "", mech, ref);
}

static void print_exceptions(FILE *f, const char *which,
			     const struct gc_run *run)
{
	char tmp[16];

	fprintf(f, "  %s exceptions (%u):", which, run->n_exc);
	for (unsigned i = 0; i < run_kept_exc(run); i++) {
		const struct gc_exception *e = &run->exc[i];

		fprintf(f, "%s %s err 0x%x at 0x%" PRIx64, i ? "," : "",
			x86_vector_name(e->vector, tmp, sizeof(tmp)), e->error_code,
			e->rip);
		if (e->vector == X86_TRAP_PF)
			fprintf(f, " cr2 0x%" PRIx64, e->cr2);
		if (e->vector == X86_TRAP_DB)
			fprintf(f, " dr6 0x%" PRIx64, e->dr6);
	}
	fputs(run->n_exc > GC_MAX_EXC ? ", ...\n" : "\n", f);
}

static void print_divergence(FILE *f, const struct case_outcome *out,
			     const struct verdict *v)
{
	print_row(f, "field", "mechanism", "reference");
	for (unsigned i = 0; i < v->n_diffs; i++)
		print_diff(f, &v->diffs[i]);
	if (!out->result.mech.n_exc && !out->result.ref.n_exc)
		return;
	print_exceptions(f, "mechanism", &out->result.mech);
	print_exceptions(f, "reference", &out->result.ref);
}

static const char *symbol_of(symbolize_fn symbolize, uint64_t rip, char *buf,
			     size_t len)
{
	const char *sym = symbolize ? symbolize(rip, buf, len) : NULL;

	return sym && *sym ? sym : NULL;
}

static void print_kernel_fault(FILE *f, const struct verdict *v,
			       symbolize_fn symbolize)
{
	const struct gc_kernel_fault *k = &v->fault;
	char tmp[16], sym[128];
	const char *s = symbol_of(symbolize, k->rip, sym, sizeof(sym));

	fprintf(f, "  kernel fault in the %s run: %s error 0x%x\n",
		run_name(v->fault_in_ref),
		x86_vector_name(k->vector, tmp, sizeof(tmp)), k->error_code);
	fprintf(f, "    rip 0x%016" PRIx64 "%s%s%s\n", k->rip, s ? " <" : "",
		s ? s : "", s ? ">" : "");
	fprintf(f, "    cr2 0x%016" PRIx64 "  rsp 0x%016" PRIx64 "\n", k->cr2,
		k->rsp);
}

static void print_exit(FILE *f, unsigned i, const struct gc_exit_record *e)
{
	const char *kind =
		e->kind < GC_EXIT_KIND_COUNT ? exit_names[e->kind] : "?";

	fprintf(f,
		"    exit[%u] %s: rcx 0x%" PRIx64 " r11 0x%" PRIx64
		" rsp 0x%" PRIx64 " ss 0x%x\n",
		i, kind, e->rcx, e->r11, e->rsp, e->ss);
	fprintf(f,
		"      target: rip 0x%" PRIx64 " rflags 0x%" PRIx64
		" rsp 0x%" PRIx64 " cs 0x%x ss 0x%x\n",
		e->target_rip, e->target_rflags, e->target_rsp, e->target_cs,
		e->target_ss);
}

static void print_hazards(FILE *f, const struct case_outcome *out,
			  const struct verdict *v)
{
	const struct gc_run *mech = &out->result.mech;

	for (unsigned i = 0; i < v->n_hazards; i++) {
		const struct hazard_rule *h = v->hazards[i];

		fprintf(f, "  hazard %s [%s%s%s]\n    %s\n", h->name, h->vendor,
			*h->cve ? ", " : "", h->cve, h->what);
	}
	fprintf(f, "  mechanism exits (%u):\n", mech->n_exits);
	for (unsigned i = 0; i < run_kept_exits(mech); i++)
		print_exit(f, i, &mech->exits[i]);
}

void verdict_print_text(FILE *f, const char *file, const struct gc_testcase *tc,
			const struct case_outcome *out, const struct verdict *v,
			symbolize_fn symbolize)
{
	fprintf(f, "%s: %s: %s\n", file ? file : "-",
		tc_mechanism_name(tc->mechanism), verdict_name(v->cls));
	if (v->n_diffs)
		print_divergence(f, out, v);
	if (v->cls == VERDICT_KERNEL_FAULT)
		print_kernel_fault(f, v, symbolize);
	if (v->n_hazards)
		print_hazards(f, out, v);
	if (v->detail[0])
		fprintf(f, "  detail: %s\n", v->detail);
}

static void json_key(FILE *f, const char *key, int first)
{
	if (!first)
		fputc(',', f);
	json_string(f, key);
	fputc(':', f);
}

static void json_string_or_null(FILE *f, const char *s)
{
	if (s)
		json_string(f, s);
	else
		fputs("null", f);
}

static void json_fields(FILE *f, const struct verdict *v)
{
	fputc('[', f);
	for (unsigned i = 0; i < v->n_diffs; i++) {
		if (i)
			fputc(',', f);
		json_string(f, v->diffs[i].field);
	}
	fputc(']', f);
}

static void json_diffs(FILE *f, const struct verdict *v)
{
	fputc('[', f);
	for (unsigned i = 0; i < v->n_diffs; i++) {
		const struct field_diff *d = &v->diffs[i];

		fputs(i ? ",{" : "{", f);
		json_key(f, "field", 1);
		json_string(f, d->field);
		json_key(f, "mechanism", 0);
		json_hex64(f, d->mech);
		json_key(f, "reference", 0);
		json_hex64(f, d->ref);
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_hazards(FILE *f, const struct verdict *v)
{
	fputc('[', f);
	for (unsigned i = 0; i < v->n_hazards; i++) {
		const struct hazard_rule *h = v->hazards[i];

		fputs(i ? ",{" : "{", f);
		json_key(f, "rule", 1);
		json_string(f, h->name);
		json_key(f, "vendor", 0);
		json_string(f, h->vendor);
		json_key(f, "cve", 0);
		json_string(f, h->cve);
		json_key(f, "what", 0);
		json_string(f, h->what);
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_kernel_fault(FILE *f, const struct verdict *v,
			      symbolize_fn symbolize)
{
	const struct gc_kernel_fault *k = &v->fault;
	char tmp[16], sym[128];

	if (v->cls != VERDICT_KERNEL_FAULT) {
		fputs("null", f);
		return;
	}
	fputc('{', f);
	json_key(f, "vector", 1);
	fprintf(f, "%u", k->vector);
	json_key(f, "vector_name", 0);
	json_string(f, x86_vector_name(k->vector, tmp, sizeof(tmp)));
	json_key(f, "error_code", 0);
	json_hex64(f, k->error_code);
	json_key(f, "rip", 0);
	json_hex64(f, k->rip);
	json_key(f, "symbol", 0);
	json_string_or_null(f, symbol_of(symbolize, k->rip, sym, sizeof(sym)));
	json_key(f, "cr2", 0);
	json_hex64(f, k->cr2);
	json_key(f, "rsp", 0);
	json_hex64(f, k->rsp);
	json_key(f, "run", 0);
	json_string(f, run_name(v->fault_in_ref));
	fputc('}', f);
}

void verdict_print_json_members(FILE *f, const char *file,
				const struct gc_testcase *tc,
				const struct verdict *v, const char *backend,
				symbolize_fn symbolize)
{
	json_key(f, "file", 1);
	json_string_or_null(f, file);
	json_key(f, "backend", 0);
	json_string_or_null(f, backend);
	json_key(f, "mechanism", 0);
	json_string(f, tc_mechanism_name(tc->mechanism));
	json_key(f, "verdict", 0);
	json_string(f, verdict_name(v->cls));
	json_key(f, "fields", 0);
	json_fields(f, v);
	json_key(f, "diffs", 0);
	json_diffs(f, v);
	json_key(f, "hazards", 0);
	json_hazards(f, v);
	json_key(f, "kernel_fault", 0);
	json_kernel_fault(f, v, symbolize);
	json_key(f, "detail", 0);
	json_string(f, v->detail);
}

void verdict_print_json(FILE *f, const char *file, const struct gc_testcase *tc,
			const struct case_outcome *out, const struct verdict *v,
			const char *backend, symbolize_fn symbolize)
{
	(void)out; /* the verdict holds everything the JSON carries */
	fputc('{', f);
	verdict_print_json_members(f, file, tc, v, backend, symbolize);
	fputs("}\n", f);
}
