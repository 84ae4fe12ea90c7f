/* SPDX-License-Identifier: MIT */
/*
 * `gatecrash bench` (docs/bench.md): each figure is measured next to a
 * floor taken in the same run on the same machine, so their ratio means
 * something on a noisy host even when the absolute numbers do not.
 */
#ifndef GC_BENCH_H
#define GC_BENCH_H

#include <stddef.h>

struct bench_opts {
	int quick;	  /* ~30 s smoke run: shorter slices, fewer seeds */
	const char *self; /* the gatecrash binary (B2 runs its fuzz) */
	const char *bin_dir; /* where the bench helper binaries are */
};

struct bench_fig {
	const char *name;	/* "B1" */
	const char *what;	/* one line for the table */
	const char *unit;
	int have_value, have_floor;
	double value, floor;
	char note[512];		/* why null, or what bounds it */
	char extra[4096];	/* more JSON members: ", \"k\": v, ..." */
};

void bench_b1(const struct bench_opts *o, struct bench_fig *f);
void bench_b2(const struct bench_opts *o, struct bench_fig *f);
void bench_b3(const struct bench_opts *o, struct bench_fig *f);
void bench_b4(const struct bench_opts *o, struct bench_fig *f);
void bench_b5(const struct bench_opts *o, struct bench_fig *f);
void bench_b6(const struct bench_opts *o, struct bench_fig *f);
void bench_b7(const struct bench_opts *o, struct bench_fig *f);
void bench_b8(const struct bench_opts *o, struct bench_fig *f);

/* B1's workload alone (batches of 256 minimal seeds, oracle on each) for
 * secs on a fresh tcg backend, warm-up excluded: testcases/s, or -1. */
double bench_b1_rate(double secs, char *err, size_t errlen);
/* The same for the n cases tcs, cycled (boot included). */
struct gc_testcase;
double bench_replay_rate(const struct gc_testcase *tcs, unsigned n,
			 double secs, char *err, size_t errlen);

/* Appends printf-style text to f->extra (JSON members). */
__attribute__((format(printf, 2, 3))) void bench_extra(struct bench_fig *f,
							const char *fmt, ...);
double bench_now(void);
/* The host's TSC rate, which is also a TCG guest's (QEMU's RDTSC reads the
 * host's), measured over a few milliseconds. */
double bench_tsc_hz(void);
/* A fresh directory under $TMPDIR, and its removal. */
int bench_tmpdir(char *buf, size_t len);
void bench_rmtree(const char *dir);

#endif
