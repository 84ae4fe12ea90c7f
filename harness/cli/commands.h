/* SPDX-License-Identifier: MIT */
/* The subcommands of `gatecrash`. Each returns the process exit status:
 * 0 ran and nothing found, 1 ran and found something, 2 usage, input or
 * environment error (after printing one line saying what to do). */
#ifndef GC_COMMANDS_H
#define GC_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_defenses(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_fuzz(int argc, char **argv);
int cmd_repro(int argc, char **argv);
int cmd_minimize(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_reproducer(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif
