// SPDX-License-Identifier: MIT
/*
 * B2: testcases/s one at a time, as the external engines see them, and
 * AFL++'s own ceiling (an empty persistent-mode target) in the same run.
 * B6: kvm, through kvm_bench.c's measurement.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "kvm_bench.h"

/* Runs argv with output to log; returns the exit status, -1 if none. */
static int spawn_wait(const char *const argv[], const char *log)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The number after "key" at a line start in file; -1 if none. */
static double number_in(const char *file, const char *key)
{
	char line[512];
	double v = -1;
	FILE *fp = fopen(file, "r");

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, key, strlen(key)))
			v = strtod(line + strlen(key) + strspn(line +
				strlen(key), " :"), NULL);
	fclose(fp);
	return v;
}

/* `gatecrash fuzz --engine E` for secs; libFuzzer: the summary's rate,
 * AFL++: afl-fuzz's own execs_per_sec (as the floor is measured). */
static double engine_rate(const struct bench_opts *o, const char *engine,
			  double secs, char *why, size_t len)
{
	char dir[512], log[600], stats[700], t[32], line[512];
	const char *argv[] = { o->self, "fuzz", "--engine", engine,
			       "--backend", "tcg", "--out", dir, "--time", t,
			       "--seed-rng", "1", "-q", NULL };
	double r = -1, execs, s;
	FILE *fp;
	int rc;

	if (bench_tmpdir(dir, sizeof(dir)))
		return -1;
	snprintf(t, sizeof(t), "%.0f", secs);
	snprintf(log, sizeof(log), "%s.log", dir);
	rc = spawn_wait(argv, log);
	if (rc < 0 || rc > 1) /* 1: it found something, still a rate */
		snprintf(why, len, "gatecrash fuzz --engine %s failed", engine);
	snprintf(stats, sizeof(stats), "%s/engine/afl/main/fuzzer_stats", dir);
	if (!strcmp(engine, "afl"))
		r = number_in(stats, "execs_per_sec");
	else if ((fp = fopen(log, "r"))) {
		while (fgets(line, sizeof(line), fp))
			if (sscanf(line, "fuzz: %*s ran %lf s, %lf execs", &s,
				   &execs) == 2 && s > 0)
				r = execs / s;
		fclose(fp);
	}
	if (r < 0 && !*why)
		snprintf(why, len, "no rate in %.100s", log);
	else
		unlink(log);
	bench_rmtree(dir);
	return r;
}

