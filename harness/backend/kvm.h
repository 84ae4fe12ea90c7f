/* SPDX-License-Identifier: MIT */
/*
 * Private to the kvm backend: one VM with one vCPU on /dev/kvm, running the
 * same kernel image and mailbox protocol as the tcg backend.
 *
 *   kvm_vm.c     /dev/kvm, VM, memslot, vCPU, CPUID (kvm__init/kvm__exit)
 *   kvm_boot.c   ELF load, PVH start state, post-init snapshot and reset
 *   kvm_vcpu.c   KVM_RUN with sync_regs, the watchdog, exit decoding
 *   kvm.c        the backend: batches, hangs, crashes, stats
 *   kvm_probe.c  host facts and the fidelity probe
 */
#ifndef GC_BACKEND_KVM_H
#define GC_BACKEND_KVM_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "backend_ops.h"

#define KVM_CASE_TIMEOUT_MS 50
/* Nested under QEMU TCG every guest instruction is emulated twice over:
 * at 50 ms, 5 false hangs in 100 seeds under load; at 1000 ms, none. */
#define KVM_NESTED_TCG_CASE_TIMEOUT_MS 1000
#define KVM_BOOT_TIMEOUT_MS 5000
#define KVM_CONSOLE_PORT 0xe9	/* the kernel's debugcon */
#define KVM_CONSOLE_SIZE 256	/* the console tail kept for reports */
#define KVM_MAX_SNAP_MSRS 16

struct kvm_cpuid_buf {
	struct kvm_cpuid2 hdr;
	struct kvm_cpuid_entry2 entries[256];
};

struct kvm_msr_buf {
	struct kvm_msrs hdr;
	struct kvm_msr_entry entries[KVM_MAX_SNAP_MSRS];
};

/* What the guest looked like at READY: restored instead of booting again. */
struct kvm_snapshot {
	uint64_t lo, hi;	/* guest physical range copied (the image) */
	uint8_t *mem;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_msr_buf msrs;
	int taken;
};

struct kvm_vm {
	int sys_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	int ram_fd;
	uint8_t *ram; /* all of guest RAM, GPA 0 at ram[0] */
	struct gc_mailbox *mb;

	char host_vendor[16];
	char guest_vendor[16];
	int tss_addr_ok; /* KVM_SET_TSS_ADDR accepted (informational) */

	timer_t watchdog;
	int have_watchdog;
	unsigned tick_ms;

	struct kvm_snapshot snap;
	char console[KVM_CONSOLE_SIZE]; /* last bytes written to port 0xe9 */
	unsigned console_len;
	uint64_t exits; /* KVM_RUN returns, for the benchmark */
};

/* kvm_vm.c */
int kvm__init(struct kvm_vm *vm, const char *vendor, char *err,
	      size_t errlen);
void kvm__exit(struct kvm_vm *vm);
int vm_ioctl(struct kvm_vm *vm, unsigned long req, void *arg,
	     const char *name, char *err, size_t errlen);
int vcpu_ioctl(struct kvm_vm *vm, unsigned long req, void *arg,
	       const char *name, char *err, size_t errlen);
/* "intel", "amd", "host" or NULL to a CPUID vendor string, or NULL. */
const char *kvm__vendor_string(const char *vendor, const char *host);

/* kvm_boot.c */
int kvm__load_kernel(struct kvm_vm *vm, const char *path, uint64_t *entry,
		     char *err, size_t errlen);
int kvm__set_pvh_state(struct kvm_vm *vm, uint64_t entry, char *err,
		       size_t errlen);
int kvm__snapshot(struct kvm_vm *vm, char *err, size_t errlen);
int kvm__restore(struct kvm_vm *vm, char *err, size_t errlen);
void kvm__load_sync_regs(struct kvm_vm *vm);

/* kvm_vcpu.c */
enum vcpu_exit {
	VCPU_DOORBELL, /* the guest wrote GC_DOORBELL_PORT */
	VCPU_TICK,     /* the watchdog broke KVM_RUN: check progress */
	VCPU_CRASH,    /* shutdown, internal error, failed entry, hlt... */
	VCPU_ERROR,    /* KVM_RUN itself failed: the backend is unusable */
};
int kvm__watchdog_init(struct kvm_vm *vm, unsigned tick_ms, char *err,
		       size_t errlen);
void kvm__watchdog_arm(struct kvm_vm *vm, int on);
/* One guest stop that matters; console output is absorbed on the way.
 * why gets a line for CRASH and ERROR. */
enum vcpu_exit vcpu__run(struct kvm_vm *vm, char *why, size_t whylen);
void kvm__console_tail(const struct kvm_vm *vm, char *buf, size_t len);

/* kvm_probe.c */
struct kvm_fidelity {
	int faithful;
	char reason[400]; /* the failing checks in words, or what passed */
};
int kvm__probe_fidelity(void *priv, struct kvm_fidelity *fid);
int kvm__is_pvm(void);
const char *kvm__module_name(void);

/* kvm.c: for the benchmark. */
struct kvm_vm *kvm__backend_vm(void *priv);

#endif
