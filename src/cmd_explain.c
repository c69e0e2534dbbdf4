/* cmd_explain.c - `oomkit explain` (under construction: replaced by its issue's work). */
#include <stdio.h>

#include "commands.h"
#include "exitcode.h"

int cmd_explain(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "oomkit explain: not built yet\n");
	return EXIT_FAILURE_GENERIC;
}
