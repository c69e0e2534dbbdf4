/* parse.c - assembles OOM events from report lines (parse.h): which
 * event a line belongs to, where an event starts and ends, KERN_CONT
 * pieces rejoined (parse_cont.h), several hosts kept apart, printk caller
 * ids used to skip other CPUs' lines. What a line says is parse_fields.c's
 * and parse_kill.c's job. */
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_cont.h"
#include "parse_fields.h"
#include "parse_kill.h"
#include "parse_pool.h"
#include "parse_prefix.h"
#include "parse_tasks.h"

#define KR_MAX_HOSTS 32
#define KR_MSG_MAX 4096
#define KR_QUIET_MAX 2000  /* lines without a report line after which an open event is cut */
#define KR_LINGER_MAX 5000 /* input lines a killed event waits for its reaper line */
#define KR_STACK_REACH 200 /* lines from an excerpt's first stack line to its first report line */
#define KR_DOWN_REACH 50   /* lines after a kill in which the machine going down is its doing */

enum section { S_NONE, S_HEADER, S_MEMCG_STATS, S_MEMINFO, S_SLAB, S_TASKS, S_KILLED };

struct host_state {
	char host[64];
	int64_t caller;          /* KR_UNSET: the host's lines; else one printk caller's report */
	struct kr_event *open;   /* being assembled */
	struct kr_event *linger; /* killed; may still get oom_reaper / oom.group lines */
	enum section section;
	int64_t last_seq, linger_since; /* line of the last report line; when the kill was seen */
	bool sysrq_pending;
	int64_t suppressed;
	char stack_line[160];     /* "Pid: N, comm: X" with no event open: an excerpt */
	int64_t stack_seq;        /* that starts there names the invoker in it */
	struct kr_event *user;    /* a user-space kill: its next line may say "dryrun" */
	bool dryrun_mode;         /* earlyoom said "dryrun mode enabled" */
	char pending[KR_MSG_MAX]; /* a KERN_CONT piece waiting for the rest */
	struct kr_line pending_line; /* its strings point into pending_* below */
	char pending_time[64], pending_tag[32];
	/* the record before: a comm holding '\n' splits a record in two */
	int64_t last_us, last_caller;
	bool same_record;         /* the current line continues the record before */
	char prev_msg[128];
	bool prev_used;
	int pending_joins;
};

struct kr_parser {
	kr_emit_fn emit;
	void *arg;
	struct host_state *hosts[KR_MAX_HOSTS];
	int nhosts, busy;
	int64_t seq; /* lines fed, all hosts */
	struct kr_pool *pool; /* kr_parser_new_fixed(): events come from here */
};

struct kr_parser *kr_parser_new(kr_emit_fn emit, void *arg)
{
	struct kr_parser *p = calloc(1, sizeof(*p));

	if (p) {
		p->emit = emit;
		p->arg = arg;
	}
	return p;
}

static struct host_state *host_get(struct kr_parser *p, const char *host, int64_t caller, bool create);

struct kr_parser *kr_parser_new_fixed(kr_emit_fn emit, void *arg, size_t max_tasks)
{
	struct kr_parser *p = kr_parser_new(emit, arg);

	if (p && (!(p->pool = kr_pool_new(KR_FIXED_EVENTS, max_tasks)) || !host_get(p, "", KR_UNSET, true))) {
		kr_parser_free(p);
		return NULL;
	}
	return p;
}

static void event_free(struct kr_parser *p, struct kr_event *ev)
{
	if (p->pool) {
		kr_pool_put(p->pool, ev);
		return;
	}
	free(ev->tasks);
	free(ev);
}

static void emit(struct kr_parser *p, struct host_state *h, struct kr_event **evp)
{
	struct kr_event *ev = *evp;

	if (!ev)
		return;
	kr_event_finish(ev);
	p->emit(ev, p->arg);
	event_free(p, ev);
	*evp = NULL;
	p->busy--;
	(void)h;
}

static struct kr_event *event_new(struct kr_parser *p, struct host_state *h, const struct kr_line *l)
{
	struct kr_event *ev = p->pool ? kr_pool_take(p->pool) : malloc(sizeof(*ev));

