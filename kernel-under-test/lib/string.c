// SPDX-License-Identifier: MIT
/*
 * memset/memcpy as plain loops, never string instructions: the kernel must
 * not depend on (or repair) RFLAGS.DF, so that a DF left set by a broken
 * entry shows up only where a real kernel would show it (E7). Word-sized
 * when both ends are 8-byte aligned, four words per iteration: under TCG
 * each trip round a loop is a translation-block jump, which costs more
 * than the stores themselves. The volatile accesses keep clang from
 * turning the loops back into calls.
 */
#include "kernel.h"

static bool both_aligned(const void *a, const void *b)
{
	return !(((uintptr_t)a | (uintptr_t)b) & 7);
}

void *memset(void *dst, int c, size_t n)
{
	volatile uint8_t *d = dst;
	uint64_t word = 0x0101010101010101ull * (uint8_t)c;

	if (both_aligned(dst, dst)) {
		for (; n >= 32; n -= 32, d += 32) {
			((volatile uint64_t *)d)[0] = word;
			((volatile uint64_t *)d)[1] = word;
			((volatile uint64_t *)d)[2] = word;
			((volatile uint64_t *)d)[3] = word;
		}
		for (; n >= 8; n -= 8, d += 8)
			*(volatile uint64_t *)d = word;
	}
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	volatile uint8_t *d = dst;
	const uint8_t *s = src;

	if (both_aligned(dst, src)) {
		for (; n >= 32; n -= 32, d += 32, s += 32) {
			((volatile uint64_t *)d)[0] = ((const uint64_t *)s)[0];
			((volatile uint64_t *)d)[1] = ((const uint64_t *)s)[1];
			((volatile uint64_t *)d)[2] = ((const uint64_t *)s)[2];
			((volatile uint64_t *)d)[3] = ((const uint64_t *)s)[3];
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(volatile uint64_t *)d = *(const uint64_t *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}
