// SPDX-License-Identifier: MIT
/*
 * A finding as a standalone C program for a kernel developer: it maps the
 * test kernel's user code and stack pages at the same addresses, enters the
 * testcase state with IRETQ (as harness/linux-runner does), executes the
 * mechanism as a Linux user process, and captures the state at the first
 * HLT after the return through SIGSEGV on an alternate stack. It prints
 * what it saw against the reference values of the test kernel's int $0x80
 * + iretq run, embedded here, and exits 1 if they differ, 0 if not, 77 if
 * Linux cannot express the testcase.
 *
 * What Linux can express: int $0x80 (64-bit and compat) and syscall with
 * the test kernel's nop/getpid/unknown syscalls mapped to sched_yield,
 * getpid and an unused number, and set_return_state through syscall as
 * rt_sigreturn with the frame the test kernel would build. FS/GS are left
 * to libc (the handler uses it), so testcases that set them, and the
 * mechanisms Linux has no raw equivalent for, get exit 77.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arch/processor-flags.h"
#include "testcase.h"
#include "triage.h"

/* reproducer_body.c: the program's fixed part. */
extern const char reproducer_program_body[];

static const char *const gpr_names[GC_NR_GPRS] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

/* Why Linux cannot run tc, or NULL. */
static const char *inexpressible(const struct gc_testcase *tc)
{
	unsigned nr = (uint32_t)tc->gpr[GC_RAX];
	struct gc_testcase def;

	tc_default(&def);
	if (tc->mechanism > GC_MECH_SYSCALL64)
		return "Linux has no raw equivalent of this mechanism (a raw "
		       "compat syscall returns to the vDSO landing pad)";
	if (nr == GC_SYS_SET_RETURN_STATE && tc->mechanism != GC_MECH_SYSCALL64)
		return "set_return_state through int $0x80 would be the i386 "
		       "rt_sigreturn, which holds only 32-bit registers";
	if (tc->sel[GC_FS] != def.sel[GC_FS] ||
	    tc->sel[GC_GS] != def.sel[GC_GS] || tc->fs_base || tc->gs_base)
		return "the testcase sets FS/GS, which this program leaves to "
		       "libc (use gatecrash run --backend linux)";
	return NULL;
}

