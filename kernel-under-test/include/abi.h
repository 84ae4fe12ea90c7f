/* SPDX-License-Identifier: MIT */
/*
 * The one contract between the test kernel and the host: guest memory
 * layout, the testcase as the fuzzers mutate it, the results the guest
 * writes, and the mailbox that carries both. Included by both sides; every
 * layout is packed and size-asserted so a change on one side cannot go
 * unnoticed on the other.
 *
 * Everything the guest writes here is untrusted by the host: counts are
 * clamped and enums range-checked before use (harness/backend/result_check.c).
 */
#ifndef GATECRASH_ABI_H
#define GATECRASH_ABI_H

#include <stdint.h>

/* 2: cases of 440 bytes, host_sleeping, batch_tsc; 3: per-case coverage in
 * each result (struct gc_cov_word) */
#define GC_ABI_VERSION 3

/*
 * Guest physical layout. Guest RAM is one shared memory-backend-file whose
 * file offset equals the guest physical address, so the host reads and
 * writes the mailbox through its own mapping of that file.
 */
#define GC_RAM_SIZE (32u << 20)
#define GC_KERNEL_LOAD 0x00100000u  /* PVH loads the ELF here */
#define GC_MAILBOX_GPA 0x01000000u  /* 16 MiB */
#define GC_MAILBOX_SIZE 0x00100000u /* 1 MiB */

/*
 * The user code page. Below 4 GiB so compat-mode code can run from it. It is
 * filled with HLT (0xF4) except for the mechanism's instruction, which ends
 * exactly at GC_USER_LANDING, so the mechanism and its int80 reference
 * return to the same address. Any HLT the user reaches faults (#GP, CPL 3):
 * that fault is the capture, and it perturbs nothing.
 */
#define GC_USER_CODE_VA 0x40000000ull
#define GC_USER_PAGE_SIZE 0x1000u
#define GC_USER_LANDING (GC_USER_CODE_VA + 0x800)
/*
 * The reference's int $0x80 sits on the same page, away from the landing,
 * so both executions run the very same user bytes (a return into the
 * mechanism's instruction re-executes it in both). Its first entry returns
 * to GC_USER_LANDING, as the mechanism's instruction would.
 */
#define GC_USER_REF_ENTRY (GC_USER_CODE_VA + 0x100)

/* A user stack page (read/write, no execute): what RSP holds in a plain
 * testcase. Nothing the harness runs in user mode touches it. */
#define GC_USER_STACK_VA (GC_USER_CODE_VA + 0x10000)
#define GC_USER_STACK_TOP (GC_USER_STACK_VA + GC_USER_PAGE_SIZE)

/*
 * The kernel's espfix64 window (arch/x86/espfix.c): supervisor-only
 * aliases of its IRET stack at every 64 KiB of [4 GiB, 8 GiB). Linux keeps
 * its espfix stacks above TASK_SIZE_MAX, where no user breakpoint can
 * reach them; here they sit among user addresses, so the host treats this
 * window as kernel space when it normalizes debug registers.
 */
#define GC_ESPFIX_WINDOW_VA 0x100000000ull
#define GC_ESPFIX_WINDOW_SIZE 0x100000000ull

/* A user data page (read/write, no execute). Its first word holds the
 * user's SS selector for the mov_ss prefix (struct gc_debug_ext); a data
 * breakpoint on it is CVE-2018-8897's trigger (E8). */
#define GC_USER_DATA_VA (GC_USER_CODE_VA + 0x20000)
#define GC_USER_SS_WORD_VA GC_USER_DATA_VA

