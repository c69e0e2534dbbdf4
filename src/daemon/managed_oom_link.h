/* managed_oom_link.h - the varlink sockets over which systemd tells its
 * OOM daemon which cgroups it manages, from oomkit's side:
 *  - a client of PID 1's io.systemd.ManagedOOM: one call of
 *    SubscribeManagedOOMCGroups with "more", whose replies (the full list,
 *    then a change per unit start and stop) keep coming on the connection;
 *  - a listener where user managers call io.systemd.oom.
 *    ReportManagedOOMCGroups for their units: the socket unit's descriptor
 *    when systemd passes one (LISTEN_FDS), else a socket of our own when
 *    nobody listens at the path yet.
 * systemd 252 names both sockets io.system.ManagedOOM, later ones
 * io.systemd.ManagedOOM (the old name kept as a link): both are tried.
 * Messages are JSON objects ended by a NUL byte. Everything is
 * non-blocking, in fixed buffers, and runs from the daemon's poll loop
 * between kills, never on the kill path. */
#ifndef OOMKIT_MANAGED_OOM_LINK_H
#define OOMKIT_MANAGED_OOM_LINK_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "managed_oom.h"

#define MOOM_PID1_SOCKETS "/run/systemd/io.systemd.ManagedOOM", "/run/systemd/io.system.ManagedOOM"
#define MOOM_USER_SOCKETS "/run/systemd/oom/io.systemd.ManagedOOM", "/run/systemd/oom/io.system.ManagedOOM"
#define MOOM_MSG_MAX (64 * 1024)
#define MOOM_MAX_PEERS 8
#define MOOM_POLL_MAX (2 + MOOM_MAX_PEERS)

struct moom_peer {
	int fd;
	uid_t uid;                 /* SO_PEERCRED: whose units it may report */
	size_t len;
	char buf[MOOM_MSG_MAX / 4];
};

struct moom_link {
	char run_root[256];        /* "" for /; tests point it at a fixture */
	int pid1_fd;               /* -1: not subscribed */
	bool pid1_said;            /* the last refusal was logged */
	char pid1_error[256];      /* PID 1's last error reply, "" */
	uint64_t pid1_retry_ns;
	size_t pid1_len;
	char pid1_buf[MOOM_MSG_MAX];
	int listen_fd;             /* -1: user managers are not heard */
	char listen_path[108];     /* set when we bound it (unlinked on close) */
	const char *listen_from;   /* "socket unit", "own socket", or why not */
	struct moom_peer peers[MOOM_MAX_PEERS];
	uint64_t messages, refused;
};

/* Takes the user managers' socket (LISTEN_FDS, else binds one) and
 * subscribes to PID 1. Never fails: what is missing is retried or said by
 * link->listen_from / pid1_error. */
void moom_link_open(struct moom_link *l, const char *run_root, uint64_t now);
void moom_link_close(struct moom_link *l);
/* Re-subscribes when PID 1's connection is down and its retry time came. */
void moom_link_tick(struct moom_link *l, uint64_t now);

/* The descriptors to poll (at most MOOM_POLL_MAX). */
size_t moom_link_pollfds(const struct moom_link *l, struct pollfd *fds, size_t max);
/* One ready descriptor: reads what came, applies whole messages to t.
 * Returns how many messages were applied. */
int moom_link_event(struct moom_link *l, int fd, short revents, struct moom_table *t, uint64_t now);

#endif
