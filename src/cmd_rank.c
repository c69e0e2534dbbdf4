/* cmd_rank.c - `oomkit rank` (under construction: replaced by its issue's work). */
#include <stdio.h>

#include "commands.h"
#include "exitcode.h"

int cmd_rank(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "oomkit rank: not built yet\n");
	return EXIT_FAILURE_GENERIC;
}
