/* kill_unit.c - what dies with the victim: the processes sharing its mm
 * (the kernel's oom_kill_process() kills them too, or the memory stays),
 * and with a kill unit its process group, memory cgroup (cgroup.kill on
 * v2) or fork-bomb swarm. Members are found while the victim is alive and
 * not signalled, so that its pid cannot be reused under kcmp; each member
 * is pidfd_open'ed first and qualified after, as the victim is. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kill_proc.h"
#include "core/pidfd.h"
#include "core/util.h"

static bool is_member(const struct kill_ctx *k, pid_t pid)
{
	for (size_t i = 0; i < k->res.nr_members; i++)
		if (k->res.members[i].t.pid == pid)
			return true;
	return false;
}

/* Does the process now at t->pid qualify as a member of this kind? */
static bool qualifies(const struct kill_ctx *k, const struct task_info *t, enum kill_why why)
{
	const struct task_info *v = &k->res.members[0].t;

	switch (why) {
	case KILL_WHY_SHARES_MM:
		/* two exiting tasks "share" their NULL mm under kcmp */
		return v->has_mm && t->has_mm && sys_kcmp_vm(v->pid, t->pid) == 0;
	case KILL_WHY_PGROUP:
		return t->pgid == v->pgid;
	case KILL_WHY_CGROUP:
		return !strcmp(t->memcg, v->memcg);
	case KILL_WHY_SWARM:
		/* (an exiting copy forks no more, and reads as in the root cgroup) */
		return t->has_mm && t->uid == v->uid && !strcmp(t->comm, v->comm) && !strcmp(t->memcg, v->memcg);
	default:
		return false;
	}
}

void kill_signal_member(struct kill_ctx *k, struct kill_member *m)
{
	if (m->pidfd < 0 || m->spared || m->signalled || k->dry_run)
		return;
	m->err = sys_pidfd_signal(m->pidfd, k->sig);
	/* gone since it was checked (a fork bomb's copy killed by the episode
	 * before, slow to exit among a thousand): nothing is left to signal,
	 * and no failure either */
	m->exited = m->err == -ESRCH;
	if (m->exited)
		m->err = 0;
	m->signalled = m->err == 0 && !m->exited;
}

/* pidfd_open first, then read and qualify (see the top of the file). A
 * spared member is recorded with its reason and no pidfd. Beyond
 * KILL_MAX_MEMBERS a member is signalled at once and only counted. */
static void add_member(struct kill_ctx *k, pid_t pid, enum kill_why why)
{
	struct kill_member scratch;
	bool full = k->res.nr_members >= KILL_MAX_MEMBERS;
	struct kill_member *m = full ? &scratch : &k->res.members[k->res.nr_members];
	int pidfd = sys_pidfd_open(pid);

	if (pidfd < 0)
		return;
	memset(m, 0, sizeof(*m));
	m->pidfd = pidfd;
	m->why = why;
	if (task_info_read(k->proc_root, pid, kill_read_details(k), &m->t) < 0 || m->t.kthread ||
	    !qualifies(k, &m->t, why)) {
		close(pidfd);
		return;
	}
	m->spared = kill_refuse_reason(k, &m->t);
	if (m->spared) {
		close(pidfd);
		m->pidfd = -1;
	}
	if (!full) {
		k->res.nr_members++;
		return;
	}
	if (!m->spared) {
		kill_signal_member(k, m);
		k->res.nr_more++;
		close(pidfd);
	}
}

static void try_sharer(struct kill_ctx *k, pid_t pid, void *arg)
{
	(void)arg;
	if (!is_member(k, pid) && sys_kcmp_vm(k->res.members[0].t.pid, pid) == 0)
		add_member(k, pid, KILL_WHY_SHARES_MM);
}

static void try_pgroup(struct kill_ctx *k, pid_t pid, void *arg)
{
	struct task_info t;

	(void)arg;
	if (is_member(k, pid))
		return;
	if (!kill_read_stat(k, pid, &t) || t.pgid != k->res.members[0].t.pgid)
		return;
	add_member(k, pid, KILL_WHY_PGROUP);
}

/* The victim's memory cgroup directory, "" when unknown. */
static void victim_cgroup_dir(const struct kill_ctx *k, char *dir, size_t size)
{
	const char *path = k->res.members[0].t.memcg;

	dir[0] = '\0';
	if (*k->cgroup_root && *path == '/')
		snprintf(dir, size, "%s%s", k->cgroup_root, path);
}

