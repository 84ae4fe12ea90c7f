// SPDX-License-Identifier: MIT
/*
 * The kvm backend: the test kernel in a VM of our own on /dev/kvm, in this
 * process, on this thread. Same kernel image and mailbox as the tcg
 * backend; the transport is KVM_RUN. The mailbox says doorbell = PIO, so
 * the guest writes GC_DOORBELL_PORT when it is READY and after every batch:
 * one KVM_RUN exit per batch, with the registers in kvm_run (sync_regs).
 *
 * A batch that crashes the VM (triple fault, internal error, failed entry)
 * or stops making progress costs the case it was on; the VM is put back to
 * its post-READY snapshot and the rest of the batch runs. A batch where a
 * run ended in a kernel fault also gets a reset before the next one, so no
 * case inherits a kernel the last one broke.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kvm.h"
#include "tcg.h" /* result_check() */

struct kvm_backend {
	struct kvm_vm vm;
	char kernel[PATH_MAX];
	unsigned case_timeout_ms;
	unsigned boot_timeout_ms;
	int verbose;
	uint64_t seq;
	int reset_due;
	struct kvm_fidelity fid;
	struct backend_stats st;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct kvm_vm *kvm__backend_vm(void *priv)
{
	return &((struct kvm_backend *)priv)->vm;
}

/* Run until the guest rings, or until wait_ms passes with no progress. */
static enum vcpu_exit kvm__wait_doorbell(struct kvm_backend *k,
					 unsigned wait_ms, char *why,
					 size_t whylen)
{
	uint64_t since = mono_ns();
	uint32_t cur = k->vm.mb->current;
	enum vcpu_exit e;

	for (;;) {
		e = vcpu__run(&k->vm, why, whylen);
		if (e != VCPU_TICK)
			return e;
		/* Only forward counts, as in the tcg backend. */
		if (k->vm.mb->current > cur) {
			cur = k->vm.mb->current;
			since = mono_ns();
		}
		if (mono_ns() - since >= wait_ms * 1000000ull) {
			snprintf(why, whylen, "no progress for %u ms", wait_ms);
			return VCPU_TICK;
		}
	}
}

static void mailbox__init(struct kvm_backend *k)
{
	struct gc_mailbox *mb = k->vm.mb;

	mb->magic = GC_MAILBOX_MAGIC;
	mb->abi_version = GC_ABI_VERSION;
	mb->doorbell = GC_DOORBELL_PIO;
	mb->host_seq = k->seq = 0;
}

static int kvm__boot_failed(struct kvm_backend *k, enum vcpu_exit e,
			    const char *why, char *err, size_t errlen)
{
	char line[96];

	kvm__console_tail(&k->vm, line, sizeof(line));
	snprintf(err, errlen, "the kernel did not become ready under kvm (%s); "
			      "console: %s",
		 e == VCPU_TICK ? "timed out" : why, line);
	return -1;
}

static int kvm__boot(struct kvm_backend *k, char *err, size_t errlen)
{
	uint64_t t0 = mono_ns(), entry;
	enum vcpu_exit e;
	char why[160];

	if (kvm__load_kernel(&k->vm, k->kernel, &entry, err, errlen) ||
	    kvm__set_pvh_state(&k->vm, entry, err, errlen))
		return -1;
	mailbox__init(k);
	kvm__watchdog_arm(&k->vm, 1);
	e = kvm__wait_doorbell(k, k->boot_timeout_ms, why, sizeof(why));
	kvm__watchdog_arm(&k->vm, 0);
	if (e != VCPU_DOORBELL || k->vm.mb->guest_state != GC_GUEST_READY)
		return kvm__boot_failed(k, e, why, err, errlen);
	if (k->vm.mb->guest_abi_version != GC_ABI_VERSION) {
		snprintf(err, errlen,
			 "kernel speaks mailbox ABI %u, harness %u: rebuild "
			 "both (cmake --build build)",
			 k->vm.mb->guest_abi_version, GC_ABI_VERSION);
		return -1;
	}
	if (kvm__snapshot(&k->vm, err, errlen))
		return -1;
	k->st.boot_ms_last = (double)(mono_ns() - t0) / 1e6;
	if (k->verbose)
		fprintf(stderr, "kvm: kernel ready in %.1f ms\n",
			k->st.boot_ms_last);
	return 0;
}

static int kvm__reset(struct kvm_backend *k, char *err, size_t errlen)
{
	uint64_t t0 = mono_ns();

	if (kvm__restore(&k->vm, err, errlen))
		return -1;
	k->reset_due = 0;
	k->st.resets++;
	k->st.restarts++;
	k->st.reset_us_last = (double)(mono_ns() - t0) / 1e3;
	return 0;
}

/* Hand the guest k cases; the doorbell is host_seq, bumped last. */
static void mailbox__ring(struct kvm_backend *k,
			  const struct gc_testcase *cases, unsigned n,
			  uint64_t defenses, enum gc_selftest st)
{
	struct gc_mailbox *mb = k->vm.mb;

	memcpy(mb->cases, cases, n * sizeof(*cases));
	for (unsigned i = 0; i < n; i++)
		mb->results[i].magic = 0;
	mb->batch_count = n;
	mb->defenses = defenses;
	mb->selftest = st;
	mb->current = 0;
	__atomic_store_n(&mb->host_seq, ++k->seq, __ATOMIC_RELEASE);
	k->st.batches++;
}

/* Copy out, then check: the guest cannot change what was checked. */
static void mailbox__collect(struct kvm_backend *k, unsigned base,
			     unsigned n, struct case_outcome *out)
{
	for (unsigned i = 0; i < n; i++) {
		memcpy(&out[i].result, &k->vm.mb->results[i],
		       sizeof(out[i].result));
		result_check(&out[i], i, 0); /* no coverage op */
		out[i].test_kernel = 1;
		out[i].result.index = base + i;
		if (out[i].status == CASE_OK &&
		    (out[i].result.mech.end == GC_END_KERNEL_FAULT ||
		     out[i].result.ref.end == GC_END_KERNEL_FAULT))
			k->reset_due = 1;
	}
}

static unsigned mailbox__blame(struct kvm_backend *k, unsigned n)
{
	uint32_t cur = k->vm.mb->current;
	unsigned i;

	if (cur < n)
		return cur;
	for (i = 0; i < n; i++)
		if (k->vm.mb->results[i].magic != GC_RESULT_MAGIC)
			break;
	return i;
}

/* The batch stopped at slot b: what ran before counts, b hung or crashed,
 * and the VM goes back to its snapshot for the rest. */
static unsigned kvm__salvage(struct kvm_backend *k, unsigned base, unsigned n,
			     enum vcpu_exit e, const char *why,
			     struct case_outcome *out)
{
	unsigned b = mailbox__blame(k, n);
	char line[48];

