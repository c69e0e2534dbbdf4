/* kernel_oom.c - see kernel_oom.h. Everything here runs in the daemon's
 * loop, off the kill path: a kill in progress is never delayed by more
 * than one batch of records. */
#include "kernel_oom.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "core/json.h"
#include "core/k8s.h"
#include "core/textbuf.h"
#include "core/units.h"
#include "daemon_log.h"
#include "explain/explain.h"
#include "explain/parse.h"
#include "kmsg_reader.h"

static struct kernel_watch {
	struct daemon *d;
	struct kmsg_reader reader;
	struct kr_parser *parser;
	int timer_fd;
	bool armed;
	uint64_t records;          /* fed to the parser: its line numbers */
} kw = { .reader = { .fd = -1 }, .timer_fd = -1 };

static double clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The record's kernel time (CLOCK_MONOTONIC's clock, near enough) as
 * unix time. */
static double event_unix_time(const struct kr_event *ev)
{
	double now = clock_seconds(CLOCK_REALTIME), mono = clock_seconds(CLOCK_MONOTONIC);
	double t = ev->kernel_us != KR_UNSET ? (double)ev->kernel_us / 1e6 : mono;

	return t <= mono ? now - (mono - t) : now;
}

static const char *constraint_label(const struct kr_event *ev)
{
	if (ev->sysrq)
		return "sysrq";
	if (ev->constraint_known && ev->oc.constraint == CONSTRAINT_MEMCG)
		return "memcg";
	if (ev->constraint_known && ev->oc.constraint == CONSTRAINT_CPUSET)
		return "cpuset";
	/* kernels before 4.19 print no constraint: their memcg kill says so */
	return !ev->constraint_known && strstr(ev->victim.message, "Memory cgroup") ? "memcg" : "global";
}

/* The victim's memory cgroup, else the one whose limit was hit. */
static const char *event_cgroup(const struct kr_event *ev)
{
	return ev->task_memcg[0] ? ev->task_memcg : ev->oom_memcg;
}

static void scope_text(const struct kr_event *ev, const struct explain_rank *r, char *out, size_t size)
{
	const char *c = constraint_label(ev);
	char path[KR_PATH_MAX * 4], lim[32] = "";
	struct textbuf t;

	textbuf_init(&t, out, size);
	text_escape(ev->oom_memcg, path, sizeof(path));
	if (!strcmp(c, "memcg")) {
		if (ev->mc_memory.limit_kb != KR_UNSET)
			format_kb((unsigned long)ev->mc_memory.limit_kb, lim, sizeof(lim));
		textbuf_printf(&t, "a memcg OOM of %s (limit %s)", path[0] ? path : "?", lim[0] ? lim : "not printed");
	} else if (!strcmp(c, "cpuset")) {
		text_escape(ev->cpuset, path, sizeof(path));
		textbuf_printf(&t, "a cpuset OOM (cpuset %s, mems_allowed %s)", path[0] ? path : "?",
			       ev->mems_allowed[0] ? ev->mems_allowed : "?");
	} else {
		if (r->totalpages && r->page_kb)
			format_kb(r->totalpages * r->page_kb, lim, sizeof(lim));
		textbuf_printf(&t, "a %s OOM (RAM and swap %s)", !strcmp(c, "sysrq") ? "SysRq (manual)" : "global",
			       lim[0] ? lim : "not printed");
	}
}

