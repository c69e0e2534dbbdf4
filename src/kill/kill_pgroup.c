/* kill_pgroup.c - a fork bomb's process group (k->bomb_pgid, kill.h):
 * stopped with one kill(-pgid, SIGSTOP); then one pass over /proc opens a
 * pidfd on each member and judges it while all stay stopped; killed with
 * one kill(-pgid, SIGKILL) when every member is a copy that may die, else
 * the copies held are signalled together; continued (SIGCONT) on every
 * path once the signals are out.
 *
 * Why the stop: judging the group reads each member's /proc files, and a
 * bomb of hundreds of copies forks on and competes for the CPU meanwhile
 * (in the 2-CPU busybox guest that check took 0.05-0.46 s and the group
 * grew by 10-50% during it). A stopped member forks, allocates and runs no
 * more, and a stop reaches a racing fork's child as a kill does (the
 * kernel restarts a fork that a group signal interrupts). Why the copies
 * are signalled together: a copy killed as it is found wakes to exit, and
 * hundreds of exiting copies starve the pass that finds the rest (in the
 * Debian guest 1,335 members were judged in 0.8 s stopped; killed as
 * found, the pass outlived the unit's 10 s watchdog). A member cannot
 * leave the group while stopped (setpgid(2) by itself cannot happen, by
 * its parent only before the child's exec); what can still change is an
 * exec under way, and a process of the session entering the group (both
 * told after a kill at once: find_stray()). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kill_proc.h"
#include "core/pidfd.h"

/* After kill(-pgid): a member that is no copy that may die (another name
 * or uid, -1000, protected, ignored) entered the group (setpgid(2) from
 * its session), or changed, between the check and the signal. Told, not
 * undone; as read from a dying process (its command line may be gone
 * already). The memory cgroup is not compared: an exiting task reads as in
 * the root cgroup. */
static void find_stray(struct kill_ctx *k, pid_t pid, void *arg)
{
	const struct task_info *v = &k->res.members[0].t;
	struct task_info t;

	(void)arg;
	if (!kill_read_stat(k, pid, &t) || t.pgid != v->pgid)
		return;
	if (!strcmp(t.comm, v->comm) &&
	    (task_info_read(k->proc_root, pid, kill_judge_details(k), &t) < 0 ||
	     (t.uid == v->uid && kill_copy_may_die(k, &t))))
		return;
	if (!k->res.nr_strays++)
		k->res.stray = t;
}

/* The stop, when the victim (verified through its pidfd just before) is
 * the bomb's and still there; never init's group nor ours. */
static bool stop_pgroup(struct kill_ctx *k)
{
	pid_t pgid = k->res.members[0].t.pgid;

	if (k->dry_run || k->sig != SIGKILL || !k->bomb_pgid || k->bomb_pgid != pgid || !kill_pgroup_may_be_signalled(pgid) ||
	    sys_pidfd_signal(k->res.members[0].pidfd, 0) < 0 || kill(-pgid, SIGSTOP) < 0)
		return false;
	k->stopped_pgid = k->res.stopped_pgid = pgid;
	return true;
}

/* The copies held beyond members[]: signalled, closed, counted. */
static void signal_batch(struct kill_ctx *k)
{
	for (size_t i = 0; i < k->nr_batch; i++) {
		if (sys_pidfd_signal(k->batch[i], SIGKILL) == 0)
			k->res.nr_more++;
		close(k->batch[i]);
	}
	k->nr_batch = 0;
}

/* A pass over the stopped group: whether it holds only copies that may
 * die, and how many members it held that no pass before had. */
struct pass {
	bool clean;
	size_t nr_new;
};

/* Held by a pass before (members[], or k->batch since its last signal). */
static bool held(const struct kill_ctx *k, pid_t pid)
{
	for (size_t i = 0; i < k->res.nr_members; i++)
		if (k->res.members[i].t.pid == pid)
			return true;
	for (size_t i = 0; i < k->nr_batch; i++)
		if (k->batch_pid[i] == pid)
			return true;
	return false;
}