/* Entry mechanisms. The user mode (64-bit or compat) follows from it. */
enum gc_mechanism {
	GC_MECH_INT80_64 = 0,	  /* int $0x80 from 64-bit user mode, IRET back */
	GC_MECH_INT80_COMPAT = 1, /* int $0x80 from compat user mode, IRET back */
	GC_MECH_SYSCALL64 = 2,	  /* syscall, opportunistic sysretq or IRET */
	GC_MECH_SYSCALL_COMPAT = 3, /* syscall from compat mode (AMD): CSTAR,
				     * opportunistic sysretl or IRET */
	/* Software interrupts from user mode (E17): the kernel delivers an
	 * exception to the user, and returns to it by IRET for the traps. */
	GC_MECH_INT3 = 4,   /* int3 (CC), 64-bit: #BP trap */
	GC_MECH_INT_3 = 5,  /* int $3 (CD 03), 64-bit: #BP trap */
	GC_MECH_INTO = 6,   /* into (CE), compat (#UD in 64-bit): #OF if OF */
	GC_MECH_INT_1 = 7,  /* int $1 (CD 01), 64-bit: #GP(0x0a), DPL 0 gate */
	GC_MECH_SYSENTER_COMPAT = 8, /* sysenter from compat mode (Intel), vDSO
				      * convention, opportunistic sysexit or
				      * IRET (docs/semantics.md §2) */
	GC_MECH_CALL_GATE = 9, /* lcall through a 64-bit call gate in the
				* GDT, 64-bit user mode; lretq or IRET back
				* (gc_gate_ext: the gate's properties) */
	GC_MECH_INT3_PREFIXED = 10, /* 2E 2E CC: int3 behind two redundant
				     * CS prefixes (E8, E17), 64-bit */
	GC_MECH_COUNT
};

enum gc_user_mode {
	GC_MODE_64 = 0,
	GC_MODE_COMPAT = 1,
};

/* Syscall numbers of the test kernel (RAX/EAX at entry, low 32 bits). */
enum gc_syscall {
	GC_SYS_NOP = 0,		     /* returns 0 */
	GC_SYS_GETPID = 1,	     /* returns GC_PID */
	GC_SYS_SET_RETURN_STATE = 2, /* sigreturn analogue, see gc_testcase.ret */
	GC_SYS_MODIFY_LDT = 3,	     /* RDI = LDT index, RSI = raw descriptor
				      * (0 clears it); validated as Linux's
				      * modify_ldt: returns 0 or -EINVAL */
	GC_SYS_IOPL = 4,	     /* RDI = level 0..3: Linux >= 5.5 semantics,
				      * never the real RFLAGS.IOPL (E19) */
	GC_SYS_COUNT
};
#define GC_PID 1
#define GC_EINVAL 22
#define GC_EFAULT 14
#define GC_ENOSYS 38

/*
 * The LDT: the kernel's, GC_LDT_ENTRIES descriptors, loaded once with LLDT.
 * Each run starts from the testcase's seg.ldt[] (installed through the
 * modify_ldt checks), so both executions see the same table. Selector of
 * entry i: (i << 3) | 4 | RPL.
 */
#define GC_LDT_ENTRIES 4
#define GC_LDT_SEL(i, rpl) (((i) << 3) | 4 | (rpl))

/*
 * Defenses: each safety check of the entry/exit paths, by bit. The host's
 * table (harness/defenses.c) names them and ties each to its catalog case.
 * The mailbox says which are on for the mechanism run; the reference run
 * always has every defense on.
 */
enum gc_defense {
	GC_DEF_SYSRET_CANONICAL_RIP = 0,
	GC_DEF_SYSRET_RCX_IS_RIP = 1,
	GC_DEF_SYSRET_R11_IS_RFLAGS = 2,
	GC_DEF_SYSRET_NO_TF_RF = 3,
	GC_DEF_SYSRET_USER_CS_SS = 4,
	GC_DEF_ENTRY_CLEAR_DF = 5,
	GC_DEF_IRET_FAULT_FIXUP = 6,
	GC_DEF_SYSCALL_STACK_SWITCH = 7,
	GC_DEF_SYSRETL_USER32_CS_SS = 8,
	GC_DEF_SYSRETL_NO_TF_RF = 9,
	GC_DEF_SYSRETL_EIP_FITS = 10,
	GC_DEF_SYSRETL_CLEAR_R8_R10 = 11,
	GC_DEF_DB_GATE_DPL0 = 12,
	GC_DEF_FMASK_TF = 13,
	GC_DEF_FMASK_NT = 14,
	/* E8 (CVE-2018-8897): the #DB a MOV SS shadow defers into an entry. */
	GC_DEF_DB_IST = 15,		 /* #DB gate on its own IST stack */
	GC_DEF_BP_NO_IST = 16,		 /* #BP gate on no IST stack */
	GC_DEF_DB_KERNEL_USER_BP = 17, /* a ring-0 #DB from a user
					* breakpoint goes to the user */
	GC_DEF_PARANOID_GSBASE = 18,	 /* E18: paranoid entries load the
					  * kernel's GS base (FSGSBASE) */
	/* E10, E15, E19: segments, LDT and IOPL on the way out. */
	GC_DEF_ESPFIX16 = 19,
	GC_DEF_LDT_REFRESH_SEGMENTS = 20,
	GC_DEF_SIGRETURN_FIX_IOPL = 21,
	/* E6, E7, E12, E14, E20: SYSENTER/SYSEXIT and the call gate. */
	GC_DEF_SYSENTER_TF_TOLERATE = 22,
	GC_DEF_SYSENTER_FIX_FLAGS = 23,
	GC_DEF_SYSEXIT_USER32_CS_SS = 24,
	GC_DEF_SYSEXIT_NO_TF_RF = 25,
	GC_DEF_SYSEXIT_EIP_FITS = 26,
	GC_DEF_SYSENTER_ARG_FIXUP = 27,
	GC_DEF_SYSEXIT_INTEL_ONLY = 28,
	GC_DEF_LRET_NO_TF_RF = 29,
	GC_DEF_LRET_FAULT_FIXUP = 30,
	GC_DEF_SYSENTER_ARG_ACCESS_OK = 31,
	GC_DEF_COUNT
};
#define GC_DEFENSES_ALL ((1ull << GC_DEF_COUNT) - 1)

