/* daemon_victim.h - the victim of the daemon's episode and the pidfd
 * primitives of a staged kill: open (pinning the process and checking its
 * start time, so that a reused pid is never signalled), SIGTERM, SIGKILL,
 * process_mrelease() after SIGKILL, and a non-blocking "has it exited?".
 * The episode waits asynchronously (the daemon polls the pidfd), which is
 * why this is not oom_kill_process()'s blocking wait. */
#ifndef OOMKIT_DAEMON_VICTIM_H
#define OOMKIT_DAEMON_VICTIM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/proc.h"

struct victim {
	pid_t pid;
	unsigned long long start_time; /* stat field 22, clock ticks */
	char comm[TASK_COMM_MAX];
	uid_t uid;
	int oom_score_adj;
	unsigned long rss_kb;
	unsigned long growth_kb;       /* since the previous scan (invoker) */
	long points;                   /* oom_badness() in pages */
	char memcg[TASK_CGROUP_MAX];
	int pidfd;                     /* -1 when not open */
	unsigned long total_vm_kb, rss_anon_kb, rss_file_kb, rss_shmem_kb, pgtables_kb, swap_kb;
};

/* RSS of every pid at the previous scan, to name the fastest grower.
 * Fixed size, allocated once: a pid collision only loses one growth figure. */
#define GROWTH_SLOTS (1u << 17)
struct growth_slot {
	pid_t pid;
	uint32_t rss_kb;
};

/* Opens a pidfd and checks the start time still matches (PID reuse):
 * 0, -ESRCH (gone or reused) or -errno. */
int victim_open(const char *proc_root, struct victim *v);
int victim_signal(struct victim *v, int sig);
/* process_mrelease(): only meaningful after SIGKILL. */
int victim_reap(struct victim *v);
/* Has the victim exited (pidfd readable)? */
bool victim_exited(const struct victim *v);
void victim_close(struct victim *v);

#endif
