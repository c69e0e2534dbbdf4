/* daemon_log.h - the daemon's output channels: one human line per event to
 * stderr, with the sd-daemon priority prefix ("<4>...") when stderr is the
 * journal ($JOURNAL_STREAM names it) and plain on a terminal or a file,
 * the kernel-style report optionally copied to /dev/kmsg, and the
 * sd_notify(3) protocol spoken by hand over $NOTIFY_SOCKET (no libsystemd
 * needed at run time). Nothing here allocates. */
#ifndef OOMKIT_DAEMON_LOG_H
#define OOMKIT_DAEMON_LOG_H

#include <stdbool.h>

/* syslog priorities, as sd-daemon(3) prefixes */
#define DLOG_ERR 3
#define DLOG_WARNING 4
#define DLOG_NOTICE 5
#define DLOG_INFO 6
#define DLOG_DEBUG 7

void dlog_set_debug(bool on);

/* Is stderr the journal's stream ($JOURNAL_STREAM is its device:inode)?
 * Read once; the answer decides the "<N>" prefixes. */
bool dlog_stderr_is_journal(void);

/* --syslog: lines go to /dev/log (facility daemon, tag "oomkit[pid]")
 * instead of stderr. The socket is opened and connected here, once, so
 * that no connect happens when memory is gone. 0 or -errno. */
int dlog_open_syslog(void);
void dlog_close_syslog(void);
/* The connected /dev/log socket, -1 when syslog is off. */
int dlog_syslog_fd(void);
void dlog(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Opens /dev/kmsg for writing (a failure is reported and kmsg stays off). */
int kmsg_open(void);
void kmsg_close(void);
/* Writes one line to /dev/kmsg at that level, when open. */
void kmsg_line(int prio, const char *line);
/* The open /dev/kmsg descriptor, -1 when closed (for report.h's sinks). */
int kmsg_fd_get(void);

/* Sends one sd_notify message ("READY=1", "WATCHDOG=1", "STATUS=...") to
 * $NOTIFY_SOCKET; 0 when sent or when there is no socket, else -errno. */
int sd_notify_send(const char *msg);
/* The watchdog period from $WATCHDOG_USEC (and $WATCHDOG_PID), 0 if none. */
unsigned long long sd_watchdog_usec(void);

#endif
