/* SPDX-License-Identifier: MIT */
/*
 * Every way into and out of the test kernel: the IDT stubs, int $0x80, the
 * SYSCALL and SYSENTER entries with their SYSRET/SYSEXIT/IRET exits, and enter_user/leave_user, the
 * setjmp-like pair that starts one execution in ring 3 and ends it.
 * The frame layout is drawn in arch/regs.h.
 */
#include "arch/processor-flags.h"
#include "arch/regs.h"
#include "arch/segment.h"
#include "arch/traps.h"
#include "arch/msr-index.h"
#include "arch/espfix.h"
#include "user_entry.h"
#include "percpu.h"

.macro ENTRY name
	.globl \name
	.type \name, @function
\name:
.endm

.macro ENDFUNC name
	.size \name, . - \name
.endm

.macro SAVE_REGS
	pushq	%rax		/* regs->rax */
	pushq	%rcx		/* regs->rcx */
	pushq	%rdx		/* regs->rdx */
	pushq	%rbx		/* regs->rbx */
	pushq	%rbp		/* regs->rbp */
	pushq	%rsi		/* regs->rsi */
	pushq	%rdi		/* regs->rdi */
	pushq	%r8		/* regs->r8 */
	pushq	%r9		/* regs->r9 */
	pushq	%r10		/* regs->r10 */
	pushq	%r11		/* regs->r11 */
	pushq	%r12		/* regs->r12 */
	pushq	%r13		/* regs->r13 */
	pushq	%r14		/* regs->r14 */
	pushq	%r15		/* regs->r15 */
.endm

/* Leaves %rsp at regs->vector. */
.macro RESTORE_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rbp
	popq	%rbx
	popq	%rdx
	popq	%rcx
	popq	%rax
.endm

/*
 * The #DB a MOV SS / POP SS data breakpoint defers into an entry (E8), as
 * hardware delivers it: at the first kernel instruction, through the #DB
 * gate with whatever IST slot it has. Only armed on QEMU TCG, which
 * delivers that #DB early, in user mode (debug.c,
 * debug_replay_early_db()); RFLAGS is free here (the CPU or R11 holds the
 * user's), and no stack is touched before the #DB is raised.
 */
.macro MOVSS_DB_REPLAY
	cmpb	$0, movss_db_replay(%rip)
	je	.Lno_replay_\@
	movb	$0, movss_db_replay(%rip)
	int	$1
.Lno_replay_\@:
.endm

	.text

/*
 * One 16-byte stub per IDT vector. Vectors whose delivery pushes no error
 * code get a dummy one, so every frame has the same shape.
 */
	.align 16
ENTRY idt_stubs
	.set	vec, 0
	.rept	256
	.align	16
	.if	(vec >= 32) || !((X86_TRAPS_WITH_ERROR_CODE >> vec) & 1)
	pushq	$0		/* regs->error_code */
	.endif
	pushq	$vec		/* regs->vector */
	jmp	exception_common
	.set	vec, vec + 1
	.endr
ENDFUNC idt_stubs

/* #BP and #OF (int3, int $3, into: DPL 3 gates) take a deferred #DB too. */
ENTRY entry_BP_movss
	MOVSS_DB_REPLAY
	jmp	idt_stubs + 16 * X86_TRAP_BP
ENDFUNC entry_BP_movss

ENTRY entry_OF_movss
	MOVSS_DB_REPLAY
	jmp	idt_stubs + 16 * X86_TRAP_OF
ENDFUNC entry_OF_movss

/*
 * GS on entry (E18). From user mode the user's GS base is live: SWAPGS, as
 * the exit will. A fault on the exit IRET comes from ring 0 but after the
 * exit's SWAPGS, so the user's GS is live there too (Linux's error_entry
 * "bad IRET" case). Other ring-0 exceptions run on whatever GS the code
 * they interrupted had, except the paranoid ones (#DB, NMI, #DF, #MC, on
 * IST stacks): they can hit before an entry's SWAPGS (a MOV SS-deferred #DB
 * at the first SYSCALL instruction) or after an exit's, so they must find
 * out. %r12 says what to undo on the way out (0 nothing, 1 SWAPGS, 2 write
 * back the GS base saved in %rbx); both are in the saved frame already.
 */
