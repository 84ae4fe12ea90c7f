// SPDX-License-Identifier: MIT
/*
 * Running the vCPU. The vCPU is this thread, so a guest that never leaves
 * would keep the harness in KVM_RUN forever: one periodic timer signals
 * this thread, the handler sets kvm_run->immediate_exit (which also covers
 * a signal that lands just before KVM_RUN is entered), and KVM_RUN returns
 * -EINTR. The caller then decides whether the guest made progress
 * (feasibility-kvm.md section 4: ~1 us from signal to return).
 *
 * The timer runs only while a batch is in KVM_RUN, and its handler is
 * SA_RESTART, so the rest of the process (QEMU's waitpid for the tcg
 * backend in a cross-backend run, stdout) never sees a stray EINTR.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm.h"

static __thread struct kvm_run *volatile watchdog_run;

static void watchdog__handler(int sig)
{
	struct kvm_run *run = watchdog_run;

	(void)sig;
	if (run)
		run->immediate_exit = 1;
}

static int watchdog__signal(void)
{
	return SIGRTMIN + 2;
}

int kvm__watchdog_init(struct kvm_vm *vm, unsigned tick_ms, char *err,
		       size_t errlen)
{
	struct sigaction sa = {.sa_handler = watchdog__handler,
			       .sa_flags = SA_RESTART};
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = watchdog__signal(),
	};

	sigemptyset(&sa.sa_mask);
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (sigaction(watchdog__signal(), &sa, NULL) ||
	    timer_create(CLOCK_MONOTONIC, &sev, &vm->watchdog)) {
		snprintf(err, errlen, "watchdog timer: %s", strerror(errno));
		return -1;
	}
	vm->have_watchdog = 1;
	vm->tick_ms = tick_ms ? tick_ms : 1;
	return 0;
}

void kvm__watchdog_arm(struct kvm_vm *vm, int on)
{
	long ns = on ? (long)vm->tick_ms * 1000000l : 0;
	struct itimerspec its = {
		.it_interval = {ns / 1000000000l, ns % 1000000000l},
		.it_value = {ns / 1000000000l, ns % 1000000000l},
	};

	watchdog_run = on ? vm->run : NULL;
	if (vm->have_watchdog)
		timer_settime(vm->watchdog, 0, &its, NULL);
	if (!on)
		vm->run->immediate_exit = 0;
}

static void console__put(struct kvm_vm *vm, const uint8_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char c = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : ' ';

		if (p[i] == '\n')
			c = '\n';
		if (vm->console_len == KVM_CONSOLE_SIZE - 1) {
			memmove(vm->console, vm->console + 1,
				KVM_CONSOLE_SIZE - 2);
			vm->console_len--;
		}
		vm->console[vm->console_len++] = c;
	}
	vm->console[vm->console_len] = '\0';
}

/* The console's last non-empty line. */
void kvm__console_tail(const struct kvm_vm *vm, char *buf, size_t len)
{
	char text[KVM_CONSOLE_SIZE];
	size_t n = vm->console_len;
	char *line;

	memcpy(text, vm->console, n);
	text[n] = '\0';
	while (n && text[n - 1] == '\n')
		text[--n] = '\0';
	line = strrchr(text, '\n');
	line = line ? line + 1 : text;
	snprintf(buf, len, "%s", *line ? line : "(empty)");
}

/* Port I/O: the console is absorbed (1), the doorbell reported (0),
 * anything else is a guest gone wrong (-1). */
static int vcpu__io(struct kvm_vm *vm, char *why, size_t whylen)
{
	struct kvm_run *run = vm->run;
	const uint8_t *data = (const uint8_t *)run + run->io.data_offset;

	if (run->io.direction == KVM_EXIT_IO_OUT &&
	    run->io.port == KVM_CONSOLE_PORT && run->io.size == 1 &&
	    run->io.data_offset + run->io.count <= vm->run_size) {
		console__put(vm, data, run->io.count);
		return 1;
	}
	if (run->io.port == GC_DOORBELL_PORT &&
	    run->io.direction == KVM_EXIT_IO_OUT)
		return 0;
	snprintf(why, whylen, "guest %s port 0x%x (size %u) at rip 0x%llx",
		 run->io.direction == KVM_EXIT_IO_OUT ? "wrote" : "read",
		 run->io.port, run->io.size,
		 (unsigned long long)run->s.regs.regs.rip);
	return -1;
}

static const char *exit_name(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_SHUTDOWN:
		return "triple fault (KVM_EXIT_SHUTDOWN)";
	case KVM_EXIT_INTERNAL_ERROR:
		return "KVM_EXIT_INTERNAL_ERROR";
	case KVM_EXIT_FAIL_ENTRY:
		return "KVM_EXIT_FAIL_ENTRY";
	case KVM_EXIT_HLT:
		return "guest halted (KVM_EXIT_HLT)";
	case KVM_EXIT_MMIO:
		return "MMIO outside guest RAM (KVM_EXIT_MMIO)";
	default:
		return "unexpected exit";
	}
}

static enum vcpu_exit vcpu__crash(struct kvm_vm *vm, char *why, size_t whylen)
{
	struct kvm_run *run = vm->run;
	unsigned long long rip = run->s.regs.regs.rip;

	if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		snprintf(why, whylen, "%s suberror %u at rip 0x%llx",
			 exit_name(run->exit_reason), run->internal.suberror,
			 rip);
	else if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
		snprintf(why, whylen, "%s reason 0x%llx at rip 0x%llx",
			 exit_name(run->exit_reason),
			 (unsigned long long)run->fail_entry
				 .hardware_entry_failure_reason,
			 rip);
	else
		snprintf(why, whylen, "%s %u at rip 0x%llx",
			 exit_name(run->exit_reason), run->exit_reason, rip);
	return VCPU_CRASH;
}

enum vcpu_exit vcpu__run(struct kvm_vm *vm, char *why, size_t whylen)
{
	struct kvm_run *run = vm->run;
	int r, io;

	for (;;) {
		r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
		vm->exits++;
		if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
			run->immediate_exit = 0;
			if (run->kvm_dirty_regs)
				kvm__load_sync_regs(vm);
			return VCPU_TICK;
		}
		if (r < 0) {
			snprintf(why, whylen, "KVM_RUN: %s", strerror(errno));
			return VCPU_ERROR;
		}
		if (run->exit_reason != KVM_EXIT_IO)
			return vcpu__crash(vm, why, whylen);
		io = vcpu__io(vm, why, whylen);
		if (io < 0)
			return VCPU_CRASH;
		if (io == 0)
			return VCPU_DOORBELL;
	}
}
