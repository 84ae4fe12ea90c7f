/* SPDX-License-Identifier: MIT */
/*
 * The text form people write: a header line, then `name = value` lines.
 * See docs/testcase-format.md for the grammar. Every error names its line
 * and says what is wrong in one line.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tc_internal.h"
#include "testcase.h"

#define MAX_FIELDS 128 /* >= tc_nr_fields, checked at run time */
#define MAX_VALUE  256

struct parser {
	const char *pos, *end; /* what is left of the text */
	unsigned line;
	char *err;
	size_t errlen;
	unsigned first_seen[MAX_FIELDS]; /* line a field was set on, or 0 */
	unsigned first_field;		 /* line of the first field, or 0 */
	struct tc_context *ctx;		 /* the context lines go here */
};

/* Always returns -1, so callers can `return fail(...)`. */
__attribute__((format(printf, 2, 3))) static int fail(struct parser *p,
						      const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->errlen)
		snprintf(p->err, p->errlen, "line %u: %s", p->line, msg);
	return -1;
}

/* The next line as [*start, *stop), without its "\n" or "\r\n". */
static int next_line(struct parser *p, const char **start, const char **stop)
{
	const char *nl;

	if (p->pos >= p->end)
		return 0;
	nl = memchr(p->pos, '\n', (size_t)(p->end - p->pos));
	*start = p->pos;
	*stop = nl ? nl : p->end;
	p->pos = nl ? nl + 1 : p->end;
	if (*stop > *start && (*stop)[-1] == '\r')
		(*stop)--;
	p->line++;
	return 1;
}

static void trim(const char **start, const char **stop)
{
	while (*start < *stop && isspace((unsigned char)**start))
		(*start)++;
	while (*stop > *start && isspace((unsigned char)(*stop)[-1]))
		(*stop)--;
}

static int parse_header(struct parser *p)
{
	static const char prefix[] = "gatecrash-testcase ";
	size_t len, plen = strlen(prefix);
	const char *s, *e;

	if (!next_line(p, &s, &e)) {
		p->line = 1;
		return fail(p, "empty; a text testcase starts with '%s'",
			    TC_TEXT_HEADER);
	}
	len = (size_t)(e - s);
	if (len == strlen(TC_TEXT_HEADER) && !memcmp(s, TC_TEXT_HEADER, len))
		return 0;
	if (len > plen && len < plen + 20 && !memcmp(s, prefix, plen))
		return fail(p,
			    "text format version '%.*s' is not supported; "
			    "this gatecrash reads '%s'",
			    (int)(len - plen), s + plen, TC_TEXT_HEADER);
	return fail(p, "the first line must be exactly '%s'", TC_TEXT_HEADER);
}

