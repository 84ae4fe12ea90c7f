// SPDX-License-Identifier: MIT
/*
 * The VM itself: /dev/kvm, one VM, guest RAM as one memslot at GPA 0, one
 * vCPU whose kvm_run is mapped, and its CPUID (the host's supported set
 * with the vendor the user asked for).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm.h"

/* Where kvm_intel puts its real-mode TSS and identity map: above guest RAM,
 * below 4 GiB, out of the guest's way. Other hypervisors ignore it. */
#define KVM_TSS_GPA 0xfffbd000ul

static int kvm__ioctl(int fd, unsigned long req, void *arg, const char *name,
		      char *err, size_t errlen)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
	return r;
}

int vm_ioctl(struct kvm_vm *vm, unsigned long req, void *arg,
	     const char *name, char *err, size_t errlen)
{
	return kvm__ioctl(vm->vm_fd, req, arg, name, err, errlen);
}

int vcpu_ioctl(struct kvm_vm *vm, unsigned long req, void *arg,
	       const char *name, char *err, size_t errlen)
{
	return kvm__ioctl(vm->vcpu_fd, req, arg, name, err, errlen);
}

const char *kvm__vendor_string(const char *vendor, const char *host)
{
	if (!vendor || !*vendor || !strcmp(vendor, "host"))
		return host;
	if (!strcmp(vendor, "intel"))
		return "GenuineIntel";
	if (!strcmp(vendor, "amd"))
		return "AuthenticAMD";
	return NULL;
}

static int kvm__open_dev(struct kvm_vm *vm, char *err, size_t errlen)
{
	int version;

	vm->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0) {
		if (errno == ENOENT)
			snprintf(err, errlen,
				 "/dev/kvm not found: this host has no KVM; "
				 "use --backend tcg");
		else
			snprintf(err, errlen,
				 "/dev/kvm: %s (add yourself to the kvm "
				 "group, or use --backend tcg)",
				 strerror(errno));
		return -1;
	}
	version = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		snprintf(err, errlen,
			 "/dev/kvm speaks API %d, not %d: use --backend tcg",
			 version, KVM_API_VERSION);
		return -1;
	}
	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) <= 0 ||
	    ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <=
		    0) {
		snprintf(err, errlen,
			 "this KVM lacks SYNC_REGS or IMMEDIATE_EXIT (Linux "
			 "4.14+ needed): use --backend tcg");
		return -1;
	}
	return 0;
}

static int kvm__create_ram(struct kvm_vm *vm, char *err, size_t errlen)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = GC_RAM_SIZE,
	};
	void *m;

	vm->ram_fd = memfd_create("gatecrash-kvm-ram", MFD_CLOEXEC);
	if (vm->ram_fd < 0 || ftruncate(vm->ram_fd, GC_RAM_SIZE)) {
		snprintf(err, errlen, "guest RAM: %s", strerror(errno));
		return -1;
	}
	m = mmap(NULL, GC_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 vm->ram_fd, 0);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "mmap guest RAM: %s", strerror(errno));
		return -1;
	}
	vm->ram = m;
	vm->mb = (struct gc_mailbox *)(vm->ram + GC_MAILBOX_GPA);
	region.userspace_addr = (uintptr_t)m;
	return vm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region,
			"KVM_SET_USER_MEMORY_REGION", err, errlen) < 0
		       ? -1
		       : 0;
}

static int kvm__create_vcpu(struct kvm_vm *vm, char *err, size_t errlen)
{
	int size;
	void *m;

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VCPU: %s", strerror(errno));
		return -1;
	}
	size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run)) {
		snprintf(err, errlen, "KVM_GET_VCPU_MMAP_SIZE: %s",
			 strerror(errno));
		return -1;
	}
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd,
		 0);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "mmap kvm_run: %s", strerror(errno));
		return -1;
	}
	vm->run = m;
	vm->run_size = size;
	/* Every exit brings the registers along: no GET_(S)REGS ioctls. */
	vm->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS |
				  KVM_SYNC_X86_EVENTS;
	return 0;
}

static void kvm__set_vendor(struct kvm_cpuid_entry2 *e, const char *vendor)
{
	memcpy(&e->ebx, vendor, 4);
	memcpy(&e->edx, vendor + 4, 4);
	memcpy(&e->ecx, vendor + 8, 4);
}

static int kvm__set_cpuid(struct kvm_vm *vm, const char *vendor, char *err,
			  size_t errlen)
{
	static struct kvm_cpuid_buf cpuid;
	const char *want;

	backend_host_vendor(vm->host_vendor);
	want = kvm__vendor_string(vendor, vm->host_vendor);
	if (!want) {
		snprintf(err, errlen,
			 "unknown vendor '%s': use --vendor intel, amd or "
			 "host",
			 vendor);
		return -1;
	}
	memset(&cpuid, 0, sizeof(cpuid));
	cpuid.hdr.nent = sizeof(cpuid.entries) / sizeof(cpuid.entries[0]);
	if (kvm__ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, &cpuid,
		       "KVM_GET_SUPPORTED_CPUID", err, errlen) < 0)
		return -1;
	for (unsigned i = 0; i < cpuid.hdr.nent; i++)
		if (cpuid.entries[i].function == 0)
			kvm__set_vendor(&cpuid.entries[i], want);
	snprintf(vm->guest_vendor, sizeof(vm->guest_vendor), "%s", want);
	return vcpu_ioctl(vm, KVM_SET_CPUID2, &cpuid, "KVM_SET_CPUID2", err,
			  errlen) < 0
		       ? -1
		       : 0;
}

int kvm__init(struct kvm_vm *vm, const char *vendor, char *err,
	      size_t errlen)
{
	memset(vm, 0, sizeof(*vm));
	vm->sys_fd = vm->vm_fd = vm->vcpu_fd = vm->ram_fd = -1;
	if (kvm__open_dev(vm, err, errlen))
		goto fail;
	vm->vm_fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
		goto fail;
	}
	/* kvm_intel needs it before the first real-mode or PE entry. */
	vm->tss_addr_ok = ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_GPA) == 0;
	if (kvm__create_ram(vm, err, errlen))
		goto fail;
	if (kvm__create_vcpu(vm, err, errlen))
		goto fail;
	if (kvm__set_cpuid(vm, vendor, err, errlen))
		goto fail;
	return 0;
fail:
	kvm__exit(vm);
	return -1;
}

void kvm__exit(struct kvm_vm *vm)
{
	if (vm->have_watchdog)
		timer_delete(vm->watchdog);
	vm->have_watchdog = 0;
	free(vm->snap.mem);
	vm->snap.mem = NULL;
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->ram)
		munmap(vm->ram, GC_RAM_SIZE);
	vm->run = NULL;
	vm->ram = NULL;
	vm->mb = NULL;
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->ram_fd >= 0)
		close(vm->ram_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	vm->sys_fd = vm->vm_fd = vm->vcpu_fd = vm->ram_fd = -1;
}
