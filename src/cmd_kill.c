/* cmd_kill.c - `oomkit kill` (under construction: replaced by its issue's work). */
#include <stdio.h>

#include "commands.h"
#include "exitcode.h"

int cmd_kill(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "oomkit kill: not built yet\n");
	return EXIT_FAILURE_GENERIC;
}
