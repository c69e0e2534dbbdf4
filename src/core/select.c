/* select.c - oom_badness() of snapshot tasks and select_bad_process(), the
 * one chooser, with the policy tiers on top (see select.h). */
#include "select.h"

#include <errno.h>
#include <stdlib.h>
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
bool task_list_later(const struct task_info *a, const struct task_info *b)
{
	if (a->start_time != b->start_time)
		return a->start_time > b->start_time;
	return a->pid > b->pid;
}

/* oom_evaluate_task(): does task i, with pts, replace the current choice?
 * Of equal points the era's rule decides by task-list order. */
static bool replaces(const struct oom_task_list *l, size_t i, long pts, long chosen, long best)
{
	bool better = oom_better_candidate(pts, best, chosen >= 0, l->era);

	if (chosen < 0 || pts != best)
		return better;
	return better == (!l->later || l->later(l->ctx, i, (size_t)chosen));
}

long oom_select(const struct oom_task_list *l, long *chosen_points, size_t *nr_candidates)
{
	long chosen = -1, best = OOM_BADNESS_UNKILLABLE;
	size_t n = 0;

	for (size_t i = 0; i < l->nr; i++) {
		long pts = l->points(l->ctx, i);

		if (pts == OOM_BADNESS_UNKILLABLE)
			continue;
		n++;
		if (replaces(l, i, pts, chosen, best)) {
			chosen = (long)i;
			best = pts;
		}
	}
	*chosen_points = best;
	if (nr_candidates)
		*nr_candidates = n;
	return chosen;
}

/* One selection round over a snapshot: the scope, the kernel's refusals,
 * and the policy tier competing in this round. */
struct snap_round {
	const struct oom_control *oc;
	const struct proc_snapshot *snap;
	const struct policy *p;
	enum policy_tier tier;
};

static long snap_points(const void *ctx, size_t i)
{
	const struct snap_round *r = ctx;
	const struct task_info *t = &r->snap->tasks[i];

	if (r->oc->constraint == CONSTRAINT_MEMCG && !task_in_memcg(t, r->oc->memcg))
		return OOM_BADNESS_UNKILLABLE;
	if (oom_unkillable_reason(t) || (r->p && policy_tier_of(r->p, t) != r->tier))
		return OOM_BADNESS_UNKILLABLE;
	return task_badness(t, r->oc);
}

static bool snap_later(const void *ctx, size_t i, size_t j)
{
	const struct snap_round *r = ctx;

	return task_list_later(&r->snap->tasks[i], &r->snap->tasks[j]);
}

static int select_round(struct oom_control *oc, const struct snap_round *r)
{
	struct oom_task_list l = { .nr = r->snap->nr, .era = OOM_ERA_5_9, .ctx = r,
				   .points = snap_points, .later = snap_later };
	long i = oom_select(&l, &oc->chosen_points, &oc->nr_candidates);

	oc->chosen = i >= 0 ? &r->snap->tasks[i] : NULL;
	return oc->chosen ? 0 : -ESRCH;
}

/* SELF_RAISED_IGNORE: score self-raised tasks with adj 0. Every decision
 * is taken on the untouched snapshot first (a parent's value must be its
 * real one), then applied; the real values are put back after selection. */
static int neutralise_self_raised(struct policy *p, struct proc_snapshot *snap)
{
	if (p->saved_cap < snap->nr) {
		struct policy_saved_adj *n = realloc(p->saved, snap->nr * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->saved = n;
		p->saved_cap = snap->nr;
	}
	for (size_t i = 0; i < snap->nr; i++) {
		p->saved[i].adj = snap->tasks[i].oom_score_adj;
		p->saved[i].neutralised = policy_self_raised_adj(&snap->tasks[i], snap);
	}
	for (size_t i = 0; i < snap->nr; i++)
		if (p->saved[i].neutralised)
			snap->tasks[i].oom_score_adj = 0;
	return 0;
}

static void restore_adj(const struct policy *p, struct proc_snapshot *snap)
{
	for (size_t i = 0; i < snap->nr; i++)
		snap->tasks[i].oom_score_adj = p->saved[i].adj;
}

int select_bad_process(struct oom_control *oc, struct proc_snapshot *snap, struct policy *p,
		       enum policy_tier *tier)
{
	struct snap_round r = { .oc = oc, .snap = snap, .p = p,
				.tier = p ? POLICY_TIER_PREFER : POLICY_TIER_NORMAL };
	bool neutral = p && p->self_raised == SELF_RAISED_IGNORE;
	int rc;

	if (neutral) {
		rc = neutralise_self_raised(p, snap);
		if (rc < 0)
			return rc;
	}
	while ((rc = select_round(oc, &r)) == -ESRCH && p && r.tier + 1 < POLICY_TIER_NONE)
		r.tier++;
	if (neutral)
		restore_adj(p, snap);
	if (tier)
		*tier = rc == 0 ? r.tier : POLICY_TIER_NONE;
	return rc;
}
