/* daemon_victim.h - the daemon's view of one victim and the allocation-free
 * scan that chooses it: kernel-like badness in the episode's scope (whole
 * machine or one memory cgroup subtree), the prefer/avoid/ignore policy as
 * tiers (never as score arithmetic), the invoker as the task that grew
 * fastest since the previous scan, and the pidfd primitives of a staged
 * kill (SIGTERM, then SIGKILL + process_mrelease). */
#ifndef OOMKIT_DAEMON_VICTIM_H
#define OOMKIT_DAEMON_VICTIM_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc.h"

struct victim {
	pid_t pid;
	unsigned long long start_time;
	char comm[TASK_COMM_MAX];
	uid_t uid;
	int oom_score_adj;
	unsigned long rss_kb;
	unsigned long growth_kb;       /* since the previous scan (invoker) */
	long points;                   /* oom_badness() in pages */
	char memcg[TASK_CGROUP_MAX];
	int pidfd;                     /* -1 when not open */
	/* read for the chosen one only, for the report (victim_read_details) */
	unsigned long total_vm_kb, rss_anon_kb, rss_file_kb, rss_shmem_kb, pgtables_kb, swap_kb;
};

/* RSS of every pid at the previous scan, to name the fastest grower.
 * Fixed size, allocated once: a pid collision only loses one growth figure. */
#define GROWTH_SLOTS (1u << 17)
struct growth_slot {
	pid_t pid;
	uint32_t rss_pages;
};

struct victim_policy {
	regex_t prefer, avoid, ignore;
	bool has_prefer, has_avoid, has_ignore;
	bool ignore_root_user;
};

struct victim_scan {
	const char *proc_root;
	const char *memcg;             /* kernel-style path of the scope, NULL: whole machine */
	const char *memcg_dir;         /* its directory: the scan walks its cgroup.procs
					* (and its descendants') instead of all of /proc */
	unsigned long totalpages;
	const struct victim_policy *policy;
	struct growth_slot *growth;    /* GROWTH_SLOTS entries, or NULL */
	pid_t self;
};

struct victim_scan_result {
	struct victim chosen;
	struct victim invoker;
	size_t nr_tasks, nr_candidates;
};

/* Compiles the policy's patterns (non-empty ones). 0 or -EINVAL. */
int victim_policy_init(struct victim_policy *p, const char *prefer, const char *avoid,
		       const char *ignore, bool ignore_root_user);
void victim_policy_free(struct victim_policy *p);

/* Scans proc_root and chooses. 0, -ESRCH when nothing is killable, or
 * -errno when proc_root is unreadable. */
int victim_select(const struct victim_scan *s, struct victim_scan_result *r);

/* Fills the report's memory figures from /proc/PID/status. */
int victim_read_details(const char *proc_root, struct victim *v);

/* Opens a pidfd and checks the start time still matches (PID reuse). */
int victim_open(const char *proc_root, struct victim *v);
int victim_signal(struct victim *v, int sig);
/* process_mrelease(): only meaningful after SIGKILL. */
int victim_reap(struct victim *v);
/* Has the victim exited (pidfd readable)? */
bool victim_exited(const struct victim *v);
void victim_close(struct victim *v);

/* The kernel-style memory cgroup path of pid ("" when unknown). */
int task_memcg_path(const char *proc_root, pid_t pid, char *out, size_t size);
/* Is path inside the subtree scope ("/a" holds "/a" and "/a/b")? */
bool memcg_in_subtree(const char *path, const char *scope);

#endif
