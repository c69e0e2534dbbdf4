/* publish.h - the daemon's publisher thread: everything the outside world
 * learns from oomkit daemon, done off the kill path. The daemon's loop only
 * copies a kill record or a state sample into the publisher under a mutex
 * (no I/O, no allocation, O(size)); the thread then updates the metrics,
 * rewrites the textfile-collector file and the status files (atomically),
 * refreshes the loopback /metrics body, emits the D-Bus signal and sends
 * desktop notifications, each of which may block for a while. */
#ifndef OOMKIT_PUBLISH_H
#define OOMKIT_PUBLISH_H

#include <pthread.h>
#include <stdbool.h>

#include "http_server.h"
#include "core/kill_record.h"
#include "metrics.h"
#include "status.h"

#define PUBLISH_QUEUE 8
#define PUBLISH_PATH_MAX 512

struct publish_config {
	char metrics_file[PUBLISH_PATH_MAX];   /* "" off */
	char metrics_listen[64];               /* "" off; loopback only */
	char status_dir[PUBLISH_PATH_MAX];     /* "" off */
	char runtime_root[PUBLISH_PATH_MAX];   /* users' runtime dirs, "" = /run/user */
	bool dbus;                             /* org.oomkit.Daemon1.Killed */
	bool oom1;                             /* org.freedesktop.oom1's Killed, when free */
	bool notify_desktop;
};

struct publisher {
	struct publish_config cfg;             /* the thread's own once started */
	struct publish_config requested;       /* the daemon thread's: last handed over */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool running, quit;
	bool busy;                             /* the thread is publishing (under lock) */
	/* handed over by the daemon thread, under lock */
	struct kill_record queue[PUBLISH_QUEUE];
	unsigned int queued, dropped;
	struct status_view view;
	uint64_t view_key;                     /* status_view_key() of view, 0 unknown */
	bool view_dirty;
	struct publish_config next;            /* a reload's settings, for the thread */
	bool reconfigure;
	/* the thread's own */
	struct kill_record kills[PUBLISH_QUEUE];
	struct status_view current;
	uint64_t current_key;
	struct metrics metrics;
	char text[HTTP_SERVER_BODY_MAX];
	struct http_server http;
	int heartbeat_fd;                      /* status_heartbeat(), from the daemon's thread */
	int oom1_held;                         /* dbus_oom1_acquire()'s last answer */
	/* the daemon thread's own: the last state handed over, held still */
	uint64_t sent_key;                     /* status_view_key() */
	double sent_seconds;
	struct { unsigned long mem_available_kb, swap_free_kb, committed_as_kb; } sent_raw;
	int last_error;                        /* last -errno of a publishing step */
	char last_error_what[64];
};

/* Starts the thread (and the /metrics listener when configured). why gets
 * the reason of a failure (a non-loopback or busy listen address). */
int publisher_start(struct publisher *p, const struct publish_config *c, char *why, size_t size);
/* From the daemon's thread: O(1)-ish copies, never blocks on I/O (a sample
 * also sets the heartbeat's mtime, see status.h). A full queue drops the
 * oldest record's publication (counted), never the kill. */
void publisher_kill(struct publisher *p, const struct kill_record *r);
void publisher_sample(struct publisher *p, const struct status_view *v);
/* From the daemon's thread, at a reload: hands new settings to the
 * running thread, which applies them before its next publication (a new
 * /metrics listener is bound there; a failure to bind is its last_error).
 * Opens the new heartbeat file here, never blocks on the thread's I/O.
 * 1 when something changed, 0 when nothing did, -EINVAL or -EPERM (with
 * why) for a listen address start would refuse: nothing then changes. */
int publisher_reconfigure(struct publisher *p, const struct publish_config *c, char *why, size_t size);
/* Publishes what is pending, then joins the thread. */
void publisher_stop(struct publisher *p);

#endif