ENTRY exception_common
	SAVE_REGS
	cld
	xorl	%r12d, %r12d
	testb	$3, REGS_CS(%rsp)
	jnz	.Lswapgs_from_user
	/* The exit instructions run with the user's GS base live. */
	leaq	native_irq_return_iret(%rip), %rax
	cmpq	%rax, REGS_RIP(%rsp)
	je	.Lswapgs_from_user
	leaq	sysenter_sysexitl(%rip), %rax
	cmpq	%rax, REGS_RIP(%rsp)
	je	.Lswapgs_from_user
	leaq	call_gate_lretq(%rip), %rax
	cmpq	%rax, REGS_RIP(%rsp)
	je	.Lswapgs_from_user
	movq	REGS_VECTOR(%rsp), %rax
	cmpq	$X86_TRAP_DB, %rax
	je	.Lparanoid
	cmpq	$X86_TRAP_NMI, %rax
	je	.Lparanoid
	cmpq	$X86_TRAP_DF, %rax
	je	.Lparanoid
	cmpq	$X86_TRAP_MC, %rax
	jne	.Lcall_handler
.Lparanoid:
	call	paranoid_gs_entry
	jmp	.Lcall_handler
.Lswapgs_from_user:
	swapgs
.Lcall_handler:
	movq	%rsp, %rdi
	call	do_exception
	/* do_exception returned: resume what was interrupted. */
	testb	$3, REGS_CS(%rsp)
	jnz	exit_to_user_iret
	cmpl	$1, %r12d
	jne	1f
	swapgs
1:	cmpl	$2, %r12d
	jne	2f
	wrgsbase %rbx
2:	RESTORE_REGS
	addq	$16, %rsp
	iretq
ENDFUNC exception_common

/*
 * Paranoid GS (E18), for an IST exception from ring 0. With FSGSBASE, as
 * Linux since "x86/entry/64: Handle FSGSBASE enabled paranoid entry/exit":
 * save whatever GS base is live and load the kernel's (%r12 = 2, %rbx =
 * saved). Defense paranoid_gsbase off, the pre-FSGSBASE guess: "a negative
 * GS base is the kernel's" (rdmsr MSR_GS_BASE; js), which a user who set a
 * kernel-looking GS base (WRGSBASE) defeats: the handler then runs on the
 * user's GS.
 */
ENTRY paranoid_gs_entry
	cmpb	$0, defense_paranoid_gsbase(%rip)
	je	.Lguess_by_sign
	rdgsbase %rbx
	movabsq	$PERCPU_VA, %rax
	wrgsbase %rax
	movl	$2, %r12d
	ret
.Lguess_by_sign:
	movl	$MSR_GS_BASE, %ecx
	rdmsr
	testl	%edx, %edx
	js	1f			/* "negative: the kernel's already" */
	swapgs
	movl	$1, %r12d
1:	ret
ENDFUNC paranoid_gs_entry

/*
 * int $0x80 (DPL 3 interrupt gate). INT n clears TF, NT, RF and IF but keeps
 * DF and AC as the user had them (SDM INT n operation), so the entry must
 * clear DF before any string instruction: docs/catalog.md E7.
 */
ENTRY entry_INT80
	MOVSS_DB_REPLAY
	swapgs				/* only ever from user mode (DPL 3) */
	pushq	$0			/* regs->error_code */
	pushq	$SYSCALL_VECTOR		/* regs->vector */
	SAVE_REGS
	cmpb	$0, defense_entry_clear_df(%rip)
	je	1f
	cld
1:	movq	%rsp, %rdi
	call	do_int80
	jmp	exit_to_user_iret
ENDFUNC entry_INT80

/*
 * SYSCALL: RCX = return RIP, R11 = RFLAGS with RF cleared, RFLAGS &= ~FMASK,
 * CS/SS from STAR. Nothing is saved on a stack and RSP is still the user's:
 * "naughty userspace controls RSP at the very beginning of the SYSCALL
 * targets" (E11), so switch stacks before the first push, then build the
 * frame the CPU would have pushed for an interrupt from \user_cs.
 */
