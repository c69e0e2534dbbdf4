/* oom_kill_process.c - the kill of one victim, in this order and why:
 *  1. pidfd_open, then read /proc/PID/stat: the pidfd pins the process that
 *     held the pid at open time; if the stat read afterwards shows the
 *     snapshot's start time, that process is still the scored one (had it
 *     died, its pid could only be reused after, and stat would differ).
 *     The refusal rules are checked on that fresh read.
 *  2. members (sharers, group: kill_unit.c) are found before any signal.
 *  3. signals through pidfds only; process_mrelease only after SIGKILL
 *     (the kernel refuses it for a task that is not exiting: oom_reaper.c).
 * The daemon's staged kill makes the same checks through the pidfd it
 * holds, afresh before its SIGTERM. */
#include "kill.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kill_proc.h"
#include "core/pidfd.h"
#include "core/util.h"

static void test_pause(const struct kill_ctx *k, int where)
{
	if (k->test_pause == where)
		raise(SIGSTOP);
}

static void reset_results(struct kill_ctx *k)
{
	k->res.outcome = KILL_OK;
	k->res.unit = k->unit;
	k->res.reap = k->reap;
	k->res.timeout_ms = k->timeout_ms;
	k->res.measured_memcg = k->usage_fd >= 0;
	k->res.refused = NULL;
	k->res.err = 0;
	k->res.nr_members = 0;
	k->res.nr_more = 0;
	k->res.used_cgroup_kill = false;
	k->res.used_pgroup_kill = false;
	k->res.stopped_pgid = 0;
	k->res.cont_err = 0;
	k->res.nr_strays = 0;
	k->res.reap_err = 1;
	k->res.now_anon_kb = k->res.now_file_kb = k->res.now_shmem_kb = 0;
}

static int finish(struct kill_ctx *k, enum kill_outcome o, int err)
{
	kill_pgroup_continue(k);
	kill_close_members(k);
	if (o == KILL_VICTIM_GONE || o == KILL_PID_REUSED || o == KILL_TOO_YOUNG || o == KILL_REFUSED)
		k->res.nr_members = 0; /* members[0] may describe another process */
	k->res.outcome = o;
	k->res.err = err;
	return err;
}

/* The checks that need no pidfd: a victim at all, its snapshot facts
 * under the refusal rules, and the too-young guard (kill.h). */
static int kill_begins(struct kill_ctx *k, struct oom_control *oc)
{
	const struct task_info *c = oc->chosen;

	reset_results(k);
	k->sig = oc->kill_signal;
	k->dry_run = oc->dry_run;
	oc->kill = &k->res;
	oc->killed = oc->reaped = false;
	oc->nr_sharers_killed = 0;
	if (!c)
		return finish(k, KILL_VICTIM_GONE, -ESRCH);
	k->res.refused = kill_refuse_reason(k, c);
	if (k->res.refused)
		return finish(k, KILL_REFUSED, -EPERM);
	/* without kill_ctx_snapshot_begins(), now is the best bound known */
	if (c->start_time >= (k->snapshot_tick ? k->snapshot_tick : kill_boot_tick()))
		return finish(k, KILL_TOO_YOUNG, -ESTALE);
	return 0;
}

/* Reads the process now at the chosen pid into members[0], after a pidfd
 * on it is open, and checks it is the chosen one and may be killed.
 * pidfd becomes the member's (closed by finish()); -1 for a held one. */
static int verify_victim(struct kill_ctx *k, const struct oom_control *oc, int pidfd)
{
	const struct task_info *c = oc->chosen;
	struct kill_member *v = &k->res.members[0];

	memset(v, 0, sizeof(*v));
	v->pidfd = pidfd;
	v->why = KILL_WHY_VICTIM;
	k->res.nr_members = 1;
	if (task_info_read(k->proc_root, c->pid, kill_read_details(k), &v->t) < 0)
		return finish(k, KILL_VICTIM_GONE, -ESRCH);
	task_find_mm(k->proc_root, &v->t, k->dents, sizeof(k->dents));
	if (v->t.start_time != c->start_time)
		return finish(k, KILL_PID_REUSED, -ESTALE);
	k->res.refused = kill_refuse_reason(k, &v->t);
	if (k->res.refused)
		return finish(k, KILL_REFUSED, -EPERM);
	return 0;
}

/* Steps 1-2: the victim's pidfd, verified, and its members; members[0]. */
static int open_victim(struct kill_ctx *k, const struct oom_control *oc)
{
	const struct task_info *c = oc->chosen;
	struct kill_member *v = &k->res.members[0];
	int pidfd, r;

	test_pause(k, KILL_PAUSE_BEFORE_PIDFD);
	pidfd = sys_pidfd_open(c->pid);
	if (pidfd < 0)
		return finish(k, KILL_VICTIM_GONE, -ESRCH);
	test_pause(k, KILL_PAUSE_BEFORE_VERIFY);
	r = verify_victim(k, oc, pidfd);
	if (r < 0)
		return r;
	if (k->unit == KILL_UNIT_SWARM) /* the cgroup the decision saw: an exiting victim reads "/" */
		snprintf(v->t.memcg, sizeof(v->t.memcg), "%s", c->memcg);
	kill_collect_members(k);
	/* still alive (or an unreaped zombie): its pid was not reused under kcmp;
	 * kill_cgroup() checked that before its cgroup.kill. Signal 0 also
	 * answers EPERM: we may not signal it at all (not root), which is no
	 * "already exiting". */
	if (k->res.used_cgroup_kill || k->res.used_pgroup_kill || k->res.stopped_pgid)
		return 0;
	r = sys_pidfd_signal(pidfd, 0);
	if (r == -ESRCH)
		return finish(k, KILL_VICTIM_GONE, -ESRCH);
	return r < 0 ? finish(k, KILL_SIGNAL_FAILED, r) : 0;
}

