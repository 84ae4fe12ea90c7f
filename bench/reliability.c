// SPDX-License-Identifier: MIT
/*
 * N hangs and triple faults in a row on one tcg backend (default 10000),
 * each followed by a normal batch: detection latency, and the harness's
 * RSS, descriptors and QEMU processes before and after. The CI version is
 * tests/reliability/test_vm_events.c (N = 200).
 *
 * usage: reliability [N [TIMEOUT_MS]]   (GATECRASH_KERNEL: the kernel ELF)
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vm_events.h"

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 10000;
	unsigned timeout = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 50;
	const char *env = getenv("GATECRASH_KERNEL");
	struct backend_config cfg = {
		.kernel_path = env && *env ? env : GC_KERNEL_ELF,
		.case_timeout_ms = timeout,
	};
	struct vm_events_report r;
	struct backend *b;
	char err[256];
	int ret;

	if (backend_open("tcg", &cfg, &b, err, sizeof(err))) {
		fprintf(stderr, "reliability: %s\n", err);
		return 2;
	}
	ret = vm_events_run(b, n, timeout, n >= 1000 ? 1000 : 0, &r);
	backend_close(b);
	r.qemu_after = proc_qemu_running(getpid(), NULL);
	vm_events_print(&r);
	if (ret || r.wrong || r.batches_bad || r.fds1 != r.fds0 ||
	    r.qemu_after)
		return 1;
	return 0;
}
