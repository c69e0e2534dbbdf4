/* atomic_file.h - replacing a small file so that readers see the old or
 * the new content, never half of one: node_exporter's textfile collector
 * (metrics) and `oomkit status` (the daemon's state file). */
#ifndef OOMKIT_ATOMIC_FILE_H
#define OOMKIT_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Writes text to a temporary file in path's directory, sets mode (whatever
 * the umask), then rename(2)s it over path. 0 or -errno; no temporary file
 * is left behind on failure. */
int atomic_write_file(const char *path, const char *text, size_t len, mode_t mode);

#endif
