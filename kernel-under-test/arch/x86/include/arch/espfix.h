/* SPDX-License-Identifier: MIT */
/*
 * The espfix64 window (arch/x86/espfix.c): one page aliased at every 64 KiB
 * of VA [ESPFIX_BASE, ESPFIX_BASE + 4 GiB). ESPFIX_STACK is the page offset
 * of the 6-word frame the exit builds there: user RAX, then the 5 words
 * IRETQ pops, ending at the page's end.
 */
#ifndef ARCH_ESPFIX_H
#define ARCH_ESPFIX_H

#define ESPFIX_BASE 0x100000000
#define ESPFIX_FRAME_WORDS 6
#define ESPFIX_STACK (ESPFIX_BASE + 0x1000 - 8 * ESPFIX_FRAME_WORDS)

#endif
