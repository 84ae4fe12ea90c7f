/* SPDX-License-Identifier: MIT */
/*
 * `gatecrash defenses [--json]`: the kernel profile's named checks, what
 * each one guards, and the seed and verdict that prove the fuzzer finds the
 * bug when the check is off.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"
#include "commands.h"
#include "defenses.h"
#include "json.h"

static const char defenses_usage[] =
	"Usage: gatecrash defenses [--json]\n"
	"\n"
	"List the named safety checks of the test kernel's entry and exit\n"
	"paths. The default kernel profile has all of them on. Turning one\n"
	"off by name (--disable NAME[,NAME...], or 'all') makes it a known\n"
	"bug: its seed testcase must then get the expected verdict.\n"
	"\n"
	"Columns: name, edge-case catalog entry, expected verdict with the\n"
	"check off, seed testcase, what the check does.\n"
	"\n"
	"Options:\n"
	"  --json      print a JSON array of {name, case, seed, expected,\n"
	"              [vendor,] summary, bit} objects instead of a table;\n"
	"              vendor: the seed shows only with --vendor VENDOR\n"
	"  -h, --help  show this help\n"
	"\n"
	"Exit status: 0 listed, 2 usage error.\n";

struct column {
	const char *title;
	size_t width;
};

static const char *cell(const struct defense *d, int col)
{
	const char *cells[] = {d->name, d->catalog_case, d->expected, d->seed,
			       d->summary};

	return cells[col];
}

#define NR_COLUMNS 5

static void print_row(const struct column *cols, const char *const *cells)
{
	for (int i = 0; i < NR_COLUMNS - 1; i++)
		printf("%-*s  ", (int)cols[i].width, cells[i]);
	printf("%s\n", cells[NR_COLUMNS - 1]);
}

static void print_table(void)
{
	struct column cols[NR_COLUMNS] = {
		{"NAME", 0}, {"CASE", 0},    {"EXPECTED", 0},
		{"SEED", 0}, {"SUMMARY", 0},
	};
	const char *cells[NR_COLUMNS];

	for (int i = 0; i < NR_COLUMNS; i++) {
		cols[i].width = strlen(cols[i].title);
		for (size_t d = 0; d < defense_count; d++)
			if (strlen(cell(&defenses[d], i)) > cols[i].width)
				cols[i].width = strlen(cell(&defenses[d], i));
		cells[i] = cols[i].title;
	}
	print_row(cols, cells);
	for (size_t d = 0; d < defense_count; d++) {
		for (int i = 0; i < NR_COLUMNS; i++)
			cells[i] = cell(&defenses[d], i);
		print_row(cols, cells);
	}
}

static void print_json_field(const char *key, const char *value)
{
	json_string(stdout, key);
	fputs(": ", stdout);
	json_string(stdout, value);
	fputs(", ", stdout);
}

static void print_json(void)
{
	puts("[");
	for (size_t i = 0; i < defense_count; i++) {
		const struct defense *d = &defenses[i];

		fputs("  {", stdout);
		print_json_field("name", d->name);
		print_json_field("case", d->catalog_case);
		print_json_field("seed", d->seed);
		print_json_field("expected", d->expected);
		if (d->vendor)
			print_json_field("vendor", d->vendor);
		print_json_field("summary", d->summary);
		printf("\"bit\": %u}%s\n", (unsigned)d->bit,
		       i + 1 < defense_count ? "," : "");
	}
	puts("]");
}

int cmd_defenses(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, json = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(defenses_usage, stdout);
			return 0;
		} else if (c == 'j') {
			json = 1;
		} else {
			return cli_bad_option("defenses", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("defenses", "unexpected argument '%s'",
				       argv[optind]);
	if (json)
		print_json();
	else
		print_table();
	return 0;
}
