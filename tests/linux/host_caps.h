/* SPDX-License-Identifier: MIT */
/*
 * The fidelity probe (gatecrash probe --backend B), for tests: what this
 * host can run, so a test asserts what the probe says and skips, naming
 * the capability and its evidence, what the host lacks. Nothing here
 * knows one machine: the probe decides.
 */
#ifndef GC_TESTS_HOST_CAPS_H
#define GC_TESTS_HOST_CAPS_H

#include "backend.h"
#include "test.h"

static const struct probe_report *host_caps(const char *backend)
{
	static struct probe_report linux_rep, qemu_rep;
	static int have_linux, have_qemu;
	int qemu = !strcmp(backend, "qemu-user");
	struct probe_report *r = qemu ? &qemu_rep : &linux_rep;
	int *have = qemu ? &have_qemu : &have_linux;

	if (!*have) {
		backend_probe(backend, NULL, r);
		*have = 1;
	}
	return r;
}

/* The capability's entry, or NULL when the probe does not list it. */
static const struct probe_cap *host_cap(const char *backend, const char *name)
{
	const struct probe_report *r = host_caps(backend);

	for (unsigned i = 0; i < r->n_caps; i++)
		if (!strcmp(r->caps[i].name, name))
			return &r->caps[i];
	return NULL;
}

static __attribute__((unused)) int host_cap_ok(const char *backend, const char *name)
{
	const struct probe_cap *c = host_cap(backend, name);

	return c && !strcmp(c->state, "ok");
}

/* Skips the calling test unless the probe says capability name is ok. */
#define REQUIRE_CAP(be, cap_name)                                            \
	do {                                                                  \
		const struct probe_cap *c_ = host_cap((be), (cap_name));      \
		if (!c_)                                                      \
			FAIL("the %s probe does not list %s", (be),           \
			     (cap_name));                                     \
		if (strcmp(c_->state, "ok"))                                  \
			SKIP("%s %s: %s (gatecrash probe --backend %s)",      \
			     c_->name, c_->state, c_->evidence, (be));        \
	} while (0)

#endif