/* Segment register order: the hardware's encoding (SDM Vol. 2 3.1.1.3). */
enum gc_sreg { GC_ES, GC_CS, GC_SS, GC_DS, GC_FS, GC_GS, GC_NR_SREGS };

/* GPR order: the hardware's encoding, so gpr[4] is RSP. */
enum gc_gpr {
	GC_RAX, GC_RCX, GC_RDX, GC_RBX, GC_RSP, GC_RBP, GC_RSI, GC_RDI,
	GC_R8, GC_R9, GC_R10, GC_R11, GC_R12, GC_R13, GC_R14, GC_R15,
	GC_NR_GPRS
};

/*
 * What set-return-state puts in the kernel's saved user frame before the
 * exit path runs. Only the fields whose bit is set in ret_mask are written;
 * the rest keep what the entry saved, so a testcase names just what it
 * changes (like a debugger editing a stopped task). The kernel still forces
 * RPL 3 on CS and SS and clears VM and reserved RFLAGS bits, as Linux's
 * sigreturn does; everything else reaches the exit path as given.
 */
#define GC_RET_GPR(n) (1u << (n)) /* bits 0..15 */
#define GC_RET_RIP (1u << 16)
#define GC_RET_RFLAGS (1u << 17)
#define GC_RET_CS (1u << 18)
#define GC_RET_SS (1u << 19)
#define GC_RET_ALL ((1u << 20) - 1)

struct gc_ret_frame {
	uint64_t gpr[GC_NR_GPRS];
	uint64_t rip;
	uint64_t rflags;
	uint16_t cs;
	uint16_t ss;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct gc_ret_frame) == 152, "gc_ret_frame layout");

/*
 * Segment-related testcase fields (appended after ret; zero = as before):
 * the LDT each run starts from, whether to run the SS probe (E4), and the
 * user's x87/SSE control state and XMM0. FCW and MXCSR are stored XOR
 * their FNINIT/reset values, so 0 means the default (the host's field
 * table shows and takes the real value).
 */
#define GC_SEG_PROBE_SS 0x01 /* flags: also run the post-return SS probe */
#define GC_FCW_DEFAULT 0x037f
#define GC_MXCSR_DEFAULT 0x1f80
struct gc_seg_ext {
	uint64_t ldt[GC_LDT_ENTRIES]; /* raw descriptors; 0 = empty entry */
	uint8_t flags;		      /* GC_SEG_* */
	uint8_t reserved;
	uint16_t fcw_xor_default;   /* FCW ^ GC_FCW_DEFAULT */
	uint32_t mxcsr_xor_default; /* MXCSR ^ GC_MXCSR_DEFAULT */
	uint64_t xmm0[2];	    /* low, high quadword */
} __attribute__((packed));
_Static_assert(sizeof(struct gc_seg_ext) == 56, "gc_seg_ext layout");

/*
 * The call gate of GC_MECH_CALL_GATE (E20), as deltas from the well-formed
 * gate the kernel installs, so that all zeroes (an older, shorter testcase)
 * is that gate: type 0xC (64-bit call gate), DPL 3, present, upper type 0,
 * target __KERNEL_CS:entry_call_gate. A gate that differs in anything but
 * target_rpl is its own reference (docs/semantics.md §2).
 */
