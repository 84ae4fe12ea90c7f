// SPDX-License-Identifier: MIT
/*
 * The user's x87/SSE state. The kernel itself never touches it (built with
 * -mgeneral-regs-only), so what FXRSTOR loads before a run is what the user
 * runs with, and what FXSAVE finds at the capture is what the entry and
 * exit paths left: a kernel that clobbered it would show as a divergence.
 */
#include "kernel.h"
#include "arch/fpu.h"

static struct fxsave_area fpu_image;

/* The testcase's FCW, MXCSR and XMM0; everything else as after FNINIT with
 * the registers empty. */
void fpu_load_user(const struct gc_seg_ext *seg)
{
	memset(&fpu_image, 0, sizeof(fpu_image));
	fpu_image.fcw = seg->fcw_xor_default ^ GC_FCW_DEFAULT;
	fpu_image.mxcsr = seg->mxcsr_xor_default ^ GC_MXCSR_DEFAULT;
	memcpy(fpu_image.xmm[0], seg->xmm0, sizeof(seg->xmm0));
	asm volatile("fxrstor64 %0" ::"m"(fpu_image));
}

void fpu_capture_user(struct gc_user_state *st)
{
	asm volatile("fxsave64 %0" : "=m"(fpu_image));
	st->fpu_captured = 1;
	st->fcw = fpu_image.fcw;
	st->mxcsr = fpu_image.mxcsr;
	memcpy(st->xmm0, fpu_image.xmm[0], sizeof(st->xmm0));
}
