/* SPDX-License-Identifier: MIT */
/*
 * `gatecrash convert FILE [-o OUT] [--to text|binary]`: text testcases
 * become binary, binary become text, normalized on the way.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "commands.h"
#include "testcase.h"

static const char convert_usage[] =
	"Usage: gatecrash convert FILE|- [-o OUT] [--to text|binary]\n"
	"\n"
	"Convert a testcase between the text form people write (a .tc file\n"
	"whose first line is '" TC_TEXT_HEADER "') and the binary form\n"
	"fuzzers mutate. Text becomes binary and binary becomes text unless\n"
	"--to says otherwise. The testcase is normalized on the way, so the\n"
	"output is what a run would use (docs/testcase-format.md). FILE '-'\n"
	"reads standard input (text if it starts with the header line).\n"
	"\n"
	"Options:\n"
	"  -o, --output OUT  write to OUT (atomically) instead of stdout;\n"
	"                    binary goes to stdout only if it is not a "
	"terminal\n"
	"  -t, --to FORM     the form to write: 'text' or 'binary'\n"
	"  -h, --help        show this help\n"
	"\n"
	"Exit status: 0 converted, 2 usage, input or output error.\n";

enum form { FORM_AUTO, FORM_TEXT, FORM_BINARY };

struct convert_args {
	const char *input;
	const char *output; /* NULL or "-": stdout */
	enum form to;
};

/* The input's context lines, kept in a text output (a binary has none). */
static struct tc_context context;

static int write_testcase(FILE *f, const struct gc_testcase *tc, int text)
{
	uint8_t bytes[sizeof(*tc)];

	if (text) {
		tc_print_text_ctx(f, tc, &context);
	} else {
		tc_encode(tc, bytes);
		fwrite(bytes, 1, sizeof(bytes), f);
	}
	return fflush(f) || ferror(f) ? -1 : 0;
}

/* Writes the open file, syncs it and closes it; 0 or -1 with errno set. */
static int write_and_close(int fd, const struct gc_testcase *tc, int text)
{
	FILE *f = fdopen(fd, "wb");
	int ret, saved;

	if (!f) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	ret = write_testcase(f, tc, text) || fsync(fd) ? -1 : 0;
	saved = errno;
	if (fclose(f) && !ret)
		return -1;
	errno = saved;
	return ret;
}

/* Writes OUT.tmp.PID, syncs it, then renames it over OUT, so OUT is never
 * seen half-written (a campaign may be reading the directory). */
static int write_file_atomically(const char *path, const struct gc_testcase *tc,
				 int text)
{
	char tmp[4096];
	int fd, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return cli_error("cannot write %s: %s", path,
				 strerror(ENAMETOOLONG));
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return cli_error("cannot write %s: %s", path, strerror(errno));
	if (!write_and_close(fd, tc, text) && !rename(tmp, path))
		return 0;
	saved = errno;
	unlink(tmp);
	return cli_error("cannot write %s: %s", path, strerror(saved));
}

static int write_stdout(const struct gc_testcase *tc, int text)
{
	if (!text && isatty(STDOUT_FILENO))
		return cli_error("convert: will not write binary to a "
				 "terminal; use -o FILE or redirect stdout");
	if (write_testcase(stdout, tc, text))
		return cli_error("cannot write to standard output: %s",
				 strerror(errno));
	return 0;
}

static int parse_form(const char *s, enum form *to)
{
	if (!strcmp(s, "text"))
		*to = FORM_TEXT;
	else if (!strcmp(s, "binary"))
		*to = FORM_BINARY;
	else
		return -1;
	return 0;
}

/* Returns -1 to go on, or the exit status to end with. */
static int parse_args(int argc, char **argv, struct convert_args *a)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"to", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:t:h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(convert_usage, stdout);
			return 0;
		} else if (c == 'o') {
			a->output = optarg;
		} else if (c == 't') {
			if (parse_form(optarg, &a->to))
				return cli_usage_error("convert",
						       "--to must be 'text' or "
						       "'binary', not '%s'",
						       optarg);
		} else {
			return cli_bad_option("convert", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("convert", "no input FILE given");
	if (argc - optind > 1)
		return cli_usage_error("convert",
				       "one FILE at a time (got '%s' "
				       "too)",
				       argv[optind + 1]);
	a->input = argv[optind];
	return -1;
}

int cmd_convert(int argc, char **argv)
{
	struct convert_args a = {.to = FORM_AUTO};
	struct gc_testcase tc;
	char err[640];
	int status, is_text, to_text;

	status = parse_args(argc, argv, &a);
	if (status >= 0)
		return status;
	if (tc_load_file_ctx(a.input, &tc, &is_text, &context, err,
			     sizeof(err)))
		return cli_error("%s", err);
	to_text = a.to == FORM_AUTO ? !is_text : a.to == FORM_TEXT;
	if (!to_text && (context.disable[0] || context.vendor[0] ||
			 context.backend[0]))
		fprintf(stderr,
			"gatecrash: note: %s: the binary form has no context "
			"lines; its disable/vendor/backend lines are not in "
			"the output\n",
			a.input);
	if (!a.output || !strcmp(a.output, "-"))
		return write_stdout(&tc, to_text);
	return write_file_atomically(a.output, &tc, to_text);
}
