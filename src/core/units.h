/* units.h - sizes for people: the "512MiB" of a kB count, as the daemon's
 * triggers, logs, status and D-Bus messages print it. No allocation. */
#ifndef OOMKIT_UNITS_H
#define OOMKIT_UNITS_H

#include <stddef.h>

/* Human size of kB, the one unit style of every human output: "812KiB",
 * "512.0MiB", "1.5GiB" (KiB whole, MiB and GiB with one decimal). */
void format_kb(unsigned long kb, char *out, size_t size);

#endif
