// SPDX-License-Identifier: MIT
/*
 * memset/memcpy as plain loops, never string instructions: the kernel must
 * not depend on (or repair) RFLAGS.DF, so that a DF left set by a broken
 * entry shows up only where a real kernel would show it (E7).
 */
#include "kernel.h"

void *memset(void *dst, int c, size_t n)
{
	volatile uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	volatile uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}
