/* SPDX-License-Identifier: MIT */
/*
 * What a long-running harness must not accumulate, read from /proc: its
 * resident memory, its open file descriptors, and QEMU processes that are
 * still running. Shared by the reliability tests and bench/reliability.
 */
#ifndef GC_PROC_STATS_H
#define GC_PROC_STATS_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* VmRSS of this process in KiB, or -1. */
static inline long proc_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* Open descriptors, not counting the one that lists them. */
static inline int proc_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n - 1;
}

/* Non-zero if /proc/<pid>/environ holds the string tag ("NAME=value"). */
static inline int proc_environ_has(const char *pid, const char *tag)
{
	char path[300], env[65536];
	size_t n, len = strlen(tag);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/environ", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(env, 1, sizeof(env) - 1, f);
	fclose(f);
	for (size_t i = 0; i + len <= n; i += strlen(env + i) + 1) {
		env[n] = '\0';
		if (!strcmp(env + i, tag))
			return 1;
	}
	return 0;
}

/*
 * Running QEMU processes (zombies do not count: this machine's PID 1 may
 * never reap what it inherits) that are children of ppid, or, when ppid
 * is 0, that carry tag in their environment: a QEMU orphaned by a killed
 * harness has PID 1 as its parent, and QEMU makes its own process group,
 * so the environment it inherited is what still says whose it was.
 */
static inline int proc_qemu_running(pid_t ppid, const char *tag)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char path[300], buf[512], state;
		int pp;
		FILE *f;
		char *p;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (!p || !strstr(buf, "(qemu-system") ||
		    sscanf(p + 2, "%c %d", &state, &pp) != 2 || state == 'Z' ||
		    state == 'X')
			continue;
		if (ppid ? pp == ppid : tag && proc_environ_has(e->d_name, tag))
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

static inline double proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline int proc_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#endif
