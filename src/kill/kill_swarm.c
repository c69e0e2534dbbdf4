/* kill_swarm.c - the search for a fork bomb (kill_find_swarm(), kill.h):
 * the name most young processes share when forked by a namesake, its
 * process group and whether that group may be killed with one kill(-pgid)
 * (judged again once it is stopped, kill_pgroup.c). Passes over
 * /proc through the kill context's buffers, no allocation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kill_proc.h"
#include "core/util.h"

#define SWARM_SLOTS 8

/* A process group judged for one kill(-pgid): pgid and comm in;
 * clean and nr (members seen) out; uid and memcg of the first live member
 * are the reference the others must match. */
struct pgroup_check {
	pid_t pgid;
	char comm[TASK_COMM_MAX];
	uid_t uid;
	char memcg[TASK_CGROUP_MAX];
	bool have_ref;
	size_t nr;
	bool clean;
};

struct swarm_tally {
	unsigned long long since_tick;
	struct { char comm[TASK_COMM_MAX]; size_t count; pid_t pgid; } slot[SWARM_SLOTS];
};

/* Zombies and dying tasks fork no more (and a killed bomb's copies can
 * wait long for a parent that reaps them). */
static bool live_copy_candidate(const struct task_info *t)
{
	return !t->kthread && t->state != 'Z' && t->state != 'X' && t->rss_pages > 0;
}

/* A fork bomb's copy is forked by a copy (or orphaned to init); a
 * compiler is forked by make or gcc, and a build is no bomb. */
static bool forked_by_namesake(struct kill_ctx *k, const struct task_info *t)
{
	struct task_info parent;

	return t->ppid <= 1 || (kill_read_stat(k, t->ppid, &parent) && !strcmp(parent.comm, t->comm));
}

/* Space-saving count of the young names: a name missing from a full table
 * replaces the rarest one (a bomb's name, hundreds strong, stays). */
static void tally_young(struct kill_ctx *k, pid_t pid, void *arg)
{
	struct swarm_tally *y = arg;
	struct task_info t;
	size_t i, rarest = 0;

	if (!kill_read_stat(k, pid, &t) || !live_copy_candidate(&t) || t.start_time < y->since_tick ||
	    !forked_by_namesake(k, &t))
		return;
	for (i = 0; i < SWARM_SLOTS && y->slot[i].count && strcmp(y->slot[i].comm, t.comm); i++)
		if (y->slot[i].count < y->slot[rarest].count)
			rarest = i;
	if (i == SWARM_SLOTS)
		i = rarest;
	if (!y->slot[i].count || strcmp(y->slot[i].comm, t.comm)) {
		snprintf(y->slot[i].comm, sizeof(y->slot[i].comm), "%s", t.comm);
		y->slot[i].pgid = t.pgid;
	}
	if (y->slot[i].pgid != t.pgid)
		y->slot[i].pgid = 0;
	y->slot[i].count++;
}

unsigned int kill_judge_details(const struct kill_ctx *k)
{
	return PROC_DETAIL_MEMCG | (k->policy ? policy_proc_details(k->policy) : 0);
}

unsigned int kill_read_details(const struct kill_ctx *k)
{
	if (k->bomb_pgid || k->unit == KILL_UNIT_SWARM)
		return kill_judge_details(k);
	return PROC_DETAIL_MEMCG | PROC_DETAIL_CMDLINE | PROC_DETAIL_EXE;
}

const char *kill_copy_spared(const struct kill_ctx *k, const struct task_info *t, const struct task_info *ref)
{
	const char *why = kill_refuse_reason(k, t);

	if (why)
		return why;
	if (k->policy && policy_matches(k->policy, POLICY_IGNORE, t))
		return "ignored";
	if (ref && (strcmp(t->comm, ref->comm) || t->uid != ref->uid || strcmp(t->memcg, ref->memcg)))
		return "not a copy";
	return NULL;
}

bool kill_copy_may_die(const struct kill_ctx *k, const struct task_info *t)
{
	return !kill_copy_spared(k, t, NULL);
}

/* One process seen by a pass over /proc (st: its stat). The group stays
 * clean while every live member is a copy of the reference (name, uid,
 * memory cgroup) that may be killed. */
static void pgroup_check_one(struct kill_ctx *k, struct pgroup_check *g, const struct task_info *st)
{
	struct task_info t;
	int r;

	if (st->pgid != g->pgid)
		return;
	g->nr++;
	if (!g->clean || st->state == 'Z' || st->state == 'X')
		return; /* a signal hurts no zombie */
	if (strcmp(st->comm, g->comm)) {
		g->clean = false;
		return;
	}
	r = task_info_read(k->proc_root, st->pid, kill_judge_details(k), &t);
	if (r == -ESRCH)
		return; /* gone meanwhile */
	if (r < 0 || !kill_copy_may_die(k, &t) || (g->have_ref && (t.uid != g->uid || strcmp(t.memcg, g->memcg)))) {
		g->clean = false;
		return;
	}
	if (!g->have_ref) {
		g->uid = t.uid;
		snprintf(g->memcg, sizeof(g->memcg), "%s", t.memcg);
		g->have_ref = true;
	}
}

bool kill_pgroup_may_be_signalled(pid_t pgid)
{
	return pgid > 1 && pgid != getpgrp();
}

struct swarm_pass {
	struct swarm *s;
	struct pgroup_check g;
};

/* The second pass: the process group's members, and the biggest namesake
 * that may be killed. */
static void check_pgroup(struct kill_ctx *k, pid_t pid, void *arg)
{
	struct swarm_pass *p = arg;
	struct swarm *s = p->s;
	struct task_info st, t;

	if (!kill_read_stat(k, pid, &st))
		return;
	if (!strcmp(st.comm, s->comm) && live_copy_candidate(&st) && (!s->biggest || st.rss_pages > s->biggest_rss_pages) &&
	    task_info_read(k->proc_root, pid, kill_judge_details(k), &t) == 0 && kill_copy_may_die(k, &t)) {
		s->biggest = pid;
		s->biggest_rss_pages = st.rss_pages;
	}
	if (s->pgid)
		pgroup_check_one(k, &p->g, &st);
}

int kill_find_swarm(struct kill_ctx *k, unsigned long long since_tick, size_t min, struct swarm *s)
{
	struct swarm_tally y = { .since_tick = since_tick };
	struct swarm_pass pass = { .s = s };
	size_t best = 0;

	kill_for_each_pid(k, tally_young, &y);
	for (size_t i = 1; i < SWARM_SLOTS; i++)
		if (y.slot[i].count > y.slot[best].count)
			best = i;
	*s = (struct swarm){ .nr_young = y.slot[best].count, .pgid = y.slot[best].pgid };
	snprintf(s->comm, sizeof(s->comm), "%s", y.slot[best].comm);
	if (!min || y.slot[best].count < min)
		return -ESRCH;
	if (!kill_pgroup_may_be_signalled(s->pgid))
		s->pgid = 0;
	pass.g = (struct pgroup_check){ .pgid = s->pgid, .clean = s->pgid != 0 };
	snprintf(pass.g.comm, sizeof(pass.g.comm), "%s", s->comm);
	kill_for_each_pid(k, check_pgroup, &pass);
	s->nr_pgroup = pass.g.nr;
	s->pgroup_clean = s->pgid != 0 && pass.g.clean;
	return s->biggest ? 0 : -ESRCH;
}

