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
#include "daemon_log.h"
#include "core/json.h"
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

	int err[2];

	if (h->pid)
		return -EBUSY;
	if (pipe2(err, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	build_env(f, envp);
	snprintf(arg_pid, sizeof(arg_pid), "%d", f->victim->pid);
	argv[0] = (char *)path;
	argv[1] = (char *)f->event;
	argv[2] = arg_pid;
	argv[3] = (char *)f->victim->comm;
	argv[4] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
	/* the daemon blocks its signals for signalfd: the hook must not inherit that */
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	r = posix_spawn(&pid, path, &fa, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(err[1]);
	if (r) {
		close(err[0]);
		return -r;
	}
	h->pid = pid;
	h->pidfd = sys_pidfd_open(pid);
	h->err_fd = err[0];
	h->err_len = 0;
	h->timeout_ms = timeout_ms;
	h->deadline_ns = now_ns() + timeout_ms * 1000000ULL;
	h->event = f->event;
	snprintf(h->path, sizeof(h->path), "%s", path);
	return 0;
}

/* Reads what the hook wrote to stderr so far (never blocks; a chatty hook
 * must not stall on a full pipe), keeping the first HOOK_STDERR_MAX - 1. */
static void drain_stderr(struct hook_run *h)
{
	char scratch[512];

	for (;;) {
		size_t room = sizeof(h->err) - 1 - h->err_len;
		ssize_t n = room ? read(h->err_fd, h->err + h->err_len, room) :
				   read(h->err_fd, scratch, sizeof(scratch));

		if (n <= 0)
			return;
		if (room)
			h->err_len += (size_t)n;
	}
}

/* stderr's lines, control bytes escaped, joined by " / ". */
static void join_lines(const char *err, size_t len, char *out, size_t size)
{
	char line[HOOK_STDERR_MAX];
	const char *p = err, *end = err + len;
	size_t o = 0;

	out[0] = '\0';
	while (p < end && o + 4 < size) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		memcpy(line, p, n);
		line[n] = '\0';
		p += n + 1;
		if (!n)
			continue;
		if (o) {
			memcpy(out + o, " / ", 4);
			o += 3;
		}
		text_escape(line, out + o, size - o);
		o += strlen(out + o);
	}
}

/* One log line for a hook that failed: how it ended, and its stderr. */
static void log_failure(const struct hook_run *h, int status)
{
	char how[64], text[HOOK_STDERR_MAX * 4 + 1];

	if (status == 0)
		return;
	if (status == -1)
		snprintf(how, sizeof(how), "killed after its timeout of %llu ms", (unsigned long long)h->timeout_ms);
	else if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "killed by signal %s", sigabbrev_np(WTERMSIG(status)) ?: "?");
	else
		snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(status));
	join_lines(h->err, h->err_len, text, sizeof(text));
	dlog(DLOG_WARNING, "%s hook %s %s%s%s", h->event, h->path, how, text[0] ? ": " : "", text);
}

bool hook_poll(struct hook_run *h, uint64_t now, int *status)
{
	pid_t r;

	if (!h->pid)
		return false;
	drain_stderr(h);
	r = waitpid(h->pid, status, WNOHANG);
	if (r == 0 && now < h->deadline_ns)
		return false;
	if (r == 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
		*status = -1;
	}
	drain_stderr(h);
	log_failure(h, *status);
	close(h->err_fd);
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
