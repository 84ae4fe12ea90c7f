// SPDX-License-Identifier: MIT
/*
 * The runner's modify_ldt plumbing (harness/linux-runner/ldt.c) with a
 * hand-made descriptor, until testcases carry LDT descriptors: after
 * installing a DPL 3 data segment as LDT entry 1, selector 0xf (index 1,
 * TI, RPL 3) loads into DS and reads back; without it, the load faults.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test.h"
#include "ldt.h"
#include "host_caps.h"

/* In a child: load DS with sel, read it back, restore DS. */
static __attribute__((noreturn)) void load_ds(uint16_t sel)
{
	uint16_t got;

	alarm(10);
	__asm__ volatile("mov %1, %%ds\n\t"
			 "mov %%ds, %0\n\t"
			 "mov %2, %%ds"
			 : "=&r"(got)
			 : "r"(sel), "r"((uint16_t)0));
	_exit(got == sel ? 0 : 1);
}

static int child_status(const struct lr_ldt *l, uint16_t sel)
{
	int ws;
	pid_t pid = fork();

	if (pid == 0) {
		/* The fault must kill the child, whatever handler a
		 * sanitizer installed. */
		signal(SIGSEGV, SIG_DFL);
		if (l && lr_ldt_install(l))
			_exit(2);
		load_ds(sel);
	}
	if (pid < 0 || waitpid(pid, &ws, 0) != pid)
		return -1;
	return ws;
}

TEST(an_installed_ldt_data_segment_loads)
{
	struct lr_ldt l = {
		.n = 1,
		.e = {{
			.entry_number = 1,
			.base_addr = 0,
			.limit = 0xfffff,
			.seg_32bit = 1,
			.contents = 0, /* data */
			.limit_in_pages = 1,
			.useable = 1,
		}},
	};
	int ws;

	REQUIRE_CAP("linux", "ldt");
	ws = child_status(&l, 0xf);
	ASSERT(WIFEXITED(ws));
	ASSERT_EQ(WEXITSTATUS(ws), 0);
}

TEST(without_an_ldt_the_selector_faults)
{
	int ws = child_status(NULL, 0xf);

	ASSERT(WIFSIGNALED(ws));
	ASSERT_EQ(WTERMSIG(ws), SIGSEGV);
}
