/* kill.h - oom_kill_process(): the race-free user-space OOM kill and the
 * user-space oom_reaper.
 *
 * pidfd_open(victim) -> re-read /proc/PID/stat AFTER it and compare the start
 * time with the snapshot's (a reused pid is refused) -> find the processes
 * sharing the victim's mm (kcmp KCMP_VM) and, with --unit, the rest of its
 * process group or cgroup -> signal each through its own pidfd ->
 * process_mrelease() after SIGKILL -> poll the pidfds for exit with a
 * bounded timeout, timing each step and measuring the memory that came back.
 *
 * Never pid 1, kernel threads, oomkit itself, oom_score_adj -1000 tasks or
 * protected tasks. No allocation on this path: struct kill_ctx carries every
 * buffer, sized once by kill_ctx_new() (the daemon calls this when memory is
 * gone). */
#ifndef OOMKIT_KILL_H
#define OOMKIT_KILL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/oom_control.h"
#include "core/policy.h"
#include "core/proc.h"

#define KILL_CGROUP_ROUNDS 16  /* cgroup mode: re-scans until the cgroup is empty */
#define KILL_BATCH 4096        /* a stopped bomb's copies held by pidfd before their signals */

struct kill_ctx {
	/* configuration */
	char proc_root[64];
	pid_t self_pid;
	enum kill_unit unit;
	int timeout_ms;
	bool reap;                  /* process_mrelease() after SIGKILL */
	const struct policy *policy;/* protect list for sharers/members; may be NULL */
	char cgroup_root[PATH_MAX]; /* mount the victim's memcg path is relative to */
	bool cgroup_v2;             /* ... is cgroup2 (cgroup.kill may exist) */
	int test_pause;             /* OOMKIT_TEST_PAUSE, see doc/kill.md */
	unsigned long long snapshot_tick; /* kill_ctx_snapshot_begins() */

	/* memory measurement: a memcg usage file, else /proc/meminfo */
	int meminfo_fd, usage_fd;
	uint64_t limit_bytes;

	/* preallocated working space */
	int proc_fd;
	char dents[32768] __attribute__((aligned(8))); /* struct dirent64 records */
	char text[8192];

	/* the episode under way */
	int sig;
	bool dry_run;
	pid_t bomb_pgid;            /* a fork bomb's process group (struct swarm): stopped, judged, killed
	                             * at once when clean, continued (kill_pgroup.c); 0: none */
	pid_t stopped_pgid;         /* the group stopped and not yet continued; 0: none */
	int batch[KILL_BATCH];      /* pidfds of its copies beyond members[], signalled together */
	pid_t batch_pid[KILL_BATCH]; /* their pids, so that a later pass holds each once */
	size_t nr_batch;

	/* the account of the last oom_kill_process(); oc->kill points here */
	struct oom_kill_result res;

	/* the daemon's staged kill: the victim pinned across the episode */
	int held_pidfd;             /* -1 when none */
};

enum { KILL_PAUSE_NONE, KILL_PAUSE_BEFORE_PIDFD, KILL_PAUSE_BEFORE_VERIFY };

/* Allocates and opens everything (not on the kill path). NULL on ENOMEM,
 * or when proc_root cannot be opened (errno set). */
struct kill_ctx *kill_ctx_new(const char *proc_root);
void kill_ctx_free(struct kill_ctx *k);

/* Measure a memory cgroup's headroom (limit - usage) instead of
 * MemAvailable: usage_file is memory.usage_in_bytes (v1) or memory.current. */
int kill_ctx_measure_memcg(struct kill_ctx *k, const char *dir, bool v2, uint64_t limit_bytes);

/* find_lock_task_mm() for a snapshot task: a zombie leader whose threads
 * live on has no mm of its own in /proc, but the kernel scores and kills it
 * through a live thread. Fills t's memory fields and memcg from such a
 * thread and sets has_mm; buf is getdents space (no allocation). 0 or -ESRCH. */