	if (!ev)
		return NULL;
	if (!p->pool)
		kr_event_init(ev);
	snprintf(ev->host, sizeof(ev->host), "%s", h->host);
	snprintf(ev->time, sizeof(ev->time), "%s", l->time);
	ev->kernel_us = l->kernel_us;
	ev->caller = l->caller;
	ev->first_line = ev->last_line = l->lineno;
	if (h->suppressed) {
		ev->suppressed = h->suppressed;
		h->suppressed = 0;
	}
	p->busy++;
	return ev;
}

/* The open event is done: it waits for late lines (reaper, oom.group)
 * when it killed, else it is emitted. */
static void close_open(struct kr_parser *p, struct host_state *h)
{
	if (!h->open)
		return;
	emit(p, h, &h->linger);
	if (h->open->have_victim && !h->open->panic) {
		h->linger = h->open;
		h->linger_since = p->seq;
		h->open = NULL;
	} else {
		emit(p, h, &h->open);
	}
	h->section = S_NONE;
}

static struct host_state *host_get(struct kr_parser *p, const char *host, int64_t caller, bool create)
{
	for (int i = 0; i < p->nhosts; i++)
		if (p->hosts[i]->caller == caller && !strcmp(p->hosts[i]->host, host))
			return p->hosts[i];
	if (!create)
		return NULL;
	if (p->pool && p->nhosts) /* fixed size: one host */
		return NULL;
	if (p->nhosts == KR_MAX_HOSTS) { /* forget the oldest host */
		struct host_state *old = p->hosts[0];

		close_open(p, old);
		emit(p, old, &old->linger);
		free(old);
		memmove(p->hosts, p->hosts + 1, sizeof(p->hosts[0]) * (KR_MAX_HOSTS - 1));
		p->nhosts--;
	}
	struct host_state *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	snprintf(h->host, sizeof(h->host), "%s", host);
	h->caller = caller;
	p->hosts[p->nhosts++] = h;
	return h;
}

/* Two reports printed at once by two CPUs, told apart by printk caller
 * ids: a header whose caller is not the open report's gets a state of its
 * own, and that caller's lines go there. */
static struct host_state *state_for(struct kr_parser *p, const struct kr_line *l, const char *m)
{
	struct host_state *h = host_get(p, l->host, KR_UNSET, true), *c;

	if (!h || p->pool || l->caller == KR_UNSET || l->caller < 0) /* a fixed parser keeps one state */
		return h;
	if ((c = host_get(p, l->host, l->caller, false)))
		return c;
	if (h->open && h->open->caller != KR_UNSET && h->open->caller != l->caller && strstr(m, " invoked oom-killer:"))
		return host_get(p, l->host, l->caller, true);
	return h;
}

/* The event of this host whose victim the oom_reaper line names (the
 * reaper prints with its own caller id), else the state's own. */
static struct kr_event *reaped_event(struct kr_parser *p, struct host_state *h, const char *m,
				     struct host_state **owner)
{
	int64_t pid;

	*owner = h;
	if (kr_reaper_line(NULL, m, &pid))
		for (int i = 0; i < p->nhosts; i++) {
			struct host_state *o = p->hosts[i];

			if (!strcmp(o->host, h->host) && o->linger && o->linger->victim.pid == pid) {
				*owner = o;
				return o->linger;
			}
		}
	return h->linger ? h->linger : h->open;
}

static void start_event(struct kr_parser *p, struct host_state *h, const struct kr_line *l, bool truncated)
{
	close_open(p, h);
	h->open = event_new(p, h, l);
	if (h->open)
		h->open->truncated_start = truncated;
	if (h->open && truncated && h->stack_line[0] && p->seq - h->stack_seq < KR_STACK_REACH)
		kr_stack_header(h->open, h->stack_line);
	h->stack_line[0] = '\0';
	h->last_seq = p->seq;
	h->section = S_HEADER;
}

