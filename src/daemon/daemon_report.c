/* daemon_report.c - see daemon_report.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon_log.h"
#include "daemon_report.h"
#include "core/json.h"
#include "core/k8s.h"
#include "core/mem.h"
#include "core/report.h"
#include "core/units.h"

#define REPORT_TASKS_MAX 64 /* rows of the task table (kernel: all) */

static char json_buf[8192]; /* stdio's buffer for the event file: no lazy malloc */

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Where the kernel-shaped report goes: the log (stderr, with the sd-daemon
 * <level> prefix when it is the journal; syslog with --syslog) and, when
 * asked, /dev/kmsg. Returns how many of sinks[2] it set up. */
static size_t report_sinks(struct daemon *d, struct report sinks[2])
{
	size_t n = 0;

	if (dlog_syslog_fd() >= 0)
		report_init_syslog(&sinks[n++], dlog_syslog_fd());
	else if (dlog_stderr_is_journal())
		report_init(&sinks[n++], NULL, STDERR_FILENO);
	else
		report_init(&sinks[n++], stderr, -1); /* unbuffered: one write per line */
	if (d->cfg.kmsg && kmsg_fd_get() >= 0)
		report_init(&sinks[n++], NULL, kmsg_fd_get());
	return n;
}

/* Both a journal line and, when asked, a kernel log line. */
static void say(struct daemon *d, int prio, const char *line)
{
	dlog(prio, "%s", line);
	if (d->cfg.kmsg)
		kmsg_line(prio, line);
}

void report_selection(struct daemon *d, int sig)
{
	int scope = d->ep.scope;
	static struct memcg_state st; /* large; one report at a time */
	struct oom_control *oc = &d->sel.oc;
	const struct memcg_state *mcg = NULL;
	struct report sinks[2];
	size_t n = report_sinks(d, sinks);

	oc->kill_signal = sig;
	if (scope >= 0 && memcg_read(&d->roots, d->cg[scope].dir,
				     d->cg[scope].version == 2 ? CGROUP_V2 : CGROUP_V1, &st) == 0)
		mcg = &st;
	for (size_t i = 0; i < n; i++) {
		dump_header(&sinks[i], oc, &d->ep.mi, mcg);
		dump_tasks_max(&sinks[i], oc, &d->sel.snap, REPORT_TASKS_MAX);
		dump_oom_summary(&sinks[i], oc, oc->chosen);
	}
}

/* The victim's Kubernetes pod / container (doc/kubernetes.md), when any. */
static void report_pod(struct daemon *d, const struct task_info *v)
{
	struct k8s_pod pod;
	char text[256], line[320];

	if (k8s_decode(v->memcg, &pod) != 1 || (!pod.pod_uid[0] && !pod.container_id[0]))
		return;
	snprintf(line, sizeof(line), "oomkit: process %d runs in %s", v->pid, k8s_format(&pod, text, sizeof(text)));
	say(d, DLOG_INFO, line);
}

void report_kill_started(struct daemon *d)
{
	const struct oom_control *oc = &d->sel.oc;
	const struct task_info *v = oc->chosen;
	char comm[4 * TASK_COMM_MAX], icomm[4 * TASK_COMM_MAX], grown[32], line[2048];
	const char *base = oc->memcg[0] ? "Memory cgroup out of memory" : "Out of memory";

	d->ep.realtime_ns = realtime_ns();
	text_escape(v->comm, comm, sizeof(comm));
	text_escape(oc->invoker.comm, icomm, sizeof(icomm));
	format_kb(oc->invoker.growth_kb, grown, sizeof(grown));
	/* kill's format: a first SIGTERM is "Out of memory (TERM)" */
	snprintf(line, sizeof(line),
		 "%s%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%d",
		 base, d->ep.signal == SIGKILL ? "" : " (TERM)", v->pid, comm, v->total_vm_kb,
		 v->rss_anon_kb, v->rss_file_kb, v->rss_shmem_kb, (unsigned int)v->uid, v->pgtables_kb,
		 v->oom_score_adj);
	if (d->ep.signal != SIGKILL) /* SIGKILL: report_kill_process() says it */
		say(d, DLOG_ERR, line);
	report_pod(d, v);
	dlog(DLOG_INFO, "oomkit: invoker %s (pid %d) grew %s since the previous scan; victim points %ld, %zu candidates",
	     icomm, oc->invoker.pid, grown, oc->chosen_points, oc->nr_candidates);
}

void report_kill_process(struct daemon *d)
{
	struct report sinks[2];
	size_t n = report_sinks(d, sinks);

	for (size_t i = 0; i < n; i++) {
		if (d->ep.escalated)
			report_kill_escalated(&sinks[i], &d->sel.oc);
		else
			report_kill(&sinks[i], &d->sel.oc);
	}
}

