/* daemon_publish.h - plugs the publisher (metrics, /metrics, status files,
 * D-Bus, desktop notifications: publish.h) into `oomkit daemon` through
 * the daemon's documented hook points: the kill observer and the pass hook
 * at which the daemon's state is handed over (every 4 s at rest, every
 * second during an episode, at once after a kill), and the reload hook.
 * Configured by [publish] and [log] notify_dbus of oomkit.conf, at start
 * and again at each reload (the publisher thread moves to the new places,
 * its counters kept). */
#ifndef OOMKIT_DAEMON_PUBLISH_H
#define OOMKIT_DAEMON_PUBLISH_H

#include <stddef.h>

#include "daemon.h"
#include "daemon/publish/publish.h"
#include "daemon/publish/status.h"

/* Fills a status view from the daemon's configuration, watches and
 * counters (no I/O beyond one pread of the PSI averages). */
void daemon_status_view(const struct daemon *d, struct status_view *v);
/* One more row of its trigger table (NULL when full). */
struct status_trigger *daemon_status_trigger(struct status_view *v, const char *name, const char *where);

/* Starts publishing for d (after daemon_start). 0, or -errno with why. */
int daemon_publish_start(struct daemon *d, struct publisher *p, char *why, size_t size);
/* Publishes the last state and stops the thread (before daemon_stop). */
void daemon_publish_stop(struct daemon *d, struct publisher *p);

#endif