static void handle_header(struct kr_parser *p, struct host_state *h, const struct kr_line *l, const char *m)
{
	struct kr_event *ev;
	bool incomplete;

	if (h->open && h->open->have_header && l->caller == KR_UNSET) /* no kill line yet, no caller ids */
		kr_note(h->open, "a second report began at line %lld before this one's kill line: "
				 "lines after it may be the other's", (long long)l->lineno);
	start_event(p, h, l, false);
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
		start_event(p, h, l, true);
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
	close_open(p, h);
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
		start_event(p, h, l, true);
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
			close_open(p, h);
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
	if (!(ev = event_new(p, h, l)))
		return false;
	if (kr_userspace_kill(ev, m, l->tag)) {
		/* held for one line: earlyoom --dryrun says so after the kill line */
		emit(p, h, &h->user);
		ev->dry_run = h->dryrun_mode;
		h->user = ev;
		return true;
	}
	event_free(p, ev);
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
		emit(p, h, &h->user);
		if (dry)
			return true;
	}
	if (m[0] == 'd' && kr_starts(m, "dryrun mode enabled")) {
		h->dryrun_mode = true;
		return true;
	}
	if (strstr(m, "Manual OOM execution")) {
		close_open(p, h);
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
		emit(p, h, &h->linger);
		return true;
	}
	/* another CPU's line in the middle of the report */
	if (h->open && h->open->caller != KR_UNSET && l->caller != KR_UNSET && l->caller != h->open->caller &&
	    strncmp(m, "oom_reaper:", 11))
		return false;
	if (!strncmp(m, "oom_reaper:", 11)) {
		struct kr_event *ev = reaped_event(p, h, m, &h);

		kr_reaper_line(ev, m, &pid);
		if (ev && ev == h->linger && ev->reaped >= 0 && !ev->oom_group[0])
			emit(p, h, &h->linger);
		else if (ev && ev == h->open && ev->have_victim) /* no kill line: the reaper named the victim */
			close_open(p, h);
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

/* A killed event waits KR_LINGER_MAX lines (of any host) for its reaper
 * line: a host that went silent must not keep the parser off its fast path. */
static void expire(struct kr_parser *p)
{
	for (int i = 0; i < p->nhosts; i++) {
		struct host_state *h = p->hosts[i];

		if (h->linger && p->seq - h->linger_since > KR_LINGER_MAX)
			emit(p, h, &h->linger);
		if (h->open && p->seq - h->last_seq > KR_QUIET_MAX)
			close_open(p, h);
	}
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
	if (!(h = state_for(p, l, m)))
		return;
	/* input line numbers: lines the fast path skipped count too */
	p->seq = l->lineno > p->seq ? l->lineno : p->seq + 1;
	if (p->busy)
		expire(p);
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

/* Idle: the next line matters only if kr_scan_candidate() stops at it. A
 * killed event waiting for its reaper or oom.group lines (each holds a
 * needle) counts only for its first lines ("Attempted to kill init!"); a
 * pending piece, a SysRq or a user-space kill need their next line even
 * with no event. */
bool kr_parser_idle(const struct kr_parser *p)
{
	for (int i = 0; i < p->nhosts; i++)
		if (p->hosts[i]->open || p->hosts[i]->pending[0] || p->hosts[i]->sysrq_pending || p->hosts[i]->user ||
		    (p->hosts[i]->linger && p->seq - p->hosts[i]->linger_since < KR_DOWN_REACH))
			return false;
	return true;
}

bool kr_parser_pending(const struct kr_parser *p)
{
	return p->busy > 0;
}

void kr_parser_flush(struct kr_parser *p)
{
	for (int i = 0; i < p->nhosts; i++) {
		struct host_state *h = p->hosts[i];

		flush_pending(p, h);
		close_open(p, h);
		emit(p, h, &h->linger);
		emit(p, h, &h->user);
	}
}

void kr_parser_prefix(struct kr_parser *p, const struct paste_shape *sh)
{
	for (int i = 0; i < p->nhosts; i++)
		if (p->hosts[i]->open)
			kr_comm_prefix(p->hosts[i]->open, sh);
}

void kr_parser_free(struct kr_parser *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nhosts; i++) {
		struct host_state *h = p->hosts[i];

		if (h->open)
			event_free(p, h->open);
		if (h->linger)
			event_free(p, h->linger);
		if (h->user)
			event_free(p, h->user);
		free(h);
	}
	kr_pool_free(p->pool);
	free(p);
}
