/* kill_record.h - a self-contained copy of what one kill was, for everyone
 * told about it after the fact (metrics, D-Bus, desktop notifications, the
 * status file). oom_control points into a snapshot the next scan reuses;
 * this struct owns its text, so a publisher thread can take its time. */
#ifndef OOMKIT_KILL_RECORD_H
#define OOMKIT_KILL_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "k8s.h"
#include "oom_control.h"
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

/* Fills r from an episode after oom_kill_process(): the chosen task, the
 * trigger and the timings. unit may be NULL ("process"). now_unix is the
 * wall-clock time to stamp (the caller's clock: testable). */
void kill_record_from_oc(struct kill_record *r, const struct oom_control *oc, const char *unit,
			 double now_unix);

/* rss + swap in bytes: "victim size" in metrics and notifications. */
uint64_t kill_record_victim_bytes(const struct kill_record *r);

#endif
