/* select.h - select_bad_process(): score every task of a snapshot with
 * oom_badness() (running kernel's era) and choose the victim, globally or
 * restricted to a memory cgroup subtree. Pure: no I/O. */
#ifndef OOMKIT_SELECT_H
#define OOMKIT_SELECT_H

#include <stdbool.h>

#include "oom_control.h"
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

/* Chooses oc->chosen among snap's tasks (restricted to oc->memcg when
 * oc->constraint == CONSTRAINT_MEMCG), highest points, kernel tie rule
 * (5.9+: of equal points the task later in the kernel's task list, i.e.
 * created later, wins). oc->totalpages and oc->page_size must be set.
 * The optional filter lets a policy layer veto tasks without touching the
 * formula: it returns true when t may be chosen. Unkillable tasks
 * (oom_unkillable_reason) never reach it. Returns 0, or -ESRCH when
 * nothing is killable. */
typedef bool (*oom_task_filter)(const struct task_info *t, void *arg);
int select_bad_process(struct oom_control *oc, const struct proc_snapshot *snap,
		       oom_task_filter filter, void *filter_arg);

#endif