/* --unit swarm whose chosen copy is gone (a fork bomb's copies die and
 * fork all the time, the kernel may have killed this one): the swarm is
 * still there, found by the chosen task's name, uid and cgroup as scanned.
 * The victim counts as signalled and exited; 0 when a member was found. */
static int swarm_without_victim(struct kill_ctx *k, const struct oom_control *oc)
{
	struct kill_member *v = &k->res.members[0];

	memset(v, 0, sizeof(*v));
	v->t = *oc->chosen;
	v->pidfd = -1;
	v->why = KILL_WHY_VICTIM;
	v->signalled = v->exited = true;
	k->res.nr_members = 1;
	k->res.nr_more = 0;
	kill_swarm(k);
	return k->res.nr_members + k->res.nr_more > 1 ? 0 : -ESRCH;
}

int oom_kill_process(struct oom_control *oc, struct kill_ctx *k)
{
	struct kill_member *v = &k->res.members[0];
	int r = kill_begins(k, oc);

	if (r == 0)
		r = open_victim(k, oc);
	if ((r == -ESRCH || r == -ESTALE) && k->unit == KILL_UNIT_SWARM && oc->chosen)
		r = swarm_without_victim(k, oc);
	if (r < 0)
		return r;
	oc->avail_before_kb = oc->avail_after_kb = kill_measure_avail_kb(k);
	oc->t_signal_ns = now_ns();
	if (oc->dry_run)
		return finish(k, KILL_DRY_RUN, 0);
	if (!v->signalled) {
		v->err = sys_pidfd_signal(v->pidfd, k->sig);
		if (v->err < 0)
			return finish(k, KILL_SIGNAL_FAILED, v->err);
		v->signalled = true;
	}
	oc->killed = true;
	kill_signal_members(k);
	kill_pgroup_continue(k); /* (the stopped copies that may die got their signal) */
	for (size_t i = 1; i < k->res.nr_members; i++)
		if (k->res.members[i].why == KILL_WHY_SHARES_MM && k->res.members[i].signalled)
			oc->nr_sharers_killed++;
	if (k->sig == SIGKILL && k->reap)
		oom_reap(k, oc);
	r = kill_wait_exit(k, oc->t_signal_ns + (uint64_t)k->timeout_ms * 1000000u);
	oc->t_exit_ns = v->t_exit_ns;
	oc->avail_after_kb = kill_measure_avail_kb(k);
	return r ? finish(k, KILL_OK, 0) : finish(k, KILL_TIMEOUT, -ETIMEDOUT);
}

int kill_victim_hold(struct kill_ctx *k, struct oom_control *oc)
{
	int pidfd, r;

	kill_victim_release(k);
	r = kill_begins(k, oc);
	if (r < 0)
		return r;
	pidfd = sys_pidfd_open(oc->chosen->pid);
	if (pidfd < 0)
		return finish(k, KILL_VICTIM_GONE, -ESRCH);
	r = verify_victim(k, oc, -1);
	if (r < 0) {
		close(pidfd);
		return r;
	}
	k->held_pidfd = pidfd;
	return finish(k, KILL_OK, 0);
}

int kill_victim_term(struct kill_ctx *k, struct oom_control *oc)
{
	struct kill_member *v = &k->res.members[0];
	int r;

	oc->kill_signal = SIGTERM;
	oc->dry_run = false;
	r = kill_begins(k, oc);
	if (r == 0 && k->held_pidfd < 0)
		r = finish(k, KILL_VICTIM_GONE, -ESRCH);
	if (r == 0)
		r = verify_victim(k, oc, -1);
	if (r < 0)
		return r;
	oc->t_signal_ns = now_ns();
	v->err = sys_pidfd_signal(k->held_pidfd, SIGTERM);
	if (v->err < 0)
		return finish(k, v->err == -ESRCH ? KILL_VICTIM_GONE : KILL_SIGNAL_FAILED, v->err);
	v->signalled = true;
	oc->killed = true;
	return finish(k, KILL_OK, 0);
}

bool kill_victim_exited(const struct kill_ctx *k)
{
	struct pollfd p = { .fd = k->held_pidfd, .events = POLLIN };

	return k->held_pidfd < 0 || poll(&p, 1, 0) > 0;
}

int kill_victim_pidfd(const struct kill_ctx *k)
{
	return k->held_pidfd;
}

void kill_victim_release(struct kill_ctx *k)
{
	if (k->held_pidfd >= 0)
		close(k->held_pidfd);
	k->held_pidfd = -1;
}
