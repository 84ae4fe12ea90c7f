// SPDX-License-Identifier: MIT
/* Text out through QEMU's debugcon (port 0xe9): boot messages and panics. */
#include "kernel.h"
#include "arch/processor.h"

#define DEBUGCON_PORT 0xe9

void console_puts(const char *s)
{
	while (*s)
		outb(DEBUGCON_PORT, *s++);
}

void console_hex(const char *label, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char buf[19] = "0x";

	for (int i = 0; i < 16; i++)
		buf[2 + i] = digits[(v >> (60 - 4 * i)) & 0xf];
	buf[18] = 0;
	console_puts(label);
	console_puts(buf);
	console_puts("\n");
}

__noreturn void panic(const char *why)
{
	console_puts("gatecrash: panic: ");
	console_puts(why);
	console_puts("\n");
	triple_fault();
}
