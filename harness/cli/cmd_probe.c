// SPDX-License-Identifier: MIT
/*
 * gatecrash probe: which backends can run here, and whether each one is a
 * faithful (hardware-exact) reference, with the reason in words.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "cli_util.h"
#include "commands.h"
#include "json.h"

static const char probe_usage[] =
	"Usage: gatecrash probe [--backend B] [--json]\n"
	"\n"
	"Says which backends work on this machine and why not: for tcg,\n"
	"whether QEMU and the test kernel are there and the kernel boots;\n"
	"for kvm, what /dev/kvm is; for linux and qemu-user, the fidelity\n"
	"probe: each capability (entries, the int $0x80 reference, flags\n"
	"across SYSCALL, debug registers, the LDT, high FS/GS bases) ok,\n"
	"missing or unfaithful, with its evidence; cached per host boot;\n"
	"for linux-vm, which entries a getpid gets through inside the\n"
	"appliance's Linux under QEMU TCG.\n"
	"\n"
	"Options:\n"
	"  --backend B   probe only B (tcg, kvm, linux, qemu-user or "
	"linux-vm)\n"
	"  --vendor V    linux-vm's CPU model: amd (default) or intel\n"
	"  --json        a JSON array of {backend, usable, faithful, reason},\n"
	"                with linux and qemu-user's {cached, capabilities:\n"
	"                [{name, state, evidence}]} (state: ok, missing,\n"
	"                unfaithful)\n"
	"  --no-cache    rerun the linux/qemu-user fidelity probe instead of\n"
	"                reusing this boot's cached result\n"
	"  --kernel PATH, --qemu PATH   as for gatecrash run\n"
	"\n"
	"Exit status: 0 at least one probed backend is usable, 2 none is.\n";

static const char *const all_backends[] = { "tcg", "kvm", "linux",
					    "qemu-user", "linux-vm" };

static void print_caps_json(const struct probe_report *r)
{
	printf(", \"cached\": %s, \"capabilities\": [",
	       r->caps_cached ? "true" : "false");
	for (unsigned i = 0; i < r->n_caps; i++) {
		printf("%s{\"name\": ", i ? ", " : "");
		json_string(stdout, r->caps[i].name);
		printf(", \"state\": ");
		json_string(stdout, r->caps[i].state);
		printf(", \"evidence\": ");
		json_string(stdout, r->caps[i].evidence);
		printf("}");
	}
	printf("]");
}

static void print_report(const struct probe_report *r, int json, int first)
{
	if (!json) {
		printf("%-9s %-9s %-12s %s\n", r->backend,
		       r->usable ? "usable" : "unusable",
		       r->faithful ? "faithful" : "not-faithful", r->reason);
		for (unsigned i = 0; i < r->n_caps; i++)
			printf("  %-22s %-10s %s\n", r->caps[i].name,
			       r->caps[i].state, r->caps[i].evidence);
		return;
	}
	printf("%s{\"backend\": ", first ? "" : ", ");
	json_string(stdout, r->backend);
	printf(", \"usable\": %s, \"faithful\": %s, \"reason\": ",
	       r->usable ? "true" : "false", r->faithful ? "true" : "false");
	json_string(stdout, r->reason);
	if (r->n_caps)
		print_caps_json(r);
	printf("}");
}

int cmd_probe(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-cache", no_argument, NULL, 'n' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "qemu", required_argument, NULL, 'Q' },
		{ "vendor", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct backend_config cfg = { 0 };
	const char *only = NULL;
	int json = 0, usable = 0, first = 1, c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			only = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'n':
			cfg.probe_no_cache = 1;
			break;
		case 'k':
			cfg.kernel_path = optarg;
			break;
		case 'Q':
			cfg.qemu_path = optarg;
			break;
		case 'V':
			cfg.vendor = optarg;
			break;
		case 'h':
			fputs(probe_usage, stdout);
			return 0;
		default:
			return cli_bad_option("probe", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("probe", "unexpected argument '%s'",
				       argv[optind]);
	if (only && strcmp(only, "tcg") && strcmp(only, "kvm") &&
	    strcmp(only, "linux") && strcmp(only, "qemu-user") &&
	    strcmp(only, "linux-vm"))
		return cli_usage_error("probe", "unknown backend '%s' (tcg, "
				       "kvm, linux, qemu-user or linux-vm)",
				       only);
	if (json)
		printf("[");
	for (size_t i = 0; i < sizeof(all_backends) / sizeof(*all_backends);
	     i++) {
		struct probe_report r;

		if (only && strcmp(only, all_backends[i]))
			continue;
		backend_probe(all_backends[i], &cfg, &r);
		print_report(&r, json, first);
		first = 0;
		usable |= r.usable;
	}
	if (json)
		printf("]\n");
	if (cli_flush_stdout())
		return EXIT_USAGE;
	return usable ? 0 : EXIT_USAGE;
}
