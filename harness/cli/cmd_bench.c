// SPDX-License-Identifier: MIT
/*
 * gatecrash bench: the speed figures B1..B8 (docs/bench.md), each next to
 * a floor measured in the same run, as a table or one JSON document.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "cli_util.h"
#include "commands.h"
#include "json.h"

#ifndef GC_BENCH_BIN_DIR
#define GC_BENCH_BIN_DIR "."
#endif

static const char bench_usage[] =
	"Usage: gatecrash bench [--json] [--quick] [--only B1,B3,...]\n"
	"\n"
	"Measures, on tcg (and kvm where /dev/kvm works), each figure next to\n"
	"a floor taken in the same run, so the ratio holds on a noisy host:\n"
	"  B1 batched testcases/s, oracle on each  vs  guest per-case floor\n"
	"  B2 one-at-a-time execs/s under libFuzzer and AFL++  vs  AFL++ on\n"
	"     an empty target\n"
	"  B3 us per case after a vm_crash (and kernel_fault)  vs  plain\n"
	"  B4 execs to the first finding per switched-off defense\n"
	"  B5 built-in engine --jobs 2  vs  --jobs 1\n"
	"  B6 kvm testcases/s  vs  bare-VM exits/s\n"
	"  B7 built-in engine execs/s, one job  vs  B1's batches\n"
	"  B8 linux-vm testcases/s  vs  the host linux backend's\n"
	"Takes about 4 minutes (--quick: about 30 s; numbers then rough).\n"
	"\n"
	"Options:\n"
	"  --json        one JSON document, keys B1..B8, each with value,\n"
	"                unit, floor (null where none), ratio, notes\n"
	"  --quick       short slices: a smoke run\n"
	"  --only LIST   run only these (the others are null)\n"
	"\n"
	"Exit status: 0 measured, 2 usage or environment error.\n";

typedef void (*bench_fn)(const struct bench_opts *, struct bench_fig *);

static const struct {
	const char *name, *what;
	bench_fn fn;
} benches[] = {
	{ "B1", "tcg batched (256), full oracle", bench_b1 },
	{ "B2", "tcg one at a time: libFuzzer", bench_b2 },
	{ "B3", "reset after a faulting case", bench_b3 },
	{ "B4", "execs to first finding", bench_b4 },
	{ "B5", "built-in engine --jobs 2 vs 1", bench_b5 },
	{ "B6", "kvm testcases/s", bench_b6 },
	{ "B7", "built-in engine vs B1", bench_b7 },
	{ "B8", "linux-vm batched (256) vs linux", bench_b8 },
};
#define NR_BENCHES (sizeof(benches) / sizeof(benches[0]))

static void print_number(int have, double v)
{
	if (have)
		printf("%.6g", v);
	else
		printf("null");
}

static void print_json(const struct bench_fig *f, int first)
{
	printf("%s\"%s\": {\"value\": ", first ? "{" : ",\n ", f->name);
	print_number(f->have_value, f->value);
	printf(", \"unit\": \"%s\", \"floor\": ", f->unit);
	print_number(f->have_floor, f->floor);
	printf(", \"ratio\": ");
	print_number(f->have_value && f->have_floor && f->floor > 0,
		     f->value / f->floor);
	printf(", \"what\": ");
	json_string(stdout, f->what);
	printf(", \"notes\": ");
	json_string(stdout, f->note);
	printf("%s}", f->extra);
}

/* s indented by four, broken after ", " so no line passes 100 columns
 * (B4's per-defense detail is thousands of characters in one piece). */
static void print_wrapped(const char *s)
{
	const size_t width = 96;
	size_t col = 0;
	int after_comma = 0;

	fputs("    ", stdout);
	while (*s) {
		size_t word = strcspn(s, " ");

		if (s[word] == ' ')
			word++;
		if (after_comma && col + word > width) {
			fputs("\n      ", stdout);
			col = 2;
		}
		fwrite(s, 1, word, stdout);
		col += word;
		after_comma = word >= 2 && s[word - 2] == ',' &&
			      s[word - 1] == ' ';
		s += word;
	}
	putchar('\n');
}

static void print_row(const struct bench_fig *f)
{
	char v[32] = "-", fl[32] = "-", r[32] = "-";

	if (f->have_value)
		snprintf(v, sizeof(v), "%.4g", f->value);
	if (f->have_floor)
		snprintf(fl, sizeof(fl), "%.4g", f->floor);
	if (f->have_value && f->have_floor && f->floor > 0)
		snprintf(r, sizeof(r), "%.3f", f->value / f->floor);
	printf("%-3s %-32s %10s %10s %7s  %s\n", f->name, f->what, v, fl, r,
	       f->unit);
	print_wrapped(f->note);
	if (f->extra[0])
		print_wrapped(f->extra + 2);
}

static int selected(const char *only, const char *name)
{
	return !only || strstr(only, name);
}

static void run_all(const struct bench_opts *o, const char *only, int json)
{
	static struct bench_fig figs[NR_BENCHES];

	if (!json)
		printf("%-3s %-32s %10s %10s %7s  %s\n", "", "figure", "value",
		       "floor", "ratio", "unit");
	for (size_t i = 0; i < NR_BENCHES; i++) {
		struct bench_fig *f = &figs[i];

		f->name = benches[i].name;
		f->what = benches[i].what;
		f->unit = "";
		if (selected(only, f->name))
			benches[i].fn(o, f);
		else
			snprintf(f->note, sizeof(f->note), "not run (--only)");
		if (json)
			print_json(f, !i);
		else
			print_row(f);
		fflush(stdout);
	}
	if (json)
		printf("}\n");
}

int cmd_bench(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quick", no_argument, NULL, 'q' },
		{ "only", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_opts o = { .bin_dir = GC_BENCH_BIN_DIR };
	static char self[PATH_MAX];
	const char *only = NULL;
	int json = 0, c;
	ssize_t n;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'q':
			o.quick = 1;
			break;
		case 'o':
			only = optarg;
			break;
		case 'h':
			fputs(bench_usage, stdout);
			return 0;
		default:
			return cli_bad_option("bench", c, argv);
		}
	}
	if (optind < argc)
		return cli_error("bench takes no arguments; see 'gatecrash "
				 "bench --help'");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return cli_error("cannot find the gatecrash binary");
	self[n] = '\0';
	o.self = self;
	run_all(&o, only, json);
	return 0;
}