.macro SYSCALL_ENTRY_FRAME user_cs:req, frame_vector:req
	MOVSS_DB_REPLAY
	swapgs
	movq	%rsp, %gs:PCPU_USER_RSP
	cmpb	$0, defense_syscall_stack_switch(%rip)
	je	.Lon_user_stack_\@
	movq	%gs:PCPU_STACK_TOP, %rsp
.Lon_user_stack_\@:
	pushq	$__USER_DS			/* regs->ss */
	pushq	%gs:PCPU_USER_RSP		/* regs->rsp */
	pushq	%r11				/* regs->rflags */
	pushq	$\user_cs			/* regs->cs */
	pushq	%rcx				/* regs->rip */
	pushq	$0				/* regs->error_code */
	pushq	$\frame_vector			/* regs->vector */
	SAVE_REGS
.endm

ENTRY entry_SYSCALL_64
	SYSCALL_ENTRY_FRAME __USER_CS, SYSCALL64_FRAME_VECTOR
	movq	%rsp, %rdi
	call	do_syscall64
	testl	%eax, %eax
	jz	exit_to_user_iret

	/*
	 * Opportunistic SYSRET: do_syscall64 found the frame is one SYSRETQ
	 * restores exactly (sysret_is_safe). SYSRETQ takes RIP from RCX and
	 * RFLAGS from R11, so those come from the frame like every other GPR.
	 */
	RESTORE_REGS
	addq	$16, %rsp
	movq	REGS_RSP - REGS_RIP(%rsp), %rsp
	swapgs
	.globl	syscall_sysretq
syscall_sysretq:
	sysretq
ENDFUNC entry_SYSCALL_64

/*
 * SYSCALL from compat mode, through CSTAR: AMD only (Intel raises #UD,
 * docs/catalog.md E14). ECX holds the return EIP; the rest is as above.
 */
ENTRY entry_SYSCALL_compat
	SYSCALL_ENTRY_FRAME __USER32_CS, SYSCALL32_FRAME_VECTOR
	movq	%rsp, %rdi
	call	do_syscall_compat
	testl	%eax, %eax
	jz	exit_to_user_iret

	/*
	 * Opportunistic SYSRETL, as Linux's sysret32_from_system_call: EIP =
	 * ECX from the frame's RIP, EFLAGS = R11 from its RFLAGS. R8-R10 are
	 * not restored (32-bit code cannot address them) and still hold
	 * whatever the C code left there: zero them, as Linux does "to avoid
	 * info leaks" (E13).
	 */
	movq	REGS_RBX(%rsp), %rbx
	movq	REGS_RBP(%rsp), %rbp
	movq	REGS_RAX(%rsp), %rax
	movq	REGS_RDX(%rsp), %rdx
	movq	REGS_RSI(%rsp), %rsi
	movq	REGS_RDI(%rsp), %rdi
	movq	REGS_R12(%rsp), %r12
	movq	REGS_R13(%rsp), %r13
	movq	REGS_R14(%rsp), %r14
	movq	REGS_R15(%rsp), %r15
	movl	REGS_RIP(%rsp), %ecx
	movq	REGS_RFLAGS(%rsp), %r11
	cmpb	$0, defense_sysretl_clear_r8_r10(%rip)
	je	1f
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
1:	movq	REGS_RSP(%rsp), %rsp
	swapgs
	.globl	syscall_sysretl
syscall_sysretl:
	sysretl
ENDFUNC entry_SYSCALL_compat

/*
 * IRETQ to user mode from %rsp at the IRET frame, every user GPR live.
 * IRETQ to a 16-bit SS in compat mode loads only SP[15:0] and keeps RSP's
 * bits 31:16 from the kernel's RSP (E10): for an LDT SS (the only place a
 * 16-bit SS can come from), IRET instead from the espfix alias whose bits
 * 31:16 are the user's ESP[31:16], as Linux's native_irq_return_ldt. The
 * frame is rebuilt there with user RAX on top, so RAX and RDI are the only
 * scratch and both are the user's again at the IRET.
 */