/* One pass over cgroup.procs; returns how many new members it found. */
static size_t scan_cgroup(struct kill_ctx *k, int dirfd)
{
	size_t before = k->res.nr_members + k->res.nr_more;
	char *line, *save = NULL;

	if (read_file_at(dirfd, "cgroup.procs", k->dents, sizeof(k->dents)) < 0)
		return 0;
	for (line = strtok_r(k->dents, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		pid_t pid = proc_name_pid(line);

		if (pid > 0 && !is_member(k, pid))
			add_member(k, pid, KILL_WHY_CGROUP);
	}
	return k->res.nr_members + k->res.nr_more - before;
}

static bool any_spared(const struct kill_ctx *k)
{
	for (size_t i = 0; i < k->res.nr_members; i++)
		if (k->res.members[i].spared)
			return true;
	return false;
}

void kill_signal_members(struct kill_ctx *k)
{
	for (size_t i = 1; i < k->res.nr_members; i++)
		kill_signal_member(k, &k->res.members[i]);
}

/* --unit cgroup: cgroup.kill on v2 when nothing in it must be spared,
 * else signal every member by pidfd, re-reading cgroup.procs until no new
 * process shows up (forks racing with the kill). */
static void kill_cgroup(struct kill_ctx *k)
{
	char dir[PATH_MAX + TASK_CGROUP_MAX];
	int dfd;

	victim_cgroup_dir(k, dir, sizeof(dir));
	dfd = *dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd < 0)
		return;
	scan_cgroup(k, dfd);
	/* open_victim()'s liveness check, made before cgroup.kill kills the
	 * victim too (after it, a reaped victim would read as gone) */
	if (!k->dry_run && k->sig == SIGKILL && k->cgroup_v2 && !any_spared(k) &&
	    sys_pidfd_signal(k->res.members[0].pidfd, 0) == 0 &&
	    write_file_at(dfd, "cgroup.kill", "1") == 0) {
		k->res.used_cgroup_kill = true;
		for (size_t i = 0; i < k->res.nr_members; i++)
			k->res.members[i].signalled = true;
	}
	for (int round = 0; !k->dry_run && !k->res.used_cgroup_kill && round < KILL_CGROUP_ROUNDS; round++) {
		kill_signal_members(k);
		if (scan_cgroup(k, dfd) == 0)
			break;
	}
	close(dfd);
}

struct namesakes {
	size_t found;   /* new members added by this pass */
};

/* The name is the cheap first filter (stat); add_member() checks the rest. */
static void try_swarm(struct kill_ctx *k, pid_t pid, void *arg)
{
	struct namesakes *n = arg;
	struct task_info t;
	size_t before = k->res.nr_members + k->res.nr_more;

	if (is_member(k, pid) || !kill_read_stat(k, pid, &t) || strcmp(t.comm, k->res.members[0].t.comm))
		return;
	add_member(k, pid, KILL_WHY_SWARM);
	n->found += k->res.nr_members + k->res.nr_more - before;
}

/* --unit swarm: the namesakes are signalled as they are found, and /proc is
 * listed again until a pass finds none (each one may have forked before
 * its signal landed). */
void kill_swarm(struct kill_ctx *k)
{
	for (int round = 0; round < KILL_CGROUP_ROUNDS; round++) {
		struct namesakes n = { 0 };

		kill_for_each_pid(k, try_swarm, &n);
		if (k->dry_run)
			break;
		kill_signal_members(k);
		if (n.found == 0)
			break;
	}
}

void kill_collect_members(struct kill_ctx *k)
{
	if (k->bomb_pgid && kill_pgroup_stopped(k)) {
		k->unit = k->res.unit = KILL_UNIT_PGROUP;
		return;
	}
	/* not stopped (not the victim's group): copy by copy, through pidfds */
	if (k->bomb_pgid && !k->dry_run)
		k->unit = k->res.unit = KILL_UNIT_SWARM;
	kill_for_each_pid(k, try_sharer, NULL);
	if (k->unit == KILL_UNIT_PGROUP)
		kill_for_each_pid(k, try_pgroup, NULL);
	else if (k->unit == KILL_UNIT_CGROUP)
		kill_cgroup(k);
	else if (k->unit == KILL_UNIT_SWARM)
		kill_swarm(k);
}

void kill_close_members(struct kill_ctx *k)
{
	for (size_t i = 0; i < k->res.nr_members; i++) {
		if (k->res.members[i].pidfd >= 0)
			close(k->res.members[i].pidfd);
		k->res.members[i].pidfd = -1;
	}
}
