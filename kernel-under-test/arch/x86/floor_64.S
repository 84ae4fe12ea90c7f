/* SPDX-License-Identifier: MIT */
/*
 * The bench floor's kernel side (floor.c): stubs that return at once, so
 * what is measured is the transitions themselves.
 */
	.text

/* SYSCALL left the user's RIP in RCX and RFLAGS in R11, and RSP alone. */
	.globl	floor_syscall
	.type	floor_syscall, @function
floor_syscall:
	sysretq
	.size	floor_syscall, . - floor_syscall

	.globl	floor_int_return
	.type	floor_int_return, @function
floor_int_return:
	iretq
	.size	floor_int_return, . - floor_int_return

/* The case is over: back to the run loop, as run_end() does. */
	.globl	floor_int_exit
	.type	floor_int_exit, @function
floor_int_exit:
	jmp	leave_user
	.size	floor_int_exit, . - floor_int_exit