.macro ESPFIX_IRET iret_label:req, defense:req
	testb	$SEG_TI_LDT, 32(%rsp)		/* frame ss */
	jz	\iret_label
	.if	\defense
	cmpb	$0, defense_espfix16(%rip)
	je	\iret_label
	.endif
	pushq	%rdi				/* user RDI */
	movabsq	$ESPFIX_STACK, %rdi		/* the alias with bits 31:16 = 0 */
	movq	%rax, 0(%rdi)			/* user RAX */
	movq	8(%rsp), %rax
	movq	%rax, 8(%rdi)			/* frame rip */
	movq	16(%rsp), %rax
	movq	%rax, 16(%rdi)			/* frame cs */
	movq	24(%rsp), %rax
	movq	%rax, 24(%rdi)			/* frame rflags */
	movq	40(%rsp), %rax
	movq	%rax, 40(%rdi)			/* frame ss */
	movq	32(%rsp), %rax
	movq	%rax, 32(%rdi)			/* frame rsp */
	andl	$0xffff0000, %eax		/* user ESP[31:16] */
	orq	%rdi, %rax
	popq	%rdi
	movq	%rax, %rsp			/* the same page, right bits */
	popq	%rax
	jmp	\iret_label
.endm

/*
 * SYSENTER from compat mode (Intel; AMD raises #UD in long mode, E14).
 * SYSENTER loads CS = SYSENTER_CS and SS = SYSENTER_CS + 8, RSP from
 * SYSENTER_ESP and RIP from SYSENTER_EIP, and clears IF, VM and RF. It
 * "does not save old RIP (!!!), RSP, or RFLAGS" (Linux entry_64_compat.S),
 * and it does not filter flags: TF, NT, AC and DF are still the user's.
 * The user side follows Linux's vDSO (docs/semantics.md §2): EBP holds the
 * user ESP, 0(%ebp) the user's EBP, and the return goes to the landing pad.
 *
 * With TF set, SYSENTER and every instruction up to the POPFQ that clears
 * the flags trap at CPL 0 (E6); traps.c ignores #DBs in
 * [entry_SYSENTER_compat, sysenter_singlestep_end), as Linux's
 * is_sysenter_singlestep() does, so the PUSHFQ below keeps the user's TF.
 */
ENTRY entry_SYSENTER_compat
	swapgs					/* only ever from user mode */
	pushq	$__USER_DS			/* regs->ss */
	pushq	$0				/* regs->rsp: EBP, in C */
	pushfq					/* regs->rflags (IF cleared) */
	/* After PUSHFQ: SYSENTER saved no RFLAGS, and the replay's CMP
	 * would change the user's arithmetic flags. */
	MOVSS_DB_REPLAY
	pushq	$__USER32_CS			/* regs->cs */
	pushq	$0				/* regs->rip: the landing, in C */
	pushq	$0				/* regs->error_code */
	pushq	$SYSENTER32_FRAME_VECTOR	/* regs->vector */
	SAVE_REGS
	cld
	/*
	 * "SYSENTER doesn't filter flags, so we need to clear NT and AC
	 * ourselves" (Linux): NT would make the kernel's IRET #GP (E7), TF
	 * single-steps the kernel (E6). The user's copy is in the frame.
	 */
	cmpb	$0, defense_sysenter_fix_flags(%rip)
	je	.Lsysenter_flags_fixed
	pushq	$X86_EFLAGS_FIXED
	popfq
.Lsysenter_flags_fixed:
	movq	%rsp, %rdi			/* the POPFQ's own #DB lands here */
	.globl	sysenter_singlestep_end
