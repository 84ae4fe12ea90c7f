/* SPDX-License-Identifier: MIT */
/*
 * Descriptor tables in long mode: segment and system descriptors, 64-bit
 * IDT gates and the 64-bit TSS (SDM Vol. 3A 3.4.5, 6.14.1, 8.7).
 */
#ifndef ARCH_DESC_H
#define ARCH_DESC_H

#include <stdint.h>

/* An 8-byte code/data descriptor. */
struct seg_desc {
	uint16_t limit0;
	uint16_t base0;
	uint8_t base1;
	uint8_t type : 4, s : 1, dpl : 2, p : 1;
	uint8_t limit1 : 4, avl : 1, l : 1, d : 1, g : 1;
	uint8_t base2;
} __attribute__((packed));
_Static_assert(sizeof(struct seg_desc) == 8, "seg_desc");

#define SEG_TYPE_DATA_RW 0x2
#define SEG_TYPE_CODE_XR 0xa
/* Type bits of a code/data descriptor (S = 1), SDM Vol. 3A 3.4.5.1. */
#define SEG_TYPE_ACCESSED_BIT 0
#define SEG_TYPE_RW_BIT 1	  /* data: writable; code: readable */
#define SEG_TYPE_DC_BIT 2	  /* data: expand-down; code: conforming */
#define SEG_TYPE_CODE_BIT 3
#define SEG_TYPE_ACCESSED (1u << SEG_TYPE_ACCESSED_BIT)
#define SEG_TYPE_RW (1u << SEG_TYPE_RW_BIT)
#define SEG_TYPE_DC (1u << SEG_TYPE_DC_BIT)
#define SEG_TYPE_CODE (1u << SEG_TYPE_CODE_BIT)
#define SYS_TYPE_LDT 0x2
#define SYS_TYPE_TSS64_AVAIL 0x9
#define SYS_TYPE_TSS64_BUSY 0xb
#define SYS_TYPE_CALL_GATE64 0xc
#define SYS_TYPE_INTR_GATE64 0xe

/* A 16-byte system descriptor (TSS, LDT) in the GDT. */
struct sys_desc64 {
	uint16_t limit0;
	uint16_t base0;
	uint8_t base1;
	uint8_t type : 4, zero0 : 1, dpl : 2, p : 1;
	uint8_t limit1 : 4, avl : 1, zero1 : 2, g : 1;
	uint8_t base2;
	uint32_t base3;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct sys_desc64) == 16, "sys_desc64");

/* A 64-bit IDT gate. */
struct idt_gate64 {
	uint16_t offset0;
	uint16_t selector;
	uint8_t ist : 3, zero0 : 5;
	uint8_t type : 4, zero1 : 1, dpl : 2, p : 1;
	uint16_t offset1;
	uint32_t offset2;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate64) == 16, "idt_gate64");

/*
 * A 64-bit call gate (SDM Vol. 3A 5.8.3.1): 16 bytes, two GDT slots. The
 * upper half's type field (bits 12:8 of its second dword) must be 0, so
 * that the upper half does not look like a valid descriptor itself.
 */
struct call_gate64 {
	uint16_t offset0;
	uint16_t selector;
	uint8_t reserved0;
	uint8_t type : 4, zero0 : 1, dpl : 2, p : 1;
	uint16_t offset1;
	uint32_t offset2;
	uint32_t reserved1 : 8, upper_type : 5, reserved2 : 19;
} __attribute__((packed));
_Static_assert(sizeof(struct call_gate64) == 16, "call_gate64");

/* The 64-bit TSS: stack pointers only; no hardware task switching. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7]; /* IST1..IST7; a gate's IST index 0 means "none" */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "tss64");
_Static_assert(__builtin_offsetof(struct tss64, rsp) == 4, "tss64.rsp0");
_Static_assert(__builtin_offsetof(struct tss64, ist) == 0x24, "tss64.ist");

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));
_Static_assert(sizeof(struct desc_ptr) == 10, "desc_ptr");

/* IST slots (TSS.IST1..7). Linux gives #DF, NMI, #DB and #MC their own. */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_DEBUG 3
#define IST_MCE 4
#define IST_COUNT 4

#endif
