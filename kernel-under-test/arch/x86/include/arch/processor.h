/* SPDX-License-Identifier: MIT */
/* Privileged instructions as C helpers. */
#ifndef ARCH_PROCESSOR_H
#define ARCH_PROCESSOR_H

#include <stdint.h>

#include "arch/desc.h"

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return lo | ((uint64_t)hi << 32);
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val),
		     "d"((uint32_t)(val >> 32))
		     : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | ((uint64_t)hi << 32);
}

/* CPUID leaf 0 says "GenuineIntel": EBX "Genu", EDX "ineI", ECX "ntel". */
static inline int cpu_vendor_is_intel(void)
{
	uint32_t a = 0, b, c = 0, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;
}

static inline void outb(uint16_t port, uint8_t val)
{
	asm volatile("outb %0, %1" ::"a"(val), "Nd"(port));
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_dr6(void)
{
	uint64_t v;

	asm volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static inline void write_dr6(uint64_t v)
{
	asm volatile("mov %0, %%dr6" ::"r"(v));
}

/* Debug registers by number (DR4/DR5 alias DR6/DR7 only with CR4.DE=0:
 * never used). */
static inline void write_dr7(uint64_t v)
{
	asm volatile("mov %0, %%dr7" ::"r"(v));
}

static inline uint64_t read_dr7(void)
{
	uint64_t v;

	asm volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}

static inline void write_dr0_3(const uint64_t dr[4])
{
	asm volatile("mov %0, %%dr0" ::"r"(dr[0]));
	asm volatile("mov %0, %%dr1" ::"r"(dr[1]));
	asm volatile("mov %0, %%dr2" ::"r"(dr[2]));
	asm volatile("mov %0, %%dr3" ::"r"(dr[3]));
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint64_t v)
{
	asm volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}

static inline void lgdt(const struct desc_ptr *p)
{
	asm volatile("lgdt %0" ::"m"(*p));
}

static inline void lidt(const struct desc_ptr *p)
{
	asm volatile("lidt %0" ::"m"(*p));
}

static inline void ltr(uint16_t sel)
{
	asm volatile("ltr %0" ::"rm"(sel));
}

static inline void lldt(uint16_t sel)
{
	asm volatile("lldt %0" ::"rm"(sel));
}

static inline void invlpg(uint64_t va)
{
	asm volatile("invlpg (%0)" ::"r"(va) : "memory");
}

#define DECLARE_READ_SEG(seg)                                                 \
	static inline uint16_t read_##seg(void)                               \
	{                                                                     \
		uint16_t v;                                                   \
		asm volatile("mov %%" #seg ", %0" : "=r"(v));                 \
		return v;                                                     \
	}
DECLARE_READ_SEG(ds)
DECLARE_READ_SEG(es)
DECLARE_READ_SEG(fs)
DECLARE_READ_SEG(gs)
DECLARE_READ_SEG(ss)
#undef DECLARE_READ_SEG

#define DECLARE_WRITE_SEG(seg)                                                \
	static inline void write_##seg(uint16_t v)                            \
	{                                                                     \
		asm volatile("mov %0, %%" #seg ::"r"((uint32_t)v));           \
	}
DECLARE_WRITE_SEG(ds)
DECLARE_WRITE_SEG(es)
#undef DECLARE_WRITE_SEG

static inline void barrier(void)
{
	asm volatile("" ::: "memory");
}

/* A full fence: orders a store before a later load (the one reordering
 * x86 allows). TCG emits it only under MTTCG, which the harness runs. */
static inline void mb(void)
{
	asm volatile("mfence" ::: "memory");
}

/* An empty IDT turns the next exception into a triple fault: QEMU
 * (-no-reboot) exits and KVM reports SHUTDOWN, so the host sees a crash at
 * once instead of waiting out a hang. */
static inline __attribute__((noreturn)) void triple_fault(void)
{
	static const struct desc_ptr empty_idt = { 0, 0 };

	lidt(&empty_idt);
	asm volatile("ud2");
	__builtin_unreachable();
}

#endif
