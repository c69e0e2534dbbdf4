/* dbus_event.h - telling the desktop and the system about a kill over D-Bus
 * (sd-bus, from libsystemd loaded by dbus_load(); compiled to stubs
 * returning -EOPNOTSUPP without HAVE_SDBUS, and -EOPNOTSUPP until loaded):
 *  - the signal org.oomkit.Daemon1.Killed on the system bus (doc/dbus.md)
 *    for oomkit's kills, and org.oomkit.Daemon2.Killed for oomkit's and
 *    the kernel's own (its last field, source, tells them apart);
 *  - a desktop notification (org.freedesktop.Notifications.Notify) on the
 *    session bus of every logged-in user (/run/user/UID/bus), sent with the
 *    calling thread's effective uid switched to the user's, because a
 *    session bus accepts only its owner (needs CAP_SETUID when run as root).
 * Blocking I/O with timeouts: call from the publisher thread, never from the
 * kill path. Text from the victim (comm, cgroup) is sent escaped to ASCII. */
#ifndef OOMKIT_DBUS_EVENT_H
#define OOMKIT_DBUS_EVENT_H

#include <stddef.h>

#include "core/kill_record.h"

#define DBUS_EVENT_PATH "/org/oomkit/Daemon1"
#define DBUS_EVENT_INTERFACE "org.oomkit.Daemon1"
#define DBUS_EVENT_SIGNAL "Killed"
#define DBUS_EVENT_SIGNATURE "tuusssstbss"
/* Version 2: the same fields and a last one, source: "oomkit" or "kernel". */
#define DBUS_EVENT_INTERFACE2 "org.oomkit.Daemon2"
#define DBUS_EVENT_SIGNATURE2 "tuusssstbsss"

#define DBUS_LIBRARY "libsystemd.so.0"

/* Loads libsystemd's sd-bus (once; at start-up, not on the kill path).
 * 0, or -errno with why (no such library, a symbol missing, a build
 * without D-Bus). */
int dbus_load(char *why, size_t size);

/* systemd-oomd's name and signal: org.freedesktop.oom1.Manager.Killed
 * (cgroup, reason) on /org/freedesktop/oom1, sent from a connection of
 * its own that holds org.freedesktop.oom1, taken only while nobody else
 * (systemd-oomd) holds it: listeners that match on the sender hear
 * oomkit's kills as they heard systemd-oomd's. */
#define DBUS_OOM1_NAME "org.freedesktop.oom1"
#define DBUS_OOM1_PATH "/org/freedesktop/oom1"
#define DBUS_OOM1_INTERFACE "org.freedesktop.oom1.Manager"

/* Takes the name when free (kept until dbus_oom1_release()): 1 when held,
 * 0 when another holds it, -errno. */
int dbus_oom1_acquire(void);
/* Killed(cgroup, reason) when the name is held (taken now if free): 1
 * sent, 0 not (another holds the name), -errno. reason is systemd-oomd's
 * word: "memory-pressure" or "memory-used". */
int dbus_oom1_killed(const char *cgroup, const char *reason);
void dbus_oom1_release(void);
/* systemd-oomd's reason for a kill record's trigger. */
const char *dbus_oom1_reason(const struct kill_record *r);

/* Emits the Killed signals on the system bus (DBUS_SYSTEM_BUS_ADDRESS
 * honoured): Daemon1's for an oomkit kill, Daemon2's for every kill.
 * 0 or -errno. */
int dbus_emit_killed(const struct kill_record *r);

/* Sends a desktop notification to each user with a session bus socket at
 * <runtime_root>/<uid>/bus (runtime_root NULL: "/run/user"). Returns the
 * number of users notified, or -errno when none could be reached for a
 * reason other than "nobody logged in". */
int dbus_notify_desktops(const struct kill_record *r, const char *runtime_root);

/* The notification's text (also used for the log): summary and body. */
void dbus_notification_text(const struct kill_record *r, char *summary, size_t summary_size,
			    char *body, size_t body_size);

#endif
