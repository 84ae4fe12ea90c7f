/* SPDX-License-Identifier: MIT */
/* What the pieces of the test kernel tell each other. */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "arch/processor-flags.h"
#include "arch/regs.h"
#include "user_entry.h"

#define __noreturn __attribute__((noreturn))
#define __page_aligned_bss __attribute__((section(".bss.page_aligned"), aligned(4096)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1ull << (n))

/* lib/ */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void console_puts(const char *s);
void console_hex(const char *label, uint64_t v);
__noreturn void panic(const char *why);

/* arch/x86/desc.c */
void desc_init(void);
void desc_set_gate_dpl(unsigned vector, unsigned dpl);
void desc_set_gate_ist(unsigned vector, unsigned ist);
void desc_set_syscall_mask(uint64_t fmask);
void desc_set_gate(unsigned vec, void *handler, unsigned dpl, unsigned ist);
void desc_set_user_ds_base(uint32_t base);
void desc_set_call_gate(const struct gc_gate_ext *gate);
extern uint64_t call_gate_target;

/* Linux's SYSCALL_MASK since "x86/syscall: Maximize MSR_SYSCALL_MASK". */
#define SYSCALL_FMASK                                                         \
	(X86_EFLAGS_ARITH | X86_EFLAGS_TF | X86_EFLAGS_IF | X86_EFLAGS_DF |   \
	 X86_EFLAGS_IOPL | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_AC |    \
	 X86_EFLAGS_ID)
extern uint64_t kernel_stack_top;

/* arch/x86/ldt.c */
void ldt_install_descriptor(void);
int64_t ldt_write_entry(uint64_t index, uint64_t raw);
void ldt_reset(const uint64_t entries[GC_LDT_ENTRIES]);
bool selector_loads_as_data(uint16_t sel);
bool selector_is_legacy_user_code(uint16_t cs, uint16_t ss, uint64_t *limit);
void ldt_refresh_segments(void);

/* arch/x86/fpu.c */
void fpu_load_user(const struct gc_seg_ext *seg);
bool fpu_named(const struct gc_seg_ext *seg);
void fpu_capture_user(const struct gc_seg_ext *seg, struct gc_user_state *st);

/* arch/x86/espfix.c */
void espfix_init(void);

/* arch/x86/paging.c */
void paging_init(void);
void paging_map_user_code(const uint8_t *page);
const uint8_t *paging_user_code_page(void);
void paging_prepare_user_pages(uint16_t ss, bool fill_stack);

/* arch/x86/user_pages.c */
void user_pages_init(void);
const uint8_t *user_page_for(unsigned mechanism, unsigned prefix);
bool user_is_own_reference(unsigned mechanism, const struct gc_gate_ext *gate);
uint64_t user_entry_rip(unsigned mechanism, unsigned prefix, bool at_ref_entry);
uint64_t user_entry_insn_rip(unsigned mechanism, bool at_ref_entry);
uint64_t user_ref_return_rip(void);
bool user_page_is_hlt(uint64_t rip);
const uint8_t *user_probe_page_for(unsigned mechanism, unsigned prefix);
bool user_probe_return_in_order(uint64_t rip, bool in_order);
enum gc_ss_probe user_probe_outcome(uint64_t rip, unsigned vector,
				    uint32_t error_code);

/* defenses.c: the profile in force for the run in progress. The entry code
 * tests the two flags it needs before it has a stack or a C frame. */
extern uint64_t active_defenses;
extern uint8_t defense_syscall_stack_switch;
extern uint8_t defense_entry_clear_df;
extern uint8_t defense_sysretl_clear_r8_r10;
extern uint8_t defense_paranoid_gsbase;
extern uint8_t defense_espfix16;
extern uint8_t defense_sysenter_fix_flags;
void defenses_activate(uint64_t enabled);
void defenses_forget(void);
static inline bool defense_on(enum gc_defense d)
{
	return active_defenses & BIT(d);
}

/* floor.c, arch/x86/floor_64.S: the bench floor (GC_SELFTEST_RAW_ROUND_TRIP) */
void floor_begin(void);
void floor_run_case(struct gc_result *res);
void floor_end(void);
void floor_syscall(void);
void floor_int_return(void);
void floor_int_exit(void);

/* debug.c: the user's debug registers; a #DB they cause in ring 0. */
void debug_arm(const struct gc_testcase *tc);
void debug_disarm(void);
bool debug_kernel_db(void);
bool debug_replay_early_db(const struct cpu_regs *regs);
extern uint8_t movss_db_replay;
uint64_t debug_replay_bits(void);
void debug_deliver_pending(const struct cpu_regs *regs);
void debug_resume_flags(struct cpu_regs *regs, uint64_t dr6);

/* run.c: one execution of a testcase in user mode. */
void run_case(const struct gc_testcase *tc, uint64_t defenses,
	      struct gc_result *res);
__noreturn void run_end(enum gc_end end, const struct cpu_regs *regs);
__noreturn void run_end_state(enum gc_end end, const struct gc_user_state *st);
void run_record_user_exception(unsigned vector, uint32_t error_code,
			       uint64_t rip, uint64_t cr2_or_dr6, uint8_t flags);
void run_record_exit(enum gc_exit_kind kind, const struct cpu_regs *regs);
void run_record_kernel_fault(const struct cpu_regs *regs);
bool run_count_entry(void);
bool run_is_first_entry(void);
const struct gc_testcase *run_testcase(void);
unsigned run_mechanism(void);
unsigned run_prefix(void);
bool run_at_ref_entry(void);
bool run_is_reference(void);
bool run_probe_exception(const struct cpu_regs *regs);

/* arch/x86/entry_64.S */
void enter_user(const struct user_entry *ue);
__noreturn void leave_user(void);
extern const char native_irq_return_iret[];
extern const char enter_user_iret[];
extern const char idt_stubs[];
void entry_SYSCALL_64(void);
void entry_SYSCALL_compat(void);
void entry_BP_movss(void);
void entry_OF_movss(void);
void entry_SYSENTER_compat(void);
void entry_call_gate(void);
extern const char call_gate_singlestep_end[];
extern const char call_gate_lretq[];
extern const char sysenter_singlestep_end[];
extern const char copy_u32_from_user_load[];
extern const char copy_u32_from_user_fixup[];
int copy_u32_from_user(uint32_t *dst, uint64_t user_addr); /* 1: faulted */
void copy_ret_frame_from_user(void *dst, const void *src, uint64_t qwords);

/* traps.c, syscall.c: called from entry_64.S */
void do_exception(struct cpu_regs *regs);
void exit_iret_check_limit(struct cpu_regs *regs);
void exit_lret_check_limit(struct cpu_regs *regs);
void do_int80(struct cpu_regs *regs);
int do_syscall64(struct cpu_regs *regs);
int do_syscall_compat(struct cpu_regs *regs);
int do_sysenter_compat(struct cpu_regs *regs);
void sysenter_syscall(struct cpu_regs *regs);
bool sysenter_is_singlestep(const struct cpu_regs *regs);
int do_call_gate(struct cpu_regs *regs);
bool call_gate_is_singlestep(const struct cpu_regs *regs);
bool call_gate_is_own_reference(const struct gc_gate_ext *gate);
void syscall_dispatch(struct cpu_regs *regs);

/* The mailbox, at its fixed guest-physical address (identity-mapped). */
#define mailbox ((struct gc_mailbox *)(uintptr_t)GC_MAILBOX_GPA)

#endif
