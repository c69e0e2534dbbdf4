/* units.h - sizes for people: the "512MiB" of a kB count, as the daemon's
 * triggers, logs, status and D-Bus messages print it. No allocation. */
#ifndef OOMKIT_UNITS_H
#define OOMKIT_UNITS_H

#include <stddef.h>

/* Human size ("512MiB", "1.5GiB", "812KiB") of kB: 4 significant digits. */
void format_kb(unsigned long kb, char *out, size_t size);

#endif
