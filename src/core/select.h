/* select.h - select_bad_process(), the one chooser of a victim, as
 * mm/oom_kill.c decides it:
 *  - oom_select(): the kernel's selection loop over any task list in any
 *    era (explain runs it over a report's printed table);
 *  - select_bad_process(): that loop over a snapshot with the running
 *    kernel's oom_badness() (5.9+), globally or in a memory cgroup subtree,
 *    optionally through a policy's tiers (policy.h) that decide which tasks
 *    take part, never their points.
 * Pure: no I/O. */
#ifndef OOMKIT_SELECT_H
#define OOMKIT_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "badness.h"
#include "oom_control.h"
#include "policy.h"
#include "proc.h"

/* Why a task can never be chosen, as mm/oom_kill.c decides it; NULL if killable. */
const char *oom_unkillable_reason(const struct task_info *t);

/* oom_badness() of one snapshot task in pages for oc->totalpages and
 * oc->page_size, exactly as the kernel: OOM_BADNESS_UNKILLABLE for what the
 * kernel refuses (init, kthread, no mm, adj -1000, in vfork), not for
 * oomkit itself (its score stays the kernel's). */
long task_badness(const struct task_info *t, const struct oom_control *oc);

/* Is t inside the cgroup subtree `memcg` (kernel-style path)? */
bool task_in_memcg(const struct task_info *t, const char *memcg);

/* Is a after b in the kernel's task list (creation order)? (start_time,
 * pid) stands for that order. */
bool task_list_later(const struct task_info *a, const struct task_info *b);

/* A task list as the kernel's selection loop walks it. */
struct oom_task_list {
	size_t nr;
	enum oom_era era;            /* its tie rule: 4.17+ the last of equals wins, before the first */
	const void *ctx;
	/* points of task i, OOM_BADNESS_UNKILLABLE when it is no candidate */
	long (*points)(const void *ctx, size_t i);
	/* is task i after task j in the kernel's task list? NULL: index order */
	bool (*later)(const void *ctx, size_t i, size_t j);
};

/* The kernel's choice among l's tasks: its index, or -1 when none is a
 * candidate. *chosen_points gets its points (OOM_BADNESS_UNKILLABLE for
 * none), *nr_candidates how many tasks were candidates (may be NULL). */
long oom_select(const struct oom_task_list *l, long *chosen_points, size_t *nr_candidates);

/* Chooses oc->chosen among snap's tasks (restricted to oc->memcg when
 * oc->constraint == CONSTRAINT_MEMCG), highest points, kernel tie rule.
 * oc->totalpages and oc->page_size must be set.
 * With a policy p (NULL: none), the first tier with a candidate wins
 * (prefer, normal, avoid; ignored and protected tasks never take part) and
 * within it the kernel's points decide; with SELF_RAISED_IGNORE,
 * self-raised tasks are scored with oom_score_adj 0 and their real value is
 * put back before returning. *tier (may be NULL) tells which tier won
 * (POLICY_TIER_NORMAL without a policy, POLICY_TIER_NONE for no victim).
 * Returns 0, -ESRCH (nothing killable) or -ENOMEM. */
int select_bad_process(struct oom_control *oc, struct proc_snapshot *snap, struct policy *p,
		       enum policy_tier *tier);

#endif
