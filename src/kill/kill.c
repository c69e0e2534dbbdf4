/* kill.c - the kill context (every buffer of the kill path, sized once),
 * the refusal rules, and the reads of /proc the kill path shares: a
 * process's stat, every pid, a zombie leader's live thread. */
#include "kill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kill_proc.h"
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
		k->res.members[i].pidfd = -1;
	k->held_pidfd = -1;
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
	kill_victim_release(k);
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

bool kill_read_stat(struct kill_ctx *k, pid_t pid, struct task_info *t)
{
	char path[32];

	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	return read_file_at(k->proc_fd, path, k->text, sizeof(k->text)) >= 0 && proc_parse_stat(k->text, t) == 0;
}