/* The testcase's text form, as a comment. */
static void emit_testcase_comment(FILE *f, const struct gc_testcase *tc)
{
	char *buf = NULL, *line, *save;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	tc_print_text(m, tc);
	if (!fclose(m))
		for (line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			fprintf(f, " *   %s\n", line);
	free(buf);
}

static void emit_header(FILE *f, const struct gc_testcase *tc,
			const char *origin, const char *repro_cmd)
{
	fputs("// SPDX-License-Identifier: MIT\n/*\n * gatecrash reproducer, "
	      "generated from ",
	      f);
	fprintf(f, "%s.\n * On the test kernel: %s\n *\n * The testcase:\n *\n",
		origin, repro_cmd);
	emit_testcase_comment(f, tc);
	fputs(" *\n * Build: gcc -Wall -O1 -o repro repro.c; run: ./repro\n"
	      " * Exit status: 0 the state after return is the reference's, 1 "
	      "it differs,\n * 77 Linux cannot express this testcase.\n */\n"
	      "#define _GNU_SOURCE\n#include <signal.h>\n#include <stdint.h>\n"
	      "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
	      "#include <sys/mman.h>\n#include <sys/syscall.h>\n"
	      "#include <ucontext.h>\n#include <unistd.h>\n\n",
	      f);
}

static void emit_u64_array(FILE *f, const char *name, const void *gprs)
{
	uint64_t v[GC_NR_GPRS];

	memcpy(v, gprs, sizeof(v)); /* from a packed struct */
	fprintf(f, "static const uint64_t %s[16] = {\n", name);
	for (unsigned i = 0; i < GC_NR_GPRS; i++)
		fprintf(f, "\t0x%" PRIx64 ", /* %s */\n", v[i], gpr_names[i]);
	fputs("};\n", f);
}

/* The Linux syscall number for the test kernel's, per table. */
static uint64_t linux_rax(const struct gc_testcase *tc)
{
	uint64_t hi = tc->gpr[GC_RAX] & ~0xffffffffull;
	int i386 = tc->mechanism != GC_MECH_SYSCALL64;

	switch ((uint32_t)tc->gpr[GC_RAX]) {
	case GC_SYS_NOP:
		return hi | (i386 ? 158 : 24); /* sched_yield */
	case GC_SYS_GETPID:
		return hi | (i386 ? 20 : 39);
	case GC_SYS_SET_RETURN_STATE:
		return hi | 15; /* rt_sigreturn */
	default:
		return hi | 0xfffff; /* no such syscall: -ENOSYS */
	}
}

/* The frame the test kernel's set_return_state builds (as plan.c's
 * build_frame): what rt_sigreturn must be handed. */
struct srs_frame {
	uint64_t g[GC_NR_GPRS], rip, rflags;
	uint16_t cs, ss;
};

static void build_srs_frame(const struct gc_testcase *tc, struct srs_frame *fr)
{
	const struct gc_ret_frame *r = &tc->ret;
	uint32_t m = tc->ret_mask;

	memcpy(fr->g, tc->gpr, sizeof(fr->g));
	fr->g[GC_RCX] = GC_USER_LANDING;
	fr->g[GC_R11] = tc->rflags & ~(uint64_t)X86_EFLAGS_RF;
	for (unsigned n = 0; n < GC_NR_GPRS; n++)
		if (m & GC_RET_GPR(n))
			fr->g[n] = r->gpr[n];
	fr->rip = m & GC_RET_RIP ? r->rip : GC_USER_LANDING;
	fr->rflags = tc->rflags;
	if (m & GC_RET_RFLAGS)
		fr->rflags = (r->rflags & X86_EFLAGS_DEFINED & ~X86_EFLAGS_VM) |
			     X86_EFLAGS_FIXED;
	fr->cs = m & GC_RET_CS ? r->cs | 3 : tc->sel[GC_CS];
	fr->ss = m & GC_RET_SS ? r->ss | 3 : tc->sel[GC_SS];
}

/* rt_sigreturn restores only these flags (FIX_EFLAGS, arch/x86). */
#define LINUX_FIX_EFLAGS 0x50dd5ull

static const char *inexpressible_frame(const struct gc_testcase *tc)
{
	struct srs_frame fr;

	if ((uint32_t)tc->gpr[GC_RAX] != GC_SYS_SET_RETURN_STATE)
		return NULL;
	build_srs_frame(tc, &fr);
	if ((fr.rflags ^ tc->rflags) & ~LINUX_FIX_EFLAGS)
		return "ret.rflags changes flags rt_sigreturn does not "
		       "restore (FIX_EFLAGS)";
	return NULL;
}

static const char *const greg_names[GC_NR_GPRS] = {
	"REG_RAX", "REG_RCX", "REG_RDX", "REG_RBX", "REG_RSP", "REG_RBP",
	"REG_RSI", "REG_RDI", "REG_R8",	 "REG_R9",  "REG_R10", "REG_R11",
	"REG_R12", "REG_R13", "REG_R14", "REG_R15",
};

static void emit_frame(FILE *f, const struct gc_testcase *tc)
{
	struct srs_frame fr;

	fputs("\n/* set_return_state as rt_sigreturn: the frame the test "
	      "kernel would build. */\nstatic void build_frame(ucontext_t *uc)"
	      "\n{\n\tgreg_t *g = uc->uc_mcontext.gregs;\n\n"
	      "\tmemset(uc, 0, sizeof(*uc));\n",
	      f);
	if ((uint32_t)tc->gpr[GC_RAX] != GC_SYS_SET_RETURN_STATE) {
		fputs("\t(void)g;\n}\nstatic const int use_frame = 0;\n", f);
		return;
	}
	build_srs_frame(tc, &fr);
	for (unsigned i = 0; i < GC_NR_GPRS; i++)
		fprintf(f, "\tg[%s] = (greg_t)0x%" PRIx64 "ull;\n",
			greg_names[i], fr.g[i]);
	fprintf(f,
		"\tg[REG_RIP] = (greg_t)0x%" PRIx64 "ull;\n"
		"\tg[REG_EFL] = (greg_t)0x%" PRIx64 "ull;\n"
		"\tg[REG_CSGSFS] = (greg_t)(0x%xull | 0x%xull << 48);\n",
		fr.rip, fr.rflags, fr.cs, fr.ss);
	fputs("\tuc->uc_flags = 0x4; /* UC_STRICT_RESTORE_SS: SS as given */\n"
	      "\tsigprocmask(SIG_SETMASK, NULL, &uc->uc_sigmask);\n}\n"
	      "static const int use_frame = 1;\n",
	      f);
}

static unsigned expected_traps(const struct gc_run *ref)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ref->n_exc && i < GC_MAX_EXC; i++)
		n += ref->exc[i].vector == 1 || ref->exc[i].vector == 3 ||
		     ref->exc[i].vector == 4;
	return n;
}

