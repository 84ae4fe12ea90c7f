// SPDX-License-Identifier: MIT
/*
 * Booting the test kernel the way a PVH loader does (QEMU's, for the tcg
 * backend): PT_LOAD segments at their physical addresses, then the vCPU in
 * 32-bit protected mode with paging off at the XEN_ELFNOTE_PHYS32_ENTRY
 * address. The kernel's head.S does the rest, exactly as under QEMU.
 *
 * Once the kernel says READY, the image (text, data, bss: the kernel keeps
 * all its state there), the registers and the MSRs it set are the
 * snapshot. A guest that crashed or hung is put back to it instead of
 * being booted again (feasibility-kvm.md section 3: 5 us of memcpy against
 * ~0.5 ms of emulated init under kvm_pvm).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define KVM_MAX_KERNEL (16u << 20)
#define PAGE_MASK_4K 0xfffull
#define X86_CR0_PE 0x1ull
#define X86_CR0_ET 0x10ull
#define OPCODE_OUT_DX_AL 0xee

/* The MSRs the kernel programs at init and its cases may change. */
static const uint32_t snapshot_msrs[] = {
	0x174,	    /* SYSENTER_CS */
	0x175,	    /* SYSENTER_ESP */
	0x176,	    /* SYSENTER_EIP */
	0xc0000081, /* STAR */
	0xc0000082, /* LSTAR */
	0xc0000083, /* CSTAR */
	0xc0000084, /* SFMASK */
	0xc0000102, /* KERNEL_GS_BASE */
};

static int read_kernel(const char *path, uint8_t **buf, size_t *len,
		       char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t n = -1;

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen,
			 "test kernel %s not found: build it with 'cmake "
			 "--build build' (or set GATECRASH_KERNEL)",
			 path);
		goto out;
	}
	if (st.st_size < (off_t)sizeof(Elf64_Ehdr) ||
	    st.st_size > KVM_MAX_KERNEL) {
		snprintf(err, errlen, "%s: not a test kernel (size %lld)",
			 path, (long long)st.st_size);
		goto out;
	}
	*buf = malloc(st.st_size);
	if (*buf)
		n = pread(fd, *buf, st.st_size, 0);
	if (n != st.st_size) {
		snprintf(err, errlen, "reading %s: %s", path,
			 *buf ? strerror(errno) : "out of memory");
		free(*buf);
		*buf = NULL;
		n = -1;
		goto out;
	}
	*len = n;
out:
	if (fd >= 0)
		close(fd);
	return n < 0 ? -1 : 0;
}

static int in_file(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

static const Elf64_Phdr *elf_phdrs(const uint8_t *buf, size_t len)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr),
		     len))
		return NULL;
	return (const Elf64_Phdr *)(buf + eh->e_phoff);
}

/* The PHYS32 entry from a PT_NOTE, or 0. */
static uint64_t pvh_entry(const uint8_t *buf, size_t len,
			  const Elf64_Phdr *ph)
{
	uint64_t off = ph->p_offset, end = ph->p_offset + ph->p_filesz;
	uint64_t entry = 0;

	if (!in_file(ph->p_offset, ph->p_filesz, len))
		return 0;
	while (off + sizeof(Elf64_Nhdr) <= end) {
		const Elf64_Nhdr *n = (const Elf64_Nhdr *)(buf + off);
		uint64_t name = off + sizeof(*n);
		uint64_t desc = name + ((n->n_namesz + 3ull) & ~3ull);

		off = desc + ((n->n_descsz + 3ull) & ~3ull);
		if (off > end)
			break;
		if (n->n_type != XEN_ELFNOTE_PHYS32_ENTRY ||
		    n->n_namesz != 4 || memcmp(buf + name, "Xen", 4))
			continue;
		/* QEMU 7.2 reads 8 bytes; the PVH spec says 4. */
		memcpy(&entry, buf + desc, n->n_descsz >= 8 ? 8 : 4);
	}
	return entry;
}

static int load_segment(struct kvm_vm *vm, const uint8_t *buf, size_t len,
			const Elf64_Phdr *ph)
{
	if (ph->p_filesz > ph->p_memsz ||
	    !in_file(ph->p_offset, ph->p_filesz, len) ||
	    ph->p_paddr < GC_KERNEL_LOAD || ph->p_memsz > GC_MAILBOX_GPA ||
	    ph->p_paddr > GC_MAILBOX_GPA - ph->p_memsz)
		return -1;
	memcpy(vm->ram + ph->p_paddr, buf + ph->p_offset, ph->p_filesz);
	memset(vm->ram + ph->p_paddr + ph->p_filesz, 0,
	       ph->p_memsz - ph->p_filesz);
	if (!vm->snap.hi || ph->p_paddr < vm->snap.lo)
		vm->snap.lo = ph->p_paddr & ~PAGE_MASK_4K;
	if (ph->p_paddr + ph->p_memsz > vm->snap.hi)
		vm->snap.hi = (ph->p_paddr + ph->p_memsz + PAGE_MASK_4K) &
			      ~PAGE_MASK_4K;
	return 0;
}

static int load_elf(struct kvm_vm *vm, const uint8_t *buf, size_t len,
		    uint64_t *entry)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
	const Elf64_Phdr *ph = elf_phdrs(buf, len);

	if (!ph)
		return -1;
	vm->snap.lo = vm->snap.hi = 0;
	*entry = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD &&
		    load_segment(vm, buf, len, &ph[i]))
			return -1;
		if (ph[i].p_type == PT_NOTE && !*entry)
			*entry = pvh_entry(buf, len, &ph[i]);
	}
	return vm->snap.hi && *entry ? 0 : -1;
}