/* afl-fuzz on gc-afl-empty for secs: its execs_per_sec. */
static double afl_floor(const struct bench_opts *o, double secs, char *why,
			size_t len)
{
	char dir[512], in[600], out[600], bin[600], log[600], t[32];
	char stats[700];
	const char *argv[] = { "/usr/bin/afl-fuzz", "-i", in, "-o", out,
			       "-V", t, "--", bin, NULL };
	double r;
	FILE *fp;

	snprintf(bin, sizeof(bin), "%s/gc-afl-empty", o->bin_dir);
	if (access(bin, X_OK) || access(argv[0], X_OK)) {
		snprintf(why, len, "afl++ or gc-afl-empty missing");
		return -1;
	}
	if (bench_tmpdir(dir, sizeof(dir)))
		return -1;
	snprintf(in, sizeof(in), "%s/in", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(log, sizeof(log), "%s/log", dir);
	snprintf(t, sizeof(t), "%.0f", secs);
	mkdir(in, 0700);
	snprintf(stats, sizeof(stats), "%s/seed", in);
	fp = fopen(stats, "w");
	if (fp) {
		fputs("gatecrash", fp);
		fclose(fp);
	}
	setenv("AFL_NO_UI", "1", 1);
	setenv("AFL_SKIP_CPUFREQ", "1", 1);
	setenv("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1", 1);
	setenv("AFL_NO_AFFINITY", "1", 1);
	spawn_wait(argv, log);
	snprintf(stats, sizeof(stats), "%s/default/fuzzer_stats", out);
	r = number_in(stats, "execs_per_sec");
	if (r < 0)
		snprintf(why, len, "afl-fuzz on gc-afl-empty gave no stats");
	bench_rmtree(dir);
	return r;
}

/*
 * gc-libfuzzer-empty for secs, the flags `gatecrash fuzz --engine
 * libfuzzer` gives, minus the paths: libFuzzer's own average execs/s.
 */
static double libfuzzer_floor(const struct bench_opts *o, double secs,
			      char *why, size_t len)
{
	char dir[512], corpus[600], bin[600], log[600], t[64];
	const char *argv[] = { bin, corpus, GC_SOURCE_DIR "/seeds/minimal", t,
			       "-print_final_stats=1", "-seed=3", NULL };
	double r;

	snprintf(bin, sizeof(bin), "%s/gc-libfuzzer-empty", o->bin_dir);
	if (access(bin, X_OK)) {
		snprintf(why, len, "gc-libfuzzer-empty not built");
		return -1;
	}
	if (bench_tmpdir(dir, sizeof(dir)))
		return -1;
	snprintf(corpus, sizeof(corpus), "%s/corpus", dir);
	snprintf(log, sizeof(log), "%s/log", dir);
	snprintf(t, sizeof(t), "-max_total_time=%.0f", secs);
	mkdir(corpus, 0700);
	spawn_wait(argv, log);
	r = number_in(log, "stat::average_exec_per_sec");
	if (r <= 0)
		snprintf(why, len, "gc-libfuzzer-empty gave no stats");
	bench_rmtree(dir);
	return r;
}

static void b2_member(struct bench_fig *f, const char *key, double v,
		      const char *why)
{
	if (v > 0)
		bench_extra(f, ", \"%s\": %.0f", key, v);
	else
		bench_extra(f, ", \"%s\": null, \"%s_reason\": \"%s\"", key,
			    key, why);
}

void bench_b2(const struct bench_opts *o, struct bench_fig *f)
{
	double secs = o->quick ? 3 : 10, lf, afl, floor, lf_floor;
	char why_lf[160] = "", why_afl[160] = "", why_fl[160] = "";
	char why_lff[160] = "";
	char bin[600];

	f->unit = "execs/s";
	snprintf(bin, sizeof(bin), "%s/../harness/gatecrash-libfuzzer",
		 o->bin_dir);
	if (access(bin, X_OK)) {
		snprintf(why_lf, sizeof(why_lf), "gatecrash-libfuzzer not "
			 "built (needs clang, libclang-rt-14-dev)");
		lf = -1;
	} else {
		lf = engine_rate(o, "libfuzzer", secs, why_lf, sizeof(why_lf));
	}
	floor = afl_floor(o, secs, why_fl, sizeof(why_fl));
	afl = floor < 0 ? -1 : engine_rate(o, "afl", secs, why_afl,
					    sizeof(why_afl));
	if (floor < 0)
		snprintf(why_afl, sizeof(why_afl), "%s", why_fl);
	lf_floor = libfuzzer_floor(o, secs, why_lff, sizeof(why_lff));
	b2_member(f, "libfuzzer_floor", lf_floor, why_lff);
	if (lf > 0 && lf_floor > 0)
		bench_extra(f, ", \"libfuzzer_ratio\": %.4f", lf / lf_floor);
	b2_member(f, "afl", afl, why_afl);
	b2_member(f, "afl_floor", floor, why_fl);
	if (afl > 0 && floor > 0)
		bench_extra(f, ", \"afl_ratio\": %.4f", afl / floor);
	f->have_value = lf > 0;
	f->value = lf;
	f->have_floor = floor > 0;
	f->floor = floor;
	snprintf(f->note, sizeof(f->note),
		 "hardened, one case per round trip, %.0f s each; value: "
		 "libFuzzer%s%s; floor: AFL++ persistent mode on an empty "
		 "target (afl_floor), the ceiling for 'afl'; "
		 "libfuzzer_floor: libFuzzer on an empty target with the same "
		 "mutator and map (gc-libfuzzer-empty)",
		 secs, lf > 0 ? "" : " (null: ", lf > 0 ? "" : why_lf);
	if (lf <= 0)
		strncat(f->note, ")", sizeof(f->note) - strlen(f->note) - 1);
}

void bench_b6(const struct bench_opts *o, struct bench_fig *f)
{
	struct kvm_bench r;
	char err[640];

	f->unit = "testcases/s";
	if (kvm_bench_measure(NULL, o->quick ? 0.3 : 1, &r, err,
			      sizeof(err))) {
		snprintf(f->note, sizeof(f->note), "kvm: %.400s", err);
		return;
	}
	if (!r.usable) {
		snprintf(f->note, sizeof(f->note), "kvm not usable: %.400s",
			 r.reason);
		return;
	}
	f->have_value = f->have_floor = 1;
	f->value = r.cases_per_s;
	f->floor = r.exits_per_s;
	bench_extra(f,
		    ", \"faithful\": %s, \"exits_per_s\": %.0f"
		    ", \"mailbox_per_s\": %.0f, \"restore_us\": %.1f"
		    ", \"reset_cycle_us\": %.1f, \"boot_ms\": %.1f",
		    r.faithful ? "true" : "false", r.exits_per_s,
		    r.mailbox_per_s, r.restore_us, r.reset_cycle_us, r.boot_ms);
	snprintf(f->note, sizeof(f->note),
		 "kvm %s (%.300s); value: batches of 256 minimal seeds, floor: "
		 "bare-VM ring-0 OUT exits/s (bench/kvm_bench.c)",
		 r.faithful ? "FAITHFUL" : "UNFAITHFUL", r.reason);
}
