/* cmd_status.c - `oomkit status` (under construction: replaced by its issue's work). */
#include <stdio.h>

#include "commands.h"
#include "exitcode.h"

int cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "oomkit status: not built yet\n");
	return EXIT_FAILURE_GENERIC;
}
