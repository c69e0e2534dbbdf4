/* daemon_log.c - see daemon_log.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon_log.h"

static bool debug_on;
static int kmsg_fd = -1;
static int syslog_fd = -1;

#define SYSLOG_PATH "/dev/log"
#define SYSLOG_DAEMON_FACILITY (3 << 3)

void dlog_set_debug(bool on)
{
	debug_on = on;
}

bool dlog_stderr_is_journal(void)
{
	static int journal = -1;
	const char *e;
	unsigned long long dev, ino;
	struct stat st;

	if (journal < 0) {
		e = getenv("JOURNAL_STREAM");
		journal = e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && !fstat(STDERR_FILENO, &st) &&
			  st.st_dev == dev && st.st_ino == ino;
	}
	return journal;
}

void dlog(int prio, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	if (prio == DLOG_DEBUG && !debug_on)
		return;
	if (syslog_fd >= 0)
		n = snprintf(line, sizeof(line), "<%d>oomkit[%d]: ", SYSLOG_DAEMON_FACILITY | prio, (int)getpid());
	else if (dlog_stderr_is_journal())
		n = snprintf(line, sizeof(line), "<%d>", prio);
	else
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	if (syslog_fd >= 0) {
		/* never block on a stalled syslog daemon: a dropped line is better */
		send(syslog_fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
		return;
	}
	line[n++] = '\n';
	/* one write per line: lines of concurrent writers never interleave */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

int kmsg_open(void)
{
	kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	return kmsg_fd < 0 ? -errno : 0;
}

void kmsg_close(void)
{
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	kmsg_fd = -1;
}

int kmsg_fd_get(void)
{
	return kmsg_fd;
}

void kmsg_line(int prio, const char *line)
{
	char buf[2048];
	int n;

	if (kmsg_fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "<%d>%s\n", prio, line);
	if (n > 0 && write(kmsg_fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1) < 0)
		return;
}

int sd_notify_send(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd, r = 0;

	if (!path || !path[0])
		return 0;
	if ((path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return -EINVAL;
	strcpy(sa.sun_path, path);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* abstract namespace */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa, len) < 0)
		r = -errno;
	close(fd);
	return r;
}

unsigned long long sd_watchdog_usec(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");

	if (!usec)
		return 0;
	if (pid && strtol(pid, NULL, 10) != getpid())
		return 0;
	return strtoull(usec, NULL, 10);
}

int dlog_open_syslog(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = SYSLOG_PATH };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	dlog_close_syslog();
	syslog_fd = fd;
	return 0;
}

void dlog_close_syslog(void)
{
	if (syslog_fd >= 0)
		close(syslog_fd);
	syslog_fd = -1;
}

int dlog_syslog_fd(void)
{
	return syslog_fd;
}
