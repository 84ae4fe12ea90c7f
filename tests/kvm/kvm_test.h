/* SPDX-License-Identifier: MIT */
/* What the kvm tests share: skip without /dev/kvm or a kernel, and open
 * the kvm backend with a configuration of the test's choosing. */
#ifndef GC_KVM_TEST_H
#define GC_KVM_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "backend.h"

static inline const char *kvm_test_kernel(void)
{
	const char *env = getenv("GATECRASH_KERNEL");

	return env && *env ? env : GC_KERNEL_ELF;
}

/* Nothing to test without KVM or a kernel: skip (77), saying why. */
__attribute__((constructor)) static void kvm_test_need_kvm(void)
{
	if (access("/dev/kvm", F_OK)) {
		printf("SKIP: /dev/kvm not found: this host has no KVM\n");
		exit(77);
	}
	if (access("/dev/kvm", R_OK | W_OK)) {
		printf("SKIP: /dev/kvm is not accessible to this user\n");
		exit(77);
	}
	if (access(kvm_test_kernel(), R_OK)) {
		printf("SKIP: test kernel %s not built\n", kvm_test_kernel());
		exit(77);
	}
}

static inline int kvm_test_is_pvm(void)
{
	return access("/sys/module/kvm_pvm", F_OK) == 0;
}

#endif
