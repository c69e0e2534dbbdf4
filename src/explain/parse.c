/* parse.c - assembles OOM events from report lines (parse.h): which
 * event a line belongs to, where an event starts and ends, KERN_CONT
 * pieces rejoined (parse_cont.h), printk caller ids used to skip other
 * CPUs' lines. The states and events themselves are parse_host.c's; what
 * a line says is parse_fields.c's, parse_tasks.c's and parse_kill.c's. */
#include "parse_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_cont.h"
#include "parse_fields.h"
#include "parse_kill.h"
#include "parse_prefix.h"
#include "parse_tasks.h"

static void handle_header(struct kr_parser *p, struct host_state *h, const struct kr_line *l, const char *m)
{
	struct kr_event *ev;
	bool incomplete;

	if (h->open && h->open->have_header && l->caller == KR_UNSET) /* no kill line yet, no caller ids */
		kr_note(h->open, "a second report began at line %lld before this one's kill line: "
				 "lines after it may be the other's", (long long)l->lineno);
	kr_start_event(p, h, l, false);
	if (!(ev = h->open))
		return;
	kr_header(ev, m, &incomplete);
	if (!strcmp(l->tag, "oomkit"))
		strcpy(ev->source, "oomkit");
	strcpy(ev->invoker_kind, "task");
	if (!strcmp(ev->source, "oomkit")) {
		strcpy(ev->invoker_kind, "oomkit"); /* order -1: oomkit's manual kill, not sysrq */
	} else if (ev->order == -1 || (h->sysrq_pending && !strncmp(ev->oc.invoker.comm, "kworker/", 8))) {
		/* sysrq f runs out_of_memory() from a kworker; any other task's
		 * header is a real OOM after a SysRq that printed nothing */
		ev->sysrq = true;
		strcpy(ev->invoker_kind, "sysrq");
	} else if (!strncmp(ev->oc.invoker.comm, "kswapd", 6)) {
		strcpy(ev->invoker_kind, "kswapd");
	} else if (!strncmp(ev->oc.invoker.comm, "kworker/", 8)) {
		strcpy(ev->invoker_kind, "kworker");
	}
	h->sysrq_pending = false;
}

/* A kill line ("Killed process", "Kill process ... score") for the open
 * event, or one that opens a new event when its header was cut or
 * ratelimited away. */
static void handle_killed(struct kr_parser *p, struct host_state *h, const struct kr_line *l, const char *m)
{
	struct kr_victim v;

	for (int64_t *f = &v.pid; f <= &v.oom_score_adj; f++)
		*f = KR_UNSET;
	memset(v.comm, 0, sizeof(v.comm) + sizeof(v.message) + sizeof(v.cgroup) + sizeof(v.signal));
	if (!kr_killed_line(&v, m)) { /* cut inside the pid or the name */
		if (h->open)
			kr_note(h->open, "the kill line is cut (\"%.48s\"): what it would say is not read", m);
		return;
	}
	if (!h->open && h->linger && h->linger->oom_group[0]) {
		struct kr_event *ev = h->linger;

		if (ev->nr_others < KR_MAX_OTHERS && v.pid != ev->victim.pid) {
			ev->others[ev->nr_others].pid = v.pid;
			memcpy(ev->others[ev->nr_others].comm, v.comm, sizeof(v.comm));
			strcpy(ev->others[ev->nr_others++].reason, "oom_group");
		}
		return;
	}
	if (!h->open || h->open->have_victim)
		kr_start_event(p, h, l, true);
	if (!h->open)
		return;
	/* the summary line may already have named the victim: keep what it said */
	v.uid = v.uid == KR_UNSET ? h->open->victim.uid : v.uid;
	if (!v.message[0]) /* <= 5.0: the message was on the "Kill process" line */
		memcpy(v.message, h->open->victim.message, sizeof(v.message));
	if (!v.comm[0]) /* the line is cut inside the name */
		memcpy(v.comm, h->open->victim.comm, sizeof(v.comm));
	if (strstr(v.message, "(oom_kill_allocating_task)"))
		h->open->allocating_task = true;
	if (v.total_vm_kb == KR_UNSET && v.anon_rss_kb == KR_UNSET)
		kr_note(h->open, "the kill line holds no memory figures (cut, or a kernel that printed none)");
	h->open->victim = v;
	h->open->have_victim = true;
	h->open->last_line = l->lineno;
	h->section = S_KILLED;
	kr_close_open(p, h);
}

/* Lines that belong to a report; with no open event they open one that
 * is marked truncated at the start. Returns false for foreign lines. */
