// SPDX-License-Identifier: MIT
/*
 * The external engines behind `gatecrash fuzz --engine` (engines.h). The
 * fuzzers run as child processes configured by the environment
 * (target.h); this process converts the seeds to binary, starts them,
 * waits, and then brings their results into the campaign directory:
 *
 *   OUT/engine/seeds/              --seeds, binary (the fuzzers read bytes)
 *   OUT/engine/libfuzzer/          -artifact_prefix, fuzz-N.log (-jobs),
 *                  corpus/         libFuzzer's writable corpus
 *   OUT/engine/afl/<instance>/     afl-fuzz -o (main, sec1, ...)
 *
 * Their corpora are imported into OUT/corpus/<hash>.bin and their crash
 * files replayed by the target binary, which saves any finding into
 * OUT/findings through the engine's code. A crash file that yields no
 * finding is a harness crash; it stays where the fuzzer put it.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "defenses.h"
#include "engine.h"
#include "engines.h"
#include "paths.h"
#include "mutator.h"
#include "testcase.h"

#ifndef GC_FUZZ_BIN_DIR
#define GC_FUZZ_BIN_DIR "."
#endif

#define MAX_INSTANCES 256
#define PATH_LEN      4096
#define MAX_EXTRA     200 /* arguments after `--` */

struct dirs {
	char out[PATH_LEN], corpus[PATH_LEN + 16], findings[PATH_LEN + 16];
	char seeds[PATH_LEN + 16], engine[PATH_LEN + 32];
	char corpus_in[PATH_LEN + 64]; /* libFuzzer's writable corpus */
};

struct engine_run {
	enum fuzz_engine engine;
	const struct campaign_config *cfg;
	struct dirs d;
	char bin[PATH_LEN];
	const char *import_to; /* where import_one() saves */
	pid_t pids[MAX_INSTANCES];
	unsigned n;
	uint64_t afl_base[MAX_INSTANCES]; /* execs_done before this run */
	uint64_t base_execs;		  /* campaign.state: earlier runs */
	double base_seconds, t0;
	struct afl_stats afl; /* OUT/fuzzer_stats, OUT/plot_data */
	double poll_time;     /* afl_progress(): the last poll, */
	uint64_t poll_execs;  /* and the executions then */
	char *err;
	size_t errlen;
};

static struct engine_run *volatile running; /* for the signal handler */

