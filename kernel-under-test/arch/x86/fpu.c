// SPDX-License-Identifier: MIT
/*
 * The user's x87/SSE state. The kernel itself never touches it (built with
 * -mgeneral-regs-only) and the user runs only the mechanism and HLTs, so
 * what FXRSTOR loaded before a run is what the user runs with, and what
 * FXSAVE finds at the capture is what the entry and exit paths left: a
 * kernel that clobbered it would show as a divergence.
 *
 * FXRSTOR is skipped when the FPU already holds the testcase's values (the
 * last capture found them as loaded): under TCG each image costs the guest
 * hundreds of nanoseconds. FXSAVE/FXRSTOR rather than FNSTCW, LDMXCSR and
 * friends: kvm_pvm emulates the guest's ring 0, and its emulator knows the
 * former, not FLDCW (KVM_EXIT_INTERNAL_ERROR).
 */
#include "kernel.h"
#include "arch/fpu.h"

static struct fxsave_area load_image, save_image;
static bool fpu_holds_load_image;

static bool load_image_is(uint16_t fcw, uint32_t mxcsr, const uint64_t xmm0[2])
{
	uint64_t loaded[2];

	memcpy(loaded, load_image.xmm[0], sizeof(loaded));
	return load_image.fcw == fcw && load_image.mxcsr == mxcsr &&
	       loaded[0] == xmm0[0] && loaded[1] == xmm0[1];
}

/* The testcase's FCW, MXCSR and XMM0; everything else as after FNINIT with
 * the registers empty (the rest of load_image stays zero). */
void fpu_load_user(const struct gc_seg_ext *seg)
{
	uint16_t fcw = seg->fcw_xor_default ^ GC_FCW_DEFAULT;
	uint32_t mxcsr = seg->mxcsr_xor_default ^ GC_MXCSR_DEFAULT;

	if (fpu_holds_load_image && load_image_is(fcw, mxcsr, seg->xmm0))
		return;
	load_image.fcw = fcw;
	load_image.mxcsr = mxcsr;
	memcpy(load_image.xmm[0], seg->xmm0, sizeof(load_image.xmm[0]));
	asm volatile("fxrstor64 %0" ::"m"(load_image));
	fpu_holds_load_image = true;
}

void fpu_capture_user(struct gc_user_state *st)
{
	asm volatile("fxsave64 %0" : "=m"(save_image));
	st->fpu_captured = 1;
	st->fcw = save_image.fcw;
	st->mxcsr = save_image.mxcsr;
	memcpy(st->xmm0, save_image.xmm[0], sizeof(st->xmm0));
	if (!load_image_is(st->fcw, st->mxcsr, st->xmm0))
		fpu_holds_load_image = false;
}
