/* kill.c - see kill.h. Order of one kill, and why:
 *  1. pidfd_open, then read /proc/PID/stat: the pidfd pins the process that
 *     held the pid at open time; if the stat read afterwards shows the
 *     snapshot's start time, that process is still the scored one (had it
 *     died, its pid could only be reused after, and stat would differ).
 *  2. members (sharers, group) are found while the victim is alive and not
 *     signalled, so that its pid cannot be reused under kcmp; each member is
 *     pidfd_open'ed first and qualified after, by the same argument.
 *  3. signals through pidfds only; process_mrelease only after SIGKILL
 *     (the kernel refuses it for a task that is not exiting). */
#include "kill.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "kill_proc.h"
#include "core/pidfd.h"
#include "core/proc_walk.h"
#include "core/util.h"


#define PF_KTHREAD_FLAG 0x00200000u

struct kill_ctx *kill_ctx_new(const char *proc_root)
{
	struct kill_ctx *k = calloc(1, sizeof(*k));
	int e;

	if (!k)
		return NULL;
	/* every page touched now: under mlockall(MCL_ONFAULT) an untouched one
	 * would be faulted in on the kill path, when memory is gone */
	memset(k, 0, sizeof(*k));
	snprintf(k->proc_root, sizeof(k->proc_root), "%s", proc_root);
	k->self_pid = getpid();
	k->timeout_ms = 10000;
	k->reap = true;
	k->usage_fd = -1;
	k->proc_fd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(k->text, sizeof(k->text), "%s/meminfo", proc_root);
	k->meminfo_fd = open(k->text, O_RDONLY | O_CLOEXEC);
	if (k->proc_fd < 0 || k->meminfo_fd < 0) {
		e = errno;
		kill_ctx_free(k);
		errno = e;
		return NULL;
	}
	for (size_t i = 0; i < KILL_MAX_MEMBERS; i++)
		k->members[i].pidfd = -1;
	return k;
}

void kill_ctx_free(struct kill_ctx *k)
{
	if (!k)
		return;
	if (k->proc_fd >= 0)
		close(k->proc_fd);
	if (k->meminfo_fd >= 0)
		close(k->meminfo_fd);
	if (k->usage_fd >= 0)
		close(k->usage_fd);
	free(k);
}

int kill_ctx_measure_memcg(struct kill_ctx *k, const char *dir, bool v2, uint64_t limit_bytes)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd;

	if (dfd < 0)
		return -errno;
	fd = openat(dfd, v2 ? "memory.current" : "memory.usage_in_bytes", O_RDONLY | O_CLOEXEC);
	close(dfd);
	if (fd < 0)
		return -errno;
	if (k->usage_fd >= 0)
		close(k->usage_fd);
	k->usage_fd = fd;
	k->limit_bytes = limit_bytes;
	return 0;
}

/* Headroom in kB: limit - usage of the measured memcg, else MemAvailable. */
static unsigned long measure_avail_kb(struct kill_ctx *k)
{
	struct meminfo mi;
	uint64_t usage;

	if (k->usage_fd >= 0) {
		if (pread_file(k->usage_fd, k->text, sizeof(k->text)) < 0 || parse_u64(k->text, &usage) < 0)
			return 0;
		return usage >= k->limit_bytes ? 0 : (unsigned long)((k->limit_bytes - usage) / 1024);
	}
	if (pread_file(k->meminfo_fd, k->text, sizeof(k->text)) < 0 || meminfo_parse(k->text, &mi) < 0)
		return 0;
	return mi.mem_available_kb;
}

/* Copies the mm figures and memcg of thread tid of t (same mm) into t. */
static int adopt_thread_mm(const char *proc_root, struct task_info *t, pid_t tid)
{
	char root[96];
	struct task_info th;

	snprintf(root, sizeof(root), "%s/%d/task", proc_root, (int)t->pid);
	if (task_info_read(root, tid, PROC_DETAIL_MEMCG, &th) < 0 || !th.has_mm)
		return -ESRCH;
	/* an exited leader is moved to the root cgroup; its threads are not */
	memcpy(t->memcg, th.memcg, sizeof(t->memcg));
	t->rss_pages = th.rss_pages;
	t->total_vm_kb = th.total_vm_kb;
	t->rss_anon_kb = th.rss_anon_kb;
	t->rss_file_kb = th.rss_file_kb;
	t->rss_shmem_kb = th.rss_shmem_kb;
	t->swap_kb = th.swap_kb;
	t->pgtables_kb = th.pgtables_kb;
	t->has_mm = true;
	return 0;
}