int kvm__load_kernel(struct kvm_vm *vm, const char *path, uint64_t *entry,
		     char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	if (read_kernel(path, &buf, &len, err, errlen))
		return -1;
	/* A restarted guest must not see what the last one left. */
	memset(vm->ram, 0, GC_RAM_SIZE);
	r = load_elf(vm, buf, len, entry);
	free(buf);
	if (r)
		snprintf(err, errlen,
			 "%s: not a PVH test kernel (needs PT_LOAD segments "
			 "below the mailbox and a Xen PHYS32_ENTRY note)",
			 path);
	return r;
}

static void flat_segment(struct kvm_segment *s, uint16_t selector,
			 uint8_t type)
{
	*s = (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = 1,
		.s = 1,
		.l = 0,
		.g = 1,
	};
}

/* The PVH start state: what xen/include/public/arch-x86/hvm/start_info.h
 * promises the entry point. */
int kvm__set_pvh_state(struct kvm_vm *vm, uint64_t entry, char *err,
		       size_t errlen)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = {.rip = entry, .rflags = 0x2, .rbx = 0};

	if (vcpu_ioctl(vm, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS", err,
		       errlen) < 0)
		return -1;
	flat_segment(&sregs.cs, 0x8, 0xb);
	flat_segment(&sregs.ds, 0x10, 0x3);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = sregs.gdt.limit = 0;
	sregs.idt.base = sregs.idt.limit = 0;
	sregs.cr0 = X86_CR0_PE | X86_CR0_ET;
	sregs.cr3 = sregs.cr4 = sregs.efer = 0;
	if (vcpu_ioctl(vm, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS", err,
		       errlen) < 0 ||
	    vcpu_ioctl(vm, KVM_SET_REGS, &regs, "KVM_SET_REGS", err,
		       errlen) < 0)
		return -1;
	vm->snap.taken = 0;
	return 0;
}

/*
 * Called at the READY doorbell exit, so the registers are in kvm_run. The
 * snapshot resumes *after* the doorbell write: a restore then never
 * repeats it, and KVM's pending PIO completion (which skips the OUT only
 * while RIP still points at it) does nothing to the restored RIP.
 */
int kvm__snapshot(struct kvm_vm *vm, char *err, size_t errlen)
{
	struct kvm_snapshot *s = &vm->snap;
	uint64_t rip = vm->run->s.regs.regs.rip;

	if (!s->mem)
		s->mem = malloc(s->hi - s->lo);
	if (!s->mem) {
		snprintf(err, errlen, "out of memory for the VM snapshot");
		return -1;
	}
	memcpy(s->mem, vm->ram + s->lo, s->hi - s->lo);
	s->regs = vm->run->s.regs.regs;
	s->sregs = vm->run->s.regs.sregs;
	if (rip < GC_RAM_SIZE && vm->ram[rip] == OPCODE_OUT_DX_AL)
		s->regs.rip = rip + 1;
	s->msrs.hdr.nmsrs = sizeof(snapshot_msrs) / sizeof(snapshot_msrs[0]);
	for (unsigned i = 0; i < s->msrs.hdr.nmsrs; i++)
		s->msrs.entries[i] = (struct kvm_msr_entry){
			.index = snapshot_msrs[i]};
	if (vcpu_ioctl(vm, KVM_GET_MSRS, &s->msrs, "KVM_GET_MSRS", err,
		       errlen) != (int)s->msrs.hdr.nmsrs) {
		snprintf(err, errlen, "KVM_GET_MSRS: the kernel's MSRs cannot "
				      "be read back");
		return -1;
	}
	s->taken = 1;
	return 0;
}

/*
 * The snapshot's registers into kvm_run, for KVM_RUN to load. KVM clears
 * each kvm_dirty_regs bit as it loads it; a KVM_RUN cut short by the
 * watchdog may return before that and overwrite kvm_run with the live
 * registers on its way out, so vcpu__run() calls this again then.
 */
void kvm__load_sync_regs(struct kvm_vm *vm)
{
	struct kvm_sync_regs *sync = &vm->run->s.regs;

	sync->regs = vm->snap.regs;
	sync->sregs = vm->snap.sregs;
	/* Nothing pending: no exception, NMI or interrupt from the crash. */
	memset(&sync->events, 0, sizeof(sync->events));
	vm->run->kvm_dirty_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS |
				  KVM_SYNC_X86_EVENTS;
}

/*
 * Back to READY: memory by memcpy, MSRs by one ioctl, registers and
 * events through sync_regs on the next KVM_RUN (no GET/SET ioctls).
 *
 * Shadow paging (kvm_pvm, or nested without TDP) does not see host writes
 * to guest page tables. The snapshot is taken before any case ran, and
 * since then the kernel only ever writes the user-code PTE (from 0 to a
 * page, trapped); restoring it to 0 makes the next case write it again,
 * so the shadow is brought back in line by the guest itself.
 */
int kvm__restore(struct kvm_vm *vm, char *err, size_t errlen)
{
	struct kvm_snapshot *s = &vm->snap;

	if (!s->taken) {
		snprintf(err, errlen, "no snapshot to restore");
		return -1;
	}
	memcpy(vm->ram + s->lo, s->mem, s->hi - s->lo);
	vm->mb->guest_state = GC_GUEST_READY;
	vm->mb->current = 0;
	if (vcpu_ioctl(vm, KVM_SET_MSRS, &s->msrs, "KVM_SET_MSRS", err,
		       errlen) != (int)s->msrs.hdr.nmsrs)
		return -1;
	kvm__load_sync_regs(vm);
	return 0;
}