sysenter_singlestep_end:
	call	do_sysenter_compat
	testl	%eax, %eax
	jz	exit_to_user_iret

	/*
	 * Opportunistic SYSEXIT, 32-bit form: EIP = EDX, ESP = ECX, CS =
	 * SYSENTER_CS + 16, SS = SYSENTER_CS + 24. It leaves RFLAGS alone, so
	 * the user's are loaded first, by POPFQ: sysexit_is_safe() made sure
	 * they hold no TF (POPFQ would arm a trap right after SYSEXIT) and no
	 * RF, VIF or VIP (POPFQ cannot set them). The test kernel takes no interrupts, so
	 * POPFQ may set IF here; a real kernel keeps IF clear and ends with
	 * STI; SYSEXIT, the STI shadow covering SYSEXIT.
	 */
	RESTORE_REGS
	addq	$16, %rsp			/* %rsp at regs->rip */
	movl	REGS_RIP - REGS_RIP(%rsp), %edx
	movl	REGS_RSP - REGS_RIP(%rsp), %ecx
	/* SWAPGS before POPFQ: a TF that POPFQ sets traps after the next
	 * instruction, which must be the exit itself (sysexit_no_tf_rf). */
	swapgs
	pushq	REGS_RFLAGS - REGS_RIP(%rsp)
	popfq
	.globl	sysenter_sysexitl
sysenter_sysexitl:
	sysexit
ENDFUNC entry_SYSENTER_compat

/*
 * A 64-bit call gate (E20): lcall through GDT_ENTRY_CALL_GATE from CPL 3.
 * The CPU switches to TSS.RSP0, loads SS with a null selector (RPL 0) and
 * pushes the caller's SS, RSP, CS and RIP (IA-32e mode copies no
 * parameters). RFLAGS are neither saved nor changed: TF, NT, AC, DF and IF
 * are still the user's, and with TF the entry single-steps at CPL 0 until
 * the POPFQ below (traps.c ignores those #DBs, as for SYSENTER). Rebuild
 * the frame as an interrupt frame, RFLAGS by PUSHFQ.
 */
ENTRY entry_call_gate
	swapgs					/* a DPL 3 gate: from user mode */
	pushq	24(%rsp)			/* regs->ss: the CPU's SS slot */
	pushq	24(%rsp)			/* regs->rsp */
	pushfq					/* regs->rflags */
	MOVSS_DB_REPLAY				/* after PUSHFQ, as for SYSENTER */
	pushq	32(%rsp)			/* regs->cs */
	pushq	32(%rsp)			/* regs->rip */
	pushq	$0				/* regs->error_code */
	pushq	$CALL_GATE_FRAME_VECTOR		/* regs->vector */
	SAVE_REGS
	cld
	pushq	$X86_EFLAGS_FIXED		/* TF, NT, AC off (E6, E7) */
	popfq
	movq	%rsp, %rdi			/* the POPFQ's own #DB lands here */
	.globl	call_gate_singlestep_end
call_gate_singlestep_end:
	call	do_call_gate
	testl	%eax, %eax
	jz	exit_to_user_iret

	/*
	 * LRETQ pops RIP, CS, RSP and SS but not RFLAGS: load the user's by
	 * POPFQ first (lret_is_safe() made sure they hold no TF, which would
	 * trap right after LRETQ, nor RF, VIF or VIP, which POPFQ cannot
	 * set). Rewrite
	 * the frame as error_code := RFLAGS, then RIP, CS, RSP, SS.
	 */
	movq	REGS_RFLAGS(%rsp), %rax
	movq	%rax, REGS_ERROR_CODE(%rsp)
	movq	REGS_RSP(%rsp), %rax
	movq	%rax, REGS_RFLAGS(%rsp)
	movq	REGS_SS(%rsp), %rax
	movq	%rax, REGS_RSP(%rsp)
	movq	%rsp, %rdi
	call	exit_lret_check_limit	/* TCG skips LRET's CS limit check */
	RESTORE_REGS
	addq	$8, %rsp			/* %rsp at the saved RFLAGS */
	swapgs					/* before POPFQ, as for SYSEXIT */
	popfq
	.globl	call_gate_lretq
call_gate_lretq:
	lretq
ENDFUNC entry_call_gate

/*
 * The one IRETQ back to user mode. A fault here (bad CS/SS, non-canonical
 * RIP) is raised in ring 0 with the user's GPRs live and %rsp at the user's
 * IRET frame: traps.c turns it into a user fault (E9, fixup_bad_iret).
 */
ENTRY exit_to_user_iret
	movq	%rsp, %rdi
	call	exit_iret_check_limit	/* TCG skips IRET's CS limit check */
	RESTORE_REGS
	addq	$16, %rsp
	swapgs
	ESPFIX_IRET native_irq_return_iret, 1
	.globl	native_irq_return_iret