/* One member of the stopped group: pidfd first, then read and judged (the
 * pid may name another process since the stat that found it). A copy that
 * may die is held for the signal (members[], then k->batch); anything
 * else makes the group unclean and is recorded as spared. */
static void hold_member(struct kill_ctx *k, pid_t pid, void *arg)
{
	struct pass *ps = arg;
	struct task_info st, t;
	const char *spared;
	int pidfd, r;

	if (held(k, pid) || !kill_read_stat(k, pid, &st) || st.pgid != k->stopped_pgid ||
	    st.state == 'Z' || st.state == 'X')
		return; /* (a signal hurts no zombie) */
	pidfd = sys_pidfd_open(pid);
	r = pidfd < 0 ? -errno : task_info_read(k->proc_root, pid, kill_judge_details(k), &t);
	if (r == -ESRCH || (r == 0 && t.pgid != k->stopped_pgid)) {
		if (pidfd >= 0)
			close(pidfd);
		return; /* gone meanwhile */
	}
	spared = r < 0 ? "unreadable" : kill_copy_spared(k, &t, &k->res.members[0].t);
	ps->clean = ps->clean && !spared;
	ps->nr_new++;
	if (spared && pidfd >= 0) {
		close(pidfd);
		pidfd = -1;
	}
	if (k->res.nr_members < KILL_MAX_MEMBERS && r == 0) {
		k->res.members[k->res.nr_members++] =
			(struct kill_member){ .t = t, .why = KILL_WHY_PGROUP, .spared = spared, .pidfd = pidfd };
		return;
	}
	if (pidfd < 0)
		return;
	if (k->nr_batch == KILL_BATCH)
		signal_batch(k); /* (more copies than pidfds held: these die first) */
	k->batch_pid[k->nr_batch] = pid;
	k->batch[k->nr_batch++] = pidfd;
}

/* Clean: the pidfds held are not needed, one kill(2) takes the group. */
static void release_held(struct kill_ctx *k)
{
	for (size_t i = 0; i < k->nr_batch; i++)
		close(k->batch[i]);
	k->nr_batch = 0;
	for (size_t i = 1; i < k->res.nr_members; i++)
		if (k->res.members[i].pidfd >= 0)
			close(k->res.members[i].pidfd);
	k->res.nr_members = 1;
}

/* Not clean: the victim, then every copy held, together. */
static void signal_held(struct kill_ctx *k)
{
	struct kill_member *v = &k->res.members[0];

	kill_signal_member(k, v); /* (SIGKILL: only such a kill stops a group) */
	/* gone meanwhile (the kernel's OOM killer): its copies die all the same */
	v->signalled = v->signalled || v->exited;
	kill_signal_members(k);
	signal_batch(k);
}

/* A fork under way when the stop was sent ends after it, and its child,
 * stopped too, may join the group after the first pass (in a loaded CI
 * run three copies were born so and outlived the kill). kill(-pgid) takes
 * such children; copies signalled one by one need passes until one finds
 * nobody new. */
#define LATE_PASSES 4

bool kill_pgroup_stopped(struct kill_ctx *k)
{
	pid_t pgid = k->res.members[0].t.pgid;
	struct pass ps = { .clean = true };

	if (!stop_pgroup(k))
		return false;
	k->nr_batch = 0;
	kill_for_each_pid(k, hold_member, &ps);
	if (ps.clean && kill(-pgid, SIGKILL) == 0) {
		release_held(k);
		k->res.used_pgroup_kill = true;
		k->res.members[0].signalled = true;
		kill_for_each_pid(k, find_stray, NULL);
		return true;
	}
	for (int i = 0; i < LATE_PASSES && ps.nr_new; i++) {
		ps.nr_new = 0;
		kill_for_each_pid(k, hold_member, &ps);
	}
	signal_held(k);
	return true;
}

void kill_pgroup_continue(struct kill_ctx *k)
{
	if (!k->stopped_pgid)
		return;
	/* ESRCH: every member gone already (killed at once), nothing stays stopped */
	k->res.cont_err = kill(-k->stopped_pgid, SIGCONT) < 0 && errno != ESRCH ? -errno : 0;
	k->stopped_pgid = 0;
}
