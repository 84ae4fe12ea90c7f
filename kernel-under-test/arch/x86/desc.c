// SPDX-License-Identifier: MIT
/*
 * GDT, IDT, TSS and the SYSCALL MSRs. Called at boot and again after a kernel
 * fault, so a run that scribbled on them cannot leak into the next one.
 */
#include "kernel.h"
#include "arch/desc.h"
#include "arch/msr-index.h"
#include "arch/processor-flags.h"
#include "arch/processor.h"
#include "arch/segment.h"
#include "arch/traps.h"
#include "percpu.h"

#define STACK_SIZE 16384

/* Flat 4 GiB code/data descriptors: base 0, limit 0xfffff pages. */
#define FLAT_DESC(type_, dpl_, l_, d_)                                        \
	((struct seg_desc){ .limit0 = 0xffff, .type = (type_), .s = 1,       \
			    .dpl = (dpl_), .p = 1, .limit1 = 0xf, .l = (l_), \
			    .d = (d_), .g = 1 })

static const struct seg_desc gdt_template[GDT_ENTRY_TSS] = {
	[GDT_ENTRY_KERNEL32_CS] = FLAT_DESC(SEG_TYPE_CODE_XR, 0, 0, 1),
	[GDT_ENTRY_KERNEL_CS] = FLAT_DESC(SEG_TYPE_CODE_XR, 0, 1, 0),
	[GDT_ENTRY_KERNEL_DS] = FLAT_DESC(SEG_TYPE_DATA_RW, 0, 0, 1),
	[GDT_ENTRY_USER32_CS] = FLAT_DESC(SEG_TYPE_CODE_XR, 3, 0, 1),
	[GDT_ENTRY_USER_DS] = FLAT_DESC(SEG_TYPE_DATA_RW, 3, 0, 1),
	[GDT_ENTRY_USER_CS] = FLAT_DESC(SEG_TYPE_CODE_XR, 3, 1, 0),
};

/* head.S loads this GDT before the jump to 64-bit mode: keep it initialized. */
struct seg_desc gdt[GDT_ENTRIES] __attribute__((aligned(16))) = {
	[GDT_ENTRY_KERNEL32_CS] = FLAT_DESC(SEG_TYPE_CODE_XR, 0, 0, 1),
	[GDT_ENTRY_KERNEL_CS] = FLAT_DESC(SEG_TYPE_CODE_XR, 0, 1, 0),
	[GDT_ENTRY_KERNEL_DS] = FLAT_DESC(SEG_TYPE_DATA_RW, 0, 0, 1),
};

static struct idt_gate64 idt[256] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));

static uint8_t kernel_stack[STACK_SIZE] __page_aligned_bss;
static uint8_t ist_stacks[IST_COUNT][STACK_SIZE] __page_aligned_bss;
uint64_t kernel_stack_top;
struct percpu percpu __page_aligned_bss; /* mapped alone at PERCPU_VA */
uint64_t call_gate_target; /* the installed gate's target offset */

extern void entry_INT80(void);

static void gdt_init(void)
{
	struct sys_desc64 *tss_desc = (struct sys_desc64 *)&gdt[GDT_ENTRY_TSS];
	uint64_t base = (uintptr_t)&tss;

	memcpy(gdt, gdt_template, sizeof(gdt_template));
	*tss_desc = (struct sys_desc64){
		.limit0 = sizeof(tss) - 1,
		.base0 = base & 0xffff,
		.base1 = (base >> 16) & 0xff,
		.type = SYS_TYPE_TSS64_AVAIL,
		.p = 1,
		.base2 = (base >> 24) & 0xff,
		.base3 = base >> 32,
	};
}

void desc_set_gate(unsigned vec, void *handler, unsigned dpl, unsigned ist)
{
	uint64_t off = (uintptr_t)handler;

	idt[vec] = (struct idt_gate64){
		.offset0 = off & 0xffff,
		.selector = __KERNEL_CS,
		.ist = ist,
		.type = SYS_TYPE_INTR_GATE64,
		.dpl = dpl,
		.p = 1,
		.offset1 = (off >> 16) & 0xffff,
		.offset2 = off >> 32,
	};
}

static void idt_init(void)
{
	for (unsigned vec = 0; vec < 256; vec++)
		desc_set_gate(vec, (void *)(idt_stubs + 16 * vec), 0, 0);
	/* Linux's IST choices: #DF, NMI, #DB and #MC never run on a stack the
	 * interrupted context chose. */
	desc_set_gate(X86_TRAP_DF, (void *)(idt_stubs + 16 * X86_TRAP_DF), 0,
		 IST_DOUBLE_FAULT);
	desc_set_gate(X86_TRAP_NMI, (void *)(idt_stubs + 16 * X86_TRAP_NMI), 0,
		 IST_NMI);
	desc_set_gate(X86_TRAP_DB, (void *)(idt_stubs + 16 * X86_TRAP_DB), 0,
		 IST_DEBUG);
	desc_set_gate(X86_TRAP_MC, (void *)(idt_stubs + 16 * X86_TRAP_MC), 0,
		 IST_MCE);
	/* Reachable from ring 3: int3 and into, like Linux, and int $0x80. */
	desc_set_gate(X86_TRAP_BP, (void *)entry_BP_movss, 3, 0);
	desc_set_gate(X86_TRAP_OF, (void *)entry_OF_movss, 3, 0);
	desc_set_gate(SYSCALL_VECTOR, (void *)entry_INT80, 3, 0);
}

