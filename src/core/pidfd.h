/* pidfd.h - the process-handle syscalls of the kill path (pidfd_open,
 * pidfd_send_signal, process_mrelease, kcmp KCMP_VM), for libcs that lack
 * wrappers. Each returns >= 0 or -errno, never touches memory, never blocks. */
#ifndef OOMKIT_PIDFD_H
#define OOMKIT_PIDFD_H

#include <errno.h>
#include <linux/kcmp.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

static inline int sys_pidfd_open(pid_t pid)
{
	long r = syscall(SYS_pidfd_open, pid, 0);

	return r < 0 ? -errno : (int)r;
}

static inline int sys_pidfd_signal(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

/* Only after SIGKILL: the kernel refuses (EINVAL) a task not being killed. */
static inline int sys_process_mrelease(int pidfd)
{
	return syscall(SYS_process_mrelease, pidfd, 0) < 0 ? -errno : 0;
}

/* 0 when both processes use the same mm. */
static inline int sys_kcmp_vm(pid_t a, pid_t b)
{
	long r = syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0);

	return r < 0 ? -errno : (int)r;
}

#endif