struct thread_mm {
	const char *proc_root;
	struct task_info *t;
	int r;
};

static bool adopt_any_thread_mm(void *arg, pid_t tid)
{
	struct thread_mm *m = arg;

	if (tid != m->t->pid)
		m->r = adopt_thread_mm(m->proc_root, m->t, tid);
	return m->r == 0;
}

int task_find_mm(const char *proc_root, struct task_info *t, char *buf, size_t size)
{
	struct thread_mm m = { proc_root, t, -ESRCH };
	char path[96];
	int fd;

	if (t->has_mm || t->kthread || t->state != 'Z')
		return t->has_mm ? 0 : -ESRCH;
	snprintf(path, sizeof(path), "%s/%d/task", proc_root, (int)t->pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	proc_walk(fd, buf, size, adopt_any_thread_mm, &m);
	close(fd);
	return m.r;
}

/* Boot time in USER_HZ ticks, the unit of stat's start time. */
unsigned long long kill_boot_tick(void)
{
	struct timespec ts;
	unsigned long long hz = (unsigned long long)sysconf(_SC_CLK_TCK);

	clock_gettime(CLOCK_BOOTTIME, &ts);
	/* nsec_to_clock_t() truncates: so does this */
	return (unsigned long long)ts.tv_sec * hz + (unsigned long long)ts.tv_nsec / (1000000000ULL / hz);
}

void kill_ctx_snapshot_begins(struct kill_ctx *k)
{
	k->snapshot_tick = kill_boot_tick();
}

const char *kill_refuse_reason(const struct kill_ctx *k, const struct task_info *t)
{
	if (t->pid <= 1)
		return "pid 1";
	if (t->kthread || (t->flags & PF_KTHREAD_FLAG))
		return "kernel thread";
	if (t->pid == k->self_pid)
		return "oomkit itself";
	if (t->oom_score_adj == OOM_SCORE_ADJ_MIN)
		return "oom_score_adj -1000";
	if (k->policy && !policy_may_kill_member(k->policy, t))
		return "protected";
	return NULL;
}

static void test_pause(const struct kill_ctx *k, int where)
{
	if (k->test_pause == where)
		raise(SIGSTOP);
}

static void close_members(struct kill_ctx *k)
{
	for (size_t i = 0; i < k->nr_members; i++) {
		if (k->members[i].pidfd >= 0)
			close(k->members[i].pidfd);
		k->members[i].pidfd = -1;
	}
}

static bool is_member(const struct kill_ctx *k, pid_t pid)
{
	for (size_t i = 0; i < k->nr_members; i++)
		if (k->members[i].t.pid == pid)
			return true;
	return false;
}

/* Does the process now at t->pid qualify as a member of this kind? */
static bool qualifies(const struct kill_ctx *k, const struct task_info *t, enum kill_why why)
{
	const struct task_info *v = &k->members[0].t;

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

static void signal_member(struct kill_ctx *k, struct kill_member *m)
{
	if (m->pidfd < 0 || m->spared || m->signalled || k->dry_run)
		return;
	m->err = sys_pidfd_signal(m->pidfd, k->sig);
	m->signalled = m->err == 0;
}

/* pidfd_open first, then read and qualify (see the top of the file). A
 * spared member is recorded with its reason and no pidfd. Beyond
 * KILL_MAX_MEMBERS a member is signalled at once and only counted. */
static void add_member(struct kill_ctx *k, pid_t pid, enum kill_why why)
{
	struct kill_member scratch;
	bool full = k->nr_members >= KILL_MAX_MEMBERS;
	struct kill_member *m = full ? &scratch : &k->members[k->nr_members];
	int pidfd = sys_pidfd_open(pid);

	if (pidfd < 0)
		return;
	memset(m, 0, sizeof(*m));
	m->pidfd = pidfd;
	m->why = why;
	if (task_info_read(k->proc_root, pid, PROC_DETAIL_MEMCG | PROC_DETAIL_CMDLINE | PROC_DETAIL_EXE,
			   &m->t) < 0 || m->t.kthread || !qualifies(k, &m->t, why)) {
		close(pidfd);
		return;
	}
	m->spared = kill_refuse_reason(k, &m->t);
	if (m->spared) {
		close(pidfd);
		m->pidfd = -1;
	}
	if (!full) {
		k->nr_members++;
		return;
	}
	if (!m->spared) {
		signal_member(k, m);
		k->nr_more++;
		close(pidfd);
	}
}

struct kill_walk {
	struct kill_ctx *k;
	kill_pid_fn fn;
	void *arg;
};

static bool kill_walk_one(void *arg, pid_t pid)
{
	struct kill_walk *w = arg;

	w->fn(w->k, pid, w->arg);
	return false;
}

void kill_for_each_pid(struct kill_ctx *k, kill_pid_fn fn, void *arg)
{
	struct kill_walk w = { k, fn, arg };

	proc_walk(k->proc_fd, k->dents, sizeof(k->dents), kill_walk_one, &w);
}

static void try_sharer(struct kill_ctx *k, pid_t pid, void *arg)
{
	(void)arg;
	if (!is_member(k, pid) && sys_kcmp_vm(k->members[0].t.pid, pid) == 0)
		add_member(k, pid, KILL_WHY_SHARES_MM);
}

bool kill_read_stat(struct kill_ctx *k, pid_t pid, struct task_info *t)
{
	char path[32];

	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	return read_file_at(k->proc_fd, path, k->text, sizeof(k->text)) >= 0 && proc_parse_stat(k->text, t) == 0;
}

static void try_pgroup(struct kill_ctx *k, pid_t pid, void *arg)
{
	struct task_info t;

	(void)arg;
	if (is_member(k, pid))
		return;
	if (!kill_read_stat(k, pid, &t) || t.pgid != k->members[0].t.pgid)
		return;
	add_member(k, pid, KILL_WHY_PGROUP);
}

/* The victim's memory cgroup directory, "" when unknown. */
static void victim_cgroup_dir(const struct kill_ctx *k, char *dir, size_t size)
{
	const char *path = k->members[0].t.memcg;

	dir[0] = '\0';
	if (*k->cgroup_root && *path == '/')
		snprintf(dir, size, "%s%s", k->cgroup_root, path);
}

/* One pass over cgroup.procs; returns how many new members it found. */
static size_t scan_cgroup(struct kill_ctx *k, int dirfd)
{
	size_t before = k->nr_members + k->nr_more;
	char *line, *save = NULL;

	if (read_file_at(dirfd, "cgroup.procs", k->dents, sizeof(k->dents)) < 0)
		return 0;
	for (line = strtok_r(k->dents, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		pid_t pid = proc_name_pid(line);

		if (pid > 0 && !is_member(k, pid))
			add_member(k, pid, KILL_WHY_CGROUP);
	}
	return k->nr_members + k->nr_more - before;
}

static bool any_spared(const struct kill_ctx *k)
{
	for (size_t i = 0; i < k->nr_members; i++)
		if (k->members[i].spared)
			return true;
	return false;
}

static void signal_members(struct kill_ctx *k)
{
	for (size_t i = 1; i < k->nr_members; i++)
		signal_member(k, &k->members[i]);
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
	    sys_pidfd_signal(k->members[0].pidfd, 0) == 0 &&
	    write_file_at(dfd, "cgroup.kill", "1") == 0) {
		k->used_cgroup_kill = true;
		for (size_t i = 0; i < k->nr_members; i++)
			k->members[i].signalled = true;
	}
	for (int round = 0; !k->dry_run && !k->used_cgroup_kill && round < KILL_CGROUP_ROUNDS; round++) {
		signal_members(k);
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
	size_t before = k->nr_members + k->nr_more;

	if (is_member(k, pid) || !kill_read_stat(k, pid, &t) || strcmp(t.comm, k->members[0].t.comm))
		return;
	add_member(k, pid, KILL_WHY_SWARM);
	n->found += k->nr_members + k->nr_more - before;
}

/* --unit swarm: the namesakes are signalled as they are found, and /proc is
 * listed again until a pass finds none (each one may have forked before
 * its signal landed). */
static void kill_swarm(struct kill_ctx *k)
{
	for (int round = 0; round < KILL_CGROUP_ROUNDS; round++) {
		struct namesakes n = { 0 };

		kill_for_each_pid(k, try_swarm, &n);
		if (k->dry_run)
			break;
		signal_members(k);
		if (n.found == 0)
			break;
	}
}

/* --unit pgroup on a group kill_find_swarm() found clean: one kill(2) for
 * the whole group, so that no member forks past it; the victim was
 * verified through its pidfd just before. */
static void kill_pgroup_at_once(struct kill_ctx *k)
{
	if (k->dry_run || k->sig != SIGKILL || k->pgroup_kill != k->members[0].t.pgid ||
	    sys_pidfd_signal(k->members[0].pidfd, 0) < 0 || kill(-k->pgroup_kill, SIGKILL) < 0)
		return;
	k->used_pgroup_kill = true;
	k->members[0].signalled = true;
}

static void collect_members(struct kill_ctx *k)
{
	if (k->unit == KILL_UNIT_PGROUP && k->pgroup_kill) {
		kill_pgroup_at_once(k);
		if (k->used_pgroup_kill)
			return; /* (dying members are not read one by one) */
	}
	kill_for_each_pid(k, try_sharer, NULL);
	if (k->unit == KILL_UNIT_PGROUP)
		kill_for_each_pid(k, try_pgroup, NULL);
	else if (k->unit == KILL_UNIT_CGROUP)
		kill_cgroup(k);
	else if (k->unit == KILL_UNIT_SWARM)
		kill_swarm(k);
}

/* Status counters of the victim right after process_mrelease(): the
 * kernel's oom_reaper prints them ("now anon-rss:0kB ..."). */
static void read_now_rss(struct kill_ctx *k)
{
	struct task_info t;
	char path[32];

	memset(&t, 0, sizeof(t));
	snprintf(path, sizeof(path), "%d/status", (int)k->members[0].t.pid);
	if (read_file_at(k->proc_fd, path, k->text, sizeof(k->text)) >= 0)
		proc_parse_status(k->text, &t);
	k->now_anon_kb = t.rss_anon_kb;
	k->now_file_kb = t.rss_file_kb;
	k->now_shmem_kb = t.rss_shmem_kb;
}

/* Polls every signalled pidfd until all exited or the timeout passed. */
static bool wait_exit(struct kill_ctx *k, uint64_t deadline_ns)
{
	struct pollfd pfd[KILL_MAX_MEMBERS];
	size_t idx[KILL_MAX_MEMBERS];

	for (;;) {
		nfds_t n = 0;
		uint64_t now = now_ns();
		int r;

		for (size_t i = 0; i < k->nr_members; i++) {
			struct kill_member *m = &k->members[i];

			if (m->pidfd < 0 || !m->signalled || m->exited)
				continue;
			pfd[n] = (struct pollfd){ .fd = m->pidfd, .events = POLLIN };
			idx[n++] = i;
		}
		if (n == 0)
			return true;
		if (now >= deadline_ns)
			return false;
		r = poll(pfd, n, (int)((deadline_ns - now + 999999) / 1000000));
		if (r < 0 && errno != EINTR)
			return false;
		now = now_ns();
		for (nfds_t j = 0; r > 0 && j < n; j++) {
			if (pfd[j].revents) {
				k->members[idx[j]].exited = true;
				k->members[idx[j]].t_exit_ns = now;
			}
		}
	}
}

static void reset_results(struct kill_ctx *k)
{
	k->outcome = KILL_OK;
	k->refused = NULL;
	k->err = 0;
	k->nr_members = 0;
	k->nr_more = 0;
	k->used_cgroup_kill = false;
	k->used_pgroup_kill = false;
	k->reap_err = 1;
	k->now_anon_kb = k->now_file_kb = k->now_shmem_kb = 0;
}

static int finish(struct kill_ctx *k, enum kill_outcome o, int err)
{
	close_members(k);
	if (o == KILL_VICTIM_GONE || o == KILL_PID_REUSED || o == KILL_TOO_YOUNG || o == KILL_REFUSED)
		k->nr_members = 0; /* members[0] may describe another process */
	k->outcome = o;
	k->err = err;
	return err;
}

/* Steps 1-2: the victim's pidfd, verified, and its members; k->members[0]. */
static int open_victim(struct kill_ctx *k, const struct oom_control *oc)
{
	const struct task_info *c = oc->chosen;
	struct kill_member *v = &k->members[0];
	int pidfd, r;

	/* without kill_ctx_snapshot_begins(), now is the best bound known */
	if (c->start_time >= (k->snapshot_tick ? k->snapshot_tick : kill_boot_tick()))
		return finish(k, KILL_TOO_YOUNG, -ESTALE);
	test_pause(k, KILL_PAUSE_BEFORE_PIDFD);
	pidfd = sys_pidfd_open(c->pid);
	if (pidfd < 0)
		return finish(k, KILL_VICTIM_GONE, -ESRCH);
	test_pause(k, KILL_PAUSE_BEFORE_VERIFY);
	memset(v, 0, sizeof(*v));
	v->pidfd = pidfd;
	v->why = KILL_WHY_VICTIM;
	k->nr_members = 1;
	r = task_info_read(k->proc_root, c->pid, PROC_DETAIL_MEMCG | PROC_DETAIL_CMDLINE | PROC_DETAIL_EXE,
			   &v->t);
	if (r < 0)
		return finish(k, KILL_VICTIM_GONE, -ESRCH);
	task_find_mm(k->proc_root, &v->t, k->dents, sizeof(k->dents));
	if (v->t.start_time != c->start_time)
		return finish(k, KILL_PID_REUSED, -ESTALE);
	k->refused = kill_refuse_reason(k, &v->t);
	if (k->refused)
		return finish(k, KILL_REFUSED, -EPERM);
	if (k->unit == KILL_UNIT_SWARM) /* the cgroup the decision saw: an exiting victim reads "/" */
		snprintf(v->t.memcg, sizeof(v->t.memcg), "%s", c->memcg);
	collect_members(k);
	/* still alive (or an unreaped zombie): its pid was not reused under kcmp;
	 * kill_cgroup() checked that before its cgroup.kill */
	if (!k->used_cgroup_kill && !k->used_pgroup_kill && sys_pidfd_signal(pidfd, 0) < 0)
		return finish(k, KILL_VICTIM_GONE, -ESRCH);
	return 0;
}

/* --unit swarm whose chosen copy is gone (a fork bomb's copies die and
 * fork all the time, the kernel may have killed this one): the swarm is
 * still there, found by the chosen task's name, uid and cgroup as scanned.
 * The victim counts as signalled and exited; 0 when a member was found. */
static int swarm_without_victim(struct kill_ctx *k, const struct oom_control *oc)
{
	struct kill_member *v = &k->members[0];

	memset(v, 0, sizeof(*v));
	v->t = *oc->chosen;
	v->pidfd = -1;
	v->why = KILL_WHY_VICTIM;
	v->signalled = v->exited = true;
	k->nr_members = 1;
	k->nr_more = 0;
	kill_swarm(k);
	return k->nr_members + k->nr_more > 1 ? 0 : -ESRCH;
}

static void reap(struct kill_ctx *k, struct oom_control *oc)
{
	k->reap_err = sys_process_mrelease(k->members[0].pidfd);
	oc->t_reaped_ns = now_ns();
	oc->reaped = k->reap_err == 0;
	if (oc->reaped)
		read_now_rss(k);
	for (size_t i = 1; i < k->nr_members; i++)
		if (k->members[i].signalled && k->members[i].why != KILL_WHY_SHARES_MM)
			sys_process_mrelease(k->members[i].pidfd);
}

int oom_kill_process(struct oom_control *oc, struct kill_ctx *k)
{
	struct kill_member *v = &k->members[0];
	int r;

	reset_results(k);
	k->sig = oc->kill_signal;
	k->dry_run = oc->dry_run;
	oc->killed = oc->reaped = false;
	oc->nr_sharers_killed = 0;
	if (!oc->chosen)
		return finish(k, KILL_VICTIM_GONE, -ESRCH);
	k->refused = kill_refuse_reason(k, oc->chosen);
	if (k->refused)
		return finish(k, KILL_REFUSED, -EPERM);
	r = open_victim(k, oc);
	if ((r == -ESRCH || r == -ESTALE) && k->unit == KILL_UNIT_SWARM)
		r = swarm_without_victim(k, oc);
	if (r < 0)
		return r;
	oc->avail_before_kb = oc->avail_after_kb = measure_avail_kb(k);
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
	signal_members(k);
	for (size_t i = 1; i < k->nr_members; i++)
		if (k->members[i].why == KILL_WHY_SHARES_MM && k->members[i].signalled)
			oc->nr_sharers_killed++;
	if (k->sig == SIGKILL && k->reap)
		reap(k, oc);
	r = wait_exit(k, oc->t_signal_ns + (uint64_t)k->timeout_ms * 1000000u);
	oc->t_exit_ns = v->t_exit_ns;
	oc->avail_after_kb = measure_avail_kb(k);
	return r ? finish(k, KILL_OK, 0) : finish(k, KILL_TIMEOUT, -ETIMEDOUT);
}

const char *kill_outcome_name(enum kill_outcome o)
{
	static const char *const names[] = { "killed", "dry_run", "victim_gone", "pid_reused", "too_young",
					     "refused", "signal_failed", "timeout" };

	return names[o];
}

const char *kill_why_name(enum kill_why w)
{
	static const char *const names[] = { "victim", "shares_mm", "pgroup", "cgroup", "swarm" };

	return names[w];
}

static const char *const unit_names[] = { "process", "pgroup", "cgroup", "swarm" };

const char *kill_unit_name(enum kill_unit u)
{
	return unit_names[u];
}

int kill_unit_parse(const char *s, enum kill_unit *u)
{
	for (size_t i = 0; i < ARRAY_SIZE(unit_names); i++) {
		if (!strcmp(s, unit_names[i])) {
			*u = (enum kill_unit)i;
			return 0;
		}
	}
	return -EINVAL;
}
