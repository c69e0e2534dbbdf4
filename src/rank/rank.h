/* rank.h - the ranking behind `oomkit rank`: every task of a snapshot with
 * its kernel badness, /proc-scale score and unkillable reason, sorted as
 * the OOM killer would prefer them, the next victim first, in the scene
 * of a global or a memory-cgroup OOM. */
#ifndef OOMKIT_RANK_H
#define OOMKIT_RANK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/cgroup.h"
#include "core/oom_control.h"
#include "core/proc.h"

struct rank_row {
	const struct task_info *t;
	long points;              /* OOM_BADNESS_UNKILLABLE for the kernel's unkillable */
	unsigned long score;      /* oomkit's own value on the /proc/PID/oom_score scale */
	unsigned long mem_pages;  /* rss + swap + pgtables: what the kernel counts */
	const char *unkillable;   /* oom_unkillable_reason(), NULL if killable */
	bool victim;
};

struct rank {
	struct rank_row *rows;    /* ranked: killable by points (kernel tie rule), then the rest by size */
	size_t nr;                /* tasks in scope (all, or the cgroup subtree) */
	size_t nr_killable;       /* among the rows */
	size_t nr_scanned;        /* processes in scope seen by the scan (>= nr) */
	const char *scanner;      /* proc_scanner_method() */
	const struct rank_row *victim; /* NULL when nothing is killable */
};

/* The scene of the OOM to rank for (core's constrained_alloc()): global
 * when cgroup is NULL, else an OOM of that memory cgroup (a directory, or a
 * path below the memory controller's root found in proc_root's mounts).
 * 0 or -errno (-ENOTDIR: not a memory cgroup). */
int rank_scene(struct oom_control *oc, const char *proc_root, const char *cgroup, const struct meminfo *mi,
	       unsigned long page_size);

/* Ranks snap's tasks for oc (restricted to oc->memcg for CONSTRAINT_MEMCG);
 * fills oc->chosen through core's select_bad_process(). 0 or -ENOMEM. */
int rank_build(struct rank *r, struct oom_control *oc, struct proc_snapshot *snap);
void rank_free(struct rank *r);

/* The kernel's dump_tasks order (task-list order, approximated by start
 * time then pid): rows sorted in place. */
void rank_sort_task_list(struct rank *r);

#endif
