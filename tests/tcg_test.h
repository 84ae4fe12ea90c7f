/* SPDX-License-Identifier: MIT */
/*
 * What every test that boots the test kernel under QEMU TCG starts with:
 * the kernel to boot, a skip (exit 77, saying why) where QEMU or the kernel
 * is missing, and a tcg backend with a given hang deadline.
 * Include after test.h; GC_KERNEL_ELF comes from the test's CMakeLists.
 */
#ifndef GC_TCG_TEST_H
#define GC_TCG_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "backend.h"

static const char *kernel(void)
{
	const char *env = getenv("GATECRASH_KERNEL");

	return env && *env ? env : GC_KERNEL_ELF;
}

/* Without QEMU there is nothing to test here: skip, saying why. */
__attribute__((constructor)) static void need_qemu(void)
{
	if (system("command -v qemu-system-x86_64 >/dev/null 2>&1")) {
		printf("SKIP: qemu-system-x86_64 is not installed\n");
		exit(77);
	}
	if (access(kernel(), R_OK)) {
		printf("SKIP: test kernel %s not built\n", kernel());
		exit(77);
	}
}

static struct backend *open_tcg(unsigned timeout_ms)
{
	struct backend_config cfg = {
		.kernel_path = kernel(),
		.case_timeout_ms = timeout_ms,
	};
	struct backend *b;
	char err[256];

	if (backend_open("tcg", &cfg, &b, err, sizeof(err))) {
		fprintf(stderr, "backend_open: %s\n", err);
		return NULL;
	}
	return b;
}

#endif
