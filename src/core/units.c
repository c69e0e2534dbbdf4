/* units.c - see units.h. */
#include "units.h"

#include <stdio.h>

void format_kb(unsigned long kb, char *out, size_t size)
{
	if (kb >= 1024UL * 1024)
		snprintf(out, size, "%.1fGiB", (double)kb / (1024.0 * 1024));
	else if (kb >= 1024)
		snprintf(out, size, "%.1fMiB", (double)kb / 1024.0);
	else
		snprintf(out, size, "%luKiB", kb);
}
