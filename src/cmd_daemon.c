/* cmd_daemon.c - `oomkit daemon` (under construction: replaced by its issue's work). */
#include <stdio.h>

#include "commands.h"
#include "exitcode.h"

int cmd_daemon(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "oomkit daemon: not built yet\n");
	return EXIT_FAILURE_GENERIC;
}
