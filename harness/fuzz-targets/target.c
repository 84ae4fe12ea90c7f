// SPDX-License-Identifier: MIT
/*
 * The testcase runner the libFuzzer and AFL++ targets share (target.h).
 * Per input it does what the built-in engine's worker does (harness/
 * engine/worker.c), minus corpus and scheduling, which are the fuzzer's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "defenses.h"
#include "mutator.h"
#include "target.h"
#include "testcase.h"

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

static int read_env(struct target *t, int crash_default)
{
	const char *disable = env_or("GATECRASH_DISABLE", NULL);
	const char *timeout = env_or("GATECRASH_TIMEOUT_MS", NULL);
	const char *crash = env_or("GATECRASH_CRASH_ON_FINDING", NULL);

	t->defenses = GC_DEFENSES_ALL;
	if (disable && defenses_disable_list(disable, &t->defenses, t->err,
					     sizeof(t->err)))
		return -1;
	t->backend_name = env_or("GATECRASH_BACKEND", "tcg");
	t->bcfg.kernel_path = env_or("GATECRASH_KERNEL", NULL);
	t->bcfg.qemu_path = env_or("GATECRASH_QEMU", NULL);
	t->bcfg.vendor = env_or("GATECRASH_VENDOR", NULL);
	if (timeout)
		t->bcfg.case_timeout_ms = (unsigned)strtoul(timeout, NULL, 0);
	t->crash_on_finding = crash ? !strcmp(crash, "1") : crash_default;
	/* No campaign directory, no files: afl-showmap, afl-tmin or a
	 * person running the binary by hand must not get ./findings. */
	snprintf(t->out_dir, sizeof(t->out_dir), "%s",
		 env_or("GATECRASH_OUT", ""));
	if (t->out_dir[0])
		snprintf(t->findings_dir, sizeof(t->findings_dir),
			 "%s/findings", t->out_dir);
	return 0;
}

static void count_feature(void *ctx, uint32_t bit)
{
	struct target *t = ctx;
	uint8_t *c = &t->outcome[bit & (TARGET_OUTCOME_COUNTERS - 1)];

	if (*c != 0xff)
		(*c)++;
}

static int open_backend(struct target *t)
{
	if (backend_open(t->backend_name, &t->bcfg, &t->b, t->err,
			 sizeof(t->err)))
		return -1;
	if (backend_coverage(t->b, &t->ncounters)) {
		snprintf(t->err, sizeof(t->err),
			 "backend %s gives no guest coverage (kernel built "
			 "without counters?)",
			 backend_name(t->b));
		backend_close(t->b);
		t->b = NULL;
		return -1;
	}
	/* The fuzzer holds this address for good: allocated once. */
	t->counters = calloc(t->ncounters, 1);
	if (!t->counters) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -1;
	}
	return 0;
}

/* A counter another process reads: failure only loses progress figures. */
static void map_exec_counter(struct target *t)
{
	const char *path = env_or("GATECRASH_EXEC_COUNTER", NULL);
	int fd = path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666) : -1;
	struct stat st;
	void *p;

	if (fd < 0)
		return;
	if (!fstat(fd, &st) && st.st_size < (off_t)sizeof(uint64_t) &&
	    ftruncate(fd, sizeof(uint64_t))) {
		close(fd);
		return;
	}
	p = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	close(fd);
	if (p != MAP_FAILED)
		t->exec_counter = p;
}

int target_open(struct target *t, uint8_t *outcome, int crash_default)
{
	memset(t, 0, sizeof(*t));
	t->outcome = outcome;
	if (read_env(t, crash_default))
		return -1;
	map_exec_counter(t);
	t->buckets = buckets_alloc();
	if (!t->buckets ||
	    (t->findings_dir[0] &&
	     (fs_mkdir_p(t->findings_dir) ||
	      findings_load(&t->findings, t->findings_dir, NULL, 0) ||
	      buckets_load(t->buckets, t->findings_dir)))) {
		snprintf(t->err, sizeof(t->err), "cannot use %.200s: %s",
			 t->findings_dir, strerror(errno));
		return -1;
	}
	t->findings.vendor = t->bcfg.vendor;
	if (feedback_init(&t->fb, 0)) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		return -1;
	}
	t->fb.on_feature = count_feature;
	t->fb.on_feature_ctx = t;
	if (open_backend(t))
		return -1;
	kernel_image_load_symbols(t->bcfg.kernel_path, t->err, sizeof(t->err));
	t->err[0] = '\0';
	return 0;
}