/*
 * The call gate for this run (E20): the well-formed gate with the
 * testcase's deltas applied. The GDT is read at every far call, so writing
 * it between runs is enough; desc_init() after a kernel fault leaves the
 * slots to the next run's call.
 */
_Static_assert(sizeof(struct gc_gate_ext) == sizeof(uint64_t), "one word");
static uint64_t call_gate_deltas; /* what the GDT's gate was built from */
static bool call_gate_valid;

void desc_set_call_gate(const struct gc_gate_ext *g)
{
	static const uint16_t targets[GC_GATE_TARGET_COUNT] = {
		[GC_GATE_TARGET_KERNEL_CS] = __KERNEL_CS,
		[GC_GATE_TARGET_KERNEL32_CS] = __KERNEL32_CS,
		[GC_GATE_TARGET_KERNEL_DS] = __KERNEL_DS,
		[GC_GATE_TARGET_NULL] = 0,
	};
	uint64_t off = (uintptr_t)entry_call_gate ^
		       ((uint64_t)g->offset_high << 48);
	struct call_gate64 *gate =
		(struct call_gate64 *)&gdt[GDT_ENTRY_CALL_GATE];
	uint64_t deltas;

	call_gate_target = off;
	/* Every run asks; under TCG a rewrite each time is not free. */
	memcpy(&deltas, g, sizeof(deltas));
	if (call_gate_valid && deltas == call_gate_deltas)
		return;
	call_gate_deltas = deltas;
	call_gate_valid = true;

	*gate = (struct call_gate64){
		.offset0 = off & 0xffff,
		.selector = targets[g->target % GC_GATE_TARGET_COUNT] |
			    (g->target_rpl & SEG_RPL_MASK),
		.type = SYS_TYPE_CALL_GATE64 ^ (g->type_xor & 0xf),
		.dpl = 3 ^ (g->dpl_xor & 3),
		.p = !g->not_present,
		.offset1 = (off >> 16) & 0xffff,
		.offset2 = off >> 32,
		.upper_type = g->upper_type & 0x1f,
	};
}

/* For defenses that are FMASK bits: SYSCALL reads the MSR each time. */
void desc_set_syscall_mask(uint64_t fmask)
{
	static uint64_t current = ~0ull;

	if (fmask != current)
		wrmsr(MSR_SYSCALL_MASK, fmask);
	current = fmask;
}

/* For defenses that are a gate's DPL: the IDT is read at every delivery. */
void desc_set_gate_dpl(unsigned vector, unsigned dpl)
{
	idt[vector & 0xff].dpl = dpl;
}

/* For defenses that are a gate's IST slot (E8: #DB on its own, #BP none). */
void desc_set_gate_ist(unsigned vector, unsigned ist)
{
	idt[vector & 0xff].ist = ist;
}

/* GC_SELFTEST_STALE_SS only: USER_DS with another base. The next load of
 * __USER_DS (an IRET to user mode) caches it. */
void desc_set_user_ds_base(uint32_t base)
{
	struct seg_desc *d = &gdt[GDT_ENTRY_USER_DS];

	d->base0 = base & 0xffff;
	d->base1 = (base >> 16) & 0xff;
	d->base2 = base >> 24;
}

static void tss_init(void)
{
	memset(&tss, 0, sizeof(tss));
	kernel_stack_top = (uintptr_t)(kernel_stack + STACK_SIZE);
	tss.rsp[0] = kernel_stack_top;
	percpu.self = PERCPU_VA;
	percpu.stack_top = kernel_stack_top;
	for (unsigned i = 0; i < IST_COUNT; i++)
		tss.ist[i] = (uintptr_t)(ist_stacks[i] + STACK_SIZE); /* IST i+1 */
	tss.iomap_base = sizeof(tss); /* no I/O bitmap: all ports #GP at CPL 3 */
}

static void syscall_msrs_init(void)
{
	wrmsr(MSR_STAR, ((uint64_t)STAR_SYSRET_CS << 48) |
				((uint64_t)STAR_SYSCALL_CS << 32));
	wrmsr(MSR_LSTAR, (uintptr_t)entry_SYSCALL_64);
	wrmsr(MSR_CSTAR, (uintptr_t)entry_SYSCALL_compat);
	desc_set_syscall_mask(SYSCALL_FMASK);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | X86_EFER_SCE);
	/* SYSENTER saves nothing and starts on this stack (E6, E7). */
	wrmsr(MSR_IA32_SYSENTER_CS, SYSENTER_CS);
	wrmsr(MSR_IA32_SYSENTER_ESP, kernel_stack_top);
	wrmsr(MSR_IA32_SYSENTER_EIP, (uintptr_t)entry_SYSENTER_compat);
}

void desc_init(void)
{
	struct desc_ptr gdtr = { sizeof(gdt) - 1, (uintptr_t)gdt };
	struct desc_ptr idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	/* User code may hold any GS base, a kernel-looking one included
	 * (WRGSBASE, E18): the paranoid entries must cope with that. */
	write_cr4(read_cr4() | X86_CR4_FSGSBASE);
	gdt_init();
	call_gate_valid = false;
	idt_init();
	tss_init();
	lgdt(&gdtr);
	lidt(&idtr);
	ltr(__TSS_SEL); /* gdt_init() left the descriptor available, not busy */
	ldt_install_descriptor();
	syscall_msrs_init();
	defenses_forget(); /* the tables hold no profile's settings now */
}
