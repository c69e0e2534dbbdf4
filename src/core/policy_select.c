/* policy_select.c - select_bad_process() through the policy's tiers (see
 * policy.h): the glue between the pure rules of policy.c and the kernel's
 * selection of select.c. */
#include "policy.h"

#include <errno.h>
#include <stdlib.h>

#include "select.h"

struct tier_filter {
	const struct policy *p;
	enum policy_tier tier;
};

static bool in_tier(const struct task_info *t, void *arg)
{
	const struct tier_filter *f = arg;

	return policy_tier_of(f->p, t) == f->tier;
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

int policy_select_bad_process(struct policy *p, struct oom_control *oc, struct proc_snapshot *snap,
			      enum policy_tier *tier)
{
	struct tier_filter f = { .p = p };
	int rc = -ESRCH;
	bool neutral = p->self_raised == SELF_RAISED_IGNORE;

	if (neutral) {
		rc = neutralise_self_raised(p, snap);
		if (rc < 0)
			return rc;
	}
	for (f.tier = POLICY_TIER_PREFER; f.tier < POLICY_TIER_NONE; f.tier++) {
		rc = select_bad_process(oc, snap, in_tier, &f);
		if (rc != -ESRCH)
			break;
	}
	if (neutral)
		restore_adj(p, snap);
	if (tier)
		*tier = rc == 0 ? f.tier : POLICY_TIER_NONE;
	return rc;
}
