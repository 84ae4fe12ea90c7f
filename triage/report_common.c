// SPDX-License-Identifier: MIT
/* What the Markdown, HTML and JSON reports share. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testcase.h"
#include "triage.h"

static char *to_string(void (*print)(FILE *f, const void *a, const void *b),
		       const void *a, const void *b)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	print(m, a, b);
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void print_verdict(FILE *f, const void *a, const void *b)
{
	const struct replay_result *res = b;

	verdict_print_text(f, "minimized.tc", a, &res->out, &res->v,
			   kernel_image_symbolize);
}

static void print_testcase(FILE *f, const void *a, const void *b)
{
	(void)b;
	tc_print_text(f, a);
}

struct json_ctx {
	const struct replay_result *res;
	const char *backend;
};

static void print_verdict_json(FILE *f, const void *a, const void *b)
{
	const struct json_ctx *c = b;

	verdict_print_json(f, "minimized.tc", a, &c->res->out, &c->res->v,
			   c->backend, kernel_image_symbolize);
}

char *report_verdict_json(const struct gc_testcase *tc,
			  const struct replay_result *res, const char *backend)
{
	struct json_ctx c = {res, backend};
	char *text = to_string(print_verdict_json, tc, &c);
	size_t len = text ? strlen(text) : 0;

	if (len && text[len - 1] == '\n')
		text[len - 1] = '\0'; /* it ends a line of `run --json` */
	return text;
}

char *report_verdict_text(const struct gc_testcase *tc,
			  const struct replay_result *res)
{
	return to_string(print_verdict, tc, res);
}

char *report_testcase_text(const struct gc_testcase *tc)
{
	return to_string(print_testcase, tc, NULL);
}

void report_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&s, &tm)) {
		snprintf(buf, len, "-");
		return;
	}
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}
