/* daemon_victim.c - see daemon_victim.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "daemon_victim.h"
#include "core/pidfd.h"

int victim_open(const char *proc_root, struct victim *v)
{
	unsigned long long start;
	int fd = sys_pidfd_open(v->pid);

	if (fd < 0)
		return fd;
	/* the pidfd pins this struct pid: if the start time still matches now,
	 * every signal sent through it reaches the task we chose */
	if (proc_read_start_time(proc_root, v->pid, &start) || start != v->start_time) {
		close(fd);
		return -ESRCH;
	}
	v->pidfd = fd;
	return 0;
}

int victim_signal(struct victim *v, int sig)
{
	return sys_pidfd_signal(v->pidfd, sig);
}

int victim_reap(struct victim *v)
{
	return sys_process_mrelease(v->pidfd);
}

bool victim_exited(const struct victim *v)
{
	struct pollfd p = { .fd = v->pidfd, .events = POLLIN };

	return v->pidfd < 0 || poll(&p, 1, 0) > 0;
}

void victim_close(struct victim *v)
{
	if (v->pidfd >= 0)
		close(v->pidfd);
	v->pidfd = -1;
}