native_irq_return_iret:
	iretq
ENDFUNC exit_to_user_iret

/*
 * enter_user(ue): save the kernel's callee-saved context, load the user
 * state and IRETQ to ring 3. It "returns" when run_end() calls leave_user().
 */
ENTRY enter_user
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, kernel_run_rsp(%rip)

	/* Selectors first: in 64-bit mode a selector load resets the base. */
	mov	UE_DS(%rdi), %ds
	mov	UE_ES(%rdi), %es
	mov	UE_FS(%rdi), %fs
	mov	UE_GS(%rdi), %gs
	movl	$MSR_FS_BASE, %ecx
	movl	UE_FS_BASE(%rdi), %eax
	movl	UE_FS_BASE + 4(%rdi), %edx
	wrmsr
	movl	$MSR_GS_BASE, %ecx
	movl	UE_GS_BASE(%rdi), %eax
	movl	UE_GS_BASE + 4(%rdi), %edx
	wrmsr
	/* The kernel's GS base, parked for the entries' SWAPGS (E18). */
	movl	$MSR_KERNEL_GS_BASE, %ecx
	movabsq	$PERCPU_VA, %rax
	movq	%rax, %rdx
	shrq	$32, %rdx
	wrmsr

	pushq	UE_SS(%rdi)
	pushq	UE_GPR(4)(%rdi)
	pushq	UE_RFLAGS(%rdi)
	pushq	UE_CS(%rdi)
	pushq	UE_RIP(%rdi)
	movq	UE_GPR(0)(%rdi), %rax
	movq	UE_GPR(1)(%rdi), %rcx
	movq	UE_GPR(2)(%rdi), %rdx
	movq	UE_GPR(3)(%rdi), %rbx
	movq	UE_GPR(5)(%rdi), %rbp
	movq	UE_GPR(6)(%rdi), %rsi
	movq	UE_GPR(8)(%rdi), %r8
	movq	UE_GPR(9)(%rdi), %r9
	movq	UE_GPR(10)(%rdi), %r10
	movq	UE_GPR(11)(%rdi), %r11
	movq	UE_GPR(12)(%rdi), %r12
	movq	UE_GPR(13)(%rdi), %r13
	movq	UE_GPR(14)(%rdi), %r14
	movq	UE_GPR(15)(%rdi), %r15
	movq	UE_GPR(7)(%rdi), %rdi
	/* The initial state is exact whatever the profile: always espfix.
	 * A fault on this IRET (the testcase's SS or CS cannot be loaded)
	 * is the user's, as if the process faulted at its first instruction. */
	ESPFIX_IRET enter_user_iret, 0
	.globl	enter_user_iret
enter_user_iret:
	iretq
ENDFUNC enter_user

/* Back onto the run loop's stack, whatever stack we are on now. */
ENTRY leave_user
	movq	kernel_run_rsp(%rip), %rsp
	movl	$__KERNEL_DS, %eax
	movl	%eax, %ss
	cld
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret
ENDFUNC leave_user

/*
 * The set-return-state copy, written like copy_from_user: one REP MOVSQ that
 * trusts the entry code to have cleared DF (E7). With DF set it copies
 * backwards from the first word.
 */
ENTRY copy_ret_frame_from_user
	movq	%rdx, %rcx
	rep movsq
	ret
ENDFUNC copy_ret_frame_from_user

/*
 * copy_u32_from_user(dst, user_addr): 0, or 1 when the load faulted.
 * Like Linux's __get_user, one load that the #PF handler may redirect to
 * the fixup (traps.c, E12); the caller has checked the address range.
 */
ENTRY copy_u32_from_user
	.globl	copy_u32_from_user_load
copy_u32_from_user_load:
	movl	(%rsi), %eax
	movl	%eax, (%rdi)
	xorl	%eax, %eax
	ret
	.globl	copy_u32_from_user_fixup
copy_u32_from_user_fixup:
	movl	$1, %eax
	ret
ENDFUNC copy_u32_from_user

	.bss
	.align 8
kernel_run_rsp:
	.quad	0