static int parse_digits(const char **s, int hex, uint64_t *out)
{
	uint64_t v = 0;

	for (;; (*s)++) {
		unsigned d;

		if (isdigit((unsigned char)**s))
			d = (unsigned)(**s - '0');
		else if (hex && isxdigit((unsigned char)**s))
			d = (unsigned)(tolower((unsigned char)**s) - 'a' + 10);
		else
			break;
		if (hex ? v >> 60 : v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * (hex ? 16 : 10) + d;
	}
	*out = v;
	return 0;
}

/*
 * A number: decimal, 0x hex, or negative decimal (two's complement in the
 * field's width). *endp is left after the last digit.
 */
static int parse_number(struct parser *p, const char *s, const char **endp,
			unsigned bits, const char *field, uint64_t *out)
{
	uint64_t mask = bits >= 64 ? UINT64_MAX : (1ULL << bits) - 1;
	const char *start = s, *digits;
	int neg = *s == '-', hex;
	uint64_t v;

	s += neg;
	hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	digits = s += hex ? 2 : 0;
	if (parse_digits(&s, hex, &v))
		return fail(p, "'%s': number does not fit in 64 bits", field);
	if (s == digits)
		return fail(p, "'%s': expected a number, got '%.40s'", field,
			    start);
	if (hex && neg)
		return fail(p, "'%s': write a negative number in decimal",
			    field);
	/* A negative number must fit the field as a signed value. */
	if (neg ? v > (mask >> 1) + 1 : v > mask)
		return fail(p, "'%s': %.*s does not fit in %u bits", field,
			    (int)(s - start), start, bits);
	*out = neg ? (0 - v) & mask : v;
	*endp = s;
	return 0;
}

/* Nothing but spaces may follow a value. */
static int expect_end(struct parser *p, const char *s, const char *field)
{
	while (isspace((unsigned char)*s))
		s++;
	if (*s)
		return fail(p, "'%s': unexpected '%.40s' after the value",
			    field, s);
	return 0;
}

static size_t word_length(const char *s)
{
	size_t n = 0;

	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n;
}

/*
 * A value given by name (mechanism, prefix): the word at s, one of the
 * count names name_of() gives; an unknown one is an error that lists
 * them all.
 */
static int parse_named(struct parser *p, const char *s, const char *field,
		       const char *(*name_of)(unsigned), unsigned count,
		       uint64_t *out)
{
	char name[32], all[256] = "";
	size_t n = word_length(s), len;

	snprintf(name, sizeof(name), "%.*s", (int)n, s);
	for (unsigned i = 0; n < sizeof(name) && i < count; i++)
		if (!strcmp(name, name_of(i))) {
			*out = i;
			return expect_end(p, s + n, field);
		}
	for (unsigned i = 0; i < count; i++) {
		len = strlen(all);
		snprintf(all + len, sizeof(all) - len, "%s%s", i ? ", " : "",
			 name_of(i));
	}
	return fail(p, "unknown %s '%.40s' (one of %s)", field, s, all);
}

/* One term of an RFLAGS value: a flag name or a number. */
static int parse_rflags_term(struct parser *p, const char **s,
			     const char *field, uint64_t *bits)
{
	size_t n;

	if (isdigit((unsigned char)**s) || **s == '-')
		return parse_number(p, *s, s, 64, field, bits);
	n = word_length(*s);
	if (!n)
		return fail(p,
			    "'%s': expected a flag name or number, got "
			    "'%.40s'",
			    field, *s);
	if (tc_rflags_name_value(*s, n, bits))
		return fail(p,
			    "'%s': unknown flag '%.*s' (flags: CF PF AF ZF "
			    "SF TF IF DF OF NT RF VM AC VIF VIP ID FIXED "
			    "IOPL0..IOPL3)",
			    field, (int)(n > 40 ? 40 : n), *s);
	*s += n;
	return 0;
}

/* "IF | DF | 0x2": flag names and numbers joined by '|'. */
static int parse_rflags(struct parser *p, const char *s, const char *field,
			uint64_t *out)
{
	uint64_t v = 0, term;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (parse_rflags_term(p, &s, field, &term))
			return -1;
		v |= term;
		while (isspace((unsigned char)*s))
			s++;
		if (*s != '|')
			break;
		s++;
	}
	*out = v;
	return expect_end(p, s, field);
}

static int parse_value(struct parser *p, const struct tc_field *f,
		       const char *s, uint64_t *out)
{
	switch (f->kind) {
	case TCF_MECHANISM:
		return parse_named(p, s, "mechanism", tc_mechanism_name,
				   GC_MECH_COUNT, out);
	case TCF_RFLAGS:
		return parse_rflags(p, s, f->name, out);
	case TCF_PREFIX:
		return parse_named(p, s, "prefix", tc_prefix_name,
				   GC_PREFIX_COUNT, out);
	default:
		if (parse_number(p, s, &s, f->size * 8u, f->name, out))
			return -1;
		return expect_end(p, s, f->name);
	}
}

/* Looks the name up and checks it is set only once. */
static const struct tc_field *lookup_field(struct parser *p, const char *s,
					   const char *e)
{
	char name[32];
	const struct tc_field *f = NULL;
	size_t i;

	if (e - s < (long)sizeof(name)) {
		snprintf(name, sizeof(name), "%.*s", (int)(e - s), s);
		f = tc_field_by_name(name);
	}
	if (!f) {
		fail(p, "unknown field '%.*s'", (int)(e - s > 40 ? 40 : e - s),
		     s);
		return NULL;
	}
	i = (size_t)(f - tc_fields);
	if (p->first_seen[i]) {
		fail(p, "'%s' is set twice (first on line %u)", f->name,
		     p->first_seen[i]);
		return NULL;
	}
	p->first_seen[i] = p->line;
	return f;
}

/* The context lines: where each goes, and the characters its value may
 * hold (names and lists of names; the commands check the names). */
