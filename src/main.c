/* main.c - the oomkit command line: dispatch to a subcommand. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "exitcode.h"
#include "core/util.h"

#ifndef OOMKIT_VERSION
#define OOMKIT_VERSION "0.1.0"
#endif

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *what;
} commands[] = {
	{ "rank", cmd_rank, "rank processes by OOM badness, beside the kernel's oom_score" },
	{ "kill", cmd_kill, "one user-space OOM kill: select, kill, reap, report" },
	{ "daemon", cmd_daemon, "watch memory and kill before the kernel has to" },
	{ "explain", cmd_explain, "read kernel OOM reports and say what happened" },
	{ "status", cmd_status, "what the running daemon watches and did" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: oomkit COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "\n'oomkit COMMAND --help' tells more; man oomkit(8).\n");
}

int main(int argc, char **argv)
{
	/* the character set only: names print as text on a UTF-8 terminal
	 * (core/json.h text_escape); numbers stay in the C locale. Not for
	 * the daemon: it logs for the journal, and the locale's tables would
	 * be 150 KiB of its resident memory. */
	if (argc < 2 || strcmp(argv[1], "daemon"))
		setlocale(LC_CTYPE, "");
	if (argc < 2) {
		cli_error(NULL, "expected a command: rank, kill, daemon, explain or status");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("oomkit %s\n", OOMKIT_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	cli_error(NULL, "unknown command '%s': expected rank, kill, daemon, explain or status", argv[1]);
	return EXIT_USAGE;
}