enum gc_gate_target {
	GC_GATE_TARGET_KERNEL_CS = 0, /* the 64-bit kernel code segment */
	GC_GATE_TARGET_KERNEL32_CS = 1, /* a 32-bit code segment: #GP(sel) */
	GC_GATE_TARGET_KERNEL_DS = 2,   /* a data segment: #GP(sel) */
	GC_GATE_TARGET_NULL = 3,	/* the null selector: #GP(0) */
	GC_GATE_TARGET_COUNT
};
struct gc_gate_ext {
	uint8_t dpl_xor;      /* gate DPL = 3 ^ dpl_xor (0..3) */
	uint8_t type_xor;     /* gate type = 0xC ^ type_xor (0..15) */
	uint8_t not_present;  /* 1: P = 0 */
	uint8_t upper_type;   /* bits 12:8 of the gate's top dword (0..31),
			       * which the SDM requires to be 0 */
	uint8_t target;	      /* enum gc_gate_target */
	uint8_t target_rpl;   /* RPL of the target selector (0..3) */
	uint16_t offset_high; /* XORed into target offset bits 63:48: any
			       * non-zero value makes it non-canonical */
} __attribute__((packed));
_Static_assert(sizeof(struct gc_gate_ext) == 8, "gc_gate_ext layout");

/*
 * A testcase: binary form v1. Fuzzers mutate these bytes directly; the host
 * decoder turns *any* byte string into a valid testcase by zero-filling a
 * short input and normalizing every field (harness/testcase/normalize.c).
 * Only normalized testcases reach the mailbox.
 */
#define GC_TESTCASE_VERSION 1

/*
 * The instruction that immediately precedes the mechanism's instruction on
 * the user page (and the reference's int $0x80), so both runs enter the
 * kernel inside the same MOV SS / POP SS interrupt shadow (E8). Both load
 * the user's SS again: mov_ss from the word at GC_USER_SS_WORD_VA, pop_ss
 * from the user's stack, which the kernel fills with that selector before
 * the run (so any even RSP in the stack page pops it). POP SS does not exist
 * in 64-bit mode (#UD): pop_ss is for the compat mechanisms.
 */
enum gc_prefix {
	GC_PREFIX_NONE = 0,
	GC_PREFIX_MOV_SS = 1, /* mov GC_USER_SS_WORD_VA, %ss (8E 14 25 disp32) */
	GC_PREFIX_POP_SS = 2, /* pop %ss (17) */
	GC_PREFIX_COUNT
};

/* DR7 fields (SDM Vol. 3B 17.2.4). */
#define GC_DR7_ENABLE_MASK 0xffull	    /* L0 G0 .. L3 G3 */
#define GC_DR7_RW_SHIFT(n) (16 + 4 * (n))   /* 00 exec, 01 write, 11 rw */
#define GC_DR7_LEN_SHIFT(n) (18 + 4 * (n))  /* 00 1, 01 2, 11 4, 10 8 */
#define GC_DR7_RW_LEN_MASK 0xffff0000ull

/*
 * Debug registers as a debugger set them (ptrace POKEUSER) before the
 * testcase runs: the kernel loads DR0-DR3 and DR7 before each of the two
 * runs and clears DR7 after it. Normalized like Linux's ptrace checks (no
 * GD, LE/GE or I/O breakpoints, user addresses aligned to their length).
 * All zero: no breakpoints, as before the fields existed.
 */
struct gc_debug_ext {
	uint8_t prefix; /* enum gc_prefix */
	uint8_t reserved[7];
	uint64_t dr[4];
	uint64_t dr7;
} __attribute__((packed));
_Static_assert(sizeof(struct gc_debug_ext) == 48, "gc_debug_ext layout");

