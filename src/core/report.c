/* report.c - see report.h. Format strings follow mm/oom_kill.c
 * (dump_header, dump_tasks, the kill and reap lines) and mm/show_mem.c
 * (Mem-Info, per-node and per-zone lines) of kernels 6.8+. */
#include "report.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "k8s.h"
#include "select.h"

#define ESC_MAX (TASK_CGROUP_MAX * 4 + 1)

void report_init(struct report *r, FILE *f, int kmsg_fd)
{
	r->f = f;
	r->kmsg_fd = kmsg_fd;
	r->syslog = false;
	r->line[0] = '\0';
}

void report_init_syslog(struct report *r, int fd)
{
	report_init(r, NULL, fd);
	r->syslog = true;
}

void report_line(struct report *r, int level, const char *fmt, ...)
{
	char rec[sizeof(r->line) + 40];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(r->line, sizeof(r->line), fmt, ap);
	va_end(ap);
	if (r->f)
		fprintf(r->f, "%s\n", r->line);
	if (r->kmsg_fd >= 0) {
		n = r->syslog ? snprintf(rec, sizeof(rec), "<%d>oomkit[%d]: %s", SYSLOG_DAEMON | level, (int)getpid(), r->line)
			      : snprintf(rec, sizeof(rec), "<%d>%s\n", level, r->line);
		if (n > 0 && write(r->kmsg_fd, rec, (size_t)n < sizeof(rec) ? (size_t)n : sizeof(rec) - 1) < 0)
			r->kmsg_fd = -1; /* /dev/kmsg refused once: keep the FILE copy going */
	}
}

static unsigned long pages(unsigned long kb, unsigned long page_size)
{
	return kb / (page_size / 1024 ? page_size / 1024 : 4);
}

static const char *esc(const char *s, char *buf)
{
	return text_escape(s, buf, ESC_MAX);
}

static void show_mem(struct report *r, const struct meminfo *mi, unsigned long ps)
{
	report_line(r, KLOG_WARNING, "Mem-Info:");
	report_line(r, KLOG_WARNING, "active_anon:%lu inactive_anon:%lu", pages(mi->active_anon_kb, ps),
		    pages(mi->inactive_anon_kb, ps));
	report_line(r, KLOG_WARNING, " active_file:%lu inactive_file:%lu", pages(mi->active_file_kb, ps),
		    pages(mi->inactive_file_kb, ps));
	report_line(r, KLOG_WARNING, " unevictable:%lu dirty:%lu writeback:%lu", pages(mi->unevictable_kb, ps),
		    pages(mi->dirty_kb, ps), pages(mi->writeback_kb, ps));
	report_line(r, KLOG_WARNING, " slab_reclaimable:%lu slab_unreclaimable:%lu",
		    pages(mi->slab_reclaimable_kb, ps), pages(mi->slab_unreclaimable_kb, ps));
	report_line(r, KLOG_WARNING, " mapped:%lu shmem:%lu pagetables:%lu", pages(mi->mapped_kb, ps),
		    pages(mi->shmem_kb, ps), pages(mi->page_tables_kb, ps));
	report_line(r, KLOG_WARNING, " free:%lu", pages(mi->mem_free_kb, ps));
	report_line(r, KLOG_WARNING, "%lu total pagecache pages",
		    pages(mi->cached_kb + mi->swap_cached_kb + mi->buffers_kb, ps));
	report_line(r, KLOG_WARNING, "Free swap  = %lukB", mi->swap_free_kb);
	report_line(r, KLOG_WARNING, "Total swap = %lukB", mi->swap_total_kb);
	report_line(r, KLOG_WARNING, "%lu pages RAM", pages(mi->mem_total_kb, ps));
}

static unsigned long long kb(uint64_t bytes)
{
	return bytes == CGROUP_UNLIMITED ? 9007199254740988ULL : (unsigned long long)(bytes / 1024);
}

