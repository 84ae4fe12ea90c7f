/* SPDX-License-Identifier: MIT */
/* The FXSAVE/FXRSTOR image (SDM Vol. 1 10.5.1, Table 10-2), 64-bit form. */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include <stdint.h>

struct fxsave_area {
	uint16_t fcw;
	uint16_t fsw;
	uint8_t ftw; /* abridged: one bit per register, 0 = empty */
	uint8_t reserved0;
	uint16_t fop;
	uint64_t fip;
	uint64_t fdp;
	uint32_t mxcsr;
	uint32_t mxcsr_mask;
	uint8_t st[8][16];
	uint8_t xmm[16][16];
	uint8_t reserved1[96];
} __attribute__((packed, aligned(16)));
_Static_assert(sizeof(struct fxsave_area) == 512, "fxsave_area");
_Static_assert(__builtin_offsetof(struct fxsave_area, mxcsr) == 24, "mxcsr");
_Static_assert(__builtin_offsetof(struct fxsave_area, xmm) == 160, "xmm");

#endif
