/* kernel_oom.h - the daemon watches the kernel's own OOM kills: it reads
 * /dev/kmsg from its end (kmsg_reader.h), feeds each record to the explain
 * parser (a parser of fixed size: nothing is allocated per record), and
 * publishes each kernel OOM event (global, memcg, cpuset, memory.oom.group,
 * SysRq) at most KERNEL_OOM_QUIET_MS after its last line: one warning line
 * (victim, invoker, scope, pod and container, limit), the event in the
 * JSON file in `oomkit explain --json`'s schema ("source": "kernel"), and a
 * kill_record with .kernel set to the daemon's observer (metrics, D-Bus).
 * Plugged in through daemon_add_fd(): the kmsg descriptor and a timer.
 * Configured by [log] kernel_oom (default on); read once at start. */
#ifndef OOMKIT_KERNEL_OOM_H
#define OOMKIT_KERNEL_OOM_H

#include <stddef.h>

#include "daemon.h"

#define KERNEL_OOM_QUIET_MS 300     /* the log quiet this long: the report is complete */
#define KERNEL_OOM_MAX_TASKS 4096   /* task rows kept per report (the rest counted) */

/* Starts watching when d->cfg.kernel_oom (after daemon_publish_start, so
 * that the observer is set). path: NULL for /dev/kmsg. A log that cannot be
 * read is a warning, not an error. 0 or -errno (out of memory, no fd slot). */
int kernel_oom_start(struct daemon *d, const char *path);
void kernel_oom_stop(void);
/* One record as read from the log ("PRI,SEQ,USEC,FLAGS;TEXT"), and the
 * flush the quiet timer does: the reader's steps, open to the tests. */
void kernel_oom_record(const char *rec, size_t len);
void kernel_oom_flush(void);

#endif
