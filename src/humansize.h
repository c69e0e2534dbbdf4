/* humansize.h - sizes for people: "812 KiB", "1.5 GiB" (powers of 1024). */
#ifndef OOMKIT_HUMANSIZE_H
#define OOMKIT_HUMANSIZE_H

#include <stddef.h>
#include <stdint.h>

/* Writes bytes as "N B" or "x.y KiB/MiB/GiB/TiB" into out; returns out. */
char *format_bytes(uint64_t bytes, char *out, size_t size);

#endif