/* One sentence: victim, invoker, scope and limit, pod and container. */
static void log_event(const struct kr_event *ev, const struct explain_rank *r)
{
	char victim[KR_COMM_MAX * 4 + 64], invoker[KR_COMM_MAX * 4 + 64], scope[KR_PATH_MAX * 4 + 96];
	char comm[KR_COMM_MAX * 4], pod[256] = "";
	struct k8s_pod p;

	text_escape(ev->victim.comm, comm, sizeof(comm));
	if (ev->have_victim)
		snprintf(victim, sizeof(victim), "killed %s (pid %lld)", comm[0] ? comm : "?", (long long)ev->victim.pid);
	else
		snprintf(victim, sizeof(victim), "killed nobody%s",
			 ev->no_killable ? " (no killable process)" : ev->already_exiting ? " (a task was exiting)" : "");
	text_escape(ev->oc.invoker.comm, comm, sizeof(comm));
	if (comm[0])
		snprintf(invoker, sizeof(invoker), "invoked by %s (pid %lld)", comm, (long long)ev->invoker_pid);
	else
		snprintf(invoker, sizeof(invoker), "invoker not printed");
	scope_text(ev, r, scope, sizeof(scope));
	if (k8s_decode(event_cgroup(ev), &p) == 1)
		k8s_format(&p, pod, sizeof(pod));
	dlog(DLOG_WARNING, "kernel OOM kill: the kernel %s in %s, %s%s%s%s", victim, scope, invoker,
	     pod[0] ? ", " : "", pod, ev->oom_group[0] ? ", with its memory.oom.group" : "");
}

static void json_event(const struct kr_event *ev, const struct explain_rank *r)
{
	struct json j;

	if (!kw.d->json)
		return;
	json_init(&j, kw.d->json);
	explain_json_event(&j, ev, r); /* ends the top-level object with '\n' */
	fflush(kw.d->json);
}

static void record_of(const struct kr_event *ev, struct kill_record *rec)
{
	const struct kr_victim *v = &ev->victim;
	struct textbuf t;

	memset(rec, 0, sizeof(*rec));
	rec->kernel = true;
	snprintf(rec->constraint, sizeof(rec->constraint), "%s", constraint_label(ev));
	rec->time_seconds = event_unix_time(ev);
	rec->pid = v->pid != KR_UNSET ? (pid_t)v->pid : 0;
	rec->uid = v->uid != KR_UNSET ? (uid_t)v->uid : 0;
	snprintf(rec->comm, sizeof(rec->comm), "%s", v->comm);
	snprintf(rec->cgroup, sizeof(rec->cgroup), "%s", event_cgroup(ev));
	textbuf_init(&t, rec->trigger, sizeof(rec->trigger));
	textbuf_printf(&t, "kernel %s OOM%s%s", rec->constraint, ev->oom_memcg[0] ? " of " : "", ev->oom_memcg);
	snprintf(rec->unit, sizeof(rec->unit), "%s", ev->oom_group[0] ? "cgroup" : "process");
	rec->signal = SIGKILL;
	rec->killed = ev->have_victim;
	rec->reaped = ev->reaped == 1;
	rec->oom_score_adj = v->oom_score_adj != KR_UNSET ? (int)v->oom_score_adj : 0;
	rec->rss_kb = v->anon_rss_kb != KR_UNSET ? (unsigned long)v->anon_rss_kb : 0;
	rec->rss_kb += v->file_rss_kb != KR_UNSET ? (unsigned long)v->file_rss_kb : 0;
	rec->rss_kb += v->shmem_rss_kb != KR_UNSET ? (unsigned long)v->shmem_rss_kb : 0;
	rec->selection_seconds = rec->reclaim_seconds = -1;
	k8s_decode(rec->cgroup, &rec->k8s);
}

/* The parser's callback: oomkit's own reports (--kmsg copies them into
 * the log) and other killers' lines are not the kernel's. */
static void on_event(const struct kr_event *ev, void *arg)
{
	static struct kill_record rec;
	struct explain_rank r;

	(void)arg;
	if (strcmp(ev->source, "kernel") || (!ev->have_header && !ev->have_victim))
		return;
	explain_rank(ev, &r);
	log_event(ev, &r);
	json_event(ev, &r);
	if (!ev->have_victim)
		return; /* no kill to count */
	record_of(ev, &rec);
	if (kw.d->observer)
		kw.d->observer(kw.d, &rec, kw.d->observer_arg);
}