int fuzz_engine_from_name(const char *name)
{
	static const char *const names[] = {"builtin", "libfuzzer", "afl"};

	for (int i = 0; i < 3; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

static int fail(struct engine_run *r, const char *what, const char *detail)
{
	snprintf(r->err, r->errlen, "%s: %s", what, detail);
	return -1;
}

/* ---- setup: directories, the binary, the seeds, the environment ---- */

static int make_dirs(struct engine_run *r)
{
	struct dirs *d = &r->d;
	const char *name = r->engine == ENGINE_AFL ? "afl" : "libfuzzer";

	if (fs_mkdir_p(r->cfg->out_dir) || !realpath(r->cfg->out_dir, d->out))
		return fail(r, r->cfg->out_dir, strerror(errno));
	snprintf(d->corpus, sizeof(d->corpus), "%s/corpus", d->out);
	snprintf(d->findings, sizeof(d->findings), "%s/findings", d->out);
	snprintf(d->seeds, sizeof(d->seeds), "%s/engine/seeds", d->out);
	snprintf(d->engine, sizeof(d->engine), "%s/engine/%s", d->out, name);
	snprintf(d->corpus_in, sizeof(d->corpus_in), "%s/corpus", d->engine);
	if (fs_mkdir_p(d->corpus) || fs_mkdir_p(d->findings) ||
	    fs_mkdir_p(d->seeds) || fs_mkdir_p(d->engine) ||
	    (r->engine == ENGINE_LIBFUZZER && fs_mkdir_p(d->corpus_in)))
		return fail(r, d->out, strerror(errno));
	return 0;
}

/* $GATECRASH_<NAME>_BIN, the installed helpers, the build directory, or
 * next to gatecrash. */
static int find_binary(struct engine_run *r)
{
	const char *name = r->engine == ENGINE_AFL ? "gatecrash-afl"
						   : "gatecrash-libfuzzer";
	const char *env =
		getenv(r->engine == ENGINE_AFL ? "GATECRASH_AFL_BIN"
					       : "GATECRASH_LIBFUZZER_BIN");
	char self[PATH_LEN - 64];
	ssize_t n;

	if (env && *env) {
		snprintf(r->bin, sizeof(r->bin), "%s", env);
		return access(r->bin, X_OK) ? fail(r, env, strerror(errno)) : 0;
	}
	if (gc_path_helpers()) {
		snprintf(r->bin, sizeof(r->bin), "%.*s/%s", PATH_LEN - 32,
			 gc_path_helpers(), name);
		if (!access(r->bin, X_OK))
			return 0;
	}
	snprintf(r->bin, sizeof(r->bin), "%s/%s", GC_FUZZ_BIN_DIR, name);
	if (!access(r->bin, X_OK))
		return 0;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	if (strrchr(self, '/'))
		*strrchr(self, '/') = '\0';
	snprintf(r->bin, sizeof(r->bin), "%s/%s", self, name);
	if (!access(r->bin, X_OK))
		return 0;
	return fail(r, name,
		    r->engine == ENGINE_AFL
			    ? "not built (needs Debian's afl++ package)"
			    : "not built (needs clang and libclang-rt-14-dev)");
}

static int convert_seed(struct engine_run *r, const char *dir, const char *name)
{
	uint8_t bin[sizeof(struct gc_testcase)];
	char path[PATH_LEN + 256], out[300], why[256];
	struct gc_testcase tc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (tc_load_file(path, &tc, NULL, why, sizeof(why))) {
		fprintf(stderr, "gatecrash: seed %s skipped: %s\n", path, why);
		return 0;
	}
	tc_encode(&tc, bin);
	snprintf(out, sizeof(out), "%s.bin", name);
	return fs_write_atomic(r->d.seeds, out, bin, sizeof(bin));
}

static int convert_seeds(struct engine_run *r)
{
	const char *dir = r->cfg->seeds_dir ? r->cfg->seeds_dir
					    : gc_path_minimal_seeds();
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), ret = 0;

	if (n < 0)
		return fail(r, dir, strerror(errno));
	for (int i = 0; i < n; i++) {
		if (!ret && names[i]->d_type != DT_DIR &&
		    names[i]->d_name[0] != '.')
			ret = convert_seed(r, dir, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return ret ? fail(r, r->d.seeds, "cannot write") : 0;
}

/* The --disable set, back as the names GATECRASH_DISABLE takes. */
static void disabled_names(uint64_t enabled, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < defense_count && at < len; i++) {
		if (enabled & (1ull << defenses[i].bit))
			continue;
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
				       at ? "," : "", defenses[i].name);
	}
}

static void set_target_env(const struct engine_run *r)
{
	const struct campaign_config *cfg = r->cfg;
	char list[1024], num[32];

	disabled_names(cfg->defenses, list, sizeof(list));
	setenv("GATECRASH_OUT", r->d.out, 1);
	setenv("GATECRASH_DISABLE", list, 1);
	/* "auto" would probe kvm again in every VM the fuzzers create (AFL++
	 * makes one per crash); the external engines run on tcg unless told. */
	setenv("GATECRASH_BACKEND",
	       cfg->backend && strcmp(cfg->backend, "auto") ? cfg->backend
							    : "tcg",
	       1);
	if (cfg->bcfg.kernel_path)
		setenv("GATECRASH_KERNEL", cfg->bcfg.kernel_path, 1);
	if (cfg->bcfg.qemu_path)
		setenv("GATECRASH_QEMU", cfg->bcfg.qemu_path, 1);
	if (cfg->bcfg.vendor)
		setenv("GATECRASH_VENDOR", cfg->bcfg.vendor, 1);
	if (cfg->bcfg.case_timeout_ms) {
		snprintf(num, sizeof(num), "%u", cfg->bcfg.case_timeout_ms);
		setenv("GATECRASH_TIMEOUT_MS", num, 1);
	}
}

/* ---- child processes ---- */

static void forward_signal(int sig)
{
	struct engine_run *r = running;

	for (unsigned i = 0; r && i < r->n; i++)
		if (r->pids[i] > 0)
			kill(r->pids[i], sig);
}

/* A handler, not SIG_IGN: an ignored signal would stay ignored in the
 * children across exec, and Ctrl-C must reach them to stop them cleanly. */
static void catch_signals(struct engine_run *r, int on)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on ? forward_signal : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	running = on ? r : NULL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Starts argv in dir with stdout and stderr to log (NULL: ours). */
static pid_t spawn(const char *const argv[], const char *dir, const char *log)
{
	pid_t pid;
	int fd;

	fflush(NULL);
	pid = fork();
	if (pid)
		return pid;
	if (log) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
	}
	if (chdir(dir) == 0)
		execv(argv[0], (char *const *)argv);
	fprintf(stderr, "gatecrash: cannot run %s: %s\n", argv[0],
		strerror(errno));
	_exit(127);
}

/*
 * A fuzzer that exits by itself with a non-zero status did not run: exec
 * failed (127), or it refused its setup (afl-fuzz's PROGRAM ABORT is exit
 * 1). Stopping at the budget ends in status 0 or by our signal. Counting
 * it as a finished run would report "nothing found" for a campaign that
 * never started.
 */
static int fuzzer_failed(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) != 0;
}

/* Waits for every child; returns how many failed to run at all. */
static unsigned wait_all(struct engine_run *r)
{
	unsigned bad = 0;
	int status = 0;

	for (unsigned i = 0; i < r->n; i++) {
		while (waitpid(r->pids[i], &status, 0) < 0 && errno == EINTR)
			;
		if (fuzzer_failed(status))
			bad++;
		r->pids[i] = 0;
	}
	return bad;
}

/* ---- bringing results into the campaign directory ---- */

