/* select.c - oom_badness() of snapshot tasks and select_bad_process(), as
 * mm/oom_kill.c of kernels >= 5.9 decides them (see select.h). */
#include "select.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* oom_unkillable_task() plus what oom_badness() refuses: no mm (kernel
 * threads, zombies, exiting), or a vfork child sharing its parent's mm. */
static const char *kernel_unkillable_reason(const struct task_info *t)
{
	if (t->pid == 1)
		return "init";
	if (t->kthread)
		return "kernel thread";
	if (!t->has_mm)
		return t->state == 'Z' ? "zombie" : "no mm";
	if (t->oom_score_adj == -1000)
		return "oom_score_adj -1000";
	if (t->in_vfork)
		return "in vfork";
	return NULL;
}

const char *oom_unkillable_reason(const struct task_info *t)
{
	const char *why = kernel_unkillable_reason(t);

	if (why)
		return why;
	/* The kernel would pick us; a user-space killer killing itself frees
	 * little and stops all protection. */
	if (t->pid == getpid())
		return "oomkit itself";
	return NULL;
}

long task_badness(const struct task_info *t, const struct oom_control *oc)
{
	unsigned long kb_per_page = oc->page_size >= 1024 ? oc->page_size / 1024 : 4;
	struct oom_badness_task b = {
		/* rss as oom_badness() reads it (see proc.h); the kB figures are
		 * the kernel's page counters << (PAGE_SHIFT - 10): exact */
		.rss_pages = t->has_mm ? t->rss_pages : 0,
		.swap_pages = t->swap_kb / kb_per_page,
		.pgtables_pages = t->pgtables_kb / kb_per_page,
		.oom_score_adj = t->oom_score_adj,
		.unkillable = kernel_unkillable_reason(t) != NULL,
	};

	return oom_badness(&b, oc->totalpages, OOM_ERA_5_9);
}

bool task_in_memcg(const struct task_info *t, const char *memcg)
{
	size_t k = strlen(memcg);

	while (k > 0 && memcg[k - 1] == '/')
		k--;
	if (k == 0)
		return true; /* the root cgroup holds every task */
	return !strncmp(t->memcg, memcg, k) && (t->memcg[k] == '\0' || t->memcg[k] == '/');
}

/* The kernel walks its task list in creation order and, since 5.9, lets the
 * last of equal points win; (start_time, pid) stands for that order. */
static bool later_in_task_list(const struct task_info *a, const struct task_info *b)
{
	if (a->start_time != b->start_time)
		return a->start_time > b->start_time;
	return a->pid > b->pid;
}

static bool oom_evaluate_task(struct oom_control *oc, const struct task_info *t, long points)
{
	if (!oom_better_candidate(points, oc->chosen_points, oc->chosen != NULL, OOM_ERA_5_9))
		return false;
	return !oc->chosen || points > oc->chosen_points || later_in_task_list(t, oc->chosen);
}

int select_bad_process(struct oom_control *oc, const struct proc_snapshot *snap,
		       oom_task_filter filter, void *filter_arg)
{
	oc->chosen = NULL;
	oc->chosen_points = OOM_BADNESS_UNKILLABLE;
	oc->nr_candidates = 0;
	for (size_t i = 0; i < snap->nr; i++) {
		const struct task_info *t = &snap->tasks[i];
		long points;

		if (oc->constraint == CONSTRAINT_MEMCG && !task_in_memcg(t, oc->memcg))
			continue;
		if (oom_unkillable_reason(t) || (filter && !filter(t, filter_arg)))
			continue;
		points = task_badness(t, oc);
		if (points == OOM_BADNESS_UNKILLABLE)
			continue;
		oc->nr_candidates++;
		if (oom_evaluate_task(oc, t, points)) {
			oc->chosen = t;
			oc->chosen_points = points;
		}
	}
	return oc->chosen ? 0 : -ESRCH;
}