/* mem_cgroup_print_oom_meminfo(): usage line, then memory.stat (bytes). */
static void show_memcg(struct report *r, const struct memcg_state *st)
{
	char e[ESC_MAX];
	const struct { const char *name; uint64_t v; } stat[] = {
		{ "anon", st->stat_anon }, { "file", st->stat_file }, { "kernel", st->stat_kernel },
		{ "sock", st->stat_sock }, { "shmem", st->stat_shmem }, { "file_mapped", st->stat_file_mapped },
		{ "file_dirty", st->stat_file_dirty }, { "file_writeback", st->stat_file_writeback },
		{ "swapcached", st->stat_swapcached }, { "inactive_anon", st->stat_inactive_anon },
		{ "active_anon", st->stat_active_anon }, { "inactive_file", st->stat_inactive_file },
		{ "active_file", st->stat_active_file }, { "unevictable", st->stat_unevictable },
		{ "slab", st->stat_slab },
	};

	report_line(r, KLOG_INFO, "memory: usage %llukB, limit %llukB, failcnt %llu", kb(st->usage_bytes),
		    kb(st->limit_bytes), (unsigned long long)st->failcnt);
	report_line(r, KLOG_INFO, "Memory cgroup stats for %s:", esc(st->path, e));
	for (size_t i = 0; i < sizeof(stat) / sizeof(stat[0]); i++)
		report_line(r, KLOG_INFO, "%s %llu", stat[i].name, (unsigned long long)stat[i].v);
}

/* The kernel prints gfp_mask and order of the allocation that failed; a
 * user-space kill has no allocation: order=-1 as for sysrq-f, and the
 * trigger in the place of gfp_mask. Commas would split the key list. */
static const char *trigger_text(const char *trigger, char *buf)
{
	esc(*trigger ? trigger : "manual", buf);
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = ';';
	return buf;
}

void dump_header(struct report *r, const struct oom_control *oc, const struct meminfo *mi,
		 const struct memcg_state *mcg)
{
	char e1[ESC_MAX], e2[ESC_MAX];

	report_line(r, KLOG_WARNING, "%s invoked oom-killer: trigger=%s, order=%d, oom_score_adj=%d",
		    esc(oc->invoker.comm, e1), trigger_text(oc->trigger, e2), oc->order,
		    oc->invoker.oom_score_adj);
	if (oc->constraint == CONSTRAINT_MEMCG && mcg)
		show_memcg(r, mcg);
	else if (mi)
		show_mem(r, mi, oc->page_size);
}

/* rss is get_mm_rss() (stat field 24) as the kernel's dump_tasks() prints
 * it; the rss_* columns come from status. */
char *dump_task_row(const struct task_info *t, unsigned long page_size, char *buf, size_t size)
{
	char e[ESC_MAX];

	snprintf(buf, size, "[%7d] %5u %5d %8lu %8lu %8lu %8lu %9lu %8lu %8lu         %5d %s", (int)t->pid,
		 (unsigned)t->uid, (int)t->pid, pages(t->total_vm_kb, page_size),
		 t->rss_pages ? t->rss_pages : pages(task_rss_kb(t), page_size), pages(t->rss_anon_kb, page_size),
		 pages(t->rss_file_kb, page_size), pages(t->rss_shmem_kb, page_size), t->pgtables_kb * 1024,
		 pages(t->swap_kb, page_size), t->oom_score_adj, esc(t->comm, e));
	return buf;
}

/* dump_task(): oom_unkillable_task() (init, kthreads) and mm-less tasks are
 * not listed; -1000 tasks are. */
void dump_tasks_max(struct report *r, const struct oom_control *oc, const struct proc_snapshot *snap,
		    size_t max_rows)
{
	char row[sizeof(r->line)];
	size_t shown = 0, skipped = 0;

	report_line(r, KLOG_INFO, DUMP_TASKS_TITLE);
	report_line(r, KLOG_INFO, DUMP_TASKS_HEADER);
	for (size_t i = 0; i < snap->nr; i++) {
		const struct task_info *t = &snap->tasks[i];

		if (t->pid == 1 || t->kthread || !t->has_mm)
			continue;
		if (oc->constraint == CONSTRAINT_MEMCG && !task_in_memcg(t, oc->memcg))
			continue;
		/* (the last slot is kept for the victim) */
		if (shown + 1 >= max_rows && t != oc->chosen && max_rows != SIZE_MAX) {
			skipped++;
			continue;
		}
		report_line(r, KLOG_INFO, "%s", dump_task_row(t, oc->page_size, row, sizeof(row)));
		shown++;
	}
	if (skipped)
		report_line(r, KLOG_INFO, "oomkit: %zu more tasks not listed", skipped);
}

