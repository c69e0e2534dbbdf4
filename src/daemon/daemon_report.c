/* daemon_report.c - see daemon_report.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon_log.h"
#include "daemon_report.h"
#include "core/json.h"
#include "core/k8s.h"
#include "core/mem.h"
#include "core/report.h"
#include "core/units.h"
#include <unistd.h>

#define REPORT_TASKS_MAX 64 /* rows of the task table (kernel: all) */

static char json_buf[8192]; /* stdio's buffer for the event file: no lazy malloc */

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Where the kernel-shaped report goes: the log (stderr with the sd-daemon
 * <level> prefix, or syslog with --syslog) and, when asked, /dev/kmsg.
 * Returns how many of sinks[2] it set up. */
static size_t report_sinks(struct daemon *d, struct report sinks[2])
{
	size_t n = 0;

	if (dlog_syslog_fd() >= 0)
		report_init_syslog(&sinks[n++], dlog_syslog_fd());
	else
		report_init(&sinks[n++], NULL, STDERR_FILENO);
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
static void report_pod(struct daemon *d, const struct victim *v)
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
	struct daemon_kill_record *rec = &d->ep.rec;
	const struct victim *v = &rec->victim, *inv = &rec->invoker;
	char comm[4 * TASK_COMM_MAX], icomm[4 * TASK_COMM_MAX], grown[32], line[2048];
	const char *base = rec->scope[0] ? "Memory cgroup out of memory" : "Out of memory";

	rec->realtime_ns = realtime_ns();
	text_escape(v->comm, comm, sizeof(comm));
	text_escape(inv->comm, icomm, sizeof(icomm));
	format_kb(inv->growth_kb, grown, sizeof(grown));
	/* kill's format: a first SIGTERM is "Out of memory (TERM)" */
	snprintf(line, sizeof(line),
		 "%s%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%d",
		 base, rec->signal == SIGKILL ? "" : " (TERM)", v->pid, comm, v->total_vm_kb,
		 v->rss_anon_kb, v->rss_file_kb, v->rss_shmem_kb, (unsigned int)v->uid, v->pgtables_kb,
		 v->oom_score_adj);
	if (rec->signal != SIGKILL) /* SIGKILL: report_kill_process() says it */
		say(d, DLOG_ERR, line);
	report_pod(d, v);
	dlog(DLOG_INFO, "oomkit: invoker %s (pid %d) grew %s since the previous scan; victim points %ld, %zu candidates",
	     icomm, inv->pid, grown, v->points, rec->nr_candidates);
}

void report_kill_process(struct daemon *d)
{
	struct report sinks[2];
	size_t n = report_sinks(d, sinks);

	for (size_t i = 0; i < n; i++) {
		if (d->ep.rec.escalated)
			report_kill_escalated(&sinks[i], &d->sel.oc, d->sel.kctx);
		else
			report_kill(&sinks[i], &d->sel.oc, d->sel.kctx);
	}
}

void report_kill_finished(const struct daemon_kill_record *rec)
{
	char comm[4 * TASK_COMM_MAX], before[32], after[32];

	text_escape(rec->victim.comm, comm, sizeof(comm));
	format_kb(rec->avail_before_kb, before, sizeof(before));
	format_kb(rec->avail_after_kb, after, sizeof(after));
	if (rec->exited)
		dlog(DLOG_NOTICE, "process %d (%s) exited %llu ms after %s; %s %s -> %s",
		     rec->victim.pid, comm, (unsigned long long)rec->ms_to_exit,
		     rec->escalated ? "SIGTERM, escalated to SIGKILL"
				    : rec->signal == SIGKILL ? "SIGKILL" : "SIGTERM",
		     rec->scope[0] ? "headroom" : "MemAvailable", before, after);
	else
		dlog(DLOG_ERR, "process %d (%s) did not exit %llu ms after SIG%s", rec->victim.pid, comm,
		     (unsigned long long)rec->ms_to_exit, sigabbrev_np(rec->signal));
}

void report_dry_run(struct daemon *d, const struct daemon_kill_record *rec)
{
	char comm[4 * TASK_COMM_MAX];

	text_escape(rec->victim.comm, comm, sizeof(comm));
	dlog(DLOG_NOTICE, "dry-run: would send SIG%s to process %d (%s), rss %lukB, oom_score_adj %d, points %ld: trigger=%s",
	     sigabbrev_np(rec->signal), rec->victim.pid, comm, rec->victim.rss_kb,
	     rec->victim.oom_score_adj, rec->victim.points, rec->trigger);
	report_pod(d, &rec->victim);
}

static void json_victim(struct json *j, const char *key, const struct victim *v)
{
	json_key(j, key);
	json_begin_object(j);
	json_kv_int(j, "pid", v->pid);
	json_kv_string(j, "comm", v->comm);
	json_kv_uint(j, "uid", v->uid);
	json_kv_int(j, "oom_score_adj", v->oom_score_adj);
	json_kv_uint(j, "rss_kb", v->rss_kb);
	json_kv_uint(j, "growth_kb", v->growth_kb);
	k8s_json_memcg(j, v->memcg);
	json_end_object(j);
}

static void json_event(struct daemon *d, const struct daemon_kill_record *rec)
{
	struct json j;

	if (!d->json)
		return;
	json_init(&j, d->json);
	json_begin_object(&j);
	json_kv_string(&j, "event", rec->dry_run ? "dry_run_kill" : "kill");
	json_kv_uint(&j, "time_ns", rec->realtime_ns);
	json_kv_string(&j, "trigger", rec->trigger);
	json_kv_string(&j, "constraint", rec->scope[0] ? "CONSTRAINT_MEMCG" : "CONSTRAINT_NONE");
	json_kv_string(&j, "memcg", rec->scope);
	json_victim(&j, "victim", &rec->victim);
	json_kv_int(&j, "points", rec->victim.points);
	json_kv_uint(&j, "anon_rss_kb", rec->victim.rss_anon_kb);
	json_kv_uint(&j, "file_rss_kb", rec->victim.rss_file_kb);
	json_kv_uint(&j, "shmem_rss_kb", rec->victim.rss_shmem_kb);
	json_kv_uint(&j, "pgtables_kb", rec->victim.pgtables_kb);
	json_victim(&j, "invoker", &rec->invoker);
	json_kv_string(&j, "signal", rec->signal == SIGKILL ? "SIGKILL" : "SIGTERM");
	json_kv_bool(&j, "escalated", rec->escalated);
	json_kv_bool(&j, "exited", rec->exited);
	json_kv_bool(&j, "reaped", rec->reaped);
	json_kv_uint(&j, "ms_to_exit", rec->ms_to_exit);
	json_kv_uint(&j, "avail_before_kb", rec->avail_before_kb);
	json_kv_uint(&j, "avail_after_kb", rec->avail_after_kb);
	json_kv_uint(&j, "candidates", rec->nr_candidates);
	json_end_object(&j); /* ends the line */
	fflush(d->json);
}

void report_record(struct daemon *d, const struct daemon_kill_record *rec)
{
	struct daemon_kill_record *slot =
		&d->stats.last_kills[d->stats.nr_kill_records++ % DAEMON_LAST_KILLS];

	*slot = *rec;
	if (!slot->realtime_ns)
		slot->realtime_ns = realtime_ns();
	slot->victim.pidfd = -1;
	json_event(d, slot);
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
