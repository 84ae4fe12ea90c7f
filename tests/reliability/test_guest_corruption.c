// SPDX-License-Identifier: MIT
/*
 * The guest is untrusted input. Through the tcg backend's test hook
 * (tcg_test_mailbox_hook, tcg.h) this test plays a hostile guest: after the
 * real guest answered a batch, and before the host copies anything out,
 * it scribbles on the shared mailbox with a seeded RNG (random bytes over
 * result records, huge counts, torn records with the magic set but fields
 * half written, an answer given before later results were written, stale
 * or misnumbered records, enums out of range, current out of range when
 * the guest hangs or dies, and a thread scribbling while the host copies).
 *
 * Every case must come back as CASE_OK with a result that passes the
 * validator again, or as error / hang / vm_crash; a deterministically
 * broken record must be an error; the oracle and both printers must
 * survive every outcome (ASan build: no crash, no leak); and the backend
 * must keep its memory, descriptors and single QEMU.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "test.h"
#include "tcg_test.h"

#include "backend.h"
#include "batch_order.h"
#include "proc_stats.h"
#include "tcg.h"
#include "testcase.h"

#define N_BATCHES 4000
#define N_STOPPED 24 /* corruptions of a hung or crashed guest */
#define MAX_K	  8
#define N_SCRIBBLED 500

enum scenario {
	SC_RANDOM_BYTES,  /* random bytes over a random span of results */
	SC_HUGE_COUNTS,	  /* n_exc, n_exits, n_entries past any budget */
	SC_TORN,	  /* magic and index right, the rest half written */
	SC_EARLY_ANSWER,  /* guest_seq set before the last results */
	SC_STALE_INDEX,	  /* a record for another slot */
	SC_BAD_ENUMS,	  /* end or exit kind out of range */
	SC_RANDOM_HEADER, /* garbage over the guest-written header */
	SC_COUNT
};

static const char *const sc_names[SC_COUNT] = {
	"random_bytes", "huge_counts", "torn", "early_answer",
	"stale_index",	"bad_enums",   "random_header",
};

static struct {
	uint64_t rng;
	enum scenario sc;
	unsigned char must_fail[MAX_K]; /* slot is surely invalid */
	unsigned corrupted;		/* slots touched, all batches */
	unsigned per_sc[SC_COUNT];
	struct gc_mailbox *mb;		/* for the scribbler thread */
	volatile int scribble;
	unsigned scribbles;
} hk;

static struct case_outcome outs[GC_MAX_BATCH];
static struct gc_testcase cases[GC_MAX_BATCH];