static bool handle_report_line(struct kr_parser *p, struct host_state *h, const struct kr_line *l,
			       const char *m)
{
	struct kr_event *ev = h->open;

	if (!ev && kr_starts(m, "Pid: ") && strstr(m, ", comm: ")) {
		kr_copy(h->stack_line, sizeof(h->stack_line), m, strlen(m));
		h->stack_seq = p->seq;
		return true;
	}
	if (!ev) {
		if (!kr_opens_report(m))
			return false;
		kr_start_event(p, h, l, true);
		if (!(ev = h->open))
			return true;
	}
	if (strstr(m, "COMPACTION is disabled")) {
		ev->compaction_disabled = true;
		return true;
	}
	if (kr_stack_header(ev, m) || kr_cpuset_line(ev, m) || kr_oom_kill_summary(ev, m) || kr_task_in(ev, m) ||
	    kr_memcg_counter(ev, m))
		return true;
	if (kr_memcg_stats_header(ev, m)) {
		h->section = S_MEMCG_STATS;
		return true;
	}
	if (!strcmp(m, "Mem-Info:")) {
		ev->have_meminfo = true;
		h->section = S_MEMINFO;
		return true;
	}
	if (!strncmp(m, "Unreclaimable slab info:", 24)) {
		h->section = S_SLAB;
		return true;
	}
	if (kr_task_header(ev, m)) {
		h->section = S_TASKS;
		return true;
	}
	if (!strncmp(m, "Tasks state", 11))
		return true;
	if (h->section == S_TASKS && kr_task_row(ev, m))
		return true;
	if (!ev->ncols && kr_task_row_bare(ev, m)) /* rows printed without their header */
		return true;
	if (h->section == S_TASKS && h->same_record && ev->nr_tasks &&
	    kr_comm_continues(ev->tasks[ev->nr_tasks - 1].comm, m)) { /* comm with '\n' */
		char *c = ev->tasks[ev->nr_tasks - 1].comm;
		size_t n = strlen(c);

		snprintf(c + n, KR_COMM_MAX - n, "\n%s", m);
		return true;
	}
	if (h->section == S_MEMCG_STATS && kr_memcg_stat(ev, m))
		return true;
	if (kr_zone_line(ev, m) || kr_buddy_line(ev, m) || kr_meminfo_tail(ev, m))
		return true;
	if (h->section == S_SLAB && kr_slab_row(ev, m))
		return true;
	if (h->section == S_MEMINFO && kr_meminfo_counters(ev, m))
		return true;
	if (kr_select_line(ev, m) || kr_shared_mm_line(ev, m) || kr_oom_group_line(ev, m))
		return true;
	if (kr_end_line(ev, m)) {
		/* a panic tail: the stack line after the panic names the task */
		if (ev->panic && ev->invoker_pid == KR_UNSET)
			return true;
		if (!ev->no_killable || ev->panic) /* "no killable" is followed by a panic on <= 4.15 and global OOMs */
			kr_close_open(p, h);
		return true;
	}
	return false;
}

/* A user-space killer's line is one event of its own. */
static bool handle_userspace(struct kr_parser *p, struct host_state *h, const struct kr_line *l,
			     const char *m)
{
	struct kr_event *ev;

	if (!strcmp(l->tag, "kernel") || !strcmp(l->tag, "oomkit"))
		return false;
	if (!(strstr(l->tag, "oom") || strstr(l->tag, "lmkd") || strstr(m, "sending SIG") ||
	      !strncmp(m, "Killed /", 8) || strstr(m, "oomd kill: ") || strstr(m, "Kill '") ||
	      strstr(m, "Killing '") || strstr(m, "Low memory! Killing")))
		return false;
	if (!(ev = kr_event_new(p, h, l)))
		return false;
	if (kr_userspace_kill(ev, m, l->tag)) {
		/* held for one line: earlyoom --dryrun says so after the kill line */
		kr_emit(p, h, &h->user);
		ev->dry_run = h->dryrun_mode;
		h->user = ev;
		return true;
	}
	kr_event_free(p, ev);
	p->busy--;
	return false;
}

static bool handle_message(struct kr_parser *p, struct host_state *h, const struct kr_line *l, const char *m)
{
	const char *s;
	int64_t pid;

	if ((s = strstr(m, " callbacks suppressed")) && strstr(m, "oom")) {
		h->suppressed += strtoll(strrchr(m, ':') ? strrchr(m, ':') + 1 : m, NULL, 10);
		return true;
	}
	if (h->user) {
		bool dry = kr_starts(m, "dryrun, not actually sending");

		h->user->dry_run |= dry;
		kr_emit(p, h, &h->user);
		if (dry)
			return true;
	}
	if (m[0] == 'd' && kr_starts(m, "dryrun mode enabled")) {
		h->dryrun_mode = true;
		return true;
	}
	if (strstr(m, "Manual OOM execution")) {
		kr_close_open(p, h);
		h->sysrq_pending = true;
		return true;
	}
	if (h->sysrq_pending && strstr(m, "OOM request ignored")) { /* the SysRq found no task: no OOM follows */
		h->sysrq_pending = false;
		return true;
	}
	if (strstr(m, " invoked oom-killer:") && kr_header_shape(m)) {
		handle_header(p, h, l, m);
		return true;
	}
	if ((h->open || h->linger) && kr_starts(m, "Kernel panic - not syncing: Attempted to kill init!")) {
		kr_init_died(h->open ? h->open : h->linger, m);
		kr_emit(p, h, &h->linger);
		return true;
	}
	/* another CPU's line in the middle of the report */
	if (h->open && h->open->caller != KR_UNSET && l->caller != KR_UNSET && l->caller != h->open->caller &&
	    strncmp(m, "oom_reaper:", 11))
		return false;
	if (!strncmp(m, "oom_reaper:", 11)) {
		struct kr_event *ev = kr_reaped_event(p, h, m, &h);

		kr_reaper_line(ev, m, &pid);
		if (ev && ev == h->linger && ev->reaped >= 0 && !ev->oom_group[0])
			kr_emit(p, h, &h->linger);
		else if (ev && ev == h->open && ev->have_victim) /* no kill line: the reaper named the victim */
			kr_close_open(p, h);
		return true;
	}
	if (handle_userspace(p, h, l, m))
		return true;
	if (strstr(m, "Killed process ")) {
		handle_killed(p, h, l, m);
		return true;
	}
	/* memory.oom.group (6.x: after the victim's line) and mm sharers */
	if (h->linger && !h->open && (kr_shared_mm_line(h->linger, m) || kr_oom_group_line(h->linger, m)))
		return true;
	if (handle_report_line(p, h, l, m)) {
		if (h->open)
			h->open->last_line = l->lineno;
		h->last_seq = p->seq;
		return true;
	}
	return false;
}

