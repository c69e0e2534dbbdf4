/* hook.h - hooks run before and after a kill: the program is executed
 * directly (posix_spawn, never through a shell), the victim's facts are
 * passed as arguments and environment variables, never interpolated into
 * a command string, and a hook that outlives its timeout is SIGKILLed.
 * A hook runs asynchronously: the daemon polls its pidfd. */
#ifndef OOMKIT_HOOK_H
#define OOMKIT_HOOK_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/proc.h"

/* What a hook writes to stderr is kept up to this much, for the log line
 * that tells its failure (the rest is read and dropped). */
#define HOOK_STDERR_MAX 512

struct hook_run {
	pid_t pid;         /* 0 when idle; the fields below are valid while not */
	int pidfd;
	int err_fd;        /* read end of the hook's stderr pipe */
	uint64_t deadline_ns, timeout_ms;
	const char *event; /* "pre_kill" or "post_kill" */
	char path[PATH_MAX];
	char err[HOOK_STDERR_MAX];
	size_t err_len;
};

struct hook_facts {
	const char *event;
	const struct task_info *victim;
	const char *trigger;
	int signal;
	bool dry_run;
};

/* Starts path with argv {path, event, pid, comm} and environment
 * OOMKIT_EVENT, OOMKIT_PID, OOMKIT_COMM, OOMKIT_UID, OOMKIT_RSS_KB,
 * OOMKIT_OOM_SCORE_ADJ, OOMKIT_CGROUP, OOMKIT_TRIGGER, OOMKIT_SIGNAL,
 * OOMKIT_DRY_RUN, plus earlyoom's EARLYOOM_PID, EARLYOOM_UID,
 * EARLYOOM_NAME. 0 or -errno. */
int hook_start(struct hook_run *h, const char *path, const struct hook_facts *f, uint64_t timeout_ms);

/* Has the hook ended (then its status is collected)? Kills it when past its
 * deadline. *status gets the wait status, or -1 when it was killed. A hook
 * that failed (non-zero exit, a signal, its timeout) is logged with what it
 * wrote to stderr: inside the unit's sandbox a hook may fail where it
 * worked from a shell (doc/daemon.md). */
bool hook_poll(struct hook_run *h, uint64_t now, int *status);

/* Kills and collects a running hook (on exit). */
void hook_abort(struct hook_run *h);

#endif
