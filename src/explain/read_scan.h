/* read_scan.h - the fast path of `explain`: find the next line of a log
 * that may belong to an OOM report, without looking at the lines between.
 * A multi-gigabyte syslog is mostly foreign lines; this skips them at
 * memory speed (a vector filter on two bytes of each needle, then memcmp),
 * so the parser proper sees only candidate lines and the report's own. */
#ifndef OOMKIT_READ_SCAN_H
#define OOMKIT_READ_SCAN_H

#include <stddef.h>

/* First byte of [p, end) where one of the report needles starts ("oom",
 * "OOM", "Kill", "of memory", "cpuset=", "sending SIG"), or NULL; *newlines = the '\n'
 * bytes before it (or in all of [p, end)), counted in the same pass. */
const char *kr_scan_candidate(const char *p, const char *end, size_t *newlines);

#endif
