// SPDX-License-Identifier: MIT
/*
 * OUT/fuzzer_stats and OUT/plot_data in AFL++'s formats, written by every
 * engine next to stats.jsonl, so that afl-whatsup (which sources each
 * fuzzer_stats at depth <= 2 of the directory it is given as shell
 * assignments) and afl-plot (which feeds plot_data's columns to gnuplot)
 * work on the directory the user named with --out.
 *
 * The keys and their order are those of AFL++ 4.04c's write_stats_file();
 * plot_data's columns those of its maybe_update_plot_file(). Values
 * gatecrash has no meaning for (cycles, favored, stability) are written
 * as AFL++ writes them for a fresh instance, so the scripts' arithmetic
 * works. fuzzer_pid is this process: afl-whatsup counts the campaign as
 * alive while it runs and as dead (-d to include it) afterwards.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"

#define PLOT_HEADER                                              \
	"# relative_time, cycles_done, cur_item, corpus_count, " \
	"pending_total, pending_favs, map_size, saved_crashes, " \
	"saved_hangs, max_depth, execs_per_sec, total_execs, edges_found\n"

static double coverage_percent(const struct afl_stats *s)
{
	return s->total_edges ? 100.0 * s->edges_found / s->total_edges : 0;
}

static void fill_fuzzer_stats(FILE *f, const void *ctx)
{
	const struct afl_stats *s = ctx;
	/* afl-whatsup divides by corpus_count and execs_done. */
	unsigned corpus = s->corpus ? s->corpus : 1;
	uint64_t execs = s->execs ? s->execs : 1;

	fprintf(f,
		"start_time        : %.0f\n"
		"last_update       : %.0f\n"
		"run_time          : %.0f\n"
		"fuzzer_pid        : %d\n"
		"cycles_done       : 0\n"
		"cycles_wo_finds   : 0\n"
		"execs_done        : %" PRIu64 "\n"
		"execs_per_sec     : %0.02f\n"
		"execs_ps_last_min : %0.02f\n"
		"corpus_count      : %u\n"
		"corpus_favored    : 0\n"
		"corpus_found      : %u\n"
		"corpus_imported   : 0\n"
		"corpus_variable   : 0\n"
		"max_depth         : 1\n"
		"cur_item          : 0\n"
		"pending_favs      : 0\n"
		"pending_total     : 0\n"
		"stability         : 100.00%%\n"
		"bitmap_cvg        : %0.02f%%\n"
		"saved_crashes     : %u\n"
		"saved_hangs       : %u\n"
		"last_find         : %.0f\n"
		"last_crash        : %.0f\n"
		"last_hang         : %.0f\n"
		"execs_since_crash : 0\n"
		"exec_timeout      : %u\n"
		"slowest_exec_ms   : 0\n"
		"peak_rss_mb       : 0\n"
		"cpu_affinity      : -1\n"
		"edges_found       : %u\n"
		"total_edges       : %u\n"
		"var_byte_count    : 0\n"
		"havoc_expansion   : 0\n"
		"auto_dict_entries : 0\n"
		"testcache_size    : 0\n"
		"testcache_count   : 0\n"
		"testcache_evict   : 0\n"
		"afl_banner        : gatecrash-%s\n"
		"afl_version       : gatecrash\n"
		"target_mode       : default\n"
		"command_line      : gatecrash fuzz --engine %s\n",
		s->start_time, s->now, s->run_time, (int)getpid(), execs,
		s->execs_per_sec, s->execs_per_sec, corpus, s->corpus,
		coverage_percent(s), s->crashes, s->hangs, s->last_find,
		s->last_crash, s->last_hang, s->exec_timeout_ms, s->edges_found,
		s->total_edges, s->engine, s->engine);
}

static void append_plot_line(const char *out, const struct afl_stats *s)
{
	char path[4096 + 32], line[512];
	struct stat st;
	int fresh;

	snprintf(path, sizeof(path), "%s/plot_data", out);
	fresh = stat(path, &st) != 0 || st.st_size == 0;
	snprintf(line, sizeof(line),
		 "%s%.0f, 0, 0, %u, 0, 0, %0.02f%%, %u, %u, 1, %0.02f, "
		 "%" PRIu64 ", %u\n",
		 fresh ? PLOT_HEADER : "", s->run_time, s->corpus,
		 coverage_percent(s), s->crashes, s->hangs, s->execs_per_sec,
		 s->execs, s->edges_found);
	fs_append_sync(path, line);
}

int afl_stats_write(const char *out, const struct afl_stats *s)
{
	append_plot_line(out, s);
	return fs_write_atomic_stream(out, "fuzzer_stats", fill_fuzzer_stats,
				      s);
}

void afl_stats_count_findings(const unsigned f[VERDICT_COUNT],
			      struct afl_stats *s)
{
	unsigned crashes = 0, hangs = 0;

	for (int c = 0; c < VERDICT_COUNT; c++) {
		if (!verdict_is_finding(c))
			continue;
		if (c == VERDICT_HANG)
			hangs += f[c];
		else
			crashes += f[c];
	}
	if (crashes > s->crashes)
		s->last_crash = s->now;
	if (hangs > s->hangs)
		s->last_hang = s->now;
	s->crashes = crashes;
	s->hangs = hangs;
}
