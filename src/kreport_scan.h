/* kreport_scan.h - the fast path of `explain`: find the next line of a log
 * that may belong to an OOM report, without looking at the lines between.
 * A multi-gigabyte syslog is mostly foreign lines; this skips them at
 * memory speed (a vector filter on two bytes of each needle, then memcmp),
 * so the parser proper sees only candidate lines and the report's own. */
#ifndef OOMKIT_KREPORT_SCAN_H
#define OOMKIT_KREPORT_SCAN_H

#include <stddef.h>

/* First byte of [p, end) where one of the report needles starts ("invoked
 * oom-killer", "Killed process", "oom-kill:", "of memory", "cpuset=", the
 * user-space killers' phrases, ...), or NULL. */
const char *kr_scan_candidate(const char *p, const char *end);

/* Number of '\n' bytes in [p, end). */
size_t kr_count_newlines(const char *p, const char *end);

#endif