static void flush_pending(struct kr_parser *p, struct host_state *h)
{
	if (!h->pending[0])
		return;
	char m[KR_MSG_MAX];

	memcpy(m, h->pending, sizeof(m));
	h->pending[0] = '\0';
	handle_message(p, h, &h->pending_line, m);
}

/* Appends m (after sep, unless '\0') to the pending piece; hands the
 * result on once it is complete. */
static void join_pending(struct kr_parser *p, struct host_state *h, char sep, const char *m)
{
	size_t a = strlen(h->pending), b = strlen(m);

	if (a + b + 2 < sizeof(h->pending)) {
		if (sep)
			h->pending[a++] = sep;
		memcpy(h->pending + a, m, b + 1);
	}
	h->pending_joins++;
	if (!kr_needs_rest(h->pending))
		flush_pending(p, h);
}

void kr_parser_feed(struct kr_parser *p, const struct kr_line *line)
{
	struct kr_line ln = *line, *l = &ln;

	ln.host = ln.host ? ln.host : "";
	ln.time = ln.time ? ln.time : "";
	ln.tag = ln.tag ? ln.tag : "";
	struct host_state *h;
	char m[KR_MSG_MAX];
	const char *s;

	kr_normalise(m, sizeof(m), l->msg, l->len);
	if (!(h = kr_state_for(p, l, m)))
		return;
	/* input line numbers: lines the fast path skipped count too */
	p->seq = l->lineno > p->seq ? l->lineno : p->seq + 1;
	if (p->busy)
		kr_expire(p);
	h->same_record = l->same_record ||
			 (l->kernel_us != KR_UNSET && l->kernel_us == h->last_us && l->caller == h->last_caller);
	h->last_us = l->kernel_us;
	h->last_caller = l->caller;
	if (h->pending[0] && h->pending_joins < 3) {
		size_t a = strlen(h->pending);

		if (h->same_record && kr_record_continues(h->pending)) {
			join_pending(p, h, '\n', m);
			return;
		}
		if (kr_is_fragment_of(h->pending, m)) {
			join_pending(p, h, kr_join_space(h->pending, a, m) ? ' ' : '\0', m);
			return;
		}
	}
	flush_pending(p, h);
	s = m;
	while (*s == ' ')
		s++;
	if (kr_needs_rest(s)) {
		memcpy(h->pending, s, strlen(s) + 1);
		h->pending_line = *l;
		h->pending_line.msg = h->pending;
		/* the caller's strings do not outlive this call */
		snprintf(h->pending_time, sizeof(h->pending_time), "%s", l->time);
		snprintf(h->pending_tag, sizeof(h->pending_tag), "%s", l->tag);
		h->pending_line.time = h->pending_time;
		h->pending_line.tag = h->pending_tag;
		h->pending_line.host = h->host;
		h->pending_joins = 0;
		return;
	}
	if (h->same_record && !h->prev_used && h->prev_msg[0] && strlen(h->prev_msg) < 15 &&
	    strstr(s, " invoked oom-killer: ")) {
		char joined[KR_MSG_MAX]; /* "bad" + "name invoked oom-killer: ..." */
		size_t a = strlen(h->prev_msg);

		memcpy(joined, h->prev_msg, a);
		joined[a] = '\n';
		kr_copy(joined + a + 1, sizeof(joined) - a - 1, s, strlen(s));
		h->prev_used = handle_message(p, h, l, joined);
		return;
	}
	h->prev_used = handle_message(p, h, l, s);
	kr_copy(h->prev_msg, sizeof(h->prev_msg), s, strlen(s));
}

void kr_parser_flush(struct kr_parser *p)
{
	for (int i = 0; i < p->nhosts; i++) {
		struct host_state *h = p->hosts[i];

		flush_pending(p, h);
		kr_close_open(p, h);
		kr_emit(p, h, &h->linger);
		kr_emit(p, h, &h->user);
	}
}