void report_kill_finished(const struct daemon *d)
{
	const struct episode *ep = &d->ep;
	const struct task_info *v = d->sel.oc.chosen;
	char comm[4 * TASK_COMM_MAX], before[32], after[32];

	text_escape(v->comm, comm, sizeof(comm));
	format_kb(ep->avail_before_kb, before, sizeof(before));
	format_kb(ep->avail_after_kb, after, sizeof(after));
	if (ep->exited)
		dlog(DLOG_NOTICE, "process %d (%s) exited %llu ms after %s; %s %s -> %s",
		     v->pid, comm, (unsigned long long)ep->ms_to_exit,
		     ep->escalated ? "SIGTERM, escalated to SIGKILL"
				   : ep->signal == SIGKILL ? "SIGKILL" : "SIGTERM",
		     d->sel.oc.memcg[0] ? "headroom" : "MemAvailable", before, after);
	else
		dlog(DLOG_ERR, "process %d (%s) did not exit %llu ms after SIG%s", v->pid, comm,
		     (unsigned long long)ep->ms_to_exit, sigabbrev_np(ep->signal));
}

void report_dry_run(struct daemon *d)
{
	const struct oom_control *oc = &d->sel.oc;
	char comm[4 * TASK_COMM_MAX];

	text_escape(oc->chosen->comm, comm, sizeof(comm));
	dlog(DLOG_NOTICE, "dry-run: would send SIG%s to process %d (%s), rss %lukB, oom_score_adj %d, points %ld: trigger=%s",
	     sigabbrev_np(d->ep.signal), oc->chosen->pid, comm, task_rss_kb(oc->chosen),
	     oc->chosen->oom_score_adj, oc->chosen_points, oc->trigger);
	report_pod(d, oc->chosen);
}

void report_dry_run_held(const struct daemon *d, const char *trigger, uint64_t since_ns)
{
	const struct task_info *v = d->sel.oc.chosen;
	char comm[4 * TASK_COMM_MAX];

	text_escape(v->comm, comm, sizeof(comm));
	dlog(DLOG_NOTICE, "dry-run: %s still holds; would have sent SIG%s to process %d (%s) %llu s ago, nothing sent",
	     trigger, sigabbrev_np(d->ep.signal), v->pid, comm, (unsigned long long)(since_ns / 1000000000ULL));
}

/* A fact of the episode, or null when a dry run cannot know it. */
static void json_kv_known_bool(struct json *j, const char *key, bool known, bool v)
{
	if (known)
		json_kv_bool(j, key, v);
	else
		json_kv_null(j, key);
}

static void json_kv_known_uint(struct json *j, const char *key, bool known, uint64_t v)
{
	if (known)
		json_kv_uint(j, key, v);
	else
		json_kv_null(j, key);
}

static void json_task(struct json *j, const char *key, const struct task_info *t, unsigned long growth_kb)
{
	json_key(j, key);
	json_begin_object(j);
	json_kv_int(j, "pid", t->pid);
	json_kv_string(j, "comm", t->comm);
	json_kv_uint(j, "uid", t->uid);
	json_kv_int(j, "oom_score_adj", t->oom_score_adj);
	json_kv_uint(j, "rss_kb", task_rss_kb(t));
	json_kv_uint(j, "growth_kb", growth_kb);
	k8s_json_memcg(j, t->memcg);
	json_end_object(j);
}

static void json_event(struct daemon *d)
{
	const struct oom_control *oc = &d->sel.oc;
	const struct task_info *v = oc->chosen;
	const struct episode *ep = &d->ep;
	struct json j;

	if (!d->json)
		return;
	json_init(&j, d->json);
	json_begin_document(&j, 1);
	json_kv_string(&j, "event", ep->dry_run ? "dry_run_kill" : "kill");
	json_kv_uint(&j, "time_ns", ep->realtime_ns);
	json_kv_string(&j, "trigger", oc->trigger);
	json_kv_string(&j, "constraint", oc->memcg[0] ? "CONSTRAINT_MEMCG" : "CONSTRAINT_NONE");
	json_kv_string(&j, "memcg", oc->memcg);
	json_task(&j, "victim", v, 0);
	json_kv_int(&j, "points", oc->chosen_points);
	json_kv_uint(&j, "anon_rss_kb", v->rss_anon_kb);
	json_kv_uint(&j, "file_rss_kb", v->rss_file_kb);
	json_kv_uint(&j, "shmem_rss_kb", v->rss_shmem_kb);
	json_kv_uint(&j, "pgtables_kb", v->pgtables_kb);
	json_task(&j, "invoker", oc->invoker.task, oc->invoker.growth_kb);
	json_kv_string(&j, "signal", ep->signal == SIGKILL ? "SIGKILL" : "SIGTERM");
	json_kv_bool(&j, "escalated", ep->escalated);
	json_kv_known_bool(&j, "exited", !ep->dry_run, ep->exited);
	json_kv_known_bool(&j, "reaped", !ep->dry_run, ep->reaped);
	json_kv_known_uint(&j, "ms_to_exit", !ep->dry_run && ep->exited, ep->ms_to_exit);
	json_kv_uint(&j, "avail_before_kb", ep->avail_before_kb);
	json_kv_known_uint(&j, "avail_after_kb", !ep->dry_run, ep->avail_after_kb);
	json_kv_uint(&j, "candidates", oc->nr_candidates);
	json_end_object(&j); /* ends the line */
	fflush(d->json);
}

