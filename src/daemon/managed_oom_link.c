/* managed_oom_link.c - see managed_oom_link.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon_log.h"
#include "managed_oom_link.h"

#define MS 1000000ULL
#define PID1_RETRY_NS (10000 * MS)  /* PID 1 refused or closed: ask again after */
#define SUBSCRIBE "{\"method\":\"io.systemd.ManagedOOM.SubscribeManagedOOMCGroups\",\"parameters\":{},\"more\":true}"
#define REPLY_OK "{\"parameters\":{}}"
#define REPLY_NO_METHOD "{\"error\":\"org.varlink.service.MethodNotFound\",\"parameters\":{}}"

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int unix_addr(const struct moom_link *l, const char *path, struct sockaddr_un *a)
{
	*a = (struct sockaddr_un){ .sun_family = AF_UNIX };
	if (strlen(l->run_root) + strlen(path) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	memcpy(a->sun_path, l->run_root, strlen(l->run_root));
	memcpy(a->sun_path + strlen(l->run_root), path, strlen(path) + 1);
	return 0;
}

static int connect_to(const struct moom_link *l, const char *path)
{
	struct sockaddr_un a;
	int fd;

	if (unix_addr(l, path, &a))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

/* A message and its NUL, whole: the peer reads what a unix socket's
 * buffer takes at once. */
static int send_msg(int fd, const char *msg)
{
	size_t n = strlen(msg) + 1;

	return send(fd, msg, n, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)n ? 0 : -EIO;
}

static void subscribe(struct moom_link *l, uint64_t now)
{
	static const char *const paths[] = { MOOM_PID1_SOCKETS };
	int fd = -ENOENT;

	l->pid1_retry_ns = now + PID1_RETRY_NS;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]) && fd < 0; i++)
		fd = connect_to(l, paths[i]);
	if (fd < 0 || send_msg(fd, SUBSCRIBE)) {
		if (!l->pid1_said)
			dlog(DLOG_NOTICE, "systemd's ManagedOOM service: %s; asking again every %llus",
			     fd < 0 ? strerror(-fd) : "cannot send", (unsigned long long)(PID1_RETRY_NS / 1000000000));
		l->pid1_said = true;
		if (fd >= 0)
			close(fd);
		return;
	}
	l->pid1_fd = fd;
	l->pid1_len = 0;
}

/* systemd's socket unit passes its listening socket as fd 3 onwards. */
static int listen_fd_passed(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int listening = 0;
	socklen_t len = sizeof(listening);

	if (!pid || !fds || atoi(pid) != (int)getpid() || atoi(fds) < 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening)
		return -1;
	fcntl(3, F_SETFD, FD_CLOEXEC);
	fcntl(3, F_SETFL, fcntl(3, F_GETFL) | O_NONBLOCK);
	return 3;
}

/* Our own socket where user managers look for it, when no one listens
 * there: the name PID 1 uses tells which systemd this is. */