void dump_tasks(struct report *r, const struct oom_control *oc, const struct proc_snapshot *snap)
{
	dump_tasks_max(r, oc, snap, SIZE_MAX);
}

void dump_oom_summary(struct report *r, const struct oom_control *oc, const struct task_info *v)
{
	char e1[ESC_MAX], e2[ESC_MAX], e3[ESC_MAX];

	if (oc->constraint == CONSTRAINT_MEMCG)
		report_line(r, KLOG_INFO,
			    "oom-kill:constraint=%s,nodemask=(null),oom_memcg=%s,task_memcg=%s,task=%s,pid=%d,uid=%u",
			    oom_constraint_name(oc->constraint), esc(oc->memcg, e1), esc(v->memcg, e2),
			    esc(v->comm, e3), (int)v->pid, (unsigned)v->uid);
	else
		report_line(r, KLOG_INFO,
			    "oom-kill:constraint=%s,nodemask=(null),global_oom,task_memcg=%s,task=%s,pid=%d,uid=%u",
			    oom_constraint_name(oc->constraint), esc(v->memcg, e2), esc(v->comm, e3), (int)v->pid,
			    (unsigned)v->uid);
}

/* "Out of memory", "Memory cgroup out of memory", with oomkit's variants
 * in parentheses, as the kernel's "(oom_kill_allocating_task)". */
static const char *kill_message(const struct oom_control *oc, char *buf, size_t size)
{
	const char *base = oc->constraint == CONSTRAINT_MEMCG ? "Memory cgroup out of memory" : "Out of memory";

	if (oc->dry_run)
		snprintf(buf, size, "%s (dry run)", base);
	else if (oc->kill_signal != SIGKILL)
		snprintf(buf, size, "%s (%s)", base, sigabbrev_np(oc->kill_signal) ? sigabbrev_np(oc->kill_signal) : "signal");
	else
		snprintf(buf, size, "%s", base);
	return buf;
}

static void killed_line(struct report *r, const char *msg, const struct task_info *t)
{
	char e[ESC_MAX];

	report_line(r, KLOG_ERR,
		    "%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB, "
		    "UID:%u pgtables:%lukB oom_score_adj:%d",
		    msg, (int)t->pid, esc(t->comm, e), t->total_vm_kb, t->rss_anon_kb, t->rss_file_kb,
		    t->rss_shmem_kb, (unsigned)t->uid, t->pgtables_kb, t->oom_score_adj);
}

/* Kubernetes/container identity of the victim (doc/kubernetes.md): not a
 * kernel line, so it carries oomkit's own prefix. */
static void pod_line(struct report *r, const struct task_info *t)
{
	struct k8s_pod pod;
	char text[256];

	if (k8s_decode(t->memcg, &pod) != 1 || (!pod.pod_uid[0] && !pod.container_id[0]))
		return;
	report_line(r, KLOG_INFO, "oomkit: process %d runs in %s", (int)t->pid, k8s_format(&pod, text, sizeof(text)));
}

/* A fork bomb's group stopped for its check (kill_pgroup.c): killed at
 * once (the unit line says so), else continued once its copies were
 * signalled one by one. */
static void stop_lines(struct report *r, const struct oom_kill_result *k)
{
	if (!k->stopped_pgid)
		return;
	if (!k->used_pgroup_kill)
		report_line(r, KLOG_INFO, "oomkit: process group %d was stopped while it was checked, then continued: "
			    "not every member may die", (int)k->stopped_pgid);
	if (k->cont_err)
		report_line(r, KLOG_ERR, "oomkit: process group %d could not be continued: %s", (int)k->stopped_pgid,
			    strerror(-k->cont_err));
}

