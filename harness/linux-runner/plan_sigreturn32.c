// SPDX-License-Identifier: MIT
/*
 * set_return_state through int $0x80 (64-bit or compat): the i386
 * rt_sigreturn (173) with a crafted rt_sigframe_ia32,
 * as tools/testing/selftests/x86/sigreturn.c does from 32-bit code. What
 * ia32_restore_sigcontext() does with it, and so what this backend can
 * express of the test kernel's set_return_state:
 *
 *  - EAX..EDI, ESP and EIP come from the frame zero-extended: in 64-bit
 *    mode the test kernel's values must fit in 32 bits (in compat mode
 *    only the low halves are compared: compat_gpr_upper_halves);
 *  - R8-R15 are not in the frame: they keep what the entry saved, as in
 *    the test kernel when ret_mask leaves them alone;
 *  - CS and SS get RPL 3, as in the test kernel; RFLAGS only FIX_EFLAGS;
 *  - DS, ES, FS and GS are reloaded from the frame with RPL 3
 *    (reload_segments()) where that differs from the live selector: a
 *    selector with RPL 3 is left alone, a null one becomes 3, which the
 *    next IRET to user mode nulls again. An RPL 0-2 selector would come
 *    back with RPL 3, and a null FS or GS reload clears its base on Intel.
 *
 * Pure, like plan.c.
 */
#include <stdio.h>

#include "runner.h"

#define LR_LOW32 0xffffffffull

static int fail(char *why, size_t len, const char *reason)
{
	snprintf(why, len, "%s", reason);
	return -1;
}

static int fits32(uint64_t v)
{
	return v <= LR_LOW32;
}

/* In 64-bit mode every register the frame carries must fit in it. */
static int frame_fits(const struct lr_sigcontext *sc)
{
	return fits32(sc->ax) && fits32(sc->cx) && fits32(sc->dx) &&
	       fits32(sc->bx) && fits32(sc->sp) && fits32(sc->bp) &&
	       fits32(sc->si) && fits32(sc->di) && fits32(sc->ip);
}

/* reload_segments() leaves sel as the test kernel does (see above). */
static int reload_keeps(uint16_t sel, uint64_t base)
{
	if ((sel & 3) == 3)
		return 1;
	return !(sel & ~3) && !base;
}

static int check_segments(const struct gc_testcase *tc)
{
	return reload_keeps(tc->sel[GC_DS], 0) &&
	       reload_keeps(tc->sel[GC_ES], 0) &&
	       reload_keeps(tc->sel[GC_FS], tc->fs_base) &&
	       reload_keeps(tc->sel[GC_GS], tc->gs_base);
}

static void to_sigcontext32(const struct gc_testcase *tc,
			    const struct lr_sigcontext *sc,
			    struct lr_sigcontext32 *f)
{
	*f = (struct lr_sigcontext32){
		.gs = tc->sel[GC_GS],
		.fs = tc->sel[GC_FS],
		.es = tc->sel[GC_ES],
		.ds = tc->sel[GC_DS],
		.di = (uint32_t)sc->di,
		.si = (uint32_t)sc->si,
		.bp = (uint32_t)sc->bp,
		.sp = (uint32_t)sc->sp,
		.bx = (uint32_t)sc->bx,
		.dx = (uint32_t)sc->dx,
		.cx = (uint32_t)sc->cx,
		.ax = (uint32_t)sc->ax,
		.ip = (uint32_t)sc->ip,
		.cs = sc->cs,
		.flags = (uint32_t)sc->flags,
		.ss = sc->ss,
	};
}

int lr_plan_sigreturn32(const struct gc_testcase *tc, int reference,
			struct lr_plan *p, char *why, size_t len)
{
	struct lr_sigcontext sc;
	uint32_t r8_r15 = 0;

	/*
	 * Measured (Linux 6.18, AMD): a compat SYSCALL that leaves by IRET,
	 * as every rt_sigreturn does, returns R8 = the ESP it was entered
	 * with (entry_SYSCALL_compat keeps ESP in R8 and saves it as
	 * pt_regs->r8). Here that ESP is the frame's, the runner's choice,
	 * so R8 cannot be the test kernel's.
	 */
	if (tc->mechanism == GC_MECH_SYSCALL_COMPAT)
		return fail(why, len,
			    "set_return_state from a compat syscall: Linux "
			    "returns by IRET with R8 = the entry ESP, here the "
			    "runner's frame address, not the test kernel's R8");
	for (unsigned n = GC_R8; n <= GC_R15; n++)
		r8_r15 |= GC_RET_GPR(n);
	if (tc->ret_mask & r8_r15)
		return fail(why, len,
			    "ret.r8..r15 through the i386 rt_sigreturn: its "
			    "frame has no R8-R15");
	lr_plan_ret_frame(tc, &sc);
	if (tc->mechanism == GC_MECH_INT80_64 && !frame_fits(&sc))
		return fail(why, len,
			    "a 64-bit value through the i386 rt_sigreturn, "
			    "whose frame holds 32-bit registers");
	/* The test kernel's IRET to compat mode faults on an EIP past the
	 * limit; the frame cannot even hold one. */
	if (!fits32(sc.ip))
		return fail(why, len,
			    "a RIP above 4 GiB through the i386 rt_sigreturn, "
			    "whose frame holds EIP");
	if ((sc.flags ^ tc->rflags) & ~LR_SIGRETURN_FLAGS)
		return fail(why, len,
			    "ret.rflags changes bits rt_sigreturn does not "
			    "restore (it takes only AC OF DF TF SF ZF AF PF "
			    "CF RF: FIX_EFLAGS, arch/x86)");
	if (!check_segments(tc))
		return fail(why, len,
			    "the i386 rt_sigreturn reloads DS/ES/FS/GS with RPL "
			    "3: an RPL 0-2 selector (or a null FS/GS with a "
			    "base) would not come back as the test kernel's");
	to_sigcontext32(tc, &sc, &p->frame32);
	p->has_frame32 = 1;
	p->entry.rsp = LR_FRAME_RSP;
	(void)reference; /* int80 mechanisms are their own reference */
	return 0;
}
