/* SPDX-License-Identifier: MIT */
/*
 * PVH entry (xen/include/public/arch-x86/hvm/start_info.h): the loader enters
 * at the XEN_ELFNOTE_PHYS32_ENTRY address in 32-bit protected mode, paging
 * off, flat CS/DS, EBX = start_info. We build nothing dynamically here: the
 * boot page tables are static, identity-map the first GiB with 2 MiB pages,
 * and are kept as the kernel's tables (user pages hang below PDPT[1]).
 */
#include "arch/processor-flags.h"
#include "arch/msr-index.h"
#include "arch/segment.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_U 0x4
#define PTE_PS 0x80

	.pushsection .note.Xen, "a"
	.align 4
	.long 2f - 1f			/* namesz */
	.long 4f - 3f			/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
1:	.asciz "Xen"
2:	.align 4
3:	.quad pvh_start			/* QEMU 7.2 reads an 8-byte descriptor */
4:	.align 4
	.popsection

	.section .text.head, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cli
	cld
	mov	$boot_stack_top, %esp

	mov	%cr4, %eax
	or	$(X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT), %eax
	mov	%eax, %cr4

	mov	$boot_pml4, %eax
	mov	%eax, %cr3

	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(X86_EFER_LME | X86_EFER_SCE | X86_EFER_NXE), %eax
	wrmsr

	/* WP: the kernel must not write through user read-only mappings either. */
	mov	%cr0, %eax
	or	$(X86_CR0_PG | X86_CR0_WP | X86_CR0_NE | X86_CR0_MP | X86_CR0_PE), %eax
	mov	%eax, %cr0

	lgdt	gdt_boot_descr
	ljmp	$__KERNEL_CS, $start64

	.code64
start64:
	mov	$__KERNEL_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
	mov	$boot_stack_top, %rsp
	xor	%ebp, %ebp
	call	kernel_main
1:	cli
	hlt
	jmp	1b

	.data
gdt_boot_descr:
	.word	GDT_ENTRIES * 8 - 1
	.long	gdt

	.section .data.page_aligned, "aw"
	.align 4096
	/* PML4[0] and PDPT[0..1] are user-accessible so that user pages can
	 * live below them; the 2 MiB kernel mappings in boot_pd are not. */
	.globl boot_pml4, boot_pdpt
boot_pml4:
	.quad	boot_pdpt + (PTE_P | PTE_W | PTE_U)
	.fill	511, 8, 0
boot_pdpt:
	.quad	boot_pd + (PTE_P | PTE_W | PTE_U)
	.fill	511, 8, 0
boot_pd:
	.set	addr, 0
	.rept	512
	.quad	addr + (PTE_P | PTE_W | PTE_PS)
	.set	addr, addr + 0x200000
	.endr

	.section .bss.page_aligned, "aw", @nobits
	.align 4096
boot_stack:
	.skip	16384
	.globl boot_stack_top
boot_stack_top:
