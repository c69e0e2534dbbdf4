/* oom_control.h - one struct per OOM episode, as mm/oom_kill.c's struct
 * oom_control: select, kill, reap and report fill it in turn; explain fills
 * the same facts from a kernel log. */
#ifndef OOMKIT_OOM_CONTROL_H
#define OOMKIT_OOM_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "badness.h"
#include "proc.h"

enum oom_constraint {
	CONSTRAINT_NONE,
	CONSTRAINT_CPUSET,
	CONSTRAINT_MEMORY_POLICY,
	CONSTRAINT_MEMCG,
};

const char *oom_constraint_name(enum oom_constraint c);

struct oom_invoker {
	pid_t pid;                 /* 0 when unknown */
	char comm[TASK_COMM_MAX];
	int oom_score_adj;
};

struct oom_control {
	/* the scene */
	enum oom_constraint constraint;
	char memcg[TASK_CGROUP_MAX];   /* cgroup path (kernel style) for CONSTRAINT_MEMCG */
	char memcg_dir[4096];          /* its directory on this machine, "" for global */
	unsigned long totalpages;      /* RAM + swap, or the memcg limit (+ swap) */
	unsigned long page_size;
	int order;                     /* -1 for a manual (sysrq-f like) kill */
	char trigger[160];             /* "manual", "memavailable 4.8% < 5%", "psi full 40% 2s" ... */
	struct oom_invoker invoker;

	/* select_bad_process() */
	const struct task_info *chosen; /* points into the snapshot */
	long chosen_points;
	size_t nr_candidates;          /* killable tasks seen */

	/* oom_kill_process() and the reaper */
	bool dry_run;
	int kill_signal;               /* SIGKILL, or SIGTERM for a first stage */
	bool killed;
	bool reaped;                   /* process_mrelease succeeded */
	unsigned int nr_sharers_killed;/* other processes sharing the victim's mm */
	uint64_t t_select_ns, t_signal_ns, t_exit_ns, t_reaped_ns;
	unsigned long avail_before_kb, avail_after_kb; /* MemAvailable or limit - usage */
};

#endif