int task_find_mm(const char *proc_root, struct task_info *t, char *buf, size_t size);

/* Call right before taking the snapshot the victim will come from. The
 * start time in /proc/PID/stat has USER_HZ (10 ms) resolution: a process
 * that reused the victim's pid in the very tick the victim started would
 * carry the same start time. That can only happen when the victim started
 * in the tick the scan began (it was alive when scanned; its successor
 * started later), so oom_kill_process() refuses such a victim
 * (KILL_TOO_YOUNG, -ESTALE) and leaves it to the next episode. Without
 * this call the current tick is used, which only covers a reuse within the
 * tick of the kill itself. */
void kill_ctx_snapshot_begins(struct kill_ctx *k);

/* A fork bomb as found by kill_find_swarm(): the name most young
 * processes share, its process group (stopped with one kill(-pgid,
 * SIGSTOP) before the kill, see k->bomb_pgid), and whether that group can
 * be killed at once (kill(-pgid, SIGKILL)). Both signals are atomic
 * against the forks racing with them. */
struct swarm {
	char comm[TASK_COMM_MAX];
	size_t nr_young;        /* young processes with that name */
	pid_t pgid;             /* their process group (0: several, none, init's or ours) */
	size_t nr_pgroup;       /* processes in it */
	bool pgroup_clean;      /* may be killed at once: see kill_find_swarm() */
	pid_t biggest;          /* the namesake with the most RSS (the report's victim) */
	unsigned long biggest_rss_pages;
};

/* Finds the swarm among processes started at or after since_tick and
 * forked by a namesake (or orphaned to init): a compiler forked by make or
 * gcc is no copy. Its victim (biggest) is the biggest copy that may be
 * killed. Its group is clean (one kill(-pgid) may take it) only when every
 * live member is a copy (same name, uid and memory cgroup) that may be
 * killed and is not ignored by k->policy, and when it is neither init's
 * group nor ours; the kill checks it again right before the signal. Two
 * reads of each /proc/PID/stat (and of young ones' parents), a full read
 * of the group's members; no allocation. 0 with *s filled when nr_young
 * >= min, else -ESRCH with s->comm and s->nr_young the most common young
 * name and its count (what fell short). */
int kill_find_swarm(struct kill_ctx *k, unsigned long long since_tick, size_t min, struct swarm *s);

/* Now, in stat's start time unit. */
unsigned long long kill_boot_tick(void);

/* Why a task may never be signalled by oomkit; NULL if it may. */
const char *kill_refuse_reason(const struct kill_ctx *k, const struct task_info *t);

/* Kills oc->chosen (oc->kill_signal; nothing with oc->dry_run) and its
 * sharers/unit, reaps, waits, measures; fills oc and k->res (oc->kill).
 * Returns 0 (KILL_OK / KILL_DRY_RUN) or a negative errno: -ESRCH victim
 * gone, -ESTALE pid reused, -EPERM refused, -ETIMEDOUT, or the signal's
 * error. */
int oom_kill_process(struct oom_control *oc, struct kill_ctx *k);

/* The daemon's staged kill, whose waits (a pre_kill hook, the SIGTERM
 * grace) are its poll loop's, not a blocking one. kill_victim_hold() pins
 * oc->chosen with a pidfd after the checks oom_kill_process() makes (too
 * young, start time, refusal rules); kill_victim_term() makes them afresh
 * through that pidfd and sends SIGTERM to the victim alone. Both return
 * oom_kill_process()'s errors and fill k->res (oc->kill). The SIGKILL
 * stage is oom_kill_process(); the held pidfd tells when the victim is
 * gone (kill_victim_exited(), kill_victim_pidfd() for poll). */
int kill_victim_hold(struct kill_ctx *k, struct oom_control *oc);
int kill_victim_term(struct kill_ctx *k, struct oom_control *oc);
bool kill_victim_exited(const struct kill_ctx *k);
int kill_victim_pidfd(const struct kill_ctx *k);
void kill_victim_release(struct kill_ctx *k);

#endif