void kernel_oom_record(const char *rec, size_t len)
{
	kr_feed_kmsg_record(kw.parser, rec, len, (int64_t)++kw.records);
}

void kernel_oom_flush(void)
{
	kw.armed = false;
	kr_parser_flush(kw.parser);
}

static void on_record(const char *rec, size_t len, void *arg)
{
	(void)arg;
	kernel_oom_record(rec, len);
}

/* While a report is being printed (an event open), the flush waits for
 * KERNEL_OOM_QUIET_MS without a record; once its kill line is in, other
 * records (a busy log) do not put it off: it comes at most that long after
 * the event's last line. */
static void arm_timer(void)
{
	struct itimerspec once = { .it_value = { KERNEL_OOM_QUIET_MS / 1000, (KERNEL_OOM_QUIET_MS % 1000) * 1000000L } };

	if (!kr_parser_pending(kw.parser) || (kw.armed && kr_parser_idle(kw.parser)))
		return;
	if (timerfd_settime(kw.timer_fd, 0, &once, NULL) == 0)
		kw.armed = true;
}

static void on_kmsg(struct daemon *d, int fd, short revents, void *arg)
{
	uint64_t lost;
	long n = kmsg_reader_drain(&kw.reader, on_record, NULL, &lost);

	(void)revents, (void)arg;
	if (lost) {
		/* lines are missing: what is open is cut, not joined to what follows */
		kernel_oom_flush();
		dlog(DLOG_WARNING, "kernel log: %llu record(s) overwritten before oomkit read them (ring buffer overrun, %llu lost in all); an OOM report among them is lost or partial",
		     (unsigned long long)lost, (unsigned long long)kw.reader.lost);
	}
	if (n < 0) {
		dlog(DLOG_ERR, "kernel log: read: %s; no longer watching kernel OOM kills", strerror((int)-n));
		for (size_t i = 0; i < d->nr_extra; i++) /* out of the poll set */
			if (d->extra[i].fd == fd)
				d->extra[i].fd = -1;
		kmsg_reader_close(&kw.reader);
		return;
	}
	if (n > 0)
		arm_timer();
}

static void on_quiet(struct daemon *d, int fd, short revents, void *arg)
{
	uint64_t expirations;

	(void)d, (void)revents, (void)arg;
	if (read(fd, &expirations, sizeof(expirations)) < 0)
		return;
	kernel_oom_flush();
}

int kernel_oom_start(struct daemon *d, const char *path)
{
	int r;

	if (!d->cfg.kernel_oom)
		return 0;
	kw.d = d;
	r = kmsg_reader_open(&kw.reader, path ? path : "/dev/kmsg");
	if (r < 0) {
		dlog(DLOG_WARNING, "kernel OOM kills not watched: %s: %s", path ? path : "/dev/kmsg", strerror(-r));
		return 0;
	}
	kw.parser = kr_parser_new_fixed(on_event, NULL, KERNEL_OOM_MAX_TASKS);
	kw.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (!kw.parser || kw.timer_fd < 0) {
		r = kw.parser ? -errno : -ENOMEM;
		kernel_oom_stop();
		return r;
	}
	if (daemon_add_fd(d, kw.reader.fd, POLLIN, on_kmsg, NULL) || daemon_add_fd(d, kw.timer_fd, POLLIN, on_quiet, NULL)) {
		kernel_oom_stop();
		return -EMFILE;
	}
	dlog(DLOG_NOTICE, "watching the kernel's own OOM kills in %s", path ? path : "/dev/kmsg");
	return 0;
}

void kernel_oom_stop(void)
{
	kmsg_reader_close(&kw.reader);
	if (kw.timer_fd >= 0)
		close(kw.timer_fd);
	kw.timer_fd = -1;
	kr_parser_free(kw.parser);
	kw.parser = NULL;
}
