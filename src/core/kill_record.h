/* kill_record.h - a self-contained copy of what one kill was, for everyone
 * told about it after the fact (metrics, D-Bus, desktop notifications, the
 * status file). oom_control points into a snapshot the next scan reuses;
 * this struct owns its text, so a publisher thread can take its time.
 * The daemon fills it from its episode (daemon_report.c). */
#ifndef OOMKIT_KILL_RECORD_H
#define OOMKIT_KILL_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "k8s.h"
#include "proc.h"

struct kill_record {
	double time_seconds;            /* unix time of the signal */
	pid_t pid;
	uid_t uid;
	char comm[TASK_COMM_MAX];       /* raw bytes: escape before printing */
	char cgroup[TASK_CGROUP_MAX];   /* the victim's memory cgroup */
	char trigger[192];              /* oc->trigger, e.g. "psi full 40% 2s" */
	char unit[16];                  /* process, pgroup, cgroup */
	int signal;
	bool dry_run;
	bool killed, reaped;
	int oom_score_adj;
	unsigned long rss_kb, swap_kb;
	double selection_seconds;       /* < 0: unknown */
	double reclaim_seconds;         /* signal -> exit or reap; < 0: unknown */
	struct k8s_pod k8s;
};

/* rss + swap in bytes: "victim size" in metrics and notifications. */
uint64_t kill_record_victim_bytes(const struct kill_record *r);

#endif