static void emit_data(FILE *f, const struct gc_testcase *tc,
		      const struct replay_result *res)
{
	const struct gc_run *ref = &res->out.result.ref;
	const struct gc_user_state *st = &ref->state;

	emit_u64_array(f, "init_gpr", tc->gpr);
	fprintf(f,
		"static const uint64_t init_rflags = 0x%" PRIx64 ";\n"
		"static const uint16_t init_cs = 0x%x, init_ss = 0x%x, "
		"init_ds = 0x%x, init_es = 0x%x;\n"
		"static const uint64_t linux_rax = 0x%" PRIx64 "ull;\n"
		"static const uint8_t insn[2] = { 0x%02x, 0x%02x };\n"
		"static const int compat = %d, getpid_rax = %d;\n\n"
		"/* The reference: the test kernel's int $0x80 + iretq run. "
		"*/\n",
		tc->rflags, tc->sel[GC_CS], tc->sel[GC_SS], tc->sel[GC_DS],
		tc->sel[GC_ES], linux_rax(tc),
		tc->mechanism == GC_MECH_SYSCALL64 ? 0x0f : 0xcd,
		tc->mechanism == GC_MECH_SYSCALL64 ? 0x05 : 0x80,
		tc_mode(tc) == GC_MODE_COMPAT,
		(uint32_t)tc->gpr[GC_RAX] == GC_SYS_GETPID);
	emit_u64_array(f, "want_gpr", st->gpr);
	fprintf(f,
		"static const uint64_t want_rip = 0x%" PRIx64 ", "
		"want_rflags = 0x%" PRIx64 ";\nstatic const uint16_t "
		"want_cs = 0x%x, want_ss = 0x%x;\n"
		"static const int want_landed = %d, want_traps = %u;\n",
		st->rip, st->rflags, st->sel[GC_CS], st->sel[GC_SS],
		ref->end == GC_END_LANDED, expected_traps(ref));
	emit_frame(f, tc);
}

static void emit_inexpressible(FILE *f, const char *why)
{
	fprintf(f,
		"\n/*\n * Not expressible as a Linux user process:\n"
		" *   %s\n */\nint main(void)\n{\n\tputs(\"gatecrash "
		"reproducer:"
		" not expressible on Linux (see the comment)\");\n"
		"\treturn 77;\n}\n",
		why);
}

const char *reproducer_write_c(FILE *f, const struct gc_testcase *tc,
			       const struct replay_result *res,
			       const char *origin, const char *repro_cmd)
{
	const char *why = inexpressible(tc);

	if (!why)
		why = inexpressible_frame(tc);
	emit_header(f, tc, origin, repro_cmd);
	if (why) {
		emit_inexpressible(f, why);
		return why;
	}
	emit_data(f, tc, res);
	fputs(reproducer_program_body, f);
	return NULL;
}
