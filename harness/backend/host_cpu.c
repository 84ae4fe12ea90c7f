// SPDX-License-Identifier: MIT
/*
 * What CPU this process runs on, as CPUID tells it: the vendor string, and
 * whether a QEMU TCG hypervisor is underneath (then every instruction, the
 * host kernel's and its KVM guests' alike, is QEMU's, with QEMU's
 * infidelities: docs/semantics.md §6). The kvm probe, the fidelity probe
 * and the tests ask.
 */
#include <cpuid.h>
#include <string.h>

#include "backend.h"

void backend_host_vendor(char out[16])
{
	unsigned a, b, c, d;

	memset(out, 0, 16);
	if (!__get_cpuid(0, &a, &b, &c, &d))
		return;
	memcpy(out, &b, 4);
	memcpy(out + 4, &d, 4);
	memcpy(out + 8, &c, 4);
}

/* CPUID.1:ECX[31] says a hypervisor is there; leaf 0x40000000 names it,
 * "TCGTCGTCGTCG" in EBX, ECX, EDX for QEMU's TCG. */
int backend_host_is_tcg_guest(void)
{
	unsigned a, b, c, d;
	char sig[13];

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31)))
		return 0;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	return !strcmp(sig, "TCGTCGTCGTCG");
}
