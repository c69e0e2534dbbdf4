/* hook.c - see hook.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hook.h"
#include "core/pidfd.h"
#include "core/util.h"

#define HOOK_ENV_MAX 16

/* Static: the kill path does not allocate; one hook starts at a time. */
static char env_buf[HOOK_ENV_MAX][TASK_CGROUP_MAX + 64];
static char arg_pid[24];

static void env_set(size_t i, const char *name, const char *fmt_value)
{
	snprintf(env_buf[i], sizeof(env_buf[i]), "%s=%s", name, fmt_value);
}

static size_t build_env(const struct hook_facts *f, char **envp)
{
	const struct task_info *v = f->victim;
	char num[4][24];
	size_t n = 0;

	snprintf(num[0], sizeof(num[0]), "%d", v->pid);
	snprintf(num[1], sizeof(num[1]), "%u", (unsigned int)v->uid);
	snprintf(num[2], sizeof(num[2]), "%lu", task_rss_kb(v));
	snprintf(num[3], sizeof(num[3]), "%d", v->oom_score_adj);
	env_set(n++, "OOMKIT_EVENT", f->event);
	env_set(n++, "OOMKIT_PID", num[0]);
	env_set(n++, "OOMKIT_COMM", v->comm);
	env_set(n++, "OOMKIT_UID", num[1]);
	env_set(n++, "OOMKIT_RSS_KB", num[2]);
	env_set(n++, "OOMKIT_OOM_SCORE_ADJ", num[3]);
	env_set(n++, "OOMKIT_CGROUP", v->memcg);
	env_set(n++, "OOMKIT_TRIGGER", f->trigger);
	env_set(n++, "OOMKIT_SIGNAL", f->signal == SIGKILL ? "SIGKILL" : "SIGTERM");
	env_set(n++, "OOMKIT_DRY_RUN", f->dry_run ? "1" : "0");
	env_set(n++, "EARLYOOM_PID", num[0]);
	env_set(n++, "EARLYOOM_UID", num[1]);
	env_set(n++, "EARLYOOM_NAME", v->comm);
	env_set(n++, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (size_t i = 0; i < n; i++)
		envp[i] = env_buf[i];
	envp[n] = NULL;
	return n;
}

int hook_start(struct hook_run *h, const char *path, const struct hook_facts *f, uint64_t timeout_ms)
{
	char *envp[HOOK_ENV_MAX + 1];
	char *argv[5];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;
	int r;

	if (h->pid)
		return -EBUSY;
	build_env(f, envp);
	snprintf(arg_pid, sizeof(arg_pid), "%d", f->victim->pid);
	argv[0] = (char *)path;
	argv[1] = (char *)f->event;
	argv[2] = arg_pid;
	argv[3] = (char *)f->victim->comm;
	argv[4] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	/* the daemon blocks its signals for signalfd: the hook must not inherit that */
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	r = posix_spawn(&pid, path, &fa, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		return -r;
	h->pid = pid;
	h->pidfd = sys_pidfd_open(pid);
	h->deadline_ns = now_ns() + timeout_ms * 1000000ULL;
	h->event = f->event;
	return 0;
}

bool hook_poll(struct hook_run *h, uint64_t now, int *status)
{
	pid_t r;

	if (!h->pid)
		return false;
	r = waitpid(h->pid, status, WNOHANG);
	if (r == 0 && now < h->deadline_ns)
		return false;
	if (r == 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
		*status = -1;
	}
	if (h->pidfd >= 0)
		close(h->pidfd);
	h->pid = 0;
	h->pidfd = -1;
	return true;
}

void hook_abort(struct hook_run *h)
{
	int status;

	if (!h->pid)
		return;
	h->deadline_ns = 0;
	hook_poll(h, 1, &status);
}