static void bind_own(struct moom_link *l)
{
	static const char *const paths[] = { MOOM_USER_SOCKETS };
	struct sockaddr_un a;
	char dir[300];
	int fd, which = 0;

	if (unix_addr(l, "/run/systemd/io.systemd.ManagedOOM", &a) || access(a.sun_path, F_OK) < 0)
		which = 1;
	fd = connect_to(l, paths[which]);
	if (fd >= 0) {
		close(fd);
		l->listen_from = "another daemon listens (systemd-oomd.socket)";
		return;
	}
	if (unix_addr(l, paths[which], &a)) {
		l->listen_from = "the socket's path is too long";
		return;
	}
	snprintf(dir, sizeof(dir), "%s/run/systemd/oom", l->run_root);
	mkdir(dir, 0755);
	unlink(a.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(a.sun_path, 0666) < 0 ||
	    listen(fd, MOOM_MAX_PEERS) < 0) {
		l->listen_from = "cannot bind the user managers' socket";
		dlog(DLOG_WARNING, "%s: %s: %s", a.sun_path, l->listen_from, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	l->listen_fd = fd;
	snprintf(l->listen_path, sizeof(l->listen_path), "%s", a.sun_path);
	l->listen_from = "own socket";
}

void moom_link_open(struct moom_link *l, const char *run_root, uint64_t now)
{
	l->pid1_fd = l->listen_fd = -1;
	for (size_t i = 0; i < MOOM_MAX_PEERS; i++)
		l->peers[i].fd = -1;
	snprintf(l->run_root, sizeof(l->run_root), "%s", run_root);
	l->listen_fd = run_root[0] ? -1 : listen_fd_passed();
	l->listen_from = "socket unit";
	if (l->listen_fd < 0)
		bind_own(l);
	subscribe(l, now);
}

void moom_link_close(struct moom_link *l)
{
	close_fd(&l->pid1_fd);
	close_fd(&l->listen_fd);
	for (size_t i = 0; i < MOOM_MAX_PEERS; i++)
		close_fd(&l->peers[i].fd);
	if (l->listen_path[0])
		unlink(l->listen_path);
	l->listen_path[0] = '\0';
}

void moom_link_tick(struct moom_link *l, uint64_t now)
{
	if (l->pid1_fd < 0 && now >= l->pid1_retry_ns)
		subscribe(l, now);
}

size_t moom_link_pollfds(const struct moom_link *l, struct pollfd *fds, size_t max)
{
	size_t n = 0;

	if (l->pid1_fd >= 0 && n < max)
		fds[n++] = (struct pollfd){ .fd = l->pid1_fd, .events = POLLIN };
	if (l->listen_fd >= 0 && n < max)
		fds[n++] = (struct pollfd){ .fd = l->listen_fd, .events = POLLIN };
	for (size_t i = 0; i < MOOM_MAX_PEERS && n < max; i++)
		if (l->peers[i].fd >= 0)
			fds[n++] = (struct pollfd){ .fd = l->peers[i].fd, .events = POLLIN };
	return n;
}

static void accept_peer(struct moom_link *l)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = accept4(l->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (size_t i = 0; i < MOOM_MAX_PEERS; i++) {
		struct moom_peer *p = &l->peers[i];
		if (p->fd >= 0)
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
			break;
		*p = (struct moom_peer){ .fd = fd, .uid = cred.uid };
		return;
	}
	close(fd); /* no room, or no credentials: not heard */
}

/* Every whole message in buf; what is left of a partial one moves to the
 * front. -EMSGSIZE when one does not fit. */
static int take_messages(struct moom_link *l, int fd, char *buf, size_t *len, size_t size, uid_t uid,
			 struct moom_table *t)
{
	char err[256];
	size_t start = 0;
	int applied = 0;

	for (char *nul; (nul = memchr(buf + start, '\0', *len - start));) {
		size_t n = (size_t)(nul - (buf + start));
		bool reply;
		int r = moom_message_apply(t, buf + start, n, uid, &reply, err, sizeof(err));

		l->messages++;
		if (r == MOOM_MSG_CGROUPS) {
			applied++;
		} else if (r == MOOM_MSG_ERROR && fd == l->pid1_fd) {
			snprintf(l->pid1_error, sizeof(l->pid1_error), "%s", err);
		} else if (r < 0 || r == MOOM_MSG_UNKNOWN) {
			l->refused++;
			dlog(DLOG_WARNING, "varlink message from uid %u refused: %s", (unsigned)uid,
			     r == MOOM_MSG_UNKNOWN ? "unknown method" : err);
		}
		if (reply)
			send_msg(fd, r == MOOM_MSG_UNKNOWN ? REPLY_NO_METHOD : REPLY_OK);
		start += n + 1;
	}
	memmove(buf, buf + start, *len - start);
	*len -= start;
	return *len == size ? -EMSGSIZE : applied;
}

/* Reads what the descriptor holds; < 0 when the connection is over. */
static int read_into(int fd, char *buf, size_t *len, size_t size)
{
	ssize_t n = recv(fd, buf + *len, size - *len, MSG_DONTWAIT);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	*len += (size_t)n;
	return 0;
}

static int pid1_event(struct moom_link *l, struct moom_table *t, uint64_t now)
{
	int r = read_into(l->pid1_fd, l->pid1_buf, &l->pid1_len, sizeof(l->pid1_buf));
	int applied = 0;

	if (r == 0)
		applied = take_messages(l, l->pid1_fd, l->pid1_buf, &l->pid1_len, sizeof(l->pid1_buf), 0, t);
	if (r == 0 && applied >= 0 && !l->pid1_error[0]) {
		if (applied && l->pid1_said)
			dlog(DLOG_NOTICE, "systemd's ManagedOOM service: subscribed");
		l->pid1_said = false;
		return applied;
	}
	if (!l->pid1_said)
		dlog(DLOG_NOTICE, "systemd's ManagedOOM service: %s; asking again every %llus",
		     l->pid1_error[0] ? l->pid1_error : applied < 0 ? "message too long" : "connection closed",
		     (unsigned long long)(PID1_RETRY_NS / 1000000000));
	l->pid1_said = true;
	l->pid1_error[0] = '\0';
	close_fd(&l->pid1_fd);
	l->pid1_retry_ns = now + PID1_RETRY_NS;
	return applied > 0 ? applied : 0;
}

int moom_link_event(struct moom_link *l, int fd, short revents, struct moom_table *t, uint64_t now)
{
	(void)revents;
	if (fd == l->pid1_fd)
		return pid1_event(l, t, now);
	if (fd == l->listen_fd) {
		accept_peer(l);
		return 0;
	}
	for (size_t i = 0; i < MOOM_MAX_PEERS; i++) {
		struct moom_peer *p = &l->peers[i];
		int r, applied = 0;

		if (p->fd != fd)
			continue;
		r = read_into(fd, p->buf, &p->len, sizeof(p->buf));
		if (r == 0)
			applied = take_messages(l, fd, p->buf, &p->len, sizeof(p->buf), p->uid, t);
		if (r < 0 || applied < 0)
			close_fd(&p->fd);
		return applied > 0 ? applied : 0;
	}
	return 0;
}