struct gc_testcase {
	uint8_t version;
	uint8_t mechanism; /* enum gc_mechanism */
	uint8_t reserved0[2];
	uint32_t ret_mask; /* GC_RET_* */
	uint64_t gpr[GC_NR_GPRS];
	uint64_t rflags;
	uint64_t fs_base;
	uint64_t gs_base;
	uint16_t sel[GC_NR_SREGS]; /* CS follows the mode; the rest are fuzzable */
	uint32_t reserved1;
	struct gc_ret_frame ret;
	struct gc_debug_ext dbg; /* appended: zero = no prefix, no DRs */
	struct gc_seg_ext seg;	 /* appended: zero = no LDT, default FPU */
	struct gc_gate_ext gate; /* GC_MECH_CALL_GATE only; else zero */
} __attribute__((packed));
_Static_assert(sizeof(struct gc_testcase) == 440, "gc_testcase layout");
_Static_assert(__builtin_offsetof(struct gc_testcase, gpr) == 8, "gpr");
_Static_assert(__builtin_offsetof(struct gc_testcase, sel) == 160, "sel");
_Static_assert(__builtin_offsetof(struct gc_testcase, ret) == 176, "ret");
_Static_assert(__builtin_offsetof(struct gc_testcase, dbg) == 328, "dbg");
_Static_assert(__builtin_offsetof(struct gc_testcase, seg) == 376, "seg");
_Static_assert(__builtin_offsetof(struct gc_testcase, gate) == 432, "gate");

/* The user state at the first instruction after return to user mode. */
struct gc_user_state {
	uint64_t gpr[GC_NR_GPRS];
	uint64_t rip;
	uint64_t rflags;
	uint64_t fs_base;
	uint64_t gs_base;
	uint16_t sel[GC_NR_SREGS];
	uint32_t reserved;
	/* x87/SSE, by FXSAVE at the capture. A backend that cannot capture
	 * them leaves fpu_captured 0 and they are not compared. */
	uint8_t fpu_captured;
	uint8_t reserved2;
	uint16_t fcw;
	uint32_t mxcsr;
	uint64_t xmm0[2];
} __attribute__((packed));
_Static_assert(sizeof(struct gc_user_state) == 200, "gc_user_state layout");

/* A user-visible exception (what a signal handler would be told). */
#define GC_EXC_VIA_IRET_FIXUP 0x01 /* raised by the exit IRET, fixed up */
#define GC_EXC_VIA_KERNEL_DB 0x02  /* a user breakpoint hit in ring 0 (MOV SS
				    * deferred it into an entry), reported
				    * at the return to user mode */
struct gc_exception {
	uint8_t vector;
	uint8_t flags;
	uint16_t reserved;
	uint32_t error_code;
	uint64_t rip;
	union { /* what a signal handler is given; else 0 */
		uint64_t cr2; /* #PF: the faulting address */
		uint64_t dr6; /* #DB: the cause (single step, which B0-B3) */
	};
} __attribute__((packed));
_Static_assert(sizeof(struct gc_exception) == 24, "gc_exception layout");

/* Machine state at the instant an exit instruction ran (for hazards). */
enum gc_exit_kind {
	GC_EXIT_NONE = 0,
	GC_EXIT_IRETQ = 1,
	GC_EXIT_SYSRETQ = 2,
	GC_EXIT_SYSRETL = 3,
	GC_EXIT_SYSEXITL = 4, /* rcx: the ESP it loaded; target_rip: its EDX */
	GC_EXIT_LRETQ = 5,    /* the call gate's far return */
	GC_EXIT_KIND_COUNT
};
struct gc_exit_record {
	uint8_t kind; /* enum gc_exit_kind */
	uint8_t reserved[5];
	uint16_t ss; /* live SS selector when the exit instruction ran */
	/* The live registers, which SYSRET and SYSEXIT take their operands
	 * from: RCX is the RIP SYSRET loads and, for SYSEXIT, the ESP (ECX;
	 * EDX is the EIP); R11 the RFLAGS SYSRET loads. */
	uint64_t rcx;
	uint64_t r11;
	uint64_t rsp;
	/* The frame an IRET pops (for SYSRET: what RCX/R11/STAR will load). */
	uint64_t target_rip;
	uint64_t target_rflags;
	uint64_t target_rsp;
	uint16_t target_cs;
	uint16_t target_ss;
	uint32_t reserved2;
} __attribute__((packed));
_Static_assert(sizeof(struct gc_exit_record) == 64, "gc_exit_record layout");

/* A ring-0 exception nobody fixed up. */
struct gc_kernel_fault {
	uint8_t vector;
	uint8_t reserved[3];
	uint32_t error_code;
	uint64_t rip;
	uint64_t cr2;
	uint64_t rsp;
} __attribute__((packed));
_Static_assert(sizeof(struct gc_kernel_fault) == 32, "gc_kernel_fault layout");

/* How one execution (mechanism or reference) ended. */
enum gc_end {
	GC_END_NOT_RUN = 0,
	GC_END_LANDED = 1,	 /* reached a HLT of the landing page: captured */
	GC_END_USER_FAULT = 2,	 /* a user fault ended it, like a fatal signal */
	GC_END_KERNEL_FAULT = 3, /* a ring-0 exception or #DF */
	GC_END_BUDGET = 4,	 /* too many kernel entries or traps: a loop */
	GC_END_EMULATOR = 5,	 /* the emulator did what no CPU does and the
				  * run cannot go on (docs/semantics.md §6):
				  * fault holds where */
	GC_END_COUNT
};

#define GC_MAX_EXC 4	  /* user-visible exceptions kept per run */
#define GC_MAX_EXITS 2	  /* exit instructions kept per run */
#define GC_ENTRY_BUDGET 8 /* kernel entries per run before GC_END_BUDGET */

/*
 * The SS probe (E4): a separate execution of the same run whose landing,
 * instead of HLT, switches to compat mode without touching SS and does
 * push/pop on a known-good stack. It says whether SS, as the exit left it,
 * is usable; the primary capture is untouched.
 */
enum gc_ss_probe {
	GC_PROBE_NOT_RUN = 0,
	GC_PROBE_OK = 1,	  /* push/pop worked */
	GC_PROBE_FAULTED = 2,	  /* push/pop faulted: ss_probe_vector */
	GC_PROBE_NOT_REACHED = 3, /* the run never got to the landing */
	GC_PROBE_COUNT
};

struct gc_run {
	uint8_t end;	 /* enum gc_end */
	uint8_t n_exc;	 /* exceptions seen (may exceed GC_MAX_EXC) */
	uint8_t n_exits; /* exits seen (may exceed GC_MAX_EXITS) */
	uint8_t n_entries;
	uint8_t ss_probe;	 /* enum gc_ss_probe */
	uint8_t ss_probe_vector; /* the probe's fault, if GC_PROBE_FAULTED */
	uint16_t reserved;
	struct gc_user_state state;
	struct gc_exception exc[GC_MAX_EXC];
	struct gc_exit_record exits[GC_MAX_EXITS];
	struct gc_kernel_fault fault;
} __attribute__((packed));
_Static_assert(sizeof(struct gc_run) == 8 + 200 + 96 + 128 + 32, "gc_run");

/*
 * Per-case coverage: the 8-byte words of the kernel's counter block
 * (__gc_cov_start..__gc_cov_end, 8-aligned) in which this case touched a
 * counter, as they were (each byte a count, saturated at 255). The guest
 * collects and clears them after each case, so the host can score every
 * case of a batch on its own. Whole words, not single counters: two stores
 * per word, where splitting them into counters cost the guest ~0.8 us per
 * case under TCG (docs/bench.md). A case that touches more than
 * GC_MAX_COV_WORDS words keeps the first ones and counts them all in
 * n_cov; the host clamps n_cov and drops what lies outside the block
 * (result_check.c).
 */
#define GC_MAX_COV_WORDS 96 /* the whole block today: 77 words */
struct gc_cov_word {
	uint64_t word;	   /* counters word*8 .. word*8+7 of the block */
	uint64_t counters; /* byte i: counter word*8+i */
} __attribute__((packed));
_Static_assert(sizeof(struct gc_cov_word) == 16, "gc_cov_word layout");

#define GC_RESULT_MAGIC 0x47435253u /* "GCRS" */
struct gc_result {
	uint32_t magic; /* GC_RESULT_MAGIC once written */
	uint32_t index; /* the case's index in its batch */
	uint16_t n_cov; /* words touched (may exceed GC_MAX_COV_WORDS) */
	uint16_t reserved[3];
	struct gc_run mech;
	struct gc_run ref;
	struct gc_cov_word cov[GC_MAX_COV_WORDS];
} __attribute__((packed));
_Static_assert(sizeof(struct gc_result) == 16 + 2 * 464 + 16 * GC_MAX_COV_WORDS,
	       "gc_result layout");

