/* cap_probe.c - test helper: performs one privileged step of the daemon's
 * work on a target process and says whether the kernel allowed it, so that
 * tests/e2e/caps.sh can show which capability each step needs.
 *   cap_probe OP [ARG...]   prints "ok" or the errno name; exit 0 / 1
 * OPs: status PID | smaps PID | exe PID | kcmp PID | kill PID (pidfd
 * SIGKILL, then process_mrelease) | mlockall | mlockall-big (after
 * touching 64 MiB, beyond the default RLIMIT_MEMLOCK) | adj VALUE |
 * nice VALUE | write FILE TEXT | kmsg (open /dev/kmsg to read) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif
#define KCMP_VM 1

static int result(int ok)
{
	printf("%s\n", ok ? "ok" : strerrorname_np(errno));
	return !ok;
}

static int read_proc(const char *pid, const char *file)
{
	char path[64], buf[256];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%s/%s", pid, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return result(0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return result(n >= 0);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return result(0);
	return result(write(fd, text, strlen(text)) >= 0);
}

static int kill_reap(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0 || syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0)
		return result(0);
	/* reaping a process that already exited is ESRCH: not a privilege issue */
	if (syscall(SYS_process_mrelease, fd, 0) < 0 && errno != ESRCH)
		return result(0);
	return result(1);
}

int main(int argc, char **argv)
{
	char buf[256];

	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "status") && argc == 3)
		return read_proc(argv[2], "status");
	if (!strcmp(argv[1], "smaps") && argc == 3)
		return read_proc(argv[2], "smaps_rollup");
	if (!strcmp(argv[1], "exe") && argc == 3) {
		char target[256];

		snprintf(buf, sizeof(buf), "/proc/%s/exe", argv[2]);
		return result(readlink(buf, target, sizeof(target)) >= 0);
	}
	if (!strcmp(argv[1], "kcmp") && argc == 3)
		return result(syscall(SYS_kcmp, atoi(argv[2]), atoi(argv[2]), KCMP_VM, 0, 0) >= 0);
	if (!strcmp(argv[1], "kill") && argc == 3)
		return kill_reap(atoi(argv[2]));
	if (!strcmp(argv[1], "mlockall") && argc == 2)
		return result(mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0);
	if (!strcmp(argv[1], "mlockall-big") && argc == 2) {
		size_t n = 64 << 20;
		char *p = malloc(n);

		if (!p)
			return result(0);
		memset(p, 1, n);
		return result(mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0);
	}
	if (!strcmp(argv[1], "adj") && argc == 3)
		return write_file("/proc/self/oom_score_adj", argv[2]);
	if (!strcmp(argv[1], "nice") && argc == 3)
		return result(setpriority(PRIO_PROCESS, 0, atoi(argv[2])) == 0);
	if (!strcmp(argv[1], "write") && argc == 4)
		return write_file(argv[2], argv[3]);
	if (!strcmp(argv[1], "kmsg") && argc == 2) {
		int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

		return result(fd >= 0);
	}
	return 2;
}
