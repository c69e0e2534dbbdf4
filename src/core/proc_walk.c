/* proc_walk.c - getdents64 over a /proc-shaped directory (proc_walk.h). */
#include "proc_walk.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc.h"

ssize_t proc_walk(int dir_fd, void *buf, size_t size, proc_walk_fn fn, void *arg)
{
	ssize_t n, count = 0;
	bool stop = false;

	if (lseek(dir_fd, 0, SEEK_SET) < 0)
		return -errno;
	while (!stop && (n = syscall(SYS_getdents64, dir_fd, buf, size)) > 0) {
		for (ssize_t off = 0; off < n && !stop;) {
			const struct dirent64_hdr *d = (const void *)((const char *)buf + off);
			pid_t pid = proc_name_pid(d->d_name);

			off += d->d_reclen;
			if (!pid)
				continue;
			count++;
			stop = fn && fn(arg, pid);
		}
	}
	return n < 0 ? -errno : count;
}
