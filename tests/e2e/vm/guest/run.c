/* run: starts one pressure process and reports how it ended.
 *
 *   run [-a ADJ] [-t SECONDS] [-p PIDFILE] [-l LABEL] [-c CGROUP] [-g] CMD [ARG...]
 *
 * The child gets oom_score_adj ADJ (default 0); run itself takes -1000 so
 * that only the process under test can be chosen. Prints
 *   @@RUN label=L pid=P uptime=U
 *   @@END label=L pid=P signal=N|exit=N|timeout secs=S uptime=U
 * secs is the time from the start to the end of the child (the time to the
 * kill when it was killed). After SECONDS (default 60) the child is
 * SIGKILLed by run and reported as "timeout". Exit status: 124 after a
 * timeout, 128+N when the child died of signal N, else the child's. With -c CGROUP (a cgroup v2
 * directory) the child runs in that cgroup (run stays outside) and the whole
 * cgroup is killed (cgroup.kill) when the child ends or times out: a fork
 * bomb is stopped without the shell having to fork.
 * With -g the child leads a process group of its own, as a shell with job
 * control starts a command (a fork bomb typed in a terminal). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uptime.h"

static void set_adj(const char *adj)
{
	FILE *f = fopen("/proc/self/oom_score_adj", "w");

	if (f) {
		fputs(adj, f);
		fclose(f);
	}
}

static void on_alarm(int sig) { (void)sig; }

/* Writes text to dir/file (cgroup.procs to join, cgroup.kill to kill). */
static void cgroup_write(const char *dir, const char *file, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	const char *adj = "0", *label = "run", *pidfile = NULL, *cgroup = NULL;
	int timeout_s = 60, opt, status, timed_out = 0, own_pgroup = 0;
	struct sigaction sa = { .sa_handler = on_alarm };
	double t0;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+a:t:p:l:c:g")) != -1) {
		switch (opt) {
		case 'a': adj = optarg; break;
		case 't': timeout_s = atoi(optarg); break;
		case 'p': pidfile = optarg; break;
		case 'l': label = optarg; break;
		case 'c': cgroup = optarg; break;
		case 'g': own_pgroup = 1; break;
		default: return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: run [-a ADJ] [-t SECONDS] [-p PIDFILE] [-l LABEL] [-c CGROUP] [-g] CMD...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	set_adj("-1000");
	t0 = uptime_s();
	pid = fork();
	if (pid == 0) {
		if (own_pgroup)
			setpgid(0, 0);
		if (cgroup)
			cgroup_write(cgroup, "cgroup.procs", "0");
		set_adj(adj);
		execv(argv[optind], argv + optind);
		_exit(127);
	}
	if (pid < 0)
		return 1;
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (f) {
			fprintf(f, "%d\n", (int)pid);
			fclose(f);
		}
	}
	printf("@@RUN label=%s pid=%d uptime=%.3f\n", label, (int)pid, t0);
	sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: waitpid returns EINTR */
	alarm(timeout_s);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return 1;
		timed_out = 1;
		kill(pid, SIGKILL);
	}
	if (timed_out)
		printf("@@END label=%s pid=%d timeout secs=%.3f uptime=%.3f\n", label, (int)pid,
		       uptime_s() - t0, uptime_s());
	else if (WIFSIGNALED(status))
		printf("@@END label=%s pid=%d signal=%d secs=%.3f uptime=%.3f\n", label, (int)pid,
		       WTERMSIG(status), uptime_s() - t0, uptime_s());
	else
		printf("@@END label=%s pid=%d exit=%d secs=%.3f uptime=%.3f\n", label, (int)pid,
		       WEXITSTATUS(status), uptime_s() - t0, uptime_s());
	if (cgroup)
		cgroup_write(cgroup, "cgroup.kill", "1");
	if (timed_out)
		return 124;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