/* The one self-contained copy of the kill, for the publisher thread and
 * the status file: the snapshot oc.chosen points into is reused by the
 * next selection. */
static void kill_record_of_episode(const struct daemon *d, struct kill_record *r)
{
	const struct oom_control *oc = &d->sel.oc;
	const struct task_info *v = oc->chosen;
	const struct episode *ep = &d->ep;

	memset(r, 0, sizeof(*r));
	r->time_seconds = (double)ep->realtime_ns / 1e9;
	r->pid = v->pid;
	r->uid = v->uid;
	snprintf(r->comm, sizeof(r->comm), "%s", v->comm);
	snprintf(r->cgroup, sizeof(r->cgroup), "%s", v->memcg);
	snprintf(r->trigger, sizeof(r->trigger), "%s", oc->trigger);
	snprintf(r->unit, sizeof(r->unit), "%s", kill_unit_name(oc->kill ? oc->kill->unit : config_kill_unit(&d->cfg)));
	r->signal = ep->signal;
	r->dry_run = ep->dry_run;
	r->killed = !ep->dry_run;
	r->reaped = ep->reaped;
	r->oom_score_adj = v->oom_score_adj;
	r->rss_kb = task_rss_kb(v);
	r->swap_kb = v->swap_kb;
	r->selection_seconds = (double)ep->select_ns / 1e9;
	r->reclaim_seconds = ep->exited ? (double)ep->ms_to_exit / 1e3 : -1;
	k8s_decode(r->cgroup, &r->k8s);
}

void report_record(struct daemon *d)
{
	struct kill_record *slot = &d->stats.last_kills[d->stats.nr_kill_records++ % DAEMON_LAST_KILLS];

	if (!d->ep.realtime_ns)
		d->ep.realtime_ns = realtime_ns();
	kill_record_of_episode(d, slot);
	json_event(d);
	if (d->observer)
		d->observer(d, slot, d->observer_arg);
}

void report_memory(struct daemon *d)
{
	const struct mem_sample *s = &d->sys.s;
	char avail[32], total[32], sfree[32], stotal[32];

	format_kb(s->mem_available_kb, avail, sizeof(avail));
	format_kb(s->mem_total_kb, total, sizeof(total));
	format_kb(s->swap_free_kb, sfree, sizeof(sfree));
	format_kb(s->swap_total_kb, stotal, sizeof(stotal));
	dlog(DLOG_INFO, "mem avail: %s of %s (%.1f%%), swap free: %s of %s (%.1f%%)", avail, total,
	     s->mem_total_kb ? 100.0 * (double)s->mem_available_kb / (double)s->mem_total_kb : 0, sfree,
	     stotal, s->swap_total_kb ? 100.0 * (double)s->swap_free_kb / (double)s->swap_total_kb : 0);
	for (size_t i = 0; i < d->nr_cg; i++) {
		const struct memcg_watch *w = &d->cg[i];
		char use[32], lim[32];
		format_kb((unsigned long)(w->usage_bytes / 1024), use, sizeof(use));
		if (w->limit_bytes == UINT64_MAX)
			snprintf(lim, sizeof(lim), "max");
		else
			format_kb((unsigned long)(w->limit_bytes / 1024), lim, sizeof(lim));
		dlog(DLOG_INFO, "memcg %s: %s of %s", w->dir, use, lim);
	}
}

int report_event_file_open(struct daemon *d)
{
	if (!d->cfg.json_file[0])
		return 0;
	d->json = fopen(d->cfg.json_file, "ae");
	if (!d->json)
		return -errno;
	setvbuf(d->json, json_buf, _IOFBF, sizeof(json_buf));
	return 0;
}

void report_event_file_close(struct daemon *d)
{
	if (d->json)
		fclose(d->json);
	d->json = NULL;
}
