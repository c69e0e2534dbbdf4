/* parse_host.c - the parser's states and events (parse_state.h): made
 * (on the heap, or from the fixed pool of the daemon's parser), found by
 * host and printk caller, emitted when complete, expired when their host
 * went quiet, freed; and the parser's public life cycle (parse.h). */
#include "parse_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_fields.h"
#include "parse_kill.h"
#include "parse_pool.h"

struct kr_parser *kr_parser_new(kr_emit_fn emit, void *arg)
{
	struct kr_parser *p = calloc(1, sizeof(*p));

	if (p) {
		p->emit = emit;
		p->arg = arg;
	}
	return p;
}

struct kr_parser *kr_parser_new_fixed(kr_emit_fn emit, void *arg, size_t max_tasks)
{
	struct kr_parser *p = kr_parser_new(emit, arg);

	if (p && (!(p->pool = kr_pool_new(KR_FIXED_EVENTS, max_tasks)) || !kr_host_get(p, "", KR_UNSET, true))) {
		kr_parser_free(p);
		return NULL;
	}
	return p;
}

void kr_event_free(struct kr_parser *p, struct kr_event *ev)
{
	if (p->pool) {
		kr_pool_put(p->pool, ev);
		return;
	}
	free(ev->tasks);
	free(ev);
}

void kr_emit(struct kr_parser *p, struct host_state *h, struct kr_event **evp)
{
	struct kr_event *ev = *evp;

	if (!ev)
		return;
	kr_event_finish(ev);
	p->emit(ev, p->arg);
	kr_event_free(p, ev);
	*evp = NULL;
	p->busy--;
	(void)h;
}

struct kr_event *kr_event_new(struct kr_parser *p, struct host_state *h, const struct kr_line *l)
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
void kr_close_open(struct kr_parser *p, struct host_state *h)
{
	if (!h->open)
		return;
	kr_emit(p, h, &h->linger);
	if (h->open->have_victim && !h->open->panic) {
		h->linger = h->open;
		h->linger_since = p->seq;
		h->open = NULL;
	} else {
		kr_emit(p, h, &h->open);
	}
	h->section = S_NONE;
}

struct host_state *kr_host_get(struct kr_parser *p, const char *host, int64_t caller, bool create)
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

		kr_close_open(p, old);
		kr_emit(p, old, &old->linger);
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
struct host_state *kr_state_for(struct kr_parser *p, const struct kr_line *l, const char *m)
{
	struct host_state *h = kr_host_get(p, l->host, KR_UNSET, true), *c;

	if (!h || p->pool || l->caller == KR_UNSET || l->caller < 0) /* a fixed parser keeps one state */
		return h;
	if ((c = kr_host_get(p, l->host, l->caller, false)))
		return c;
	if (h->open && h->open->caller != KR_UNSET && h->open->caller != l->caller && strstr(m, " invoked oom-killer:"))
		return kr_host_get(p, l->host, l->caller, true);
	return h;
}

/* The event of this host whose victim the oom_reaper line names (the
 * reaper prints with its own caller id), else the state's own. */
struct kr_event *kr_reaped_event(struct kr_parser *p, struct host_state *h, const char *m,
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

void kr_start_event(struct kr_parser *p, struct host_state *h, const struct kr_line *l, bool truncated)
{
	kr_close_open(p, h);
	h->open = kr_event_new(p, h, l);
	if (h->open)
		h->open->truncated_start = truncated;
	if (h->open && truncated && h->stack_line[0] && p->seq - h->stack_seq < KR_STACK_REACH)
		kr_stack_header(h->open, h->stack_line);
	h->stack_line[0] = '\0';
	h->last_seq = p->seq;
	h->section = S_HEADER;
}

/* A killed event waits KR_LINGER_MAX lines (of any host) for its reaper
 * line: a host that went silent must not keep the parser off its fast path. */
void kr_expire(struct kr_parser *p)
{
	for (int i = 0; i < p->nhosts; i++) {
		struct host_state *h = p->hosts[i];

		if (h->linger && p->seq - h->linger_since > KR_LINGER_MAX)
			kr_emit(p, h, &h->linger);
		if (h->open && p->seq - h->last_seq > KR_QUIET_MAX)
			kr_close_open(p, h);
	}
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
			kr_event_free(p, h->open);
		if (h->linger)
			kr_event_free(p, h->linger);
		if (h->user)
			kr_event_free(p, h->user);
		free(h);
	}
	kr_pool_free(p->pool);
	free(p);
}