/* Without GATECRASH_OUT: said once per signature, not written. */
static int report_unsaved(struct target *t, const struct finding_sig *sig)
{
	for (unsigned i = 0; i < t->n_unsaved; i++)
		if (t->unsaved[i] == sig->hash)
			return 0;
	if (t->n_unsaved < TARGET_MAX_UNSAVED)
		t->unsaved[t->n_unsaved++] = sig->hash;
	t->new_findings++;
	fprintf(stderr,
		"gatecrash: finding %016" PRIx64 " after %" PRIu64
		" execs: %s (not saved: GATECRASH_OUT is not set)\n",
		sig->hash, t->execs, sig->text);
	return 1;
}

/*
 * Returns 1 saved, 0 nothing new, -1 I/O error (reported, not fatal: the
 * fuzzer goes on and the next occurrence tries again). The bucket bound is
 * the engine's (buckets.c), over what this process loaded and kept; its
 * hits reach OUT/findings/index when it saves a finding (the caller may
 * abort() next) and when it closes.
 */
static int record_finding(struct target *t, const struct gc_testcase *tc)
{
	int r;

	if (!verdict_is_finding(t->v.cls))
		return 0;
	if (!t->findings_dir[0]) {
		struct finding_sig sig;

		finding_signature(tc, &t->v, &sig);
		if (findings_seen(&t->findings, sig.hash))
			return 0;
		return report_unsaved(t, &sig);
	}
	r = findings_record(&t->findings, t->buckets, t->findings_dir, tc,
			    &t->out, &t->v, backend_name(t->b), t->defenses);
	if (r < 0) {
		fprintf(stderr, "gatecrash: cannot write to %s\n",
			t->findings_dir);
		return 0;
	}
	if (r == 1) {
		t->new_findings++;
		buckets_save_index(t->buckets, t->findings_dir);
		fprintf(stderr,
			"gatecrash: finding %s %s after %" PRIu64 " execs\n",
			tc_mechanism_name(tc->mechanism),
			verdict_name(t->v.cls), t->execs);
	}
	return r;
}

/*
 * The backend stays open when a run fails: libFuzzer holds the address of
 * its counter mapping, so it must not move. The backend restarts the VM
 * itself; one that keeps failing is broken, and spinning on it would look
 * like fuzzing, so that ends in abort() (a harness crash, not an exit).
 */
#define MAX_BACKEND_FAILURES 100

static void backend_failed(struct target *t)
{
	fprintf(stderr, "gatecrash: backend: %s\n", t->err);
	if (++t->failures < MAX_BACKEND_FAILURES)
		return;
	fprintf(stderr, "gatecrash: %u backend failures in a row, giving up\n",
		t->failures);
	abort();
}

int target_run(struct target *t, const uint8_t *data, size_t size)
{
	struct gc_testcase tc;

	mutator_decode_input(data, size, &tc); /* a .tc seed as text */
	if (backend_run(t->b, &tc, 1, t->defenses, &t->out, t->err,
			sizeof(t->err))) {
		memset(t->counters, 0, t->ncounters);
		backend_failed(t);
		return -1;
	}
	t->failures = 0;
	t->execs++;
	if (t->exec_counter)
		__atomic_add_fetch(t->exec_counter, 1, __ATOMIC_RELAXED);
	/* Coverage from a case whose VM died or hung is nobody's: zero. */
	case_coverage_expand(&t->out, t->counters, t->ncounters);
	oracle_judge(&tc, &t->out, &t->v);
	feedback_outcome(&t->fb, &tc, &t->out, &t->v);
	return record_finding(t, &tc);
}

void target_close(struct target *t)
{
	if (t->b)
		backend_close(t->b);
	t->b = NULL;
	free(t->counters);
	t->counters = NULL;
	feedback_free(&t->fb);
	findings_free(&t->findings);
	if (t->exec_counter)
		munmap(t->exec_counter, sizeof(uint64_t));
	t->exec_counter = NULL;
	if (t->buckets && t->findings_dir[0])
		buckets_save_index(t->buckets, t->findings_dir);
	buckets_free(t->buckets);
	t->buckets = NULL;
}