/* Harness self-tests: make the guest misbehave on purpose, per batch. */
enum gc_selftest {
	GC_SELFTEST_NONE = 0,
	GC_SELFTEST_HANG = 1,	      /* spin with interrupts off */
	GC_SELFTEST_TRIPLE_FAULT = 2, /* load an empty IDT and fault */
	GC_SELFTEST_NOP_CASES = 3,    /* bench: no user mode, each case
				       * answers "landed" (docs/bench.md) */
	GC_SELFTEST_RAW_ROUND_TRIP = 4, /* bench floor: per case, ring 3 does
					 * one SYSCALL and one INT round trip
					 * through stubs (kernel floor.c) */
	GC_SELFTEST_STALE_SS = 5,   /* the mechanism run's exits leave SS
				       * stale: GDT[USER_DS] has another base
				       * while the exit loads it (E4 probe) */
	GC_SELFTEST_NO_EXIT_LIMIT_CHECK = 6, /* the exits skip the CS limit
					      * check TCG lacks (traps.c):
					      * QEMU crashes as it would */
	/* Planted bugs the oracle's tests must find (docs/semantics.md §8). */
	GC_SELFTEST_INT80_LOSES_RDX = 7, /* the int $0x80 path returns RDX = 0,
					  * in both runs: only the model sees
					  * it */
	GC_SELFTEST_COMPAT_TO_64_RBX = 8, /* the mechanism run's compat entry
					   * that returns to a 64-bit CS
					   * clears RBX[63:32] */
	GC_SELFTEST_COUNT
};

enum gc_guest_state {
	GC_GUEST_BOOTING = 0,
	GC_GUEST_READY = 1,
};

/*
 * How the guest says "batch done" besides guest_seq. TCG: the host spins on
 * guest_seq for a while, then sets host_sleeping and sleeps; the guest
 * writes GC_DOORBELL_PORT when it sees the flag (an isa-debugcon there
 * wakes the host). KVM: the vCPU thread *is* the host thread, so the guest
 * always writes GC_DOORBELL_PORT, which ends KVM_RUN: one exit per batch.
 */
enum gc_doorbell {
	GC_DOORBELL_SPIN = 0,
	GC_DOORBELL_PIO = 1,
};
/* Not 0x510: that is QEMU's fw_cfg, which the microvm firmware boots by. */
#define GC_DOORBELL_PORT 0x3e9

#define GC_MAILBOX_MAGIC 0x58424d47u /* "GMBX" */
#define GC_MAX_BATCH 256

/*
 * The doorbell (docs/internals.md "The mailbox and the doorbell"): the host fills cases,
 * batch_count and defenses, then bumps host_seq; the guest spins on host_seq
 * (plain loads, no PAUSE: under TCG it leaves the translation block), runs
 * the batch, writes results, then sets guest_seq = host_seq. Message passing
 * only, no Dekker handshake: safe on TSO with -smp 1,maxcpus=2.
 * Host-written and guest-written words sit on separate cache lines.
 */
struct gc_mailbox {
	/* Written by the host. */
	uint32_t magic;
	uint32_t abi_version;
	volatile uint64_t host_seq;
	uint32_t batch_count;
	uint32_t selftest; /* enum gc_selftest */
	uint64_t defenses; /* enabled GC_DEF_* bits for the mechanism run */
	uint32_t doorbell; /* enum gc_doorbell, set before boot */
	/* TCG: the host sleeps until the guest writes GC_DOORBELL_PORT. */
	volatile uint32_t host_sleeping;
	uint8_t host_pad[24];
	/* Written by the guest. */
	volatile uint64_t guest_seq;
	volatile uint32_t guest_state; /* enum gc_guest_state */
	volatile uint32_t current;     /* index of the case being run */
	uint32_t guest_abi_version;
	uint32_t reserved;
	uint64_t boot_tsc; /* TSC when the guest became ready */
	/* TSC ticks the last batch took in the guest, doorbell seen to done:
	 * what a case costs the guest, whatever the host's load (bench B1). */
	uint64_t batch_tsc;
	uint8_t guest_pad[24];
	struct gc_testcase cases[GC_MAX_BATCH];
	struct gc_result results[GC_MAX_BATCH];
} __attribute__((packed, aligned(64)));
_Static_assert(__builtin_offsetof(struct gc_mailbox, guest_seq) == 64, "lines");
_Static_assert(__builtin_offsetof(struct gc_mailbox, cases) == 128, "cases");
_Static_assert(sizeof(struct gc_mailbox) <= GC_MAILBOX_SIZE, "mailbox fits");

#endif
