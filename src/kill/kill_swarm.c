/* kill_swarm.c - the search for a fork bomb (kill_find_swarm(), kill.h):
 * the name most young processes share when forked by a namesake, its
 * process group and whether that group holds nothing but copies. Two
 * passes over /proc through the kill context's buffers, no allocation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kill_proc.h"
#include "core/util.h"

#define SWARM_SLOTS 8

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

static bool adj_is_min(struct kill_ctx *k, pid_t pid)
{
	char path[32], buf[16];

	snprintf(path, sizeof(path), "%d/oom_score_adj", (int)pid);
	return read_file_at(k->proc_fd, path, buf, sizeof(buf)) < 0 || atoi(buf) == OOM_SCORE_ADJ_MIN;
}

/* The second pass: the process group's members, and the biggest namesake. */
static void check_pgroup(struct kill_ctx *k, pid_t pid, void *arg)
{
	struct swarm *s = arg;
	struct task_info t;

	if (!kill_read_stat(k, pid, &t))
		return;
	if (!strcmp(t.comm, s->comm) && live_copy_candidate(&t) && (!s->biggest || t.rss_pages > s->biggest_rss_pages)) {
		s->biggest = pid;
		s->biggest_rss_pages = t.rss_pages;
	}
	if (!s->pgid || t.pgid != s->pgid)
		return;
	s->nr_pgroup++;
	if (strcmp(t.comm, s->comm) || t.kthread || pid <= 1 || pid == k->self_pid || adj_is_min(k, pid))
		s->pgroup_clean = false;
}

int kill_find_swarm(struct kill_ctx *k, unsigned long long since_tick, size_t min, struct swarm *s)
{
	struct swarm_tally y = { .since_tick = since_tick };
	size_t best = 0;

	kill_for_each_pid(k, tally_young, &y);
	for (size_t i = 1; i < SWARM_SLOTS; i++)
		if (y.slot[i].count > y.slot[best].count)
			best = i;
	if (!min || y.slot[best].count < min)
		return -ESRCH;
	*s = (struct swarm){ .nr_young = y.slot[best].count, .pgid = y.slot[best].pgid };
	snprintf(s->comm, sizeof(s->comm), "%s", y.slot[best].comm);
	/* never our own group, nor init's (kill(-0) is our own) */
	if (s->pgid <= 1 || s->pgid == getpgrp())
		s->pgid = 0;
	s->pgroup_clean = s->pgid != 0;
	kill_for_each_pid(k, check_pgroup, s);
	return s->biggest ? 0 : -ESRCH;
}