static int import_file(const char *path, const char *corpus_dir)
{
	uint8_t buf[sizeof(struct gc_testcase)];
	char name[32], dst[PATH_LEN + 64];
	struct gc_testcase tc;
	long n = fs_read_small(path, buf, sizeof(buf));
	uint64_t hash;

	if (n < 0)
		return 0;
	mutator_decode_input(buf, (size_t)n, &tc);
	hash = tc_content_hash(&tc);
	snprintf(name, sizeof(name), "%016" PRIx64 ".bin", hash);
	snprintf(dst, sizeof(dst), "%s/%s", corpus_dir, name);
	if (!access(dst, F_OK))
		return 0;
	return corpus_save(corpus_dir, &tc, hash) ? -1 : 1;
}

typedef int (*file_fn)(struct engine_run *r, const char *path);

/* Calls fn for each file in dir whose name starts with one of prefixes
 * ("" matches any name not starting with '.'). Returns the sum. */
static int each_file(struct engine_run *r, const char *dir,
		     const char *const *prefixes, file_fn fn)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), sum = 0;
	char path[PATH_LEN + 256];

	for (int i = 0; i < n; i++) {
		const char *f = names[i]->d_name;

		for (const char *const *p = prefixes; *p && f[0] != '.'; p++) {
			if (strncmp(f, *p, strlen(*p)))
				continue;
			/* A cut path would name another file: skip it. */
			if (snprintf(path, sizeof(path), "%s/%s", dir, f) <
			    (int)sizeof(path))
				sum += fn(r, path);
			break;
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return sum;
}

static int import_one(struct engine_run *r, const char *path)
{
	return import_file(path, r->import_to) > 0;
}

/* In its own process: a crash file may crash the harness again. */
static int replay_one(struct engine_run *r, const char *path)
{
	const char *argv[] = {r->bin, path, NULL};

	r->pids[0] = spawn(argv, r->d.engine, NULL);
	r->n = r->pids[0] > 0;
	wait_all(r);
	return 1;
}

static unsigned count_findings(const char *dir)
{
	unsigned counts[VERDICT_COUNT] = {0}, n = 0;

	findings_load(NULL, dir, counts, 0);
	for (int c = 0; c < VERDICT_COUNT; c++)
		n += counts[c];
	return n;
}

/* Replays crash files; reports those that were no finding. */
static void replay_crashes(struct engine_run *r, const char *dir,
			   const char *const *prefixes)
{
	unsigned before = count_findings(r->d.findings), files;

	setenv("GATECRASH_CRASH_ON_FINDING", "0", 1);
	files = (unsigned)each_file(r, dir, prefixes, replay_one);
	unsetenv("GATECRASH_CRASH_ON_FINDING");
	if (files && r->cfg->progress)
		fprintf(stderr,
			"gatecrash: replayed %u crash file%s from %s: %u new "
			"finding%s\n",
			files, files == 1 ? "" : "s", dir,
			count_findings(r->d.findings) - before,
			count_findings(r->d.findings) - before == 1 ? "" : "s");
}

/* ---- libFuzzer ---- */

/* argv[(*argc)++] = "<flag><v>", formatted into buf. */
static void add_arg(const char **argv, unsigned *argc, char *buf, size_t len,
		    const char *flag, uint64_t v)
{
	snprintf(buf, len, "%s%" PRIu64, flag, v);
	argv[(*argc)++] = buf;
}

static int start_libfuzzer(struct engine_run *r)
{
	const struct campaign_config *cfg = r->cfg;
	unsigned jobs = cfg->jobs ? cfg->jobs : 1, argc = 0;
	const char *argv[16 + MAX_EXTRA];
	char a[8][PATH_LEN + 64];

	argv[argc++] = r->bin;
	argv[argc++] = r->d.corpus_in; /* the one libFuzzer writes */
	argv[argc++] = r->d.corpus;
	argv[argc++] = r->d.seeds;
	snprintf(a[0], sizeof(a[0]), "-artifact_prefix=%s/", r->d.engine);
	argv[argc++] = a[0];
	argv[argc++] = "-print_final_stats=1";
	if (jobs > 1) {
		add_arg(argv, &argc, a[1], sizeof(a[1]), "-jobs=", jobs);
		add_arg(argv, &argc, a[2], sizeof(a[2]), "-workers=", jobs);
	}
	if (cfg->time_s)
		add_arg(argv, &argc, a[3], sizeof(a[3]),
			"-max_total_time=", (uint64_t)cfg->time_s);
	if (cfg->max_execs)
		add_arg(argv, &argc, a[4], sizeof(a[4]),
			"-runs=", (cfg->max_execs + jobs - 1) / jobs);
	if (cfg->rng_seed_set)
		add_arg(argv, &argc, a[5], sizeof(a[5]),
			"-seed=", (cfg->rng_seed & 0x7fffffff) | 1);
	/* After ours: libFuzzer takes the last of a repeated flag. */
	for (unsigned i = 0; i < cfg->n_engine_args; i++)
		argv[argc++] = cfg->engine_args[i];
	argv[argc] = NULL;
	snprintf(a[6], sizeof(a[6]), "%s/log", r->d.engine);
	unlink(a[6]); /* parsed for progress: this run's lines only */
	r->pids[0] = spawn(argv, r->d.engine, a[6]);
	r->n = 1;
	return r->pids[0] > 0 ? 0 : fail(r, "fork", strerror(errno));
}

static void finish_libfuzzer(struct engine_run *r)
{
	static const char *const any[] = {"", NULL};
	static const char *const crashes[] = {"crash-", "timeout-", "oom-",
					      "leak-", NULL};

	r->import_to = r->d.corpus;
	each_file(r, r->d.corpus_in, any, import_one);
	replay_crashes(r, r->d.engine, crashes);
}

/* ---- AFL++ ---- */

/* main, sec1, ...; with $GATECRASH_AFL_HOST=H main-H, sec1-H, ..., so
 * that the instances of several machines can share a sync directory. */
static void instance_name(unsigned i, char *buf, size_t len)
{
	const char *host = getenv("GATECRASH_AFL_HOST");
	int at;

	if (i == 0)
		at = snprintf(buf, len, "main");
	else
		at = snprintf(buf, len, "sec%u", i);
	if (host && *host && at > 0 && (size_t)at < len)
		snprintf(buf + at, len - (size_t)at, "-%s", host);
}

/* afl-fuzz's input: the seeds plus the campaign's corpus, so a run on
 * a directory another engine filled starts from what it found. */
static int afl_input_dir(struct engine_run *r, char *in, size_t len)
{
	static const char *const any[] = {"", NULL};

	snprintf(in, len, "%s/input", r->d.engine);
	if (fs_mkdir_p(in))
		return fail(r, in, strerror(errno));
	r->import_to = in;
	each_file(r, r->d.seeds, any, import_one);
	each_file(r, r->d.corpus, any, import_one);
	return 0;
}

/*
 * afl-fuzz aborts at start-up if ASAN_OPTIONS is set without
 * abort_on_error=1 and symbolize=0 (it must see a sanitizer report as a
 * crash, fast): keep what the user set and add those two.
 */
static void afl_fix_sanitizer_options(void)
{
	const char *asan = getenv("ASAN_OPTIONS");
	char opts[1024];

	if (!asan || !*asan)
		return;
	snprintf(opts, sizeof(opts), "%s:abort_on_error=1:symbolize=0", asan);
	setenv("ASAN_OPTIONS", opts, 1);
}

static void set_afl_env(const struct engine_run *r, const char *mutator)
{
	setenv("AFL_NO_UI", "1", 1);
	setenv("AFL_SKIP_CPUFREQ", "1", 1);
	setenv("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1", 1);
	/* Each target talks to its own QEMU; pinned to one core, the
	 * harness's wait and the guest would share it. */
	setenv("AFL_NO_AFFINITY", "1", 1);
	setenv("AFL_AUTORESUME", "1", 1);
	setenv("AFL_CUSTOM_MUTATOR_LIBRARY", mutator, 1);
	afl_fix_sanitizer_options();
	if (!getenv("AFL_CUSTOM_MUTATOR_ONLY"))
		setenv("AFL_CUSTOM_MUTATOR_ONLY", "1", 1);
	/* Each run starts by importing the other instances' queues, also
	 * those copied in from other machines (docs/fuzzing.md). */
	if (!getenv("AFL_IMPORT_FIRST"))
		setenv("AFL_IMPORT_FIRST", "1", 1);
	(void)r;
}

/* The number after "key :" in instance i's fuzzer_stats; -1 if none. */
static double afl_stat(struct engine_run *r, unsigned i, const char *key)
{
	char path[PATH_LEN + 128], name[64], text[8192], *p;
	size_t len = strlen(key);
	long n;

	instance_name(i, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s/fuzzer_stats", r->d.engine, name);
	n = fs_read_small(path, text, sizeof(text) - 1);
	text[n > 0 ? n : 0] = '\0';
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (strncmp(p, key, len) || (p[len] != ' ' && p[len] != ':'))
			continue;
		p = strchr(p, ':');
		return p ? strtod(p + 1, NULL) : -1;
	}
	return -1;
}

static uint64_t afl_execs(struct engine_run *r, unsigned i)
{
	double v = afl_stat(r, i, "execs_done");

	return v > 0 ? (uint64_t)v : 0;
}

/* This run's executions: execs_done carries over a resumed instance's. */
static uint64_t afl_run_execs(struct engine_run *r, unsigned i)
{
	uint64_t execs = afl_execs(r, i);

	return execs > r->afl_base[i] ? execs - r->afl_base[i] : 0;
}

/* OUT/engine/afl/<instance>.execs: the targets count this run's
 * executions there (target.h), for progress between afl-fuzz's reports. */
static void exec_counter_path(struct engine_run *r, const char *name,
			      char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.execs", r->d.engine, name);
}

static void set_exec_counter(struct engine_run *r, const char *name)
{
	char path[PATH_LEN + 128];

	exec_counter_path(r, name, path, sizeof(path));
	unlink(path);
	setenv("GATECRASH_EXEC_COUNTER", path, 1);
}

static uint64_t afl_counted_execs(struct engine_run *r, unsigned i)
{
	char path[PATH_LEN + 128], name[64];
	uint64_t n = 0;

	instance_name(i, name, sizeof(name));
	exec_counter_path(r, name, path, sizeof(path));
	return fs_read_small(path, &n, sizeof(n)) == sizeof(n) ? n : 0;
}

static int start_afl_instance(struct engine_run *r, unsigned i, const char *in)
{
	const struct campaign_config *cfg = r->cfg;
	unsigned jobs = cfg->jobs ? cfg->jobs : 1, argc = 0;
	const char *argv[24 + MAX_EXTRA];
	char a[6][PATH_LEN + 64], name[64], log[PATH_LEN + 128];

	instance_name(i, name, sizeof(name));
	set_exec_counter(r, name);
	argv[argc++] = "/usr/bin/afl-fuzz";
	if (getenv("GATECRASH_AFL_FUZZ"))
		argv[0] = getenv("GATECRASH_AFL_FUZZ");
	argv[argc++] = "-i";
	argv[argc++] = in;
	argv[argc++] = "-o";
	snprintf(a[0], sizeof(a[0]), "%s", r->d.engine);
	argv[argc++] = a[0];
	argv[argc++] = i ? "-S" : "-M";
	argv[argc++] = name;
	argv[argc++] = "-t";
	argv[argc++] = "5000"; /* the backend has its own hang deadline */
	if (cfg->time_s)
		add_arg(argv, &argc, a[1], sizeof(a[1]), "-V",
			(uint64_t)cfg->time_s);
	r->afl_base[i] = afl_execs(r, i); /* -E counts resumed execs too */
	if (cfg->max_execs)
		add_arg(argv, &argc, a[2], sizeof(a[2]), "-E",
			(cfg->max_execs + jobs - 1) / jobs + r->afl_base[i]);
	if (cfg->rng_seed_set)
		add_arg(argv, &argc, a[3], sizeof(a[3]), "-s",
			(cfg->rng_seed + i) & 0x7fffffff);
	/* afl-fuzz options, before the target's `--`. */
	for (unsigned k = 0; k < cfg->n_engine_args; k++)
		argv[argc++] = cfg->engine_args[k];
	argv[argc++] = "--";
	argv[argc++] = r->bin;
	argv[argc] = NULL;
	snprintf(log, sizeof(log), "%s/%s.log", r->d.engine, name);
	r->pids[i] = spawn(argv, r->d.engine, log);
	return r->pids[i] > 0 ? 0 : fail(r, "fork", strerror(errno));
}

/* A name afl-fuzz accepts, short enough for instance_name(). */
static int check_host_name(struct engine_run *r)
{
	const char *host = getenv("GATECRASH_AFL_HOST");

	if (!host)
		return 0;
	if (strlen(host) > 40 || host[0] == '.' ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.-") != strlen(host))
		return fail(r, "GATECRASH_AFL_HOST",
			    "up to 40 letters, digits, '_', '.' or '-', "
			    "not starting with '.'");
	return 0;
}

static int start_afl(struct engine_run *r)
{
	unsigned jobs = r->cfg->jobs ? r->cfg->jobs : 1;
	char in[PATH_LEN + 64], mutator[PATH_LEN + 64];

	if (check_host_name(r))
		return -1;
	snprintf(mutator, sizeof(mutator), "%s", r->bin);
	*strrchr(mutator, '/') = '\0';
	strncat(mutator, "/libgatecrash-afl-mutator.so",
		sizeof(mutator) - strlen(mutator) - 1);
	if (access(mutator, R_OK))
		return fail(r, mutator, strerror(errno));
	if (afl_input_dir(r, in, sizeof(in)))
		return -1;
	set_afl_env(r, mutator);
	for (unsigned i = 0; i < jobs && i < MAX_INSTANCES; i++) {
		if (start_afl_instance(r, i, in)) {
			unsetenv("GATECRASH_EXEC_COUNTER");
			return -1;
		}
		r->n = i + 1;
	}
	unsetenv("GATECRASH_EXEC_COUNTER"); /* crash replays do not count */
	return 0;
}

static void finish_afl(struct engine_run *r, struct campaign_result *res)
{
	static const char *const ids[] = {"id:", NULL};
	char dir[PATH_LEN + 128], name[64];
	unsigned jobs = r->cfg->jobs ? r->cfg->jobs : 1;

	r->import_to = r->d.corpus;
	for (unsigned i = 0; i < jobs; i++) {
		res->execs += afl_run_execs(r, i);
		instance_name(i, name, sizeof(name));
		snprintf(dir, sizeof(dir), "%s/%s/queue", r->d.engine, name);
		each_file(r, dir, ids, import_one);
		snprintf(dir, sizeof(dir), "%s/%s/crashes", r->d.engine, name);
		replay_crashes(r, dir, ids);
	}
}

/* ---- progress: OUT/stats.jsonl while the fuzzers run ---- */

#define STATS_S 5.0 /* as the built-in engine (campaign.c) */
#define POLL_MS 200

/* What the fuzzers report of this run; known is 0 before they do. */
struct progress {
	uint64_t execs;
	double rate;
	unsigned corpus;
	int known;
};

/* The last 16 KiB of path, NUL-terminated; 0 if there is none. */
static size_t read_tail(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	off_t end = fd >= 0 ? lseek(fd, 0, SEEK_END) : 0;
	off_t at = end > (off_t)cap - 1 ? end - ((off_t)cap - 1) : 0;
	ssize_t n = fd >= 0 ? pread(fd, buf, cap - 1, at) : 0;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

/*
 * AFL++ rewrites fuzzer_stats once a minute (STATS_UPDATE_SEC) but appends
 * to plot_data every 5 s (PLOT_UPDATE_SEC): its last line is the fresh
 * figure. Columns: relative_time, cycles_done, cur_item, corpus_count,
 * pending_total, pending_favs, map_size, saved_crashes, saved_hangs,
 * max_depth, execs_per_sec, total_execs, edges_found. 0 if none yet.
 */
static int afl_plot_last(struct engine_run *r, unsigned i, double *corpus,
			 double *rate, double *execs)
{
	char path[PATH_LEN + 128], name[64], text[2048], *line;
	double col[13];
	int n;

	instance_name(i, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s/plot_data", r->d.engine, name);
	if (!read_tail(path, text, sizeof(text)))
		return 0;
	text[strlen(text) - (text[strlen(text) - 1] == '\n')] = '\0';
	line = strrchr(text, '\n');
	line = line ? line + 1 : text;
	n = sscanf(line,
		   "%lf, %lf, %lf, %lf, %lf, %lf, %lf%%, %lf, %lf, %lf, %lf, "
		   "%lf, %lf",
		   &col[0], &col[1], &col[2], &col[3], &col[4], &col[5],
		   &col[6], &col[7], &col[8], &col[9], &col[10], &col[11],
		   &col[12]);
	if (n < 12)
		return 0;
	*corpus = col[3];
	*rate = col[10];
	*execs = col[11];
	return 1;
}

static int count_entry(struct engine_run *r, const char *path)
{
	(void)r;
	(void)path;
	return 1;
}

/* Entries in instance i's queue/: its corpus, as of now. */
static unsigned afl_queue_size(struct engine_run *r, unsigned i)
{
	static const char *const ids[] = {"id:", NULL};
	char dir[PATH_LEN + 128], name[64];

	instance_name(i, name, sizeof(name));
	snprintf(dir, sizeof(dir), "%s/%s/queue", r->d.engine, name);
	return (unsigned)each_file(r, dir, ids, count_entry);
}

/*
 * afl-fuzz 4.04c publishes nothing in its first minute after the start:
 * fuzzer_stats waits STATS_UPDATE_SEC (60 s), plot_data waits until the
 * fuzzer is 60 s old and through its first queue cycle. So the figures
 * are also taken where they are fresh: the executions the targets count
 * (GATECRASH_EXEC_COUNTER), the rate from those between two polls, and the
 * queue's entries. The larger of each wins.
 */
static void afl_progress(struct engine_run *r, struct progress *p)
{
	unsigned jobs = r->cfg->jobs ? r->cfg->jobs : 1;
	double now = engine_now();
	int counted = 0;

	for (unsigned i = 0; i < jobs; i++) {
		double rate = afl_stat(r, i, "execs_per_sec");
		double corpus = afl_stat(r, i, "corpus_count");
		double execs = afl_stat(r, i, "execs_done");
		uint64_t run = 0, own = afl_counted_execs(r, i);
		double pc, prate, pexecs;

		if (afl_plot_last(r, i, &pc, &prate, &pexecs) &&
		    pexecs >= execs) {
			corpus = pc;
			rate = prate;
			execs = pexecs;
		}
		if (execs > (double)r->afl_base[i])
			run = (uint64_t)execs - r->afl_base[i];
		counted |= own > run;
		run = own > run ? own : run;
		corpus = fmax(corpus, afl_queue_size(r, i));
		if (rate < 0 && !run)
			continue;
		p->known = 1;
		p->execs += run;
		p->rate += rate > 0 ? rate : 0;
		if (corpus > p->corpus)
			p->corpus = (unsigned)corpus;
	}
	if (counted && r->poll_time > 0 && now > r->poll_time &&
	    p->execs >= r->poll_execs)
		p->rate = (double)(p->execs - r->poll_execs) /
			  (now - r->poll_time);
	r->poll_time = now;
	r->poll_execs = p->execs;
}

static double number_after(const char *text, const char *label)
{
	const char *p = strstr(text, label);

	return p ? strtod(p + strlen(label), NULL) : 0;
}

/* libFuzzer's last "#N <event> cov: .. corp: C/..b .. exec/s: R" line,
 * or its final "stat::number_of_executed_units: N". */
static void libfuzzer_log_progress(const char *path, struct progress *p)
{
	static char text[16384];
	char line[512] = "", *nl;
	const char *units;

	read_tail(path, text, sizeof(text));
	for (char *q = text; (nl = strchr(q, '\n')); q = nl + 1)
		if (*q == '#')
			snprintf(line, sizeof(line), "%.*s", (int)(nl - q), q);
	units = strstr(text, "stat::number_of_executed_units:");
	if (!line[0] && !units)
		return;
	p->known = 1;
	p->execs += (uint64_t)(units ? number_after(units, "units:")
				     : number_after(line, "#"));
	p->rate += number_after(line, "exec/s:");
	if (number_after(line, "corp:") > p->corpus)
		p->corpus = (unsigned)number_after(line, "corp:");
}

/* One process writes log; with -jobs, job i writes fuzz-<i>.log. */
static void libfuzzer_progress(struct engine_run *r, struct progress *p)
{
	unsigned jobs = r->cfg->jobs ? r->cfg->jobs : 1;
	char path[PATH_LEN + 64];

	if (jobs == 1) {
		snprintf(path, sizeof(path), "%s/log", r->d.engine);
		libfuzzer_log_progress(path, p);
		return;
	}
	for (unsigned i = 0; i < jobs; i++) {
		snprintf(path, sizeof(path), "%s/fuzz-%u.log", r->d.engine, i);
		libfuzzer_log_progress(path, p);
	}
}

static void get_progress(struct engine_run *r, struct progress *p)
{
	memset(p, 0, sizeof(*p));
	if (r->engine == ENGINE_AFL)
		afl_progress(r, p);
	else
		libfuzzer_progress(r, p);
}

/* v with decimals digits into buf, or "null" when the engine has not
 * said, or said something JSON cannot hold (AFL++ reports an execs_per_sec
 * of "inf" for an instance that has only just started). */
static const char *num_or_null(char *buf, size_t len, int known, int decimals,
			       double v)
{
	if (!known || !isfinite(v))
		return "null";
	snprintf(buf, len, "%.*f", decimals, v);
	return buf;
}

/* OUT/fuzzer_stats and OUT/plot_data: what the fuzzers said, summed. */
static void write_afl_stats(struct engine_run *r, const struct progress *p,
			    const unsigned counts[VERDICT_COUNT],
			    double elapsed)
{
	struct afl_stats *a = &r->afl;

	a->now = (double)time(NULL);
	a->run_time = r->base_seconds + elapsed;
	a->execs = r->base_execs + p->execs;
	a->execs_per_sec = isfinite(p->rate) ? p->rate : 0;
	if (p->corpus > a->corpus)
		a->last_find = a->now;
	a->corpus = p->corpus;
	afl_stats_count_findings(counts, a);
	afl_stats_write(r->d.out, a);
}

static int format_findings(struct engine_run *r, char *buf, size_t len,
			   unsigned counts[VERDICT_COUNT])
{
	int at = 0;

	findings_load(NULL, r->d.findings, counts, 0);
	for (int c = 0; c < VERDICT_COUNT && at >= 0 && (size_t)at < len; c++)
		if (verdict_is_finding(c))
			at += snprintf(buf + at, len - (size_t)at, "%s\"%s\":%u",
				       at ? "," : "", verdict_name(c),
				       counts[c]);
	return at;
}

/* One line with the built-in engine's keys; null for what the fuzzer
 * does not report. One write() with O_APPEND (fs_append_sync). */
static void write_stats(struct engine_run *r, const struct progress *p,
			double elapsed)
{
	char line[1024], findings[256], path[PATH_LEN + 32];
	char execs[32], rate[32], corpus[32];
	unsigned counts[VERDICT_COUNT] = {0};

	format_findings(r, findings, sizeof(findings), counts);
	snprintf(line, sizeof(line),
		 "{\"time\":%.3f,\"elapsed_s\":%.3f,\"execs\":%s,"
		 "\"execs_per_s\":%s,\"corpus\":%s,\"coverage\":null,"
		 "\"coverage_total\":null,\"features\":null,\"jobs\":%u,"
		 "\"errors\":null,\"findings\":{%s},\"engine\":\"%s\"}\n",
		 (double)time(NULL), r->base_seconds + elapsed,
		 num_or_null(execs, sizeof(execs), p->known, 0,
			     (double)(r->base_execs + p->execs)),
		 num_or_null(rate, sizeof(rate), p->known, 1, p->rate),
		 num_or_null(corpus, sizeof(corpus), p->known, 0,
			     (double)p->corpus),
		 r->cfg->jobs ? r->cfg->jobs : 1, findings,
		 r->engine == ENGINE_AFL ? "afl" : "libfuzzer");
	snprintf(path, sizeof(path), "%s/stats.jsonl", r->d.out);
	fs_append_sync(path, line);
	write_afl_stats(r, p, counts, elapsed);
}

static void print_progress(struct engine_run *r, const struct progress *p,
			   double elapsed)
{
	unsigned s = (unsigned)elapsed;

	if (!r->cfg->progress)
		return;
	fprintf(stderr, "[%u:%02u:%02u] ", s / 3600, s / 60 % 60, s % 60);
	if (p->known)
		fprintf(stderr, "execs %" PRIu64 " (%.0f/s) corpus %u\n",
			p->execs, p->rate, p->corpus);
	else
		fprintf(stderr, "%s starting\n",
			r->engine == ENGINE_AFL ? "afl-fuzz" : "libFuzzer");
}

/* Reaps the children that have exited; returns how many are left. */
static unsigned reap(struct engine_run *r, unsigned *bad)
{
	unsigned left = 0;
	int status;

	for (unsigned i = 0; i < r->n; i++) {
		if (r->pids[i] <= 0)
			continue;
		if (waitpid(r->pids[i], &status, WNOHANG) != r->pids[i]) {
			left++;
			continue;
		}
		if (fuzzer_failed(status))
			(*bad)++;
		r->pids[i] = 0;
	}
	return left;
}

/* Waits for the fuzzers, with a stats line every STATS_S seconds. */
static int run_children(struct engine_run *r)
{
	const struct timespec poll = {0, POLL_MS * 1000000L};
	double last = engine_now();
	struct progress p;
	unsigned bad = 0;

	catch_signals(r, 1);
	while (reap(r, &bad)) {
		nanosleep(&poll, NULL);
		if (engine_now() - last < STATS_S)
			continue;
		last = engine_now();
		get_progress(r, &p);
		write_stats(r, &p, last - r->t0);
		print_progress(r, &p, last - r->t0);
	}
	catch_signals(r, 0);
	return bad ? fail(r, r->bin, "exited with an error before its budget "
				      "(its log is in OUT/engine/)")
		   : 0;
}

/* campaign.state (campaign.c's format): execs and seconds of all runs. */
static void load_campaign_state(struct engine_run *r)
{
	char path[PATH_LEN + 32], text[128];
	long n;

	snprintf(path, sizeof(path), "%s/engine/campaign.state", r->d.out);
	n = fs_read_small(path, text, sizeof(text) - 1);
	if (n <= 0)
		return;
	text[n] = '\0';
	sscanf(text, "execs %" SCNu64 "\nseconds %lf", &r->base_execs,
	       &r->base_seconds);
}

/* The final stats line and campaign.state; res->execs is this run's. */
static void finish_stats(struct engine_run *r, struct campaign_result *res)
{
	char dir[PATH_LEN + 16], text[128];
	struct progress p;

	get_progress(r, &p);
	res->corpus = p.corpus;
	if (r->engine == ENGINE_LIBFUZZER)
		res->execs = p.execs;
	p.execs = res->execs;
	p.rate = res->seconds > 0 ? (double)res->execs / res->seconds : 0;
	write_stats(r, &p, res->seconds);
	snprintf(dir, sizeof(dir), "%s/engine", r->d.out);
	snprintf(text, sizeof(text), "execs %" PRIu64 "\nseconds %.3f\n",
		 r->base_execs + res->execs, r->base_seconds + res->seconds);
	fs_write_atomic(dir, "campaign.state", text, strlen(text));
}

/* ---- the run ---- */

/* fuzzer_stats from the start: afl-whatsup sees the campaign at once. */
static void first_sample(struct engine_run *r)
{
	unsigned counts[VERDICT_COUNT] = {0};
	struct progress p;

	memset(&p, 0, sizeof(p));
	findings_load(NULL, r->d.findings, counts, 0);
	r->afl.engine = r->engine == ENGINE_AFL ? "afl" : "libfuzzer";
	r->afl.start_time = (double)time(NULL);
	r->afl.exec_timeout_ms = r->cfg->bcfg.case_timeout_ms;
	afl_stats_count_findings(counts, &r->afl); /* now is 0 */
	write_afl_stats(r, &p, counts, 0);
}

static int count_one(struct engine_run *r, const char *path)
{
	(void)r;
	(void)path;
	return 1;
}

static unsigned corpus_size(struct engine_run *r)
{
	static const char *const any[] = {"", NULL};

	return (unsigned)each_file(r, r->d.corpus, any, count_one);
}

static int start(struct engine_run *r)
{
	if (!(r->engine == ENGINE_AFL ? start_afl(r) : start_libfuzzer(r)))
		return 0;
	forward_signal(SIGTERM); /* those that did start */
	running = NULL;
	wait_all(r);
	return -1;
}

int fuzz_engine_run(enum fuzz_engine engine, const struct campaign_config *cfg,
		    struct campaign_result *res, char *err, size_t errlen)
{
	static struct engine_run r;

	memset(&r, 0, sizeof(r));
	memset(res, 0, sizeof(*res));
	r.engine = engine;
	r.cfg = cfg;
	r.err = err;
	r.errlen = errlen;
	running = &r;
	r.t0 = r.poll_time = engine_now();
	if (cfg->n_engine_args > MAX_EXTRA)
		return fail(&r, "--", "more than 200 arguments for the fuzzer");
	if (make_dirs(&r) || find_binary(&r) || convert_seeds(&r))
		return -1;
	load_campaign_state(&r);
	first_sample(&r);
	set_target_env(&r);
	if (start(&r) || run_children(&r))
		return -1;
	if (engine == ENGINE_AFL)
		finish_afl(&r, res);
	else
		finish_libfuzzer(&r);
	res->seconds = engine_now() - r.t0;
	res->corpus_files = corpus_size(&r);
	finish_stats(&r, res);
	findings_load(NULL, r.d.findings, res->findings, 0);
	return 0;
}