	mailbox__collect(k, base, b, out);
	k->reset_due = 1;
	if (b == n)
		return n;
	memset(&out[b].result, 0, sizeof(out[b].result));
	if (e == VCPU_TICK) {
		out[b].status = CASE_HANG;
		snprintf(out[b].detail, sizeof(out[b].detail),
			 "no progress for %u ms; VM reset", k->case_timeout_ms);
	} else {
		out[b].status = CASE_VM_CRASH;
		kvm__console_tail(&k->vm, line, sizeof(line));
		snprintf(out[b].detail, sizeof(out[b].detail),
			 "%.60s; console: %.40s", why, line);
	}
	return b + 1;
}

static void kvm__fail_rest(struct case_outcome *out, unsigned n,
			   const char *why)
{
	for (unsigned i = 0; i < n; i++) {
		memset(&out[i].result, 0, sizeof(out[i].result));
		out[i].status = CASE_ERROR;
		snprintf(out[i].detail, sizeof(out[i].detail), "%s", why);
	}
}

static int kvm__run_some(struct kvm_backend *k, const struct gc_testcase *cases,
			 unsigned base, unsigned n, uint64_t defenses,
			 enum gc_selftest st, struct case_outcome *out,
			 char *err, size_t errlen)
{
	enum vcpu_exit e;
	char why[160];

	if (k->reset_due && kvm__reset(k, err, errlen))
		return -1;
	mailbox__ring(k, cases, n, defenses, st);
	do
		e = kvm__wait_doorbell(k, k->case_timeout_ms, why,
				       sizeof(why));
	while (e == VCPU_DOORBELL && k->vm.mb->guest_seq != k->seq);
	if (e == VCPU_ERROR) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (e == VCPU_DOORBELL) {
		mailbox__collect(k, base, n, out);
		return n;
	}
	return kvm__salvage(k, base, n, e, why, out);
}

static int kvm_run(void *priv, const struct gc_testcase *cases, unsigned n,
		   uint64_t defenses, enum gc_selftest st,
		   struct case_outcome *out, char *err, size_t errlen)
{
	struct kvm_backend *k = priv;
	unsigned done = 0;
	int r = 0;

