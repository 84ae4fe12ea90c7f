// SPDX-License-Identifier: MIT
/*
 * The user's x87/SSE state, for a testcase that names it (fcw, mxcsr or
 * xmm0 set). The kernel itself never touches it (built with
 * -mgeneral-regs-only) and the user runs only the mechanism and HLTs, so
 * what FXRSTOR loads before such a run is what the user runs with, and
 * what FXSAVE finds at the capture is what the entry and exit paths left:
 * a kernel that clobbered it would show as a divergence.
 *
 * A testcase that names none of it neither loads nor captures it
 * (fpu_captured = 0, not compared): under TCG each 512-byte image costs
 * the guest about 0.4 us per run, as much as a third of a whole case
 * (docs/bench.md). FXSAVE/FXRSTOR rather than FNSTCW, LDMXCSR and friends:
 * kvm_pvm emulates the guest's ring 0, and its emulator knows only the
 * former (KVM_EXIT_INTERNAL_ERROR).
 */
#include "kernel.h"
#include "arch/fpu.h"

static struct fxsave_area fpu_image;

bool fpu_named(const struct gc_seg_ext *seg)
{
	return seg->fcw_xor_default || seg->mxcsr_xor_default || seg->xmm0[0] ||
	       seg->xmm0[1];
}

/* The testcase's FCW, MXCSR and XMM0; everything else as after FNINIT with
 * the registers empty. */
void fpu_load_user(const struct gc_seg_ext *seg)
{
	if (!fpu_named(seg))
		return;
	memset(&fpu_image, 0, sizeof(fpu_image));
	fpu_image.fcw = seg->fcw_xor_default ^ GC_FCW_DEFAULT;
	fpu_image.mxcsr = seg->mxcsr_xor_default ^ GC_MXCSR_DEFAULT;
	memcpy(fpu_image.xmm[0], seg->xmm0, sizeof(seg->xmm0));
	asm volatile("fxrstor64 %0" ::"m"(fpu_image));
}

void fpu_capture_user(const struct gc_seg_ext *seg, struct gc_user_state *st)
{
	st->fpu_captured = fpu_named(seg);
	if (!st->fpu_captured)
		return; /* the host zeroes the rest (result_check.c) */
	asm volatile("fxsave64 %0" : "=m"(fpu_image));
	st->fcw = fpu_image.fcw;
	st->mxcsr = fpu_image.mxcsr;
	memcpy(st->xmm0, fpu_image.xmm[0], sizeof(st->xmm0));
}