static char *context_slot(struct tc_context *ctx, const char *name,
			  size_t *size)
{
	if (!strcmp(name, "disable")) {
		*size = sizeof(ctx->disable);
		return ctx->disable;
	}
	if (!strcmp(name, "vendor")) {
		*size = sizeof(ctx->vendor);
		return ctx->vendor;
	}
	if (!strcmp(name, "backend")) {
		*size = sizeof(ctx->backend);
		return ctx->backend;
	}
	return NULL;
}

static int parse_context(struct parser *p, const char *name, const char *v,
			 const char *e)
{
	size_t size, n = (size_t)(e - v);
	char *slot = context_slot(p->ctx, name, &size);

	if (p->first_field)
		return fail(p,
			    "'%s' is a context line: put it before the first "
			    "field (line %u)",
			    name, p->first_field);
	if (slot[0])
		return fail(p, "'%s' is given twice", name);
	if (v == e)
		return fail(p, "missing value for '%s'", name);
	if (n >= size)
		return fail(p, "value of '%s' is too long", name);
	for (const char *c = v; c < e; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_-,", *c))
			return fail(p,
				    "'%s': expected a name or a comma-separated "
				    "list, got '%.*s'",
				    name, (int)(n > 40 ? 40 : n), v);
	memcpy(slot, v, n);
	slot[n] = '\0';
	return 0;
}

/* One `name = value` line, without its comment, trimmed and not empty. */
static int parse_assignment(struct parser *p, const char *s, const char *e,
			    struct gc_testcase *tc)
{
	const char *eq = memchr(s, '=', (size_t)(e - s));
	const char *name_end, *val;
	const struct tc_field *f;
	char value[MAX_VALUE];
	uint64_t v;

	if (!eq)
		return fail(p, "expected 'name = value', got '%.*s'",
			    (int)(e - s > 40 ? 40 : e - s), s);
	name_end = eq;
	val = eq + 1;
	trim(&s, &name_end);
	trim(&val, &e);
	if (s == name_end)
		return fail(p, "missing field name before '='");
	if (name_end - s < 8) {
		size_t size;

		snprintf(value, sizeof(value), "%.*s", (int)(name_end - s), s);
		if (context_slot(p->ctx, value, &size))
			return parse_context(p, value, val, e);
	}
	f = lookup_field(p, s, name_end);
	if (!f)
		return -1;
	if (!p->first_field)
		p->first_field = p->line;
	if (f->kind == TCF_MECHANISM)
		p->ctx->mechanism_line = p->line;
	if (val == e)
		return fail(p, "missing value for '%s'", f->name);
	if (e - val >= MAX_VALUE)
		return fail(p, "value of '%s' is too long", f->name);
	snprintf(value, sizeof(value), "%.*s", (int)(e - val), val);
	if (parse_value(p, f, value, &v))
		return -1;
	tc_field_set(tc, f, v);
	return 0;
}

static int parse_line(struct parser *p, const char *s, const char *e,
		      struct gc_testcase *tc)
{
	const char *hash = memchr(s, '#', (size_t)(e - s));

	if (hash)
		e = hash;
	if (memchr(s, '\0', (size_t)(e - s)))
		return fail(p, "contains a NUL byte");
	trim(&s, &e);
	if (s == e)
		return 0;
	return parse_assignment(p, s, e, tc);
}

int tc_parse_text(const char *text, size_t len, struct gc_testcase *out,
		  char *err, size_t errlen)
{
	struct tc_context ignored;

	return tc_parse_text_ctx(text, len, out, &ignored, err, errlen);
}

int tc_parse_text_ctx(const char *text, size_t len, struct gc_testcase *out,
		      struct tc_context *ctx, char *err, size_t errlen)
{
	struct parser p = {.pos = text,
			   .end = text + len,
			   .err = err,
			   .errlen = errlen,
			   .ctx = ctx};
	struct gc_testcase tc;
	const char *s, *e;

	memset(ctx, 0, sizeof(*ctx));
	if (errlen)
		err[0] = '\0';
	if (tc_nr_fields > MAX_FIELDS)
		return fail(&p, "internal error: field table too large");
	if (parse_header(&p))
		return -1;
	tc_default(&tc);
	while (next_line(&p, &s, &e))
		if (parse_line(&p, s, e, &tc))
			return -1;
	tc_normalize(&tc);
	*out = tc;
	return 0;
}