static uint64_t rnd(void)
{
	uint64_t z = (hk.rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill_random(void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((unsigned char *)p)[i] = (unsigned char)rnd();
}

/* ---- the hostile guest ---- */

static void corrupt_slot(struct gc_result *r, unsigned i, unsigned k)
{
	unsigned char *p = (unsigned char *)r;
	size_t off;

	switch (hk.sc) {
	case SC_HUGE_COUNTS:
		(&r->mech.n_exc)[rnd() % 3] =
			(uint8_t)(RESULT_MAX_COUNT + 1 +
				  rnd() % (255 - RESULT_MAX_COUNT));
		hk.must_fail[i] = 1;
		break;
	case SC_TORN:
		/* Writes land in any order: magic first, the tail garbage. */
		off = 8 + rnd() % (sizeof(*r) - 8);
		fill_random(p + off, sizeof(*r) - off);
		break;
	case SC_EARLY_ANSWER:
		/* Not written yet: the last batch's bytes, magic cleared. */
		r->magic = 0;
		hk.must_fail[i] = 1;
		break;
	case SC_STALE_INDEX:
		r->index = i + 1 + (unsigned)(rnd() % (2 * k));
		hk.must_fail[i] = 1;
		break;
	case SC_BAD_ENUMS:
		if (rnd() & 1)
			r->mech.end = (uint8_t)(GC_END_COUNT + rnd() % 250);
		else
			r->ref.end = GC_END_NOT_RUN;
		hk.must_fail[i] = 1;
		break;
	default:
		break;
	}
}

/* Random bytes over [off, off + len) of the k result records. */
static void corrupt_span(struct gc_mailbox *mb, unsigned k)
{
	size_t total = k * sizeof(struct gc_result);
	size_t off = rnd() % total, len = 1 + rnd() % (total - off);

	fill_random((unsigned char *)mb->results + off, len);
	hk.corrupted += (unsigned)((off + len - 1) / sizeof(struct gc_result) -
				   off / sizeof(struct gc_result) + 1);
}

static void hook(struct gc_mailbox *mb, unsigned k, enum tcg_hook_point at,
		 int qemu_pid, void *arg)
{
	unsigned first;

	(void)arg;
	(void)qemu_pid;
	hk.mb = mb;
	if (at == TCG_HOOK_RING)
		return;
	memset(hk.must_fail, 0, sizeof(hk.must_fail));
	if (at == TCG_HOOK_STOPPED) /* blame must stay in range */
		mb->current = (uint32_t)rnd() | 0x80000000u;
	hk.per_sc[hk.sc]++;
	if (hk.sc == SC_RANDOM_BYTES) {
		corrupt_span(mb, k);
		return;
	}
	if (hk.sc == SC_RANDOM_HEADER) {
		fill_random((char *)mb + 64, 64); /* guest_seq .. guest_pad */
		return;
	}
	first = hk.sc == SC_EARLY_ANSWER ? (unsigned)(rnd() % k) : 0;
	for (unsigned i = first; i < k; i++) {
		if (hk.sc != SC_EARLY_ANSWER && !(rnd() & 1) && i != first)
			continue;
		corrupt_slot(&mb->results[i], i, k);
		hk.corrupted++;
	}
}

/* ---- what the host must make of it ---- */

static FILE *devnull;

static int outcome_ok(const struct gc_testcase *tc,
		      const struct case_outcome *o, unsigned slot)
{
	struct verdict v;
	char why[160];

	if (!memchr(o->detail, '\0', sizeof(o->detail)))
		return 0;
	oracle_judge(tc, o, &v);
	verdict_print_text(devnull, "x.tc", tc, o, &v, NULL);
	verdict_print_json(devnull, "x.tc", tc, o, &v, "tcg", NULL);
	switch (o->status) {
	case CASE_OK:
		return !hk.must_fail[slot] &&
		       !result_check_one(&o->result, o->result.index, why,
					 sizeof(why));
	case CASE_ERROR:
	case CASE_HANG:
	case CASE_VM_CRASH:
		return 1;
	default:
		return 0;
	}
}

static void random_cases(unsigned k)
{
	for (unsigned i = 0; i < k; i++) {
		tc_default(&cases[i]);
		cases[i].gpr[GC_RAX] = rnd() % 3;
		cases[i].mechanism = (uint8_t)(rnd() % GC_MECH_COUNT);
		tc_normalize(&cases[i]);
	}
}

/* The hook corrupts mailbox slots; backend_run() fills slots in the order
 * of batch_order_by_mechanism(), and outcomes in the caller's. */
static void slots_of_cases(unsigned k, unsigned slot_of[])
{
	unsigned order[GC_MAX_BATCH];

	batch_order_by_mechanism(cases, k, order);
	for (unsigned j = 0; j < k; j++)
		slot_of[order[j]] = j;
}

static int run_corrupted(struct backend *b, unsigned *errors)
{
	unsigned k = 1 + (unsigned)(rnd() % MAX_K);
	unsigned slot_of[GC_MAX_BATCH];
	char err[256];

	hk.sc = (enum scenario)(rnd() % SC_COUNT);
	random_cases(k);
	slots_of_cases(k, slot_of);
	if (backend_run(b, cases, k, GC_DEFENSES_ALL, outs, err, sizeof(err))) {
		fprintf(stderr, "backend_run: %s\n", err);
		return -1;
	}
	for (unsigned i = 0; i < k; i++) {
		if (outs[i].status == CASE_ERROR)
			(*errors)++;
		if (!outcome_ok(&cases[i], &outs[i], slot_of[i])) {
			fprintf(stderr,
				"%s: slot %u of %u: status %d (must fail "
				"%d): %s\n",
				sc_names[hk.sc], slot_of[i], k, outs[i].status,
				hk.must_fail[slot_of[i]], outs[i].detail);
			return -1;
		}
	}
	return 0;
}

TEST(answered_batches)
{
	struct backend *b = open_tcg(0);
	unsigned errors = 0, fds0, fds1;
	long rss0, rss1;
	double t0;

	ASSERT(b);
	devnull = fopen("/dev/null", "w");
	ASSERT(devnull);
	hk.rng = 0x5eed0001;
	tcg_test_mailbox_hook = hook;
	ASSERT_EQ(run_corrupted(b, &errors), 0); /* warm up */
	rss0 = proc_rss_kb();
	fds0 = (unsigned)proc_fd_count();
	t0 = proc_now_ms();
	for (unsigned i = 0; i < N_BATCHES; i++)
		if (run_corrupted(b, &errors))
			break;
	tcg_test_mailbox_hook = NULL;
	rss1 = proc_rss_kb();
	fds1 = (unsigned)proc_fd_count();
	printf("corruption: %u corrupted records in %u batches (%.0f ms), "
	       "%u reported as error; RSS %ld -> %ld KiB, fds %u -> %u\n",
	       hk.corrupted, N_BATCHES, proc_now_ms() - t0, errors, rss0,
	       rss1, fds0, fds1);
	for (int s = 0; s < SC_COUNT; s++)
		printf("  %-14s %u batches\n", sc_names[s], hk.per_sc[s]);
	ASSERT(!test_failed_flag);
	ASSERT(errors > 0);
	ASSERT_EQ(fds1, fds0);
	ASSERT(proc_qemu_running(getpid(), NULL) == 1);
	backend_close(b);
	fclose(devnull);
	ASSERT_EQ(proc_qemu_running(getpid(), NULL), 0);
}

/* A hung or dead guest with garbage in current and in its results. */
TEST(stopped_guest)
{
	struct backend *b = open_tcg(20);
	char err[256];
	struct verdict v;

	ASSERT(b);
	hk.rng = 0x5eed0002;
	tcg_test_mailbox_hook = hook;
	for (unsigned i = 0; i < N_STOPPED; i++) {
		hk.sc = (enum scenario)(rnd() % SC_COUNT);
		if (backend_run_selftest(b,
					 i & 1 ? GC_SELFTEST_HANG
					       : GC_SELFTEST_TRIPLE_FAULT,
					 outs, err, sizeof(err)))
			FAIL("selftest: %s", err);
		tc_default(&cases[0]);
		oracle_judge(&cases[0], &outs[0], &v);
		if (outs[0].status == CASE_OK)
			FAIL("a stopped guest came back OK");
	}
	tcg_test_mailbox_hook = NULL;
	printf("stopped guests: %u corruptions of a hung or dead guest\n",
	       N_STOPPED);
	/* The backend still works. */
	random_cases(4);
	ASSERT_EQ(backend_run(b, cases, 4, GC_DEFENSES_ALL, outs, err,
			      sizeof(err)),
		  0);
	for (unsigned i = 0; i < 4; i++)
		ASSERT_EQ(outs[i].status, CASE_OK);
	backend_close(b);
	ASSERT_EQ(proc_qemu_running(getpid(), NULL), 0);
}

/*
 * A guest that keeps writing while the host reads: the host copies each
 * record before checking it, so whatever it sees is one consistent copy.
 * (No hook here; the mailbox pointer is the one the hook saw.)
 */
static void *scribbler(void *arg)
{
	uint64_t x = (uintptr_t)arg;

	while (hk.scribble) {
		unsigned char *p = (unsigned char *)hk.mb->results;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		p[(x >> 20) % (MAX_K * sizeof(struct gc_result))] =
			(unsigned char)(x >> 56);
		__atomic_fetch_add(&hk.scribbles, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void nop_hook(struct gc_mailbox *mb, unsigned k, enum tcg_hook_point at,
		     int qemu_pid, void *arg)
{
	(void)k;
	(void)at;
	(void)qemu_pid;
	(void)arg;
	hk.mb = mb;
}

TEST(concurrent_scribbler)
{
	struct backend *b = open_tcg(0);
	unsigned errors = 0, ok = 0;
	pthread_t th;
	char err[256];

	ASSERT(b);
	devnull = fopen("/dev/null", "w");
	tcg_test_mailbox_hook = nop_hook;
	random_cases(1);
	ASSERT_EQ(backend_run(b, cases, 1, GC_DEFENSES_ALL, outs, err,
			      sizeof(err)),
		  0);
	tcg_test_mailbox_hook = NULL;
	hk.scribble = 1;
	ASSERT_EQ(pthread_create(&th, NULL, scribbler, (void *)7), 0);
	for (unsigned i = 0; i < N_SCRIBBLED; i++) {
		unsigned k = 1 + i % MAX_K;

		random_cases(k);
		memset(hk.must_fail, 0, sizeof(hk.must_fail));
		if (backend_run(b, cases, k, GC_DEFENSES_ALL, outs, err,
				sizeof(err)))
			break;
		for (unsigned j = 0; j < k; j++) {
			errors += outs[j].status == CASE_ERROR;
			ok += outs[j].status == CASE_OK;
			if (!outcome_ok(&cases[j], &outs[j], j))
				test_failed_flag = 1;
		}
	}
	hk.scribble = 0;
	pthread_join(th, NULL);
	printf("scribbler: %u writes during %u batches: %u ok, %u error\n",
	       hk.scribbles, N_SCRIBBLED, ok, errors);
	ASSERT(!test_failed_flag);
	backend_close(b);
	fclose(devnull);
	ASSERT_EQ(proc_qemu_running(getpid(), NULL), 0);
}
