/* kill_pgroup.c - a fork bomb's process group (k->bomb_pgid, kill.h):
 * stopped with one kill(-pgid, SIGSTOP) before its members are judged,
 * then killed with one kill(-pgid, SIGKILL) when every member is a copy
 * that may die, else copy by copy through pidfds (unit swarm); continued
 * (SIGCONT) on every path once the signals are out.
 *
 * Why the stop: judging the group reads each member's /proc files, and a
 * bomb of hundreds of copies forks on and competes for the CPU meanwhile
 * (in a 2-CPU guest the check took 0.1-0.3 s and the group grew by a
 * third during it). A stopped member forks, allocates and runs no more,
 * and a stop reaches a racing fork's child as a kill does (the kernel
 * restarts a fork that a group signal interrupts). Its members cannot
 * leave the group (setpgid(2) of a stopped task by itself cannot happen,
 * by its parent only before exec, and the parent is a stopped copy too);
 * what can still change is an exec already under way, and a process of
 * the session entering the group (both told after the kill: find_stray()). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

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

bool kill_pgroup_at_once(struct kill_ctx *k)
{
	const struct task_info *v = &k->res.members[0].t;
	struct pgroup_check g = { .pgid = v->pgid, .uid = v->uid, .have_ref = true };

	if (!stop_pgroup(k))
		return false;
	snprintf(g.comm, sizeof(g.comm), "%s", v->comm);
	snprintf(g.memcg, sizeof(g.memcg), "%s", v->memcg);
	kill_pgroup_check(k, &g);
	if (!g.clean || kill(-v->pgid, SIGKILL) < 0)
		return false;
	k->res.used_pgroup_kill = true;
	k->res.members[0].signalled = true;
	kill_for_each_pid(k, find_stray, NULL);
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