	kvm__watchdog_arm(&k->vm, 1);
	while (done < n) {
		r = kvm__run_some(k, cases + done, done, n - done, defenses,
				  st, out + done, err, errlen);
		if (r < 0) {
			kvm__fail_rest(out + done, n - done, err);
			break;
		}
		done += r;
		r = 0;
	}
	/* The next batch must not wait on a reset this one made due. */
	if (!r && k->reset_due && kvm__reset(k, err, errlen))
		r = -1;
	kvm__watchdog_arm(&k->vm, 0);
	k->st.cases += n;
	return r;
}

static void kvm__free(struct kvm_backend *k)
{
	kvm__exit(&k->vm);
	free(k);
}

static int kvm__setup(struct kvm_backend *k, const struct backend_config *cfg,
		      char *err, size_t errlen)
{
	const char *kernel = cfg->kernel_path ? cfg->kernel_path
					      : kernel_image_default_path();
	unsigned tick;

	snprintf(k->kernel, sizeof(k->kernel), "%s", kernel);
	k->case_timeout_ms = cfg->case_timeout_ms ? cfg->case_timeout_ms
			     : backend_host_is_tcg_guest()
				     ? KVM_NESTED_TCG_CASE_TIMEOUT_MS
				     : KVM_CASE_TIMEOUT_MS;
	k->boot_timeout_ms = KVM_BOOT_TIMEOUT_MS;
	k->verbose = cfg->verbose;
	/* A few ticks per deadline: a hang is seen within 1.25 timeouts. */
	tick = k->case_timeout_ms / 4;
	if (kvm__init(&k->vm, cfg->vendor, err, errlen))
		return -1;
	snprintf(k->st.host_vendor, sizeof(k->st.host_vendor), "%s",
		 k->vm.host_vendor);
	snprintf(k->st.guest_vendor, sizeof(k->st.guest_vendor), "%s",
		 k->vm.guest_vendor);
	return kvm__watchdog_init(&k->vm, tick ? tick : 1, err, errlen);
}

static void kvm__unfaithful(const struct kvm_backend *k, char *err,
			    size_t errlen)
{
	snprintf(err, errlen,
		 "%s: its SYSCALL/int $0x80 are not hardware-exact (probe: "
		 "%.300s); use --backend tcg, or --force to fuzz the "
		 "hypervisor itself",
		 kvm__is_pvm() ? "kvm_pvm is a software hypervisor"
			       : "this KVM failed the fidelity probe",
		 k->fid.reason);
}

static int kvm_open(const struct backend_config *cfg, void **priv, char *err,
		    size_t errlen)
{
	struct kvm_backend *k = calloc(1, sizeof(*k));

	if (!k) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (kvm__setup(k, cfg, err, errlen) || kvm__boot(k, err, errlen))
		goto fail;
	if (kvm__probe_fidelity(k, &k->fid)) {
		snprintf(err, errlen, "kvm fidelity probe could not run: %s",
			 k->fid.reason);
		goto fail;
	}
	if (!k->fid.faithful && !cfg->force) {
		kvm__unfaithful(k, err, errlen);
		goto fail;
	}
	/* The probe's cases are not part of anyone's statistics. */
	k->st.cases = k->st.batches = 0;
	*priv = k;
	return 0;
fail:
	kvm__free(k);
	return -1;
}

static void kvm_close(void *priv)
{
	if (priv)
		kvm__free(priv);
}

static void kvm_get_stats(const void *priv, struct backend_stats *st)
{
	*st = ((const struct kvm_backend *)priv)->st;
}

/* A passed probe under QEMU TCG says KVM's code works, not that the CPU
 * is hardware: not a reference. */
static int kvm_faithful(const void *priv)
{
	return ((const struct kvm_backend *)priv)->fid.faithful &&
	       !backend_host_is_tcg_guest();
}

static void kvm_probe(const struct backend_config *cfg,
		      struct probe_report *rep)
{
	struct backend_config forced = *cfg;
	struct kvm_backend *k;
	char err[sizeof(rep->reason)];
	void *priv;

	forced.force = 1;
	if (kvm_open(&forced, &priv, err, sizeof(err))) {
		rep->usable = rep->faithful = 0;
		snprintf(rep->reason, sizeof(rep->reason), "%s", err);
		return;
	}
	k = priv;
	rep->usable = 1;
	rep->faithful = kvm_faithful(k);
	snprintf(rep->reason, sizeof(rep->reason),
		 "%s; host %s, guest %s; boot %.1f ms; %.400s",
		 kvm__module_name(),
		 k->st.host_vendor, k->st.guest_vendor, k->st.boot_ms_last,
		 k->fid.reason);
	kvm_close(priv);
}

const struct backend_ops kvm_ops = {
	.name = "kvm",
	.open = kvm_open,
	.run = kvm_run,
	.close = kvm_close,
	.get_stats = kvm_get_stats,
	.probe = kvm_probe,
	.faithful = kvm_faithful,
};