static void member_lines(struct report *r, const char *msg, const struct oom_kill_result *k)
{
	const struct task_info *v = &k->members[0].t;
	char e1[ESC_MAX], e2[ESC_MAX];
	size_t nr_gone = 0;

	if (k->unit == KILL_UNIT_CGROUP)
		report_line(r, KLOG_INFO, "Tasks in %s are going to be killed due to oomkit --unit cgroup%s",
			    esc(v->memcg, e1), k->used_cgroup_kill ? " (cgroup.kill)" : "");
	else if (k->unit == KILL_UNIT_PGROUP)
		report_line(r, KLOG_INFO, "Tasks in process group %d are going to be killed due to oomkit --unit pgroup%s",
			    (int)v->pgid, k->used_pgroup_kill ? " (stopped, at once)"
			    : k->stopped_pgid ? " (stopped, its copies one by one)" : "");
	if (k->nr_strays)
		report_line(r, KLOG_WARNING, "oomkit: process %d (%s) entered process group %d after its check and "
			    "was killed with it%s", (int)k->stray.pid, esc(k->stray.comm, e1), (int)v->pgid,
			    k->nr_strays > 1 ? " (and others)" : "");
	else if (k->unit == KILL_UNIT_SWARM)
		report_line(r, KLOG_INFO, "Tasks in %s named %s of uid %u are going to be killed due to oomkit --unit swarm",
			    esc(v->memcg, e1), esc(v->comm, e2), (unsigned)v->uid);
	stop_lines(r, k);
	for (size_t i = 1; i < k->nr_members; i++) {
		const struct kill_member *m = &k->members[i];

		if (!m->spared && !m->signalled && m->exited)
			nr_gone++;
		else if (m->spared && m->t.pid == 1)
			report_line(r, KLOG_INFO, "oom killer %d (%s) has mm pinned by %d (%s)", (int)v->pid,
				    esc(v->comm, e1), (int)m->t.pid, esc(m->t.comm, e2));
		else if (m->spared)
			report_line(r, KLOG_INFO, "oomkit: spared process %d (%s) %s: %s", (int)m->t.pid,
				    esc(m->t.comm, e1), m->why == KILL_WHY_SHARES_MM ? "sharing same memory" : "in the group",
				    m->spared);
		else if (m->why == KILL_WHY_SHARES_MM)
			report_line(r, KLOG_ERR, "Kill process %d (%s) sharing same memory", (int)m->t.pid,
				    esc(m->t.comm, e1));
		else
			killed_line(r, msg, &m->t);
		if (m->err)
			report_line(r, KLOG_ERR, "oomkit: signal to process %d failed: %s", (int)m->t.pid, strerror(-m->err));
	}
	if (k->nr_more)
		report_line(r, KLOG_INFO, "oomkit: and %zu more processes killed", k->nr_more);
	if (nr_gone)
		report_line(r, KLOG_INFO, "oomkit: %zu more had exited before their signal", nr_gone);
}

static double ms(uint64_t from, uint64_t to)
{
	return to > from ? (double)(to - from) / 1e6 : 0.0;
}

static const char *not_reaped_why(const struct oom_control *oc, const struct oom_kill_result *k)
{
	if (oc->kill_signal != SIGKILL)
		return "no SIGKILL";
	if (!k->reap)
		return "--no-reap";
	if (k->reap_err == -ESRCH)
		return "its memory was already released";
	return k->reap_err < 0 ? strerror(-k->reap_err) : "not tried";
}

static void outcome_lines(struct report *r, const struct oom_control *oc, const struct oom_kill_result *k)
{
	const struct task_info *v = &k->members[0].t;
	const char *what = k->measured_memcg ? "memcg headroom" : "MemAvailable";
	char e[ESC_MAX];
	long delta = (long)oc->avail_after_kb - (long)oc->avail_before_kb;

	if (oc->reaped)
		report_line(r, KLOG_INFO, "oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB",
			    (int)v->pid, esc(v->comm, e), k->now_anon_kb, k->now_file_kb, k->now_shmem_kb);
	else if (k->reap_err < 0 && k->reap_err != -ESRCH)
		report_line(r, KLOG_INFO, "oom_reaper: unable to reap pid:%d (%s)", (int)v->pid, esc(v->comm, e));
	if (k->outcome == KILL_TIMEOUT)
		report_line(r, KLOG_ERR, "oomkit: process %d did not exit within %d ms after %s", (int)v->pid,
			    k->timeout_ms, sigabbrev_np(oc->kill_signal) ? sigabbrev_np(oc->kill_signal) : "the signal");
	else if (oc->reaped)
		report_line(r, KLOG_INFO, "oomkit: process %d exited %.1f ms after the signal, reaped in %.1f ms; %s %lukB -> %lukB (%+ldkB)",
			    (int)v->pid, ms(oc->t_signal_ns, oc->t_exit_ns), ms(oc->t_signal_ns, oc->t_reaped_ns), what,
			    oc->avail_before_kb, oc->avail_after_kb, delta);
	else
		report_line(r, KLOG_INFO, "oomkit: process %d exited %.1f ms after the signal, not reaped (%s); %s %lukB -> %lukB (%+ldkB)",
			    (int)v->pid, ms(oc->t_signal_ns, oc->t_exit_ns), not_reaped_why(oc, k), what,
			    oc->avail_before_kb, oc->avail_after_kb, delta);
}

void report_kill(struct report *r, const struct oom_control *oc)
{
	const struct oom_kill_result *k = oc->kill;
	const struct task_info *c = oc->chosen;
	char msg[64], e[ESC_MAX];

	kill_message(oc, msg, sizeof(msg));
	switch (k->outcome) {
	case KILL_VICTIM_GONE:
		report_line(r, KLOG_INFO, "%s: OOM victim %d (%s) is already exiting. Skip killing the task", msg,
			    (int)c->pid, esc(c->comm, e));
		return;
	case KILL_PID_REUSED:
		report_line(r, KLOG_INFO, "%s: OOM victim %d (%s) is gone and its pid names another process. Skip killing the task",
			    msg, (int)c->pid, esc(c->comm, e));
		return;
	case KILL_TOO_YOUNG:
		report_line(r, KLOG_INFO, "%s: OOM victim %d (%s) started in the tick of the scan, its identity cannot be verified. Skip killing the task",
			    msg, (int)c->pid, esc(c->comm, e));
		return;
	case KILL_REFUSED:
		report_line(r, KLOG_INFO, "%s: OOM victim %d (%s) may not be killed (%s). Skip killing the task", msg,
			    (int)c->pid, esc(c->comm, e), k->refused);
		return;
	case KILL_SIGNAL_FAILED:
		report_line(r, KLOG_ERR, "%s: signal to process %d (%s) failed: %s%s", msg, (int)c->pid, esc(c->comm, e),
			    strerror(-k->err), k->err == -EPERM ? " (another user's process: needs root or CAP_KILL)" : "");
		return;
	default:
		break;
	}
	killed_line(r, msg, &k->members[0].t);
	pod_line(r, &k->members[0].t);
	member_lines(r, msg, k);
	if (k->outcome != KILL_DRY_RUN)
		outcome_lines(r, oc, k);
}

void report_kill_escalated(struct report *r, const struct oom_control *oc)
{
	const struct oom_kill_result *k = oc->kill;
	const struct task_info *c = oc->chosen;
	char msg[64], e[ESC_MAX];

	kill_message(oc, msg, sizeof(msg));
	switch (k->outcome) {
	case KILL_DRY_RUN:
	case KILL_TIMEOUT:
	case KILL_OK:
		break;
	default: /* gone, reused, refused, failed: the SIGTERM's line stands */
		report_line(r, KLOG_INFO, "oomkit: escalated to SIGKILL for process %d (%s): not sent, it was exiting or is gone",
			    (int)c->pid, esc(c->comm, e));
		return;
	}
	report_line(r, KLOG_ERR, "oomkit: escalated to SIGKILL for process %d (%s) after its SIGTERM", (int)c->pid,
		    esc(c->comm, e));
	member_lines(r, msg, k);
	outcome_lines(r, oc, k);
}

void report_no_victim(struct report *r)
{
	report_line(r, KLOG_WARNING, "Out of memory and no killable processes...");
}
